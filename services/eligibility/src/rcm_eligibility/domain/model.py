"""Members, benefits and the coverage answer derived from a payer's 271 (own value types, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

CoverageStatus = Literal["active", "inactive", "rejected"]
COVERAGE_STATUSES: tuple[CoverageStatus, ...] = get_args(CoverageStatus)


@dataclass(frozen=True)
class Member:
    """A subscriber or patient as the payer knows them (name, birth date, sex)."""

    first_name: str
    last_name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class BenefitLine:
    """One benefit the payer reports (an EB segment of the 271, in the domain's words).

    ``code`` is EB01 (1 active, 6 inactive, A co-insurance, B co-payment, C deductible,
    G out-of-pocket), ``coverage_level`` EB02 (IND, FAM, ...), ``time_period`` EB06 (23
    calendar year, 29 remaining), ``amount`` EB07, ``percent`` EB08 as a fraction (0.2 = 20 %),
    ``in_network`` EB12 (Y, N, W not applicable, "" not stated).
    """

    code: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    plan_description: str = ""
    time_period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    in_network: str = ""


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
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoverageCheck:
    """One recorded check: who was asked about, for which date of service, and the answer."""

    encounter_id: str
    payer_id: str
    member_id: str
    date_of_service: date
    answer: CoverageAnswer
    checked_at: datetime

    @property
    def status(self) -> CoverageStatus:
        """The answer's coverage status."""
        return self.answer.status
