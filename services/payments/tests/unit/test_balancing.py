"""835 balancing and posting identity (pure domain)."""

from __future__ import annotations

from decimal import Decimal as D

from rcm_payments.domain.model import (
    Adjustment,
    RemitClaim,
    RemitLine,
    Remittance,
    account_status,
    balance_problems,
    posting_key,
)


def claim(paid: str = "80.00", **kw: object) -> RemitClaim:
    line = RemitLine(code="99213", charge=D("185.00"), paid=D(paid), units=D(1),
                     adjustments=(Adjustment("CO", "45", D("85.00")), Adjustment("PR", "3", D("185.00") - D("85.00") - D(paid))))
    args = {"claim_id": "C1", "status_code": "1", "charge": D("185.00"), "paid": D(paid),
            "patient_responsibility": D("185.00") - D("85.00") - D(paid), "payer_claim_control_number": "PCN1",
            "lines": (line,)}
    args.update(kw)
    return RemitClaim(**args)  # type: ignore[arg-type]


def remit(*claims: RemitClaim, amount: str | None = None, plb: tuple[D, ...] = ()) -> Remittance:
    total = sum((c.paid for c in claims), D(0)) - sum(plb, D(0))
    return Remittance("TRN1", D(amount) if amount else total, "ACH", None, "PAYER", claims, plb)


def test_a_balanced_remittance_has_no_problems() -> None:
    assert balance_problems(remit(claim(), claim(claim_id="C2"))) == []


def test_provider_level_adjustments_enter_the_transaction_balance() -> None:
    assert balance_problems(remit(claim(), plb=(D("-2.50"),))) == []
    problems = balance_problems(remit(claim(), amount="80.00", plb=(D("-2.50"),)))
    assert problems == ["BPR02 80.00 != sum CLP04 - sum PLB = 82.50"]


def test_a_line_that_does_not_balance_is_named_with_its_amounts() -> None:
    bad_line = RemitLine("99213", D("185.00"), D("80.00"), D(1), (Adjustment("CO", "45", D("85.00")),))
    problems = balance_problems(remit(claim(lines=(bad_line,))))
    assert any("line 1 (99213)" in p and "adjustments 85.00" in p for p in problems)


def test_a_claim_off_by_a_cent_does_not_balance() -> None:
    assert balance_problems(remit(claim(charge=D("185.01")))) != []


def test_status_codes_map_to_account_states() -> None:
    assert account_status("1", D("10")) == "paid"
    assert account_status("4", D("0")) == "denied"
    assert account_status("22", D("-10")) == "reversed"


def test_the_same_claim_in_the_same_check_has_the_same_posting_key() -> None:
    assert posting_key("TRN1", claim()) == posting_key("TRN1", claim())
    assert posting_key("TRN1", claim()) != posting_key("TRN1", claim(status_code="22"))
    assert posting_key("TRN1", claim()) != posting_key("TRN2", claim())
