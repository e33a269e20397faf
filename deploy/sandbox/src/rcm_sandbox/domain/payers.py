"""The payers' world: payers, plans, members, fee schedules and adjudication rules.

The sandbox's own value types, read from its data file by
:mod:`rcm_sandbox.adapters.reference_data` (which also validates it). Everything here is
synthetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


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


@dataclass(frozen=True, kw_only=True)
class OnFile:
    """What the payer has on file when it differs from the practice's demographics."""

    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class Member:
    """A subscriber on a payer's roster (the patient is always the subscriber here)."""

    member_id: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    payer_id: str
    plan_id: str
    status: MemberStatus = MemberStatus.ACTIVE
    coverage_start: date
    coverage_end: date | None = None
    scenario: MemberScenario = MemberScenario.NONE
    on_file: OnFile | None = None
    # Accumulators already met this plan year before the sandbox started.
    deductible_met: Decimal = Decimal("0.00")
    out_of_pocket_met: Decimal = Decimal("0.00")

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


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Benefits of one plan (individual, in-network, calendar year)."""

    plan_id: str
    name: str
    copay: Decimal = Decimal("0.00")
    copay_codes: tuple[str, ...] = ()
    deductible: Decimal = Decimal("0.00")
    coinsurance_rate: Decimal = Decimal("0")
    out_of_pocket_max: Decimal | None = None
    preventive_codes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MedicalNecessityRule:
    """A procedure is medically necessary only with a diagnosis starting with a listed prefix."""

    procedure_code: str
    diagnosis_prefixes: tuple[str, ...]
    rarc: str | None = "N115"


@dataclass(frozen=True, kw_only=True)
class NcciPair:
    """An NCCI procedure-to-procedure edit: column 2 is not paid beside column 1 on one day.

    ``modifier_indicator``: 0 never bypassed, 1 bypassed by a distinct-service modifier, 9 not
    applied.
    """

    column1: str
    column2: str
    modifier_indicator: str = "1"


@dataclass(frozen=True, kw_only=True)
class ProviderAdjustmentRule:
    """The PLB a check carries when it pays a claim of a member with the matching scenario.

    ``amount`` follows the 835 sign rule: positive reduces the payment (recoupment, WO),
    negative increases it (interest, L6).
    """

    scenario: MemberScenario
    reason_code: str
    amount: Decimal


@dataclass(frozen=True, kw_only=True)
class Payer:
    """A payer: identity, plans, fee schedule and adjudication rules."""

    payer_id: str
    name: str
    kind: PayerKind
    timely_filing_days: int
    plans: tuple[Plan, ...]
    fee_schedule: Mapping[str, Decimal]
    ndc_required_codes: tuple[str, ...] = ()
    medical_necessity: tuple[MedicalNecessityRule, ...] = ()
    ncci_pairs: tuple[NcciPair, ...] = ()
    provider_adjustments: tuple[ProviderAdjustmentRule, ...] = ()
    # Scenario "reprocess": the first payment is priced at this share of the fee schedule
    # (the payer's own error); the corrected claim that follows the reversal pays the schedule.
    reprocess_first_payment_factor: Decimal = Decimal("0.90")

    def plan(self, plan_id: str) -> Plan | None:
        """The plan with ``plan_id`` or None."""
        return next((p for p in self.plans if p.plan_id == plan_id), None)


@dataclass(frozen=True, kw_only=True)
class SandboxConfig:
    """The whole world: the clearinghouse's identity, its payers and their members.

    The data file's loader guarantees that ids are unique and that every member's payer
    and plan exist.
    """

    clearinghouse_id: str = "SANDBOXCH"
    clearinghouse_name: str = "RCM SANDBOX CLEARINGHOUSE"
    payers: tuple[Payer, ...]
    members: tuple[Member, ...]
    _members_by_id: Mapping[str, Member] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Member] = {}
        for m in self.members:
            by_id.setdefault(m.member_id, m)
        object.__setattr__(self, "_members_by_id", by_id)

    def payer(self, payer_id: str) -> Payer | None:
        """The payer with ``payer_id`` or None."""
        return next((p for p in self.payers if p.payer_id == payer_id), None)

    def member(self, member_id: str) -> Member | None:
        """The member with ``member_id`` (case-insensitive) or None."""
        return self._members_by_id.get(member_id.strip().upper())

    def plan_of(self, member: Member) -> Plan:
        """The plan a roster member is enrolled in (the loader guarantees it exists)."""
        payer = self.payer(member.payer_id)
        assert payer is not None
        plan = payer.plan(member.plan_id)
        assert plan is not None
        return plan
