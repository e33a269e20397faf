"""Remittance (835) in posting terms, its balancing rules and what posting changes.

Balancing follows the 835 guide (005010X221A1) as summarised in DOMAIN.md: per line
SVC02 - SVC03 = sum of the line's CAS; per claim CLP03 - CLP04 = sum of claim and line
CAS; per transaction BPR02 = sum CLP04 - sum PLB. An 835 that fails any of them is held
for review and nothing of it is posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")

PROCESSED = {"1", "2", "3", "19", "20", "21"}
DENIED = {"4"}
REVERSAL = {"22"}


@dataclass(frozen=True)
class Adjustment:
    group_code: str
    reason_code: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class RemitLine:
    code: str
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    adjustments: tuple[Adjustment, ...] = ()
    allowed: Decimal | None = None
    line_control_number: str | None = None


@dataclass(frozen=True)
class RemitClaim:
    claim_id: str  # CLP01, our patient control number
    status_code: str  # CLP02
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05
    payer_claim_control_number: str | None  # CLP07
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[RemitLine, ...] = ()


@dataclass(frozen=True)
class Remittance:
    trace_number: str  # TRN02
    payment_amount: Decimal  # BPR02
    payment_method: str | None
    payment_date: date | None
    payer_name: str | None
    claims: tuple[RemitClaim, ...]
    provider_adjustments: tuple[Decimal, ...] = field(default=())  # PLB amounts


def balance_problems(remit: Remittance) -> list[str]:
    """Every balancing rule the remittance breaks, with the amounts; empty when it balances."""
    problems: list[str] = []
    for claim in remit.claims:
        line_adjustments = ZERO
        for n, line in enumerate(claim.lines, start=1):
            cas = sum((a.amount for a in line.adjustments), ZERO)
            line_adjustments += cas
            if line.charge - line.paid != cas:
                problems.append(
                    f"claim {claim.claim_id} line {n} ({line.code}): charge {line.charge} - paid {line.paid}"
                    f" != adjustments {cas}"
                )
        claim_cas = sum((a.amount for a in claim.adjustments), ZERO)
        if claim.charge - claim.paid != claim_cas + line_adjustments:
            problems.append(
                f"claim {claim.claim_id}: charge {claim.charge} - paid {claim.paid} != adjustments "
                f"{claim_cas + line_adjustments}"
            )
    total = sum((c.paid for c in remit.claims), ZERO) - sum(remit.provider_adjustments, ZERO)
    if total != remit.payment_amount:
        problems.append(f"BPR02 {remit.payment_amount} != sum CLP04 - sum PLB = {total}")
    return problems


def account_status(status_code: str, paid: Decimal) -> str:
    """The claim account state a posting moves to."""
    if status_code in REVERSAL:
        return "reversed"
    if status_code in DENIED:
        return "denied"
    if status_code in PROCESSED:
        return "paid"
    return "other"


def posting_key(trace_number: str, claim: RemitClaim) -> str:
    """Identity of one claim posting: the same 835 arriving twice posts nothing new."""
    return "|".join((trace_number, claim.payer_claim_control_number or "", claim.claim_id, claim.status_code))


def all_adjustments(claim: RemitClaim) -> list[tuple[int | None, Adjustment]]:
    """Claim-level adjustments (line None) followed by each line's, numbered from 1."""
    out: list[tuple[int | None, Adjustment]] = [(None, a) for a in claim.adjustments]
    for n, line in enumerate(claim.lines, start=1):
        out.extend((n, a) for a in line.adjustments)
    return out
