"""The data file (JSON): its schema, validated with pydantic, and its translation to the
domain's world (:mod:`rcm_sandbox.domain.payers`).

Everything in it is synthetic. Money is read as Decimal, floats included (``parse_float``).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rcm_sandbox.domain.payers import (
    MedicalNecessityRule,
    Member,
    MemberScenario,
    MemberStatus,
    NcciPair,
    OnFile,
    Payer,
    PayerKind,
    Plan,
    ProviderAdjustmentRule,
    SandboxConfig,
)

Money = Annotated[Decimal, Field(ge=0, decimal_places=2)]
CodeStr = Annotated[str, Field(pattern=r"^[A-Z0-9]{5}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OnFileEntry(_Frozen):
    """``on_file``: what the payer has on file when it differs from the practice's demographics."""

    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None

    def to_domain(self) -> OnFile:
        return OnFile(first_name=self.first_name, last_name=self.last_name, birth_date=self.birth_date)


class MemberEntry(_Frozen):
    """One entry of ``members``."""

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
    on_file: OnFileEntry | None = None
    deductible_met: Money = Decimal("0.00")
    out_of_pocket_met: Money = Decimal("0.00")

    @model_validator(mode="after")
    def _status_matches_dates(self) -> MemberEntry:
        if self.status is MemberStatus.TERMINATED and self.coverage_end is None:
            raise ValueError(f"terminated member {self.member_id} needs coverage_end")
        if self.coverage_end is not None and self.coverage_end < self.coverage_start:
            raise ValueError(f"member {self.member_id}: coverage_end before coverage_start")
        return self

    def to_domain(self) -> Member:
        return Member(
            member_id=self.member_id,
            first_name=self.first_name,
            last_name=self.last_name,
            birth_date=self.birth_date,
            sex=self.sex,
            payer_id=self.payer_id,
            plan_id=self.plan_id,
            status=self.status,
            coverage_start=self.coverage_start,
            coverage_end=self.coverage_end,
            scenario=self.scenario,
            on_file=self.on_file.to_domain() if self.on_file is not None else None,
            deductible_met=self.deductible_met,
            out_of_pocket_met=self.out_of_pocket_met,
        )


class PlanEntry(_Frozen):
    """One entry of a payer's ``plans``."""

    plan_id: str
    name: str
    copay: Money = Decimal("0.00")
    copay_codes: tuple[CodeStr, ...] = ()
    deductible: Money = Decimal("0.00")
    coinsurance_rate: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0")
    out_of_pocket_max: Money | None = None
    preventive_codes: tuple[CodeStr, ...] = ()

    def to_domain(self) -> Plan:
        return Plan(
            plan_id=self.plan_id,
            name=self.name,
            copay=self.copay,
            copay_codes=self.copay_codes,
            deductible=self.deductible,
            coinsurance_rate=self.coinsurance_rate,
            out_of_pocket_max=self.out_of_pocket_max,
            preventive_codes=self.preventive_codes,
        )


class MedicalNecessityEntry(_Frozen):
    """One entry of a payer's ``medical_necessity``."""

    procedure_code: CodeStr
    diagnosis_prefixes: tuple[str, ...]
    rarc: str | None = "N115"

    def to_domain(self) -> MedicalNecessityRule:
        return MedicalNecessityRule(
            procedure_code=self.procedure_code, diagnosis_prefixes=self.diagnosis_prefixes, rarc=self.rarc
        )


class NcciPairEntry(_Frozen):
    """One entry of a payer's ``ncci_pairs``."""

    column1: CodeStr
    column2: CodeStr
    modifier_indicator: Annotated[str, Field(pattern=r"^[019]$")] = "1"

    def to_domain(self) -> NcciPair:
        return NcciPair(column1=self.column1, column2=self.column2, modifier_indicator=self.modifier_indicator)


class ProviderAdjustmentEntry(_Frozen):
    """One entry of a payer's ``provider_adjustments`` (``amount``: positive reduces the check)."""

    scenario: MemberScenario
    reason_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")]
    amount: Decimal

    def to_domain(self) -> ProviderAdjustmentRule:
        return ProviderAdjustmentRule(scenario=self.scenario, reason_code=self.reason_code, amount=self.amount)


class PayerEntry(_Frozen):
    """One entry of ``payers``."""

    payer_id: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,15}$")]
    name: str
    kind: PayerKind
    timely_filing_days: Annotated[int, Field(ge=1, le=3650)]
    plans: tuple[PlanEntry, ...]
    fee_schedule: dict[str, Money]
    ndc_required_codes: tuple[CodeStr, ...] = ()
    medical_necessity: tuple[MedicalNecessityEntry, ...] = ()
    ncci_pairs: tuple[NcciPairEntry, ...] = ()
    provider_adjustments: tuple[ProviderAdjustmentEntry, ...] = ()
    reprocess_first_payment_factor: Annotated[Decimal, Field(gt=0, le=2)] = Decimal("0.90")

    @field_validator("fee_schedule")
    @classmethod
    def _codes_are_procedure_codes(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for code in value:
            if len(code) != 5 or not code.isalnum() or code.upper() != code:
                raise ValueError(f"fee schedule code {code!r} is not a 5-character CPT/HCPCS code")
        return value

    def to_domain(self) -> Payer:
        return Payer(
            payer_id=self.payer_id,
            name=self.name,
            kind=self.kind,
            timely_filing_days=self.timely_filing_days,
            plans=tuple(p.to_domain() for p in self.plans),
            fee_schedule=dict(self.fee_schedule),
            ndc_required_codes=self.ndc_required_codes,
            medical_necessity=tuple(r.to_domain() for r in self.medical_necessity),
            ncci_pairs=tuple(p.to_domain() for p in self.ncci_pairs),
            provider_adjustments=tuple(a.to_domain() for a in self.provider_adjustments),
            reprocess_first_payment_factor=self.reprocess_first_payment_factor,
        )


class DataFile(_Frozen):
    """The whole data file; every member's payer and plan must exist, ids must be unique."""

    clearinghouse_id: str = "SANDBOXCH"
    clearinghouse_name: str = "RCM SANDBOX CLEARINGHOUSE"
    payers: tuple[PayerEntry, ...]
    members: tuple[MemberEntry, ...]

    @model_validator(mode="after")
    def _references_resolve(self) -> DataFile:
        payers = {p.payer_id: p for p in self.payers}
        if len(payers) != len(self.payers):
            raise ValueError("payer ids must be unique")
        seen: set[str] = set()
        for m in self.members:
            if m.member_id in seen:
                raise ValueError(f"member id {m.member_id} appears twice")
            seen.add(m.member_id)
            payer = payers.get(m.payer_id)
            if payer is None:
                raise ValueError(f"member {m.member_id}: unknown payer {m.payer_id}")
            if not any(p.plan_id == m.plan_id for p in payer.plans):
                raise ValueError(f"member {m.member_id}: payer {m.payer_id} has no plan {m.plan_id}")
        return self

    def to_domain(self) -> SandboxConfig:
        return SandboxConfig(
            clearinghouse_id=self.clearinghouse_id,
            clearinghouse_name=self.clearinghouse_name,
            payers=tuple(p.to_domain() for p in self.payers),
            members=tuple(m.to_domain() for m in self.members),
        )


def default_config_path() -> Path:
    """Path of the data file shipped inside the package."""
    return Path(str(resources.files("rcm_sandbox") / "data" / "default.json"))


def load_config(path: Path | None = None) -> SandboxConfig:
    """Load and validate a sandbox data file (JSON); ``None`` loads the packaged default.

    Raises :class:`pydantic.ValidationError` naming what is wrong.
    """
    source = path if path is not None else default_config_path()
    with source.open(encoding="utf-8") as handle:
        raw = json.load(handle, parse_float=Decimal)
    return DataFile.model_validate(raw).to_domain()
