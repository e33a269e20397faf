"""The adjudication engine: a structured claim in, a balanced claim payment out.

Order of decisions (claim level first, then per line):
  CO-109 member belongs to another payer · CO-18 duplicate of an adjudicated claim under a
  different patient control number · CO-29 timely filing · per line: CO-27 not covered on the
  date of service · CO-96 code not on the payer's fee schedule · CO-16 + M119 missing NDC ·
  CO-50 medical necessity · CO-97 NCCI bundling · then pricing: allowed amount from the fee
  schedule (lesser of charge and schedule × units), CO-45 for the excess, and the member's
  share as PR-3 copay, PR-1 deductible and PR-2 coinsurance within the out-of-pocket maximum.
Every line and claim balances by construction; :meth:`ClaimPayment.balances` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.model import (
    ZERO,
    Adjustment,
    Claim,
    ClaimPayment,
    ClaimStatusCode,
    GroupCode,
    LinePayment,
    ServiceLine,
    cents,
)
from rcm_sandbox.domain.payers import Member, Payer, Plan

# Modifiers that tell an NCCI edit the services were distinct (indicator 1 only).
NCCI_BYPASS_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU", "25"})


@dataclass(frozen=True)
class Denial:
    """Why a whole line pays nothing: group, CARC and optional RARC."""

    group: GroupCode
    reason: str
    remark: str | None = None


@dataclass(frozen=True)
class AdjudicationContext:
    """Everything outside the claim the decision depends on."""

    payer: Payer
    member: Member
    plan: Plan
    accumulator: Accumulator
    received_on: date
    payer_claim_id: str
    # Adjudicated, not-reversed claims: (member_id, line_signature) -> patient control number.
    prior_claims: dict[tuple[str, str], str]
    allowed_factor: Decimal = Decimal("1")


@dataclass(frozen=True)
class Adjudication:
    """The result plus the member's accumulator after it."""

    payment: ClaimPayment
    accumulator: Accumulator


def _claim_level_denial(claim: Claim, ctx: AdjudicationContext) -> Denial | None:
    if ctx.member.payer_id != ctx.payer.payer_id:
        return Denial(GroupCode.CO, "109")
    earlier = ctx.prior_claims.get((ctx.member.member_id, claim.line_signature))
    if earlier is not None and earlier != claim.patient_control_number:
        return Denial(GroupCode.CO, "18")
    if (ctx.received_on - claim.first_service_date).days > ctx.payer.timely_filing_days:
        return Denial(GroupCode.CO, "29")
    return None


def _line_denial(line: ServiceLine, claim: Claim, ctx: AdjudicationContext) -> Denial | None:
    if not ctx.member.covered_on(line.service_date):
        return Denial(GroupCode.CO, "27")
    if line.procedure_code not in ctx.payer.fee_schedule:
        return Denial(GroupCode.CO, "96", "N130")
    if line.procedure_code in ctx.payer.ndc_required_codes and not line.ndc:
        return Denial(GroupCode.CO, "16", "M119")
    diagnoses = line.diagnosis_codes or claim.diagnosis_codes
    for rule in ctx.payer.medical_necessity:
        if rule.procedure_code == line.procedure_code and not any(
            dx.replace(".", "").upper().startswith(prefix) for dx in diagnoses for prefix in rule.diagnosis_prefixes
        ):
            return Denial(GroupCode.CO, "50", rule.rarc)
    for pair in ctx.payer.ncci_pairs:
        if pair.column2 != line.procedure_code or pair.modifier_indicator == "9":
            continue
        partner = any(
            other.procedure_code == pair.column1 and other.service_date == line.service_date
            for other in claim.lines
            if other.line_number != line.line_number
        )
        bypassed = pair.modifier_indicator == "1" and bool(NCCI_BYPASS_MODIFIERS & set(line.modifiers))
        if partner and not bypassed:
            return Denial(GroupCode.CO, "97", "M15")
    return None


def _denied_line(line: ServiceLine, denial: Denial) -> LinePayment:
    return LinePayment(
        line_number=line.line_number,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        charge=line.charge,
        paid=ZERO,
        units=line.units,
        service_date=line.service_date,
        allowed=ZERO,
        adjustments=(Adjustment(denial.group, denial.reason, line.charge),) if line.charge else (),
        remark_codes=(denial.remark,) if denial.remark else (),
    )


def _priced_line(
    line: ServiceLine, ctx: AdjudicationContext, acc: Accumulator, copay_taken: bool
) -> tuple[LinePayment, Accumulator, bool]:
    plan = ctx.plan
    schedule = cents(ctx.payer.fee_schedule[line.procedure_code] * line.units * ctx.allowed_factor)
    allowed = min(line.charge, schedule)
    adjustments: list[Adjustment] = []
    if line.charge > allowed:
        adjustments.append(Adjustment(GroupCode.CO, "45", line.charge - allowed))

    copay = deductible = coinsurance = ZERO
    if line.procedure_code not in plan.preventive_codes:
        oop_left = acc.out_of_pocket_remaining(plan)

        def capped(amount: Decimal, already: Decimal) -> Decimal:
            return amount if oop_left is None else min(amount, max(oop_left - already, ZERO))

        if line.procedure_code in plan.copay_codes and plan.copay > ZERO:
            if not copay_taken:
                copay = capped(min(plan.copay, allowed), ZERO)
                copay_taken = True
        else:
            deductible = capped(min(acc.deductible_remaining(plan), allowed), ZERO)
            coinsurance = capped(cents((allowed - deductible) * plan.coinsurance_rate), deductible)
    # CAS order: deductible, coinsurance, copay (the order payers usually report them).
    for reason, amount in (("1", deductible), ("2", coinsurance), ("3", copay)):
        if amount > ZERO:
            adjustments.append(Adjustment(GroupCode.PR, reason, amount))
    patient = copay + deductible + coinsurance
    acc = acc.plus(deductible, patient)
    payment = LinePayment(
        line_number=line.line_number,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        charge=line.charge,
        paid=allowed - patient,
        units=line.units,
        service_date=line.service_date,
        allowed=allowed,
        adjustments=tuple(adjustments),
    )
    return payment, acc, copay_taken


def adjudicate_claim(claim: Claim, ctx: AdjudicationContext) -> Adjudication:
    """Adjudicate one accepted claim; pure and deterministic for the same inputs."""
    claim_denial = _claim_level_denial(claim, ctx)
    acc = ctx.accumulator
    copay_taken = False
    lines: list[LinePayment] = []
    for line in claim.lines:
        denial = claim_denial or _line_denial(line, claim, ctx)
        if denial is not None:
            lines.append(_denied_line(line, denial))
            continue
        priced, acc, copay_taken = _priced_line(line, ctx, acc, copay_taken)
        lines.append(priced)

    paid = sum((ln.paid for ln in lines), ZERO)
    patient = sum((a.amount for ln in lines for a in ln.adjustments if a.group is GroupCode.PR), ZERO)
    all_denied = all(ln.allowed == ZERO for ln in lines)
    remarks: tuple[str, ...] = ()
    if any("M119" in ln.remark_codes for ln in lines):
        # Missing information: correct and resubmit, no appeal rights.
        remarks = ("MA130",)
    payment = ClaimPayment(
        patient_control_number=claim.patient_control_number,
        payer_id=ctx.payer.payer_id,
        member_id=ctx.member.member_id,
        status=ClaimStatusCode.DENIED if all_denied else ClaimStatusCode.PROCESSED_PRIMARY,
        charge=sum((ln.charge for ln in lines), ZERO),
        paid=paid,
        patient_responsibility=patient,
        payer_claim_id=ctx.payer_claim_id,
        frequency_code=claim.frequency_code,
        lines=tuple(lines),
        remark_codes=remarks,
        subscriber_last_name=ctx.member.record_last_name,
        subscriber_first_name=ctx.member.record_first_name,
    )
    return Adjudication(payment, acc)


def reversal_of(payment: ClaimPayment) -> ClaimPayment:
    """CLP02 = 22: every amount of an earlier payment negated, same payer claim id."""

    def neg(adjs: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
        return tuple(replace(a, amount=-a.amount) for a in adjs)

    return replace(
        payment,
        status=ClaimStatusCode.REVERSAL,
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=-payment.patient_responsibility,
        claim_adjustments=neg(payment.claim_adjustments),
        lines=tuple(
            replace(
                ln,
                charge=-ln.charge,
                paid=-ln.paid,
                allowed=-ln.allowed,
                adjustments=neg(ln.adjustments),
            )
            for ln in payment.lines
        ),
    )


def accumulator_contribution(payment: ClaimPayment) -> tuple[Decimal, Decimal]:
    """(deductible, out-of-pocket) a payment added to the member's accumulator."""
    deductible = payment.adjustment_total(GroupCode.PR, "1")
    out_of_pocket = (
        deductible + payment.adjustment_total(GroupCode.PR, "2") + payment.adjustment_total(GroupCode.PR, "3")
    )
    return deductible, out_of_pocket
