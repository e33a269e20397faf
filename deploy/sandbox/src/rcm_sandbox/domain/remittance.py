"""Packing adjudicated claims into one 835 per payer and check, with its PLB adjustments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rcm_sandbox.domain.errors import UnbalancedRemittanceError
from rcm_sandbox.domain.model import (
    ZERO,
    ClaimPayment,
    ClaimStatusCode,
    ProviderAdjustment,
    Remittance,
)
from rcm_sandbox.domain.payers import MemberScenario, Payer, SandboxConfig

__all__ = ["PendingPayment", "UnbalancedRemittanceError", "build_remittance", "provider_adjustments_for"]


@dataclass(frozen=True)
class PendingPayment:
    """A claim payment waiting for the next check."""

    payment: ClaimPayment
    payee_npi: str


def provider_adjustments_for(
    payments: Sequence[ClaimPayment], payer: Payer, config: SandboxConfig
) -> tuple[ProviderAdjustment, ...]:
    """PLB lines owed on this check: one per paid claim whose member has a PLB scenario.

    A recoupment is only taken while the check stays positive; otherwise it waits
    (a real payer would carry a forward balance; the sandbox keeps it simple).
    """
    out: list[ProviderAdjustment] = []
    running = sum((p.paid for p in payments), ZERO)
    for payment in payments:
        if payment.status is not ClaimStatusCode.PROCESSED_PRIMARY or payment.paid <= ZERO:
            continue
        member = config.member(payment.member_id)
        if member is None or member.scenario is MemberScenario.NONE:
            continue
        for rule in payer.provider_adjustments:
            if rule.scenario is not member.scenario:
                continue
            if running - rule.amount < ZERO:
                continue
            running -= rule.amount
            out.append(ProviderAdjustment(rule.reason_code, payment.payer_claim_id, rule.amount))
    return tuple(out)


def build_remittance(
    payer: Payer,
    pending: Sequence[PendingPayment],
    trace_number: str,
    payment_date: date,
    config: SandboxConfig,
) -> Remittance:
    """One 835 for these payments of one payer and payee; raises if it would not balance."""
    if not pending:
        raise ValueError("a remittance needs at least one claim")
    payees = {p.payee_npi for p in pending}
    if len(payees) != 1:
        raise ValueError("one remittance pays one payee")
    payments = tuple(p.payment for p in pending)
    adjustments = provider_adjustments_for(payments, payer, config)
    net = sum((p.paid for p in payments), ZERO) - sum((a.amount for a in adjustments), ZERO)
    if net < ZERO:
        # A reversal larger than the rest of the check: the payer carries the difference
        # as a forward balance (negative PLB) so the check is zero, never negative.
        # Placeholder: the sandbox does not recover that balance on a later check.
        adjustments += (ProviderAdjustment("FB", trace_number, net),)
    remittance = Remittance(
        payer_id=payer.payer_id,
        payer_name=payer.name,
        trace_number=trace_number,
        payment_date=payment_date,
        payee_npi=payees.pop(),
        claims=payments,
        provider_adjustments=adjustments,
    )
    if not remittance.balances():
        raise UnbalancedRemittanceError(f"835 {trace_number} does not balance")
    return remittance
