"""The benefit rules of the domain: what a payer's benefits say the patient owes."""

from __future__ import annotations

from decimal import Decimal as D

from rcm_eligibility.domain.benefits import coverage_from_benefits
from rcm_eligibility.domain.model import BenefitLine as B


def test_an_active_plan_answers_copay_coinsurance_deductible_and_out_of_pocket() -> None:
    answer = coverage_from_benefits([
        B("1", "IND", ("30",), plan_description="PPO SILVER"),
        B("B", "IND", ("30",), amount=D("40")),
        B("A", "IND", ("30",), percent=D("0.125")),
        B("C", "IND", ("30",), time_period="29", amount=D("310.25")),
        B("G", "IND", ("30",), time_period="29", amount=D("2500")),
    ])
    assert answer.status == "active" and answer.plan_name == "PPO SILVER" and answer.rejection_codes == ()
    assert (answer.copay, answer.coinsurance_percent) == (D("40"), D("12.5"))
    assert (answer.deductible_remaining, answer.out_of_pocket_remaining) == (D("310.25"), D("2500"))


def test_the_remaining_amount_wins_over_the_yearly_total_in_either_order() -> None:
    yearly, remaining = B("C", "IND", ("30",), time_period="23", amount=D("2000")), \
        B("C", "IND", ("30",), time_period="29", amount=D("800"))
    for benefits in ([B("1"), yearly, remaining], [B("1"), remaining, yearly]):
        assert coverage_from_benefits(benefits).deductible_remaining == D("800")


def test_without_a_remaining_amount_the_first_applicable_one_is_used() -> None:
    answer = coverage_from_benefits([B("1"), B("C", time_period="23", amount=D("1500")),
                                     B("C", time_period="23", amount=D("9"))])
    assert answer.deductible_remaining == D("1500")


def test_benefits_of_another_service_type_family_or_out_of_network_are_ignored() -> None:
    answer = coverage_from_benefits([
        B("1", "IND", ("30",)),
        B("B", "IND", ("98",), amount=D("25")),
        B("C", "FAM", ("30",), time_period="29", amount=D("3000")),
        B("G", "IND", ("30",), time_period="29", amount=D("999"), in_network="N"),
    ])
    assert answer.status == "active"
    assert (answer.copay, answer.deductible_remaining, answer.out_of_pocket_remaining) == (None, None, None)


def test_benefits_without_service_type_or_network_apply_and_not_applicable_network_counts() -> None:
    answer = coverage_from_benefits([B("1"), B("B", amount=D("15")), B("G", in_network="W", amount=D("6000"))])
    assert answer.copay == D("15") and answer.out_of_pocket_remaining == D("6000")


def test_coinsurance_without_a_percent_gives_no_percent_and_no_plan_name_gives_none() -> None:
    answer = coverage_from_benefits([B("1"), B("A", "IND", ("30",))])
    assert answer.coinsurance_percent is None and answer.plan_name is None


def test_no_active_benefit_is_inactive_with_a_note_saying_why() -> None:
    answer = coverage_from_benefits([B("6", "IND", ("30",)), B("B", amount=D("25"))])
    assert answer.status == "inactive" and answer.copay is None
    assert answer.notes == ("no active coverage (EB*1) in the 271",)


def test_reject_reasons_win_over_any_benefit() -> None:
    answer = coverage_from_benefits([B("1"), B("B", amount=D("25"))], ["72", "75"])
    assert answer.status == "rejected" and answer.rejection_codes == ("72", "75") and answer.copay is None
