"""Reading a payer's benefits into a coverage answer (the rules of 005010X279A1, pure).

EB01 codes: 1 active coverage, 6 inactive, A co-insurance, B co-payment, C deductible,
G out-of-pocket (stop loss). EB06 time period: 23 calendar year, 29 remaining. EB07 is a
monetary amount, EB08 a percent expressed as a decimal (0.2 = 20%). AAA03 reject reasons
(e.g. 72 invalid member id, 75 subscriber not found) mean the payer could not answer at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rcm_eligibility.domain.model import BenefitLine, CoverageAnswer

HEALTH_BENEFIT_PLAN = "30"
REMAINING = "29"


def _applies(b: BenefitLine) -> bool:
    # Individual, in-network (or not stated) benefits for the health benefit plan.
    return (not b.service_types or HEALTH_BENEFIT_PLAN in b.service_types) and b.coverage_level in ("", "IND") \
        and b.in_network in ("", "Y", "W")


def _pick(benefits: Sequence[BenefitLine], code: str) -> BenefitLine | None:
    candidates = [b for b in benefits if b.code == code and _applies(b)]
    # Prefer what remains over the yearly total when the payer gives both.
    remaining = [b for b in candidates if b.time_period == REMAINING]
    return next(iter(remaining or candidates), None)


def _percent(fraction: Decimal) -> Decimal:
    """EB08 0.2 -> 20 (plain digits, no exponent)."""
    return Decimal(format((fraction * 100).normalize(), "f"))


def coverage_from_benefits(benefits: Sequence[BenefitLine], rejection_codes: Sequence[str] = ()) -> CoverageAnswer:
    """The coverage answer a 271 gives: rejected, inactive, or active with what the patient owes."""
    if rejection_codes:
        return CoverageAnswer(status="rejected", rejection_codes=tuple(rejection_codes))
    active = next((b for b in benefits if b.code == "1"), None)
    if active is None:
        return CoverageAnswer(status="inactive", notes=("no active coverage (EB*1) in the 271",))
    copay = _pick(benefits, "B")
    coinsurance = _pick(benefits, "A")
    deductible = _pick(benefits, "C")
    oop = _pick(benefits, "G")
    return CoverageAnswer(
        status="active",
        plan_name=active.plan_description or None,
        copay=copay.amount if copay else None,
        coinsurance_percent=_percent(coinsurance.percent) if coinsurance and coinsurance.percent is not None else None,
        deductible_remaining=deductible.amount if deductible else None,
        out_of_pocket_remaining=oop.amount if oop else None,
    )
