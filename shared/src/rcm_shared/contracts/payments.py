"""Payment events: remittance posted per claim."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from rcm_shared.contracts.common import Contract, Money

PAYMENT_POSTED = "rcm.payments.payment_posted"
REMITTANCE_HELD = "rcm.payments.remittance_held"


class PostedAdjustment(Contract):
    group_code: Literal["CO", "PR", "OA", "PI", "CR"]
    reason_code: str
    amount: Money
    line_number: int | None = None


class PaymentPosted(Contract):
    claim_id: str
    encounter_id: str | None
    payer_claim_control_number: str | None
    trace_number: str
    claim_status_code: str
    charge: Money
    paid: Money
    patient_responsibility: Money
    adjustments: list[PostedAdjustment] = Field(default_factory=list)
    payment_date: date | None = None
    posted_at: datetime


class RemittanceHeld(Contract):
    """An 835 that cannot be posted (e.g. it does not balance): held for review, never half-posted."""

    file_id: str
    trace_number: str | None
    reasons: list[str] = Field(min_length=1)
