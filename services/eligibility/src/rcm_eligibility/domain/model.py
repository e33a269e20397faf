"""Eligibility requests and the coverage answer derived from a payer's 271."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

CoverageStatus = Literal["active", "inactive", "rejected"]


@dataclass(frozen=True)
class Member:
    first_name: str
    last_name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class CheckEligibility:
    """Command: ask the payer whether ``member_id`` is covered on ``date_of_service``."""

    encounter_id: str
    payer_id: str
    payer_name: str
    member_id: str
    subscriber: Member
    patient: Member | None  # None when the patient is the subscriber
    provider_npi: str
    provider_name: str
    date_of_service: date


@dataclass(frozen=True)
class CoverageAnswer:
    """What the 271 says, in the terms the rest of the cycle uses."""

    status: CoverageStatus
    rejection_codes: tuple[str, ...] = ()
    plan_name: str | None = None
    copay: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    deductible_remaining: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    notes: tuple[str, ...] = field(default=())
