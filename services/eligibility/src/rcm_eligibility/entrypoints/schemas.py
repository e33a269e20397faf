"""HTTP request and response models of the eligibility API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from rcm_shared.contracts.common import Address, Person, ProviderRef

from rcm_eligibility.domain.model import CoverageCheck, CoverageStatus

# ----------------------------------------------------------------------------- input types
# Every input is bounded to what the tables and the 270 hold, so bad input is a 422 naming the
# field, never a 5xx: PostgreSQL text cannot hold NUL, and the X12 writer refuses a value with a
# delimiter (* : ^ ~). X12 text is printable ASCII without the delimiters, not starting with a space.
_X12_CHAR = r"\x20-\x29\x2b-\x39\x3b-\x5d\x5f-\x7d"
X12_TEXT = rf"^[\x21-\x29\x2b-\x39\x3b-\x5d\x5f-\x7d][{_X12_CHAR}]*$"
ENCOUNTER_ID = r"^[A-Za-z0-9-]+$"

X12Id = Annotated[str, StringConstraints(min_length=2, max_length=80, pattern=X12_TEXT)]  # NM109
X12Name60 = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=X12_TEXT)]  # NM103
X12Name35 = Annotated[str, StringConstraints(min_length=1, max_length=35, pattern=X12_TEXT)]  # NM104
X12Line55 = Annotated[str, StringConstraints(min_length=1, max_length=55, pattern=X12_TEXT)]  # N301/N302
X12City = Annotated[str, StringConstraints(min_length=2, max_length=30, pattern=X12_TEXT)]  # N401
# X12 D8 dates are CCYYMMDD: a year before 1000 cannot be written, and no real birth or service
# falls outside these bounds.
X12Date = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2099, 12, 31))]
EncounterIdPath = Annotated[str, Path(min_length=1, max_length=38, pattern=ENCOUNTER_ID,
                                      description="the encounter id (1-38 letters, digits, hyphens)")]


# rcm_shared.contracts' Person, Address and ProviderRef bound lengths but not the characters: these
# request-side subclasses add the X12 character rule (the contracts should carry it themselves).
class AddressIn(Address):
    """A postal address as the 270 can carry it."""

    line1: X12Line55
    line2: X12Line55 | None = None
    city: X12City


class PersonIn(Person):
    """A subscriber or patient as the 270 can carry it."""

    first_name: X12Name35
    last_name: X12Name60
    birth_date: X12Date
    address: AddressIn | None = None


class ProviderIn(ProviderRef):
    """The provider asking, as the 270 can carry it."""

    last_name_or_org: X12Name60
    first_name: X12Name35 | None = None


class EligibilityInquiry(BaseModel):
    """An ad-hoc coverage check (e.g. at scheduling), outside any encounter event."""

    payer_id: X12Id
    payer_name: X12Name60
    member_id: X12Id
    subscriber: PersonIn
    patient: PersonIn | None = None
    provider: ProviderIn
    date_of_service: X12Date
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
