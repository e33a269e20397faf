"""Balancing and posting decisions over the domain's own remittance types (pure domain)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from rcm_payments.domain.model import (
    AccountChange,
    Adjustment,
    ClaimAccount,
    ClaimPayment,
    PostedAdjustment,
    ProviderAdjustment,
    Remittance,
    ServiceLinePayment,
    account_change,
    account_status,
    balance_problems,
    describe,
    file_outcome,
    hold_reasons,
    patient_responsibility,
    post_claim,
    posting_key,
)


def claim(paid: str = "80.00", **kw: object) -> ClaimPayment:
    copay = D("185.00") - D("85.00") - D(paid)
    line = ServiceLinePayment("99213", D("185.00"), D(paid),
                              adjustments=(Adjustment("CO", "45", D("85.00")), Adjustment("PR", "3", copay)))
    args: dict[str, object] = {"patient_control_number": "C1", "status_code": "1", "charge": D("185.00"),
                               "paid": D(paid), "payer_claim_control_number": "PCN1", "lines": (line,)}
    args.update(kw)
    return ClaimPayment(**args)  # type: ignore[arg-type]


def remit(*claims: ClaimPayment, amount: str | None = None, plb: tuple[D, ...] = ()) -> Remittance:
    total = sum((c.paid for c in claims), D(0)) - sum(plb, D(0))
    adjustments = tuple(ProviderAdjustment("L6", a) for a in plb)
    return Remittance("TRN1", D(amount) if amount else total, date(2026, 11, 1), claims,
                      provider_adjustments=adjustments)


def test_a_balanced_remittance_has_no_problems() -> None:
    assert balance_problems(remit(claim(), claim(patient_control_number="C2"))) == []
    assert hold_reasons(remit(claim(), plb=(D("-2.50"),))) == []


def test_an_unbalanced_payment_is_described_with_the_difference() -> None:
    problems = balance_problems(remit(claim(), amount="80.00", plb=(D("-2.50"),)))
    assert [describe(p) for p in problems] == ["transaction: BPR02 is not sum(CLP04) - sum(PLB) (off by 2.50)"]


def test_an_unbalanced_line_is_held_with_its_claim_and_line_number() -> None:
    bad_line = ServiceLinePayment("99214", D("100.00"), D("60.00"), adjustments=(Adjustment("CO", "45", D("30.00")),))
    c = claim("60.00", patient_control_number="C9", lines=(bad_line,), charge=D("100.00"))
    assert hold_reasons(remit(c)) == [
        "claim C9 line 1: SVC02 - SVC03 does not equal the line adjustments (off by 10.00)",
        "claim C9: CLP03 - CLP04 does not equal the claim and line adjustments (off by 10.00)",
    ]


def test_claim_level_adjustments_count_toward_the_claim_balance() -> None:
    balanced = claim(lines=(), adjustments=(Adjustment("CO", "45", D("85.00")), Adjustment("PR", "3", D("20.00"))))
    assert balance_problems(remit(balanced)) == []
    [problem] = balance_problems(remit(claim(lines=(), adjustments=(Adjustment("CO", "45", D("85.00")),))))
    assert (problem.level, problem.difference, problem.patient_control_number) == ("claim", D("20.00"), "C1")


def test_patient_responsibility_falls_back_to_the_pr_adjustments() -> None:
    assert patient_responsibility(claim()) == D("20.00")
    assert patient_responsibility(claim(patient_responsibility=D("7.00"))) == D("7.00")


def test_status_codes_map_to_account_states() -> None:
    assert account_status("1") == "paid"
    assert account_status("4") == "denied"
    assert account_status("22") == "reversed"
    assert account_status("25") == "other"


def test_the_same_claim_in_the_same_check_has_the_same_posting_key() -> None:
    assert posting_key("TRN1", claim()) == posting_key("TRN1", claim())
    assert posting_key("TRN1", claim()) != posting_key("TRN1", claim(status_code="22"))
    assert posting_key("TRN1", claim()) != posting_key("TRN2", claim())
    assert posting_key("TRN1", claim()) != posting_key("TRN1", claim(payer_claim_control_number="PCN2"))
    assert posting_key("TRN1", claim()) != posting_key("TRN1", claim(patient_control_number="C2"))
    assert posting_key("TRN1", claim()) == "TRN1|PCN1|C1|1"


def test_a_posting_numbers_line_adjustments_after_the_claim_level_ones() -> None:
    at = datetime(2026, 11, 2, tzinfo=UTC)
    c = claim(adjustments=(Adjustment("OA", "23", D("0.00")),))
    posting = post_claim(remit(c), c, file_id="F1", posted_at=at)
    assert posting.key == "TRN1|PCN1|C1|1" and posting.claim_id == "C1" and posting.file_id == "F1"
    assert (posting.charge, posting.paid, posting.patient_responsibility) == (D("185.00"), D("80.00"), D("20.00"))
    assert posting.adjustments == (PostedAdjustment("OA", "23", D("0.00"), None),
                                   PostedAdjustment("CO", "45", D("85.00"), 1),
                                   PostedAdjustment("PR", "3", D("20.00"), 1))
    assert account_change(posting) == AccountChange("C1", "paid", D("80.00"), D("20.00"))


def test_an_account_adds_up_its_postings_and_keeps_the_last_status() -> None:
    account = ClaimAccount.submitted("C1", encounter_id="E1", payer_id="P1", total_charge=D("185.00"))
    paid = account.after(AccountChange("C1", "paid", D("80.00"), D("20.00")))
    reversed_ = paid.after(AccountChange("C1", "reversed", D("-80.00"), D("-20.00")))
    assert (paid.status, paid.paid_total, paid.patient_responsibility) == ("paid", D("80.00"), D("20.00"))
    assert (reversed_.status, reversed_.paid_total, reversed_.patient_responsibility) == (
        "reversed", D("0.00"), D("0.00"))
    assert reversed_.encounter_id == "E1" and reversed_.total_charge == D("185.00")


def test_a_late_submission_fills_in_the_claim_details_and_keeps_the_posting() -> None:
    early = ClaimAccount("C1", "paid", paid_total=D("80.00"))
    submitted = ClaimAccount.submitted("C1", encounter_id="E1", payer_id="P1", total_charge=D("185.00"))
    assert early.with_claim_details_of(submitted) == ClaimAccount("C1", "paid", "E1", "P1", D("185.00"), D("80.00"))


def test_a_file_is_held_when_any_of_its_remittances_is() -> None:
    a, b = remit(claim()), remit(claim(), amount="10.00")
    assert file_outcome("F1", [a, b], ["why"]).status == "held"
    posted = file_outcome("F1", [a, b], [])
    assert (posted.status, posted.trace_number, posted.payment_amount, posted.reasons) == (
        "posted", "TRN1", D("90.00"), ())
