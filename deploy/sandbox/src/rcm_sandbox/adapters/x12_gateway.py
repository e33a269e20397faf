"""The inbound X12: an interchange read with the shared toolkit (:mod:`rcm_x12`) into the
domain's values.

Envelope reading and 837/270/276 parsing are the toolkit's (``scan_interchange``,
``check_interchange``); this module picks out what the payers need and says why an
interchange cannot be answered. The answers are written by :mod:`.x12_render`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rcm_x12.ack999 import Ack999
from rcm_x12.acks import acks_999_for
from rcm_x12.claim837 import Claim as X12Claim
from rcm_x12.claim837 import Claim837
from rcm_x12.eligibility import Eligibility270
from rcm_x12.eligibility import EligibilityInquiry as X12EligibilityInquiry
from rcm_x12.errors import X12Issue
from rcm_x12.reader import InterchangeCheck
from rcm_x12.status276 import ClaimStatusRequest276
from rcm_x12.status276 import StatusInquiry as X12StatusInquiry
from rcm_x12.syntax import Interchange, InterchangeHeader, TransactionSet

from rcm_sandbox.domain.commands import StatusInquiry
from rcm_sandbox.domain.eligibility import EligibilityInquiry
from rcm_sandbox.domain.model import Claim, ServiceLine

EDI_MEDIA_TYPE = "application/edi-x12"
ACCEPTED_KINDS = ("270", "276", "837")


def transaction_kind(inter: Interchange) -> str:
    """The one transaction set id the interchange carries, or ``"mixed"``."""
    kinds = {tx.transaction_id for g in inter.groups for tx in g.transactions}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def unsupported_issues(inter: Interchange, kind: str) -> tuple[str, list[X12Issue]]:
    """Why an interchange of ``kind`` is refused, and one issue per transaction set (IK502 1)."""
    reason = (
        "an interchange must carry one kind of transaction"
        if kind == "mixed"
        else f"transaction set {kind} is not accepted by the sandbox (270, 276, 837)"
    )
    issues = [
        X12Issue(
            reason=reason,
            level="transaction",
            code="1",
            segment_position=tx.st_position,
            segment_id="ST",
            element_position=1,
        )
        for group in inter.groups
        for tx in group.transactions
    ]
    return reason, issues


# 837 -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimsRead:
    """What an 837 interchange brings: its readable claims, who submitted them, its 999."""

    claims: tuple[Claim, ...]
    submitter_id: str
    submitter_name: str
    acks: list[Ack999]

    @property
    def syntax_accepted(self) -> bool:
        """The 999 accepts (A), accepts with errors (E) or partially accepts (P)."""
        return any(a.status in ("A", "E", "P") for a in self.acks)


def read_claims(check: InterchangeCheck, header: InterchangeHeader, received_on: date) -> ClaimsRead:
    """The claims of the transaction sets without errors (a line without a date of service is
    dated ``received_on``), the submitter of the last of them, and the 999 of the whole."""
    claims: list[Claim] = []
    submitter_id, submitter_name = header.sender_id, ""
    for result in check.results:
        doc = result.document
        if result.has_errors or not isinstance(doc, Claim837):
            continue
        submitter_id, submitter_name = doc.submitter.id or submitter_id, doc.submitter.name
        ndcs = _ndc_by_line(result.transaction)
        offset = 0
        for parsed in doc.claims:
            claims.append(_to_domain(parsed, ndcs, offset, received_on))
            offset += len(parsed.lines)
    return ClaimsRead(tuple(claims), submitter_id, submitter_name, acks_999_for(check))


def _ndc_by_line(tx: TransactionSet) -> dict[int, str]:
    """NDC (2410 LIN*N4) by service line index in the transaction (not in the toolkit's model)."""
    out: dict[int, str] = {}
    index = -1
    for seg in tx.segments:
        if seg.id == "LX":
            index += 1
        elif seg.id == "LIN" and index >= 0 and seg.get(2) == "N4":
            out[index] = seg.get(3)
    return out


def _to_domain(c: X12Claim, ndcs: dict[int, str], offset: int, received_on: date) -> Claim:
    diagnoses = tuple(c.diagnoses)
    lines: list[ServiceLine] = []
    for number, ln in enumerate(c.lines, start=1):
        pointed = tuple(diagnoses[p - 1] for p in ln.diagnosis_pointers if 0 < p <= len(diagnoses))
        lines.append(
            ServiceLine(
                line_number=number,
                procedure_code=ln.procedure_code,
                charge=ln.charge,
                units=ln.units,
                # A line without DTP*472 is dated the day of receipt.
                service_date=ln.service_date or received_on,
                modifiers=tuple(ln.modifiers),
                diagnosis_codes=pointed,
                ndc=ndcs.get(offset + number - 1),
            )
        )
    return Claim(
        patient_control_number=c.patient_control_number,
        payer_id=c.payer.payer_id,
        member_id=c.subscriber.member_id.upper(),
        subscriber_last_name=c.subscriber.last_name,
        subscriber_first_name=c.subscriber.first_name,
        subscriber_birth_date=c.subscriber.birth_date,
        billing_npi=c.billing_provider.npi,
        total_charge=c.total_charge,
        lines=tuple(lines),
        diagnosis_codes=diagnoses,
        frequency_code=c.frequency_code or "1",
        place_of_service=c.place_of_service,
        original_payer_claim_id=c.payer_claim_control_number or None,
    )


# 270 / 276 -----------------------------------------------------------------------------------
def inquiry_documents(check: InterchangeCheck) -> tuple[list[Any], list[X12Issue]]:
    """The documents of a 270/276 interchange, or none and the errors that stop an answer."""
    errors = [i for r in check.results for i in r.issues if i.severity == "error"]
    if errors or not check.results:
        return [], errors
    return [r.document for r in check.results], []


def eligibility_asked(documents: Sequence[Eligibility270]) -> list[tuple[Eligibility270, X12EligibilityInquiry]]:
    """Every inquiry of the 270s, with the document it came in."""
    return [(doc, inq) for doc in documents for inq in doc.inquiries]


def eligibility_inquiries(
    asked: Sequence[tuple[Eligibility270, X12EligibilityInquiry]], today: date
) -> tuple[EligibilityInquiry, ...]:
    """The inquiries as the payers read them (no date of service: ``today``)."""
    return tuple(
        EligibilityInquiry(
            payer_id=doc.source.id,
            member_id=inq.subscriber.member_id,
            last_name=inq.subscriber.last_name,
            first_name=inq.subscriber.first_name,
            birth_date=inq.subscriber.birth_date,
            service_date=inq.service_date or today,
        )
        for doc, inq in asked
    )


def status_asked(documents: Sequence[Any]) -> list[tuple[ClaimStatusRequest276, X12StatusInquiry]]:
    """Every claim inquiry of the 276s, with the document it came in."""
    asked: list[tuple[ClaimStatusRequest276, X12StatusInquiry]] = []
    for doc in documents:
        assert isinstance(doc, ClaimStatusRequest276)
        asked += [(doc, inq) for inq in doc.inquiries]
    return asked


def status_inquiries(asked: Sequence[tuple[ClaimStatusRequest276, X12StatusInquiry]]) -> tuple[StatusInquiry, ...]:
    """The claim inquiries as the payers read them."""
    return tuple(StatusInquiry(inq.patient_control_number, inq.subscriber.member_id) for _, inq in asked)
