"""The sandbox's world, read from a data file: payers, plans, members, fee schedules, rules.

Everything here is synthetic. The platform's demo loads the same file with
:func:`load_config` so it can pick members and payers the sandbox knows.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Money = Annotated[Decimal, Field(ge=0, decimal_places=2)]
CodeStr = Annotated[str, Field(pattern=r"^[A-Z0-9]{5}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PayerKind(StrEnum):
    """Line of business; it only changes the defaults a data file chooses."""

    COMMERCIAL = "commercial"
    MEDICARE = "medicare"
    MEDICAID = "medicaid"


class MemberStatus(StrEnum):
    """Enrollment status on the payer's roster."""

    ACTIVE = "active"
    TERMINATED = "terminated"


class MemberScenario(StrEnum):
    """A behaviour attached to a member so end-to-end tests can provoke it on purpose.

    ``name_mismatch`` / ``dob_mismatch``: the payer's record (``on_file``) differs from the
    demographics the practice has (the member's own fields), so a 270 or 837 built from
    the member's fields is rejected. ``reprocess``: after the first payment the payer
    reverses it (CLP02 = 22) and sends a corrected claim in a later 835. ``interest`` /
    ``recoupment``: the check carrying the claim also carries a PLB adjustment.
    """

    NONE = "none"
    NAME_MISMATCH = "name_mismatch"
    DOB_MISMATCH = "dob_mismatch"
    REPROCESS = "reprocess"
    INTEREST = "interest"
    RECOUPMENT = "recoupment"


class OnFile(_Frozen):
    """What the payer has on file when it differs from the practice's demographics."""

    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None


class Member(_Frozen):
    """A subscriber on a payer's roster (the patient is always the subscriber here)."""

    member_id: Annotated[str, Field(pattern=r"^[A-Z0-9]{6,20}$")]
    first_name: str
    last_name: str
    birth_date: date
    sex: Annotated[str, Field(pattern=r"^[MFU]$")]
    payer_id: str
    plan_id: str
    status: MemberStatus = MemberStatus.ACTIVE
    coverage_start: date
    coverage_end: date | None = None
    scenario: MemberScenario = MemberScenario.NONE
    on_file: OnFile | None = None
    # Accumulators already met this plan year before the sandbox started.
    deductible_met: Money = Decimal("0.00")
    out_of_pocket_met: Money = Decimal("0.00")

    @model_validator(mode="after")
    def _status_matches_dates(self) -> Member:
        if self.status is MemberStatus.TERMINATED and self.coverage_end is None:
            raise ValueError(f"terminated member {self.member_id} needs coverage_end")
        if self.coverage_end is not None and self.coverage_end < self.coverage_start:
            raise ValueError(f"member {self.member_id}: coverage_end before coverage_start")
        return self

    @property
    def record_first_name(self) -> str:
        """First name on the payer's record."""
        return self.on_file.first_name if self.on_file and self.on_file.first_name else self.first_name

    @property
    def record_last_name(self) -> str:
        """Last name on the payer's record."""
        return self.on_file.last_name if self.on_file and self.on_file.last_name else self.last_name

    @property
    def record_birth_date(self) -> date:
        """Date of birth on the payer's record."""
        return self.on_file.birth_date if self.on_file and self.on_file.birth_date else self.birth_date

    def covered_on(self, day: date) -> bool:
        """True when ``day`` falls inside the coverage period."""
        return self.coverage_start <= day and (self.coverage_end is None or day <= self.coverage_end)


class Plan(_Frozen):
    """Benefits of one plan (individual, in-network, calendar year)."""

    plan_id: str
    name: str
    copay: Money = Decimal("0.00")
    copay_codes: tuple[CodeStr, ...] = ()
    deductible: Money = Decimal("0.00")
    coinsurance_rate: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0")
    out_of_pocket_max: Money | None = None
    preventive_codes: tuple[CodeStr, ...] = ()


class MedicalNecessityRule(_Frozen):
    """A procedure is medically necessary only with a diagnosis starting with a listed prefix."""

    procedure_code: CodeStr
    diagnosis_prefixes: tuple[str, ...]
    rarc: str | None = "N115"


class NcciPair(_Frozen):
    """An NCCI procedure-to-procedure edit: column 2 is not paid beside column 1 on one day."""

    column1: CodeStr
    column2: CodeStr
    modifier_indicator: Annotated[str, Field(pattern=r"^[019]$")] = "1"


class ProviderAdjustmentRule(_Frozen):
    """The PLB a check carries when it pays a claim of a member with the matching scenario.

    ``amount`` follows the 835 sign rule: positive reduces the payment (recoupment, WO),
    negative increases it (interest, L6).
    """

    scenario: MemberScenario
    reason_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")]
    amount: Decimal


class Payer(_Frozen):
    """A payer: identity, plans, fee schedule and adjudication rules."""

    payer_id: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,15}$")]
    name: str
    kind: PayerKind
    timely_filing_days: Annotated[int, Field(ge=1, le=3650)]
    plans: tuple[Plan, ...]
    fee_schedule: dict[str, Money]
    ndc_required_codes: tuple[CodeStr, ...] = ()
    medical_necessity: tuple[MedicalNecessityRule, ...] = ()
    ncci_pairs: tuple[NcciPair, ...] = ()
    provider_adjustments: tuple[ProviderAdjustmentRule, ...] = ()
    # Scenario "reprocess": the first payment is priced at this share of the fee schedule
    # (the payer's own error); the corrected claim that follows the reversal pays the schedule.
    reprocess_first_payment_factor: Annotated[Decimal, Field(gt=0, le=2)] = Decimal("0.90")

    @field_validator("fee_schedule")
    @classmethod
    def _codes_are_procedure_codes(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for code in value:
            if len(code) != 5 or not code.isalnum() or code.upper() != code:
                raise ValueError(f"fee schedule code {code!r} is not a 5-character CPT/HCPCS code")
        return value

    def plan(self, plan_id: str) -> Plan | None:
        """The plan with ``plan_id`` or None."""
        return next((p for p in self.plans if p.plan_id == plan_id), None)


class SandboxConfig(_Frozen):
    """The whole data file."""

    clearinghouse_id: str = "SANDBOXCH"
    clearinghouse_name: str = "RCM SANDBOX CLEARINGHOUSE"
    payers: tuple[Payer, ...]
    members: tuple[Member, ...]

    @model_validator(mode="after")
    def _references_resolve(self) -> SandboxConfig:
        payer_ids = [p.payer_id for p in self.payers]
        if len(set(payer_ids)) != len(payer_ids):
            raise ValueError("payer ids must be unique")
        seen: set[str] = set()
        for m in self.members:
            if m.member_id in seen:
                raise ValueError(f"member id {m.member_id} appears twice")
            seen.add(m.member_id)
            payer = self.payer(m.payer_id)
            if payer is None:
                raise ValueError(f"member {m.member_id}: unknown payer {m.payer_id}")
            if payer.plan(m.plan_id) is None:
                raise ValueError(f"member {m.member_id}: payer {m.payer_id} has no plan {m.plan_id}")
        return self

    def payer(self, payer_id: str) -> Payer | None:
        """The payer with ``payer_id`` or None."""
        return next((p for p in self.payers if p.payer_id == payer_id), None)

    def member(self, member_id: str) -> Member | None:
        """The member with ``member_id`` (case-insensitive) or None."""
        wanted = member_id.strip().upper()
        return next((m for m in self.members if m.member_id == wanted), None)

    def plan_of(self, member: Member) -> Plan:
        """The plan a roster member is enrolled in (validated to exist)."""
        payer = self.payer(member.payer_id)
        assert payer is not None  # guaranteed by _references_resolve
        plan = payer.plan(member.plan_id)
        assert plan is not None
        return plan


def default_config_path() -> Path:
    """Path of the data file shipped inside the package."""
    return Path(str(resources.files("rcm_sandbox") / "data" / "default.json"))


def load_config(path: Path | None = None) -> SandboxConfig:
    """Load and validate a sandbox data file (JSON); ``None`` loads the packaged default."""
    source = path if path is not None else default_config_path()
    with source.open(encoding="utf-8") as handle:
        raw = json.load(handle, parse_float=Decimal)
    return SandboxConfig.model_validate(raw)
