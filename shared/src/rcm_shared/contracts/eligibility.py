"""Eligibility events: the coverage answer (271) for an encounter."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from rcm_shared.contracts.common import PHI, Contract, Money

ELIGIBILITY_CHECKED = "rcm.eligibility.checked"

CoverageStatus = Literal["active", "inactive", "rejected"]


class EligibilityChecked(Contract):
    encounter_id: str
    payer_id: str
    member_id: Annotated[str, PHI]
    date_of_service: date
    status: CoverageStatus
    rejection_codes: list[str] = Field(default_factory=list, description="AAA03 reject reason codes")
    plan_name: str | None = None
    copay: Money | None = None
    coinsurance_percent: Decimal | None = Field(default=None, ge=0, le=100)
    deductible_remaining: Money | None = None
    out_of_pocket_remaining: Money | None = None
    checked_at: datetime

    def phi_subjects(self) -> tuple[str, ...]:
        """The encounter's data key (the patient's, registered when the encounter was sealed)."""
        return (f"encounter:{self.encounter_id}",)
