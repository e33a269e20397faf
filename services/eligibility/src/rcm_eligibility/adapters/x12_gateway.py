"""The eligibility gateway: a real-time 270 to the clearinghouse, the 271 read back.

Everything X12 stays here: the 270 is written with the toolkit, the 271's EB segments are
read into the domain's :class:`BenefitLine` values and the domain's benefit rules give the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.control_numbers import next_control_number
from rcm_shared.db.database import Database
from rcm_x12.common import Party, Person
from rcm_x12.eligibility import Benefit, Eligibility270, Eligibility271, EligibilityInquiry, write_270
from rcm_x12.reader import check_interchange
from rcm_x12.writer import EnvelopeParams

from rcm_eligibility.domain.benefits import coverage_from_benefits
from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.errors import EligibilityRequestRejectedError
from rcm_eligibility.domain.model import BenefitLine, CoverageAnswer, Member

NOT_FOUND = "75"  # AAA03 subscriber/insured not found: what a 271 without any answer means


def _person(m: Member, member_id: str = "") -> Person:
    return Person(last_name=m.last_name, first_name=m.first_name, member_id=member_id, birth_date=m.birth_date,
                  sex=m.sex)


class X12EligibilityGateway:
    """Implements the handlers' ``EligibilityGateway`` port over X12 270/271.

    The clearinghouse client raises ``TransientError`` when it is unreachable or answers 5xx.
    """

    def __init__(self, client: ClearinghouseClient, db: Database, *, submitter_id: str, receiver_id: str,
                 trace_originator: str = "9000000001") -> None:
        self.client = client
        self.db = db
        self.submitter_id = submitter_id
        self.receiver_id = receiver_id
        self.trace_originator = trace_originator

    def render_270(self, cmd: CheckEligibility, control_number: int, now: datetime) -> str:
        """The 270 interchange asking about ``cmd``."""
        inquiry = EligibilityInquiry(
            trace_number=f"{cmd.encounter_id}"[:50],
            subscriber=_person(cmd.subscriber, cmd.member_id),
            service_types=("30",),
            service_date=cmd.date_of_service,
            dependent=_person(cmd.patient) if cmd.patient else None,
            trace_originator=self.trace_originator,
        )
        doc = Eligibility270(
            reference=f"{control_number:09d}", created=now.date(), created_time=now.strftime("%H%M"),
            source=Party(name=cmd.payer_name, id=cmd.payer_id, id_qualifier="PI"),
            receiver=Party(name=cmd.provider_name, id=cmd.provider_npi, id_qualifier="XX"),
            inquiries=(inquiry,),
        )
        env = EnvelopeParams(sender_id=self.submitter_id, receiver_id=self.receiver_id,
                             interchange_control_number=control_number, group_control_number=control_number,
                             transaction_control_number=control_number, date=now.date(), time=now.strftime("%H%M"))
        return write_270(doc, env)

    async def check(self, command: CheckEligibility) -> CoverageAnswer:
        """Send the 270 and read the payer's 271."""
        async with self.db.session() as session, session.begin():
            control = await next_control_number(session)
        reply = await self.client.send_x12(self.render_270(command, control, datetime.now(UTC)))
        return read_271_answer(reply.content, reply.status_code)


def read_271_answer(content: str, status_code: int = 200) -> CoverageAnswer:
    """The coverage answer in a 271 interchange; raise when the answer is not a usable 271."""
    check = check_interchange(content)
    docs = [r.document for r in check.results if r.document_type == "271" and r.document is not None]
    if not docs:
        issues = "; ".join(str(i) for i in check.issues[:5]) or f"HTTP {status_code} without a 271"
        raise EligibilityRequestRejectedError(f"no 271 in the clearinghouse's answer: {issues}")
    doc: Eligibility271 = docs[0]
    if not doc.responses:
        return coverage_from_x12_benefits([], [r.reason_code for r in doc.rejections] or [NOT_FOUND])
    response = doc.responses[0]
    rejections = [r.reason_code for r in (*doc.rejections, *response.rejections)]
    return coverage_from_x12_benefits(response.benefits, rejections)


def benefit_line(b: Benefit) -> BenefitLine:
    """An EB segment of the toolkit's 271 model as the domain's benefit."""
    return BenefitLine(code=b.code, coverage_level=b.coverage_level, service_types=b.service_types,
                       plan_description=b.plan_description, time_period=b.time_period, amount=b.amount,
                       percent=b.percent, in_network=b.in_network)


def coverage_from_x12_benefits(benefits: Sequence[Benefit], rejection_codes: Sequence[str] = ()) -> CoverageAnswer:
    """The coverage answer of a 271 response's EB segments and AAA reject reasons."""
    return coverage_from_benefits([benefit_line(b) for b in benefits], rejection_codes)
