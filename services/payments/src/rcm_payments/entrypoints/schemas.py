"""Response models of the payments API (amounts are decimal strings in JSON)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from rcm_payments.domain.model import AccountStatus, PaymentsSummary, PostedAdjustment, Posting
from rcm_payments.service.queries import ClaimAccountStatement

# ----------------------------------------------------------------------------- input types
# Inputs are bounded to what the tables and contracts hold, so bad input is a 422 naming the
# field, never a 5xx from the database (PostgreSQL text cannot hold NUL).
# CLM01 is at most 20 characters (claim_accounts.claim_id is VARCHAR(20)); no control characters.
ClaimIdPath = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^[^\x00-\x1f\x7f]+$",
                                  description="the patient control number (CLM01)")]


class PaymentsSummaryOut(BaseModel):
    """Claim accounts by status, postings and held remittance files."""

    submitted: int = Field(0, description="accounts of claims submitted and not yet adjudicated")
    paid: int = Field(0, description="accounts whose last posting paid the claim (CLP02 1, 2, 3, 19, 20, 21)")
    denied: int = Field(0, description="accounts whose last posting denied the claim (CLP02 4)")
    reversed: int = Field(0, description="accounts whose last posting reversed a payment (CLP02 22)")
    other: int = Field(0, description="accounts whose last posting had another CLP02 status")
    remittances_held: int = Field(description="835 files held for review")
    postings: int = Field(description="claim postings made")
    paid_amount: Decimal = Field(description="sum of the payer's payments posted")
    patient_responsibility: Decimal = Field(description="sum of the patient responsibility posted")

    @classmethod
    def of(cls, summary: PaymentsSummary) -> PaymentsSummaryOut:
        """The summary as the API shows it."""
        by_status = summary.accounts_by_status
        return cls(submitted=by_status.get("submitted", 0), paid=by_status.get("paid", 0),
                   denied=by_status.get("denied", 0), reversed=by_status.get("reversed", 0),
                   other=by_status.get("other", 0), remittances_held=summary.remittances_held,
                   postings=summary.postings.count, paid_amount=summary.postings.paid,
                   patient_responsibility=summary.postings.patient_responsibility)


class AdjustmentOut(BaseModel):
    """One posted CAS adjustment."""

    group_code: str = Field(description="CAS01: CO, PR, OA, PI or CR")
    reason_code: str = Field(description="CARC")
    amount: Decimal
    line_number: int | None = Field(description="service line (from 1); null for a claim-level adjustment")

    @classmethod
    def of(cls, adjustment: PostedAdjustment) -> AdjustmentOut:
        return cls(group_code=adjustment.group_code, reason_code=adjustment.reason_code, amount=adjustment.amount,
                   line_number=adjustment.line_number)


class PostingOut(BaseModel):
    """One remittance's posting to a claim's account."""

    trace_number: str = Field(description="TRN02: the check or EFT trace number")
    status_code: str = Field(description="CLP02 claim status code")
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    adjustments: list[AdjustmentOut]
    posted_at: datetime

    @classmethod
    def of(cls, posting: Posting) -> PostingOut:
        return cls(trace_number=posting.trace_number, status_code=posting.status_code, charge=posting.charge,
                   paid=posting.paid, patient_responsibility=posting.patient_responsibility,
                   adjustments=[AdjustmentOut.of(a) for a in posting.adjustments], posted_at=posting.posted_at)


class ClaimAccountOut(BaseModel):
    """A claim's account receivable and its postings, oldest first."""

    claim_id: str = Field(description="the patient control number (CLM01)")
    encounter_id: str | None = Field(description="null while the claim's submission has not been seen")
    status: AccountStatus
    total_charge: Decimal | None
    paid_total: Decimal
    patient_responsibility: Decimal
    postings: list[PostingOut]

    @classmethod
    def of(cls, statement: ClaimAccountStatement) -> ClaimAccountOut:
        """The statement as the API shows it."""
        a = statement.account
        return cls(claim_id=a.claim_id, encounter_id=a.encounter_id, status=a.status, total_charge=a.total_charge,
                   paid_total=a.paid_total, patient_responsibility=a.patient_responsibility,
                   postings=[PostingOut.of(p) for p in statement.postings])
