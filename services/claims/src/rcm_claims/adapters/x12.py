"""The claims service's X12 boundary: our claims as 837P, the clearinghouse's answers read.

All syntax lives in the toolkit (rcm_x12); this module only maps the domain's claim and
encounter facts onto the 837P model, and the acknowledgements back onto domain outcomes.
"""

from __future__ import annotations

from datetime import datetime

from rcm_shared.clearinghouse import X12Reply
from rcm_shared.errors import PermanentError
from rcm_x12.claim837 import (
    BillingProvider,
    Claim837,
    Patient,
    Payer,
    Provider,
    Receiver,
    ServiceLine,
    Submitter,
    Subscriber,
    write_837,
)
from rcm_x12.claim837 import Claim as X12Claim
from rcm_x12.common import Address
from rcm_x12.errors import X12Error
from rcm_x12.reader import read_277ca, read_999, read_ta1
from rcm_x12.writer import EnvelopeParams

from rcm_claims.domain.acknowledgements import ClaimStatusAck, SubmissionOutcome
from rcm_claims.domain.model import Address as DomainAddress
from rcm_claims.domain.model import Claim, EncounterFacts, Person

# SBR02 / PAT01 individual relationship codes (837P guide).
RELATIONSHIP_CODE = {"self": "18", "spouse": "01", "child": "19", "other": "G8"}
# SBR09 claim filing indicator by financial class.
FILING_INDICATOR = {"commercial": "CI", "medicare": "MB", "medicaid": "MC", "other": "ZZ", None: "CI"}
DUPLICATE_INTERCHANGE = "025"


def _address(a: DomainAddress) -> Address:
    return Address(line1=a.line1, city=a.city, state=a.state, postal_code=a.postal_code, line2=a.line2 or "")


def _optional_address(a: DomainAddress | None) -> Address | None:
    return None if a is None else _address(a)


class X12ClaimWriter:
    """Renders a claim as a one-claim 837P interchange (005010X222A1)."""

    def __init__(self, *, submitter_id: str, receiver_id: str, submitter_name: str,
                 contact_phone: str = "5555550100", usage: str = "T") -> None:
        self.submitter_id = submitter_id
        self.receiver_id = receiver_id
        self.submitter_name = submitter_name
        self.contact_phone = contact_phone
        self.usage = usage

    def render(self, claim: Claim, encounter: EncounterFacts, control_number: int, created_at: datetime) -> str:
        """The 837P interchange of ``claim``, with ``control_number`` as ISA13, GS06 and ST02."""
        e = encounter
        cov = e.coverage
        subscriber_person: Person = cov.subscriber if cov.relationship != "self" and cov.subscriber else e.patient
        bp = e.billing_provider
        x12_claim = X12Claim(
            patient_control_number=claim.claim_id,
            total_charge=claim.total_charge,
            place_of_service=e.place_of_service,
            frequency_code=claim.frequency_code,
            billing_provider=BillingProvider(name=bp.last_name_or_org, npi=bp.npi, tax_id=bp.tax_id,
                                             address=_address(bp.address), taxonomy=bp.taxonomy or ""),
            subscriber=Subscriber(
                member_id=cov.member_id, last_name=subscriber_person.last_name,
                first_name=subscriber_person.first_name, birth_date=subscriber_person.birth_date,
                sex=subscriber_person.sex, relationship="18" if cov.relationship == "self" else "",
                group_number=cov.group_number or "", claim_filing_indicator=FILING_INDICATOR[cov.financial_class],
                address=_optional_address(subscriber_person.address),
            ),
            payer=Payer(name=cov.payer_name, payer_id=cov.payer_id),
            patient=None if cov.relationship == "self" else Patient(
                last_name=e.patient.last_name, first_name=e.patient.first_name, birth_date=e.patient.birth_date,
                sex=e.patient.sex, relationship=RELATIONSHIP_CODE[cov.relationship],
                address=_optional_address(e.patient.address)),
            rendering_provider=Provider(last_name=e.rendering_provider.last_name_or_org,
                                        first_name=e.rendering_provider.first_name or "",
                                        npi=e.rendering_provider.npi),
            diagnoses=claim.diagnoses,
            lines=tuple(
                ServiceLine(procedure_code=ln.code, charge=ln.charge, units=ln.units,
                            service_date=ln.date_of_service, modifiers=ln.modifiers,
                            diagnosis_pointers=ln.diagnosis_pointers,
                            line_control_number=f"{claim.claim_id}-{ln.line_number}")
                for ln in claim.lines
            ),
        )
        doc = Claim837(
            kind="P",
            submitter=Submitter(name=self.submitter_name, id=self.submitter_id, contact_name="BILLING OFFICE",
                                contact_phone=self.contact_phone),
            receiver=Receiver(name="CLEARINGHOUSE", id=self.receiver_id),
            reference=f"{control_number:09d}",
            created=created_at.date(),
            created_time=created_at.strftime("%H%M"),
            claims=(x12_claim,),
        )
        envelope = EnvelopeParams(
            sender_id=self.submitter_id, receiver_id=self.receiver_id,
            interchange_control_number=control_number, group_control_number=control_number,
            transaction_control_number=control_number, date=created_at.date(), time=created_at.strftime("%H%M"),
            usage_indicator=self.usage,
        )
        return write_837(doc, envelope)


class X12ReplyReader:
    """The clearinghouse's synchronous answer: a 999 (syntax) or a TA1 (envelope)."""

    def read(self, reply: X12Reply) -> SubmissionOutcome:
        ta1s = read_ta1(reply.content) if "TA1" in reply.content else []
        if ta1s:
            ta1 = ta1s[0]
            if ta1.note_code == DUPLICATE_INTERCHANGE:
                return SubmissionOutcome(accepted=False, duplicate=True, level="TA1", codes=(ta1.note_code,))
            if ta1.ack_code == "R":
                return SubmissionOutcome(accepted=False, duplicate=False, level="TA1", codes=(ta1.note_code,))
        acks = read_999(reply.content)
        if not acks:
            if reply.result == "duplicate":
                return SubmissionOutcome(accepted=False, duplicate=True, level="TA1")
            return SubmissionOutcome(accepted=False, duplicate=False, level="999",
                                     codes=(f"HTTP {reply.status_code}: no 999 in the answer",))
        ack = acks[0].document
        codes = tuple(c for t in ack.transactions for c in t.error_codes) + ack.group_error_codes
        return SubmissionOutcome(accepted=ack.status in ("A", "E"), duplicate=False, level="999",
                                 codes=(ack.status, *codes))


class X12AckReader:
    """Claim statuses from a 277CA (STC category codes; A3/A4/A6/A7/A8 are rejections)."""

    def read_277ca(self, content: str) -> list[ClaimStatusAck]:
        """The statuses of a 277CA; a file that is not a readable 277CA is the file's fault
        (a :class:`PermanentError` naming the segment position), never retried."""
        out: list[ClaimStatusAck] = []
        try:
            received_files = read_277ca(content)
        except X12Error as exc:
            raise PermanentError(f"the 277CA cannot be read: {exc}") from exc
        for received in received_files:
            for status in received.document.claims:
                codes = tuple(f"{s.category_code}:{s.status_code}" for s in status.statuses)
                out.append(ClaimStatusAck(claim_id=status.patient_control_number, accepted=not status.rejected,
                                          status_codes=codes))
        return out
