"""Reading 271 benefits (pure domain)."""

from __future__ import annotations

from decimal import Decimal as D

from rcm_eligibility.domain.benefits import coverage_from_benefits
from rcm_x12.eligibility import Benefit


def test_active_coverage_gives_what_the_patient_owes() -> None:
    answer = coverage_from_benefits([
        Benefit("1", "IND", ("30",), plan_description="PPO GOLD"),
        Benefit("B", "IND", ("30",), amount=D("25")),
        Benefit("A", "IND", ("30",), percent=D("0.2")),
        Benefit("C", "IND", ("30",), time_period="23", amount=D("1500")),
        Benefit("C", "IND", ("30",), time_period="29", amount=D("1200")),
        Benefit("G", "IND", ("30",), time_period="29", amount=D("4000")),
    ])
    assert answer.status == "active" and answer.plan_name == "PPO GOLD"
    assert answer.copay == D("25")
    assert answer.coinsurance_percent == D("20")
    assert answer.deductible_remaining == D("1200"), "the remaining deductible, not the yearly total"
    assert answer.out_of_pocket_remaining == D("4000")


def test_family_and_out_of_network_benefits_do_not_answer_for_the_patient() -> None:
    answer = coverage_from_benefits([
        Benefit("1", "IND", ("30",)),
        Benefit("C", "FAM", ("30",), time_period="29", amount=D("3000")),
        Benefit("C", "IND", ("30",), time_period="29", amount=D("999"), in_network="N"),
    ])
    assert answer.deductible_remaining is None


def test_no_active_benefit_means_inactive() -> None:
    assert coverage_from_benefits([Benefit("6", "IND", ("30",))]).status == "inactive"


def test_aaa_rejections_mean_the_payer_could_not_answer() -> None:
    answer = coverage_from_benefits([], ["72"])
    assert answer.status == "rejected" and answer.rejection_codes == ("72",)
