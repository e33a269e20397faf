"""Reading a 271's benefits and answers (the X12 gateway's side; the rules are the domain's)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from rcm_eligibility.adapters.x12_gateway import X12EligibilityGateway, coverage_from_x12_benefits, read_271_answer
from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.errors import EligibilityRequestRejectedError
from rcm_eligibility.domain.model import Member
from rcm_x12.common import Party, Person
from rcm_x12.eligibility import Benefit, Eligibility271, EligibilityResponse, Rejection, write_271
from rcm_x12.writer import EnvelopeParams


def test_active_coverage_gives_what_the_patient_owes() -> None:
    answer = coverage_from_x12_benefits([
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
    answer = coverage_from_x12_benefits([
        Benefit("1", "IND", ("30",)),
        Benefit("C", "FAM", ("30",), time_period="29", amount=D("3000")),
        Benefit("C", "IND", ("30",), time_period="29", amount=D("999"), in_network="N"),
    ])
    assert answer.deductible_remaining is None


def test_no_active_benefit_means_inactive() -> None:
    assert coverage_from_x12_benefits([Benefit("6", "IND", ("30",))]).status == "inactive"


def test_aaa_rejections_mean_the_payer_could_not_answer() -> None:
    answer = coverage_from_x12_benefits([], ["72"])
    assert answer.status == "rejected" and answer.rejection_codes == ("72",)


PAYER = Party("SANDBOX PPO", "SBXPPO01", "PI")
CLINIC = Party("SYNTHETIC FAMILY PRACTICE", "1987654325", "XX")
JANE = Person("TESTPATIENT", "JANE", "SBX0000001", date(1970, 5, 17), "F")


def _interchange_271(doc: Eligibility271) -> str:
    env = EnvelopeParams(sender_id="CLEARINGHOUSE", receiver_id="RCMPLATFORM", interchange_control_number=7,
                         group_control_number=7, transaction_control_number=7, date=date(2026, 10, 14))
    return write_271(doc, env)


def _271(*responses: EligibilityResponse, rejections: tuple[Rejection, ...] = ()) -> Eligibility271:
    return Eligibility271(reference="000000007", created=date(2026, 10, 14), source=PAYER, receiver=CLINIC,
                          responses=responses, rejections=rejections)


def test_a_271_interchange_is_read_into_the_coverage_answer() -> None:
    response = EligibilityResponse(trace_number="E1", subscriber=JANE, benefits=(
        Benefit("1", "IND", ("30",), plan_description="SANDBOX PPO GOLD"),
        Benefit("B", "IND", ("30",), amount=D("30")),
        Benefit("C", "IND", ("30",), time_period="29", amount=D("750.5")),
    ))
    answer = read_271_answer(_interchange_271(_271(response)))
    assert answer.status == "active" and answer.plan_name == "SANDBOX PPO GOLD"
    assert answer.copay == D("30") and answer.deductible_remaining == D("750.5")


def test_a_subscriber_the_payer_cannot_find_is_a_rejected_answer() -> None:
    response = EligibilityResponse(trace_number="E1", subscriber=JANE, rejections=(Rejection("N", "72", "C"),))
    answer = read_271_answer(_interchange_271(_271(response)))
    assert answer.status == "rejected" and answer.rejection_codes == ("72",)


def test_a_271_without_any_response_means_subscriber_not_found() -> None:
    answer = read_271_answer(_interchange_271(_271()))
    assert answer.status == "rejected" and answer.rejection_codes == ("75",)


def test_an_answer_without_a_271_is_a_rejected_request() -> None:
    with pytest.raises(EligibilityRequestRejectedError, match="no 271 in the clearinghouse's answer: .*ISA"):
        read_271_answer("not an interchange", 400)


def test_the_270_asks_about_the_dependent_under_the_subscriber() -> None:
    # Rendering needs neither the clearinghouse nor the database.
    gateway = X12EligibilityGateway(None, None,  # type: ignore[arg-type]
                                    submitter_id="RCMPLATFORM", receiver_id="CLEARINGHOUSE")
    cmd = CheckEligibility(
        encounter_id="E-270", payer_id="SBXPPO01", payer_name="SANDBOX PPO", member_id="SBX0000002",
        subscriber=Member("Pat", "Holder", date(1968, 1, 2), "M"),
        patient=Member("Kim", "Holder", date(2012, 3, 4), "F"),
        provider_npi="1987654325", provider_name="Synthetic Family Practice", date_of_service=date(2026, 10, 14),
    )
    text = gateway.render_270(cmd, 42, datetime(2026, 10, 14, 9, 30, tzinfo=UTC))
    segments = [s.strip() for s in text.split("~") if s.strip()]
    assert segments[0].startswith("ISA") and segments[0].split("*")[13] == "000000042"
    assert "NM1*PR*2*SANDBOX PPO*****PI*SBXPPO01" in segments
    assert "NM1*IL*1*Holder*Pat****MI*SBX0000002" in segments
    assert segments.index("NM1*03*1*Holder*Kim") > segments.index("TRN*1*E-270*9000000001")
    assert "DTP*291*D8*20261014" in segments and "EQ*30" in segments
