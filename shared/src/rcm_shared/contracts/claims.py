"""Claim events: a claim built from an encounter, its submission and acknowledgements."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from rcm_shared.contracts.common import Contract, Money

CLAIM_SUBMITTED = "rcm.claims.claim_submitted"
CLAIM_ACKNOWLEDGED = "rcm.claims.claim_acknowledged"
CLAIM_HELD = "rcm.claims.claim_held"


class ClaimLineSummary(Contract):
    line_number: int = Field(ge=1)
    code: str
    modifiers: list[str] = Field(default_factory=list)
    units: Decimal
    charge: Money


class ClaimSubmitted(Contract):
    claim_id: str = Field(description="the patient control number (CLM01)")
    encounter_id: str
    payer_id: str
    frequency_code: Literal["1", "7", "8"] = "1"
    total_charge: Money
    lines: list[ClaimLineSummary]
    interchange_control_number: str
    submitted_at: datetime


class ClaimAcknowledged(Contract):
    claim_id: str
    encounter_id: str
    level: Literal["999", "277CA", "TA1"]
    accepted: bool
    status_codes: list[str] = Field(default_factory=list)
    file_id: str


class ClaimHeld(Contract):
    """The claim cannot be built or sent yet; ``reasons`` say what a biller must fix."""

    encounter_id: str
    reasons: list[str] = Field(min_length=1)
