"""Posting decisions over the toolkit's 835 model (pure domain)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from rcm_payments.domain.model import account_status, describe, patient_responsibility, posting_key
from rcm_x12.remit835 import (
    Adjustment,
    ProviderAdjustment,
    RemitClaim,
    RemitPayee,
    RemitPayer,
    RemitServiceLine,
    Remittance835,
    balance_problems,
)


def claim(paid: str = "80.00", **kw: object) -> RemitClaim:
    copay = D("185.00") - D("85.00") - D(paid)
    line = RemitServiceLine("99213", D("185.00"), D(paid), units=D(1),
                            adjustments=(Adjustment("CO", "45", D("85.00")), Adjustment("PR", "3", copay)))
    args: dict[str, object] = {"patient_control_number": "C1", "status": "1", "charge": D("185.00"),
                               "paid": D(paid), "payer_claim_control_number": "PCN1", "lines": (line,)}
    args.update(kw)
    return RemitClaim(**args)  # type: ignore[arg-type]


def remit(*claims: RemitClaim, amount: str | None = None, plb: tuple[D, ...] = ()) -> Remittance835:
    total = sum((c.paid for c in claims), D(0)) - sum(plb, D(0))
    adjustments = tuple(ProviderAdjustment("1234567893", date(2026, 12, 31), "L6", a) for a in plb)
    return Remittance835(D(amount) if amount else total, "ACH", date(2026, 11, 1), "TRN1", RemitPayer("PAYER"),
                         RemitPayee("CLINIC", "1234567893"), claims, provider_adjustments=adjustments)


def test_a_balanced_remittance_has_no_problems() -> None:
    assert balance_problems(remit(claim(), claim(patient_control_number="C2"))) == []


def test_an_unbalanced_payment_is_described_with_the_difference() -> None:
    problems = balance_problems(remit(claim(), amount="80.00", plb=(D("-2.50"),)))
    assert [describe(p) for p in problems] == ["transaction: BPR02 is not sum(CLP04) - sum(PLB) (off by 2.50)"]


def test_patient_responsibility_falls_back_to_the_pr_adjustments() -> None:
    assert patient_responsibility(claim()) == D("20.00")
    assert patient_responsibility(claim(patient_responsibility=D("7.00"))) == D("7.00")


def test_status_codes_map_to_account_states() -> None:
    assert account_status("1") == "paid"
    assert account_status("4") == "denied"
    assert account_status("22") == "reversed"


def test_the_same_claim_in_the_same_check_has_the_same_posting_key() -> None:
    assert posting_key("TRN1", claim()) == posting_key("TRN1", claim())
    assert posting_key("TRN1", claim()) != posting_key("TRN1", claim(status="22"))
    assert posting_key("TRN1", claim()) != posting_key("TRN2", claim())
