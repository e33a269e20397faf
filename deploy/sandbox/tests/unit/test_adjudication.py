from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from rcm_sandbox.config import Member, MemberStatus, SandboxConfig, load_config
from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.adjudication import (
    AdjudicationContext,
    accumulator_contribution,
    adjudicate_claim,
    reversal_of,
)
from rcm_sandbox.domain.model import Claim, ClaimStatusCode, GroupCode
from rcm_sandbox.testing import make_claim, pick_member

CONFIG = load_config()
DOS = date(2026, 11, 2)
RECEIVED = date(2026, 11, 10)


def context(
    claim: Claim,
    member: Member,
    *,
    payer_id: str | None = None,
    accumulator: Accumulator | None = None,
    received_on: date = RECEIVED,
    prior: dict[tuple[str, str], str] | None = None,
    config: SandboxConfig = CONFIG,
) -> AdjudicationContext:
    payer = config.payer(payer_id or claim.payer_id)
    assert payer is not None
    return AdjudicationContext(
        payer=payer,
        member=member,
        plan=config.plan_of(member),
        accumulator=accumulator if accumulator is not None else Accumulator.opening(member),
        received_on=received_on,
        payer_claim_id="SBX000000000001",
        prior_claims=prior or {},
    )


def gold() -> Member:
    return pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")


def test_office_visit_pays_fee_schedule_minus_copay_and_writes_off_the_excess() -> None:
    member = gold()
    claim = make_claim(member, [("99213", "200.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    line = payment.lines[0]
    assert line.allowed == Decimal("127.40")
    assert payment.adjustment_total(GroupCode.CO, "45") == Decimal("72.60")
    assert payment.adjustment_total(GroupCode.PR, "3") == Decimal("25.00")
    assert payment.paid == Decimal("102.40")
    assert payment.patient_responsibility == Decimal("25.00")
    assert payment.status is ClaimStatusCode.PROCESSED_PRIMARY
    assert payment.balances()


def test_charge_below_fee_schedule_is_allowed_as_billed_without_co45() -> None:
    member = gold()
    claim = make_claim(member, [("36415", "3.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.lines[0].allowed == Decimal("3.00")
    assert "CO-45" not in payment.carc_codes


def test_deductible_is_taken_first_then_coinsurance_and_accumulators_advance() -> None:
    member = gold()
    claim = make_claim(member, [("93000", "40.00")], diagnoses=("I10",))
    start = Accumulator(Decimal("990.00"), Decimal("990.00"))
    result = adjudicate_claim(claim, context(claim, member, accumulator=start))
    payment = result.payment
    assert payment.lines[0].allowed == Decimal("22.40")
    assert payment.adjustment_total(GroupCode.PR, "1") == Decimal("10.00")
    assert payment.adjustment_total(GroupCode.PR, "2") == Decimal("2.48")
    assert payment.paid == Decimal("9.92")
    assert result.accumulator == Accumulator(Decimal("1000.00"), Decimal("1002.48"))
    assert accumulator_contribution(payment) == (Decimal("10.00"), Decimal("12.48"))


def test_claim_entirely_in_deductible_is_processed_with_zero_payment_not_denied() -> None:
    member = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-HDHP")
    claim = make_claim(member, [("80053", "50.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.paid == Decimal("0.00")
    assert payment.adjustment_total(GroupCode.PR, "1") == Decimal("14.70")
    assert payment.status is ClaimStatusCode.PROCESSED_PRIMARY


def test_out_of_pocket_maximum_caps_coinsurance() -> None:
    member = gold()
    claim = make_claim(member, [("45378", "600.00")])
    start = Accumulator(Decimal("1000.00"), Decimal("3990.00"))
    payment = adjudicate_claim(claim, context(claim, member, accumulator=start)).payment
    assert payment.adjustment_total(GroupCode.PR, "2") == Decimal("10.00")
    assert payment.paid == Decimal("273.00") - Decimal("10.00")


def test_preventive_visit_has_no_cost_sharing() -> None:
    member = gold()
    claim = make_claim(member, [("99395", "250.00"), ("90686", "30.00"), ("90471", "25.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.patient_responsibility == Decimal("0.00")
    assert payment.paid == sum((ln.allowed for ln in payment.lines), Decimal("0"))


def test_medicare_has_no_copay_and_twenty_percent_after_deductible() -> None:
    member = pick_member(CONFIG, "SBXMCR01")
    claim = make_claim(member, [("99214", "180.00")])
    start = Accumulator(Decimal("257.00"), Decimal("257.00"))
    payment = adjudicate_claim(claim, context(claim, member, accumulator=start)).payment
    assert payment.adjustment_total(GroupCode.PR, "2") == Decimal("25.80")
    assert payment.paid == Decimal("103.20")


def test_drug_without_ndc_is_denied_co16_with_m119_and_ma130() -> None:
    member = gold()
    claim = make_claim(member, [("96372", "40.00"), ("J3420", "20.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    drug = payment.lines[1]
    assert drug.paid == 0 and drug.adjustments[0].group is GroupCode.CO
    assert drug.adjustments[0].reason == "16" and drug.remark_codes == ("M119",)
    assert payment.remark_codes == ("MA130",)
    assert payment.lines[0].allowed > 0  # the other line is priced: a partial payment
    assert payment.status is ClaimStatusCode.PROCESSED_PRIMARY


def test_drug_with_ndc_is_paid() -> None:
    member = gold()
    claim = make_claim(member, [("J3420", "20.00")], ndc="00000000000")
    assert "CO-16" not in adjudicate_claim(claim, context(claim, member)).payment.carc_codes


def test_test_without_a_supporting_diagnosis_is_denied_co50() -> None:
    member = gold()
    claim = make_claim(member, [("83036", "30.00")], diagnoses=("Z0000",))
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.carc_codes == ("CO-50",)
    assert payment.status is ClaimStatusCode.DENIED
    supported = make_claim(member, [("83036", "30.00")], diagnoses=("E119",))
    assert "CO-50" not in adjudicate_claim(supported, context(supported, member)).payment.carc_codes


def test_ncci_column_two_code_is_bundled_co97_unless_a_distinct_modifier_is_present() -> None:
    member = gold()
    claim = make_claim(member, [("45385", "900.00"), ("45378", "600.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.lines[1].adjustments[0].reason == "97" and payment.lines[1].remark_codes == ("M15",)
    assert payment.lines[0].allowed > 0
    distinct = make_claim(member, [("45385", "900.00"), ("45378", "600.00", ("59",))])
    assert "CO-97" not in adjudicate_claim(distinct, context(distinct, member)).payment.carc_codes


def test_ncci_indicator_zero_pair_cannot_be_bypassed() -> None:
    member = gold()
    claim = make_claim(member, [("81003", "10.00"), ("81002", "10.00", ("59",))])
    assert adjudicate_claim(claim, context(claim, member)).payment.lines[1].adjustments[0].reason == "97"


def test_claim_received_after_the_filing_limit_is_denied_co29() -> None:
    member = gold()
    claim = make_claim(member, [("99213", "200.00")])
    late = DOS + timedelta(days=91)
    payment = adjudicate_claim(claim, context(claim, member, received_on=late)).payment
    assert payment.carc_codes == ("CO-29",) and payment.paid == 0
    on_time = DOS + timedelta(days=90)
    assert "CO-29" not in adjudicate_claim(claim, context(claim, member, received_on=on_time)).payment.carc_codes


def test_same_services_under_a_new_patient_control_number_are_denied_co18() -> None:
    member = gold()
    claim = make_claim(member, [("99213", "200.00")], pcn="PCN-NEW")
    prior = {(member.member_id, claim.line_signature): "PCN-OLD"}
    payment = adjudicate_claim(claim, context(claim, member, prior=prior)).payment
    assert payment.carc_codes == ("CO-18",) and payment.status is ClaimStatusCode.DENIED
    other_day = make_claim(member, [("99213", "200.00")], pcn="PCN-NEW", service_date=DOS - timedelta(days=1))
    assert "CO-18" not in adjudicate_claim(other_day, context(other_day, member, prior=prior)).payment.carc_codes


def test_member_of_another_payer_is_denied_co109() -> None:
    member = pick_member(CONFIG, "SBXMCR01")
    claim = make_claim(member, [("99213", "200.00")], payer_id="SBXPPO01")
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.carc_codes == ("CO-109",)


def test_service_after_coverage_ended_is_denied_co27() -> None:
    member = pick_member(CONFIG, "SBXPPO01", status=MemberStatus.TERMINATED)
    claim = make_claim(member, [("99213", "200.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.carc_codes == ("CO-27",)


def test_code_off_the_payers_schedule_is_denied_co96() -> None:
    member = gold()
    claim = make_claim(member, [("G0008", "30.00")])
    payment = adjudicate_claim(claim, context(claim, member)).payment
    assert payment.carc_codes == ("CO-96",) and payment.lines[0].remark_codes == ("N130",)


def test_reversal_negates_every_amount_and_still_balances() -> None:
    member = gold()
    claim = make_claim(member, [("99213", "200.00"), ("93000", "40.00")], diagnoses=("I10",))
    payment = adjudicate_claim(claim, context(claim, member)).payment
    reversal = reversal_of(payment)
    assert reversal.status is ClaimStatusCode.REVERSAL
    assert reversal.charge == -payment.charge and reversal.paid == -payment.paid
    assert reversal.payer_claim_id == payment.payer_claim_id
    assert reversal.balances()


def test_adjudication_is_deterministic_for_the_same_inputs() -> None:
    member = gold()
    claim = make_claim(member, [("99214", "210.00"), ("93000", "45.00"), ("36415", "9.00")], diagnoses=("I10",))
    first = adjudicate_claim(claim, context(claim, member))
    second = adjudicate_claim(claim, context(claim, member))
    assert first == second


CODES = sorted(CONFIG.payers[0].fee_schedule) + ["G0008", "99999"]
MONEY = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


@settings(max_examples=300, deadline=None)
@given(
    member_index=st.integers(min_value=0, max_value=len(CONFIG.members) - 1),
    payer_index=st.integers(min_value=0, max_value=2),
    lines=st.lists(
        st.tuples(st.sampled_from(CODES), MONEY, st.sampled_from([(), ("59",), ("25",)])),
        min_size=1,
        max_size=6,
    ),
    deductible_met=st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2),
    units=st.sampled_from([Decimal("1"), Decimal("2"), Decimal("3")]),
    days_late=st.integers(min_value=0, max_value=400),
    dx=st.sampled_from([("Z0000",), ("I10", "E119"), ("J029",)]),
)
def test_every_adjudicated_claim_balances_to_the_cent(
    member_index: int,
    payer_index: int,
    lines: list[tuple[str, Decimal, tuple[str, ...]]],
    deductible_met: Decimal,
    units: Decimal,
    days_late: int,
    dx: tuple[str, ...],
) -> None:
    member = CONFIG.members[member_index]
    payer = CONFIG.payers[payer_index]
    claim = make_claim(
        member,
        [(c, str(m), mods) for c, m, mods in lines],
        payer_id=payer.payer_id,
        units=units,
        diagnoses=dx,
    )
    ctx = context(
        claim,
        member,
        accumulator=Accumulator(deductible_met, deductible_met),
        received_on=DOS + timedelta(days=days_late),
    )
    payment = adjudicate_claim(claim, ctx).payment
    assert payment.balances()
    assert payment.paid >= 0
    assert all(ln.paid >= 0 and ln.paid <= ln.charge for ln in payment.lines)
    assert all(a.amount == a.amount.quantize(Decimal("0.01")) for ln in payment.lines for a in ln.adjustments)
    assert reversal_of(payment).balances()


def test_unknown_code_in_the_balancing_property_is_really_denied() -> None:
    # Guards the property test above: 99999 must take the CO-96 path, not a KeyError.
    member = gold()
    claim = make_claim(member, [("99999", "10.00")])
    assert adjudicate_claim(claim, context(claim, member)).payment.carc_codes == ("CO-96",)
