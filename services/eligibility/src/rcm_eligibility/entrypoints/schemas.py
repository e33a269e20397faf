"""HTTP request and response models of the eligibility API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from rcm_shared.contracts.common import Person, ProviderRef

from rcm_eligibility.domain.model import CoverageCheck, CoverageStatus


class EligibilityInquiry(BaseModel):
    """An ad-hoc coverage check (e.g. at scheduling), outside any encounter event."""

    payer_id: str = Field(min_length=2, max_length=80)
    payer_name: str = Field(min_length=1, max_length=60)
    member_id: str = Field(min_length=2, max_length=80)
    subscriber: Person
    patient: Person | None = None
    provider: ProviderRef
    date_of_service: date
    encounter_id: str | None = Field(default=None, max_length=38, pattern=r"^[A-Za-z0-9-]+$")


class CoverageCheckPublic(BaseModel):
    """One coverage answer, with the fields of the ``EligibilityChecked`` event it was announced with."""

    model_config = ConfigDict(frozen=True)

    encounter_id: str
    payer_id: str
    member_id: str
    date_of_service: date
    status: CoverageStatus
    rejection_codes: list[str] = Field(default_factory=list, description="AAA03 reject reason codes")
    plan_name: str | None = None
    copay: Decimal | None = None
    coinsurance_percent: Decimal | None = Field(default=None, description="e.g. 20 for 20 %")
    deductible_remaining: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    checked_at: datetime

    @classmethod
    def of(cls, check: CoverageCheck) -> CoverageCheckPublic:
        """The public form of a recorded check."""
        a = check.answer
        return cls(
            encounter_id=check.encounter_id, payer_id=check.payer_id, member_id=check.member_id,
            date_of_service=check.date_of_service, status=a.status, rejection_codes=list(a.rejection_codes),
            plan_name=a.plan_name, copay=a.copay, coinsurance_percent=a.coinsurance_percent,
            deductible_remaining=a.deductible_remaining, out_of_pocket_remaining=a.out_of_pocket_remaining,
            checked_at=check.checked_at,
        )


class CoverageSummary(BaseModel):
    """How many checks ended in each coverage status."""

    model_config = ConfigDict(frozen=True)

    active: int = Field(ge=0)
    inactive: int = Field(ge=0)
    rejected: int = Field(ge=0)
