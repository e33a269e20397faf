"""Structured claims, acknowledgements and remittances the sandbox reasons about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """Round to the cent, half up, the way payers round coinsurance."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ServiceLine:
    """One 2400 service line of a professional claim."""

    line_number: int
    procedure_code: str
    charge: Decimal
    units: Decimal
    service_date: date
    modifiers: tuple[str, ...] = ()
    diagnosis_codes: tuple[str, ...] = ()
    ndc: str | None = None


@dataclass(frozen=True)
class Claim:
    """A professional claim as the payer sees it after parsing the 837."""

    patient_control_number: str
    payer_id: str
    member_id: str
    subscriber_last_name: str
    subscriber_first_name: str
    subscriber_birth_date: date | None
    billing_npi: str
    total_charge: Decimal
    lines: tuple[ServiceLine, ...]
    diagnosis_codes: tuple[str, ...] = ()
    frequency_code: str = "1"
    place_of_service: str = "11"
    original_payer_claim_id: str | None = None

    @property
    def first_service_date(self) -> date:
        """Earliest line date of service (the claim's statement date)."""
        return min(line.service_date for line in self.lines)

    @property
    def line_signature(self) -> str:
        """What makes two claims 'the same services': codes, modifiers, units and dates."""
        parts = sorted(
            f"{ln.service_date.isoformat()}|{ln.procedure_code}|{':'.join(ln.modifiers)}|{ln.units.normalize()}"
            for ln in self.lines
        )
        return ";".join(parts)


class AckCategory(StrEnum):
    """277CA STC01-1 claim status category codes the sandbox uses."""

    ACCEPTED = "A2"
    UNPROCESSABLE = "A3"
    MISSING_INFORMATION = "A6"
    INVALID_INFORMATION = "A7"


@dataclass(frozen=True)
class ClaimAcknowledgement:
    """Front-end decision for one claim: accepted into adjudication or rejected."""

    patient_control_number: str
    category: AckCategory
    status_code: str
    entity_code: str | None = None
    reason: str = ""

    @property
    def accepted(self) -> bool:
        """True when the claim goes on to adjudication."""
        return self.category is AckCategory.ACCEPTED


class GroupCode(StrEnum):
    """CAS adjustment group codes."""

    CO = "CO"
    PR = "PR"
    OA = "OA"
    PI = "PI"


@dataclass(frozen=True)
class Adjustment:
    """One CAS reason/amount triple with its group."""

    group: GroupCode
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class LinePayment:
    """An SVC loop of the 835."""

    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal
    service_date: date
    allowed: Decimal
    adjustments: tuple[Adjustment, ...] = ()
    remark_codes: tuple[str, ...] = ()

    def balances(self) -> bool:
        """Per line: charge - paid = sum of line adjustments."""
        return self.charge - self.paid == sum((a.amount for a in self.adjustments), ZERO)


class ClaimStatusCode(StrEnum):
    """CLP02 values the sandbox sends."""

    PROCESSED_PRIMARY = "1"
    DENIED = "4"
    REVERSAL = "22"


@dataclass(frozen=True)
class ClaimPayment:
    """A CLP loop of the 835: the adjudication result of one claim (or its reversal)."""

    patient_control_number: str
    payer_id: str
    member_id: str
    status: ClaimStatusCode
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_id: str
    frequency_code: str
    lines: tuple[LinePayment, ...]
    claim_adjustments: tuple[Adjustment, ...] = ()
    remark_codes: tuple[str, ...] = ()
    subscriber_last_name: str = ""
    subscriber_first_name: str = ""

    def balances(self) -> bool:
        """Per claim: CLP03 - CLP04 = sum of claim and line adjustments; every line balances."""
        total = sum((a.amount for a in self.claim_adjustments), ZERO) + sum(
            (a.amount for ln in self.lines for a in ln.adjustments), ZERO
        )
        return self.charge - self.paid == total and all(ln.balances() for ln in self.lines)

    @property
    def carc_codes(self) -> tuple[str, ...]:
        """Group-reason codes used anywhere in the claim, e.g. ('CO-45', 'PR-2'), in order seen."""
        seen: dict[str, None] = {}
        for adj in self.claim_adjustments + tuple(a for ln in self.lines for a in ln.adjustments):
            seen.setdefault(f"{adj.group.value}-{adj.reason}", None)
        return tuple(seen)

    def adjustment_total(self, group: GroupCode, reason: str) -> Decimal:
        """Sum of the adjustments with this group and reason, claim and line level."""
        return sum(
            (
                a.amount
                for a in self.claim_adjustments + tuple(x for ln in self.lines for x in ln.adjustments)
                if a.group is group and a.reason == reason
            ),
            ZERO,
        )


@dataclass(frozen=True)
class ProviderAdjustment:
    """A PLB adjustment: positive reduces the check, negative (interest) increases it."""

    reason_code: str
    reference: str
    amount: Decimal


@dataclass(frozen=True)
class Remittance:
    """One 835 transaction: one check (or EFT) from one payer for several claims."""

    payer_id: str
    payer_name: str
    trace_number: str
    payment_date: date
    payee_npi: str
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = field(default=())

    @property
    def total_payment(self) -> Decimal:
        """BPR02 = sum of CLP04 - sum of PLB amounts."""
        return sum((c.paid for c in self.claims), ZERO) - sum((p.amount for p in self.provider_adjustments), ZERO)

    def balances(self) -> bool:
        """Every claim balances and the check is not negative."""
        return all(c.balances() for c in self.claims) and self.total_payment >= ZERO


@dataclass(frozen=True)
class AcceptedClaim:
    """A claim and the front-end decision on it (the payer claim id when it was adjudicated)."""

    claim: Claim
    ack: ClaimAcknowledgement
    payer_claim_id: str | None


@dataclass(frozen=True)
class StatusAnswer:
    """What the payer knows about one claim for a 276 (None fields when not found)."""

    patient_control_number: str
    found: bool
    category: str
    status_code: str
    charge: Decimal | None = None
    paid: Decimal | None = None
    payer_claim_id: str | None = None
    check_number: str | None = None
    paid_date: date | None = None


@dataclass(frozen=True)
class Outbound:
    """The envelope of a document the sandbox writes: who to, its control number, its time."""

    sender_id: str
    receiver_id: str
    control_number: int
    now: datetime
    usage_indicator: str = "T"
