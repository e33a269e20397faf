from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from rcm_sandbox.adapters.storage import SqliteStorage
from rcm_sandbox.adapters.unit_of_work import SqliteUnitOfWork
from rcm_sandbox.config import MemberScenario, MemberStatus, load_config
from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.acknowledgement import acknowledge_claim
from rcm_sandbox.domain.adjudication import AdjudicationContext, adjudicate_claim, reversal_of
from rcm_sandbox.domain.commands import AnswerEligibility, ReceiveClaims
from rcm_sandbox.domain.eligibility import EligibilityInquiry, RejectReason, check_eligibility
from rcm_sandbox.domain.ids import npi_is_valid, payer_claim_control_number, trace_number
from rcm_sandbox.domain.model import AcceptedClaim, AckCategory, Claim, ClaimPayment
from rcm_sandbox.domain.remittance import PendingPayment, build_remittance
from rcm_sandbox.service import views
from rcm_sandbox.service.handlers import SandboxSetup, answer_eligibility, receive_claims
from rcm_sandbox.testing import BILLING_NPI, RecordedReplies, make_claim, pick_member

CONFIG = load_config()
TODAY = date(2026, 11, 10)


def inquiry_for(member_id: str, last: str, dob: date | None, payer_id: str) -> EligibilityInquiry:
    return EligibilityInquiry(payer_id, member_id, last, "X", dob, TODAY)


def test_active_member_benefits_show_what_is_left_of_the_deductible() -> None:
    m = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    acc = Accumulator(Decimal("250.00"), Decimal("300.00"))
    result = check_eligibility(inquiry_for(m.member_id, m.last_name, m.birth_date, m.payer_id), CONFIG, acc)
    assert result.active and result.benefits is not None
    assert result.benefits.deductible_remaining == Decimal("750.00")
    assert result.benefits.out_of_pocket_remaining == Decimal("3700.00")


def test_member_asked_at_the_wrong_payer_is_not_found() -> None:
    m = pick_member(CONFIG, "SBXPPO01")
    result = check_eligibility(inquiry_for(m.member_id, m.last_name, None, "SBXMCR01"), CONFIG, None)
    assert result.reject_reason is RejectReason.SUBSCRIBER_NOT_FOUND


def test_missing_date_of_birth_is_not_a_rejection_but_a_wrong_one_is() -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    ok = check_eligibility(inquiry_for(m.member_id, m.last_name.lower(), None, m.payer_id), CONFIG, None)
    assert ok.active
    bad = check_eligibility(inquiry_for(m.member_id, m.last_name, date(2000, 1, 1), m.payer_id), CONFIG, None)
    assert bad.reject_reason is RejectReason.INVALID_DOB


def test_terminated_member_is_inactive_after_coverage_end_but_active_before() -> None:
    m = pick_member(CONFIG, "SBXPPO01", status=MemberStatus.TERMINATED)
    after = check_eligibility(inquiry_for(m.member_id, m.last_name, None, m.payer_id), CONFIG, None)
    assert not after.active and after.reject_reason is None
    assert m.coverage_end is not None
    before = replace(inquiry_for(m.member_id, m.last_name, None, m.payer_id), service_date=m.coverage_end)
    assert check_eligibility(before, CONFIG, None).active


def test_front_end_rejections_carry_category_and_status_code() -> None:
    m = pick_member(CONFIG, "SBXPPO01")
    claim = make_claim(m, [("99213", "100.00")])
    cases = [
        (replace(claim, billing_npi="1234567890"), AckCategory.INVALID_INFORMATION, "562"),
        (replace(claim, billing_npi=""), AckCategory.MISSING_INFORMATION, "562"),
        (replace(claim, payer_id="NOPE"), AckCategory.UNPROCESSABLE, "116"),
        (replace(claim, total_charge=Decimal("99.99")), AckCategory.INVALID_INFORMATION, "178"),
        (replace(claim, member_id="NOBODY999"), AckCategory.UNPROCESSABLE, "33"),
        (replace(claim, subscriber_last_name="OTHER"), AckCategory.INVALID_INFORMATION, "33"),
        (
            replace(claim, subscriber_birth_date=date(1900, 1, 1)),
            AckCategory.INVALID_INFORMATION,
            "158",
        ),
        (
            make_claim(m, [("99213", "100.00")], service_date=TODAY + timedelta(days=1)),
            AckCategory.INVALID_INFORMATION,
            "187",
        ),
    ]
    for bad, category, code in cases:
        ack = acknowledge_claim(bad, CONFIG, TODAY, already_received=False)
        assert (ack.category, ack.status_code) == (category, code), bad
    assert acknowledge_claim(claim, CONFIG, TODAY, already_received=False).accepted
    assert acknowledge_claim(claim, CONFIG, TODAY, already_received=True).status_code == "54"


def test_name_mismatch_member_is_rejected_at_the_front_end() -> None:
    m = pick_member(CONFIG, "SBXMCR01", scenario=MemberScenario.NAME_MISMATCH)
    ack = acknowledge_claim(make_claim(m, [("99213", "100.00")]), CONFIG, TODAY, already_received=False)
    assert (ack.category, ack.status_code, ack.entity_code) == (
        AckCategory.INVALID_INFORMATION,
        "33",
        "IL",
    )


def _paid(member_pcn: str, scenario: MemberScenario, amount: str = "300.00") -> ClaimPayment:
    m = pick_member(CONFIG, "SBXPPO01", scenario=scenario)
    claim = make_claim(m, [("99215", amount)], pcn=member_pcn)
    payer = CONFIG.payer(m.payer_id)
    assert payer is not None
    ctx = AdjudicationContext(
        payer,
        m,
        CONFIG.plan_of(m),
        Accumulator(Decimal("6500"), Decimal("0")),
        TODAY,
        f"ICN-{member_pcn}",
        {},
    )
    return adjudicate_claim(claim, ctx).payment


def test_check_total_is_sum_of_claim_payments_minus_provider_adjustments() -> None:
    payer = CONFIG.payer("SBXPPO01")
    assert payer is not None
    payments = [
        _paid("A", MemberScenario.NONE),
        _paid("B", MemberScenario.INTEREST),
        _paid("C", MemberScenario.RECOUPMENT),
    ]
    remit = build_remittance(payer, [PendingPayment(p, BILLING_NPI) for p in payments], "T1", TODAY, CONFIG)
    plb = {a.reason_code: a.amount for a in remit.provider_adjustments}
    assert plb == {"L6": Decimal("-2.37"), "WO": Decimal("15.00")}
    assert remit.total_payment == sum(p.paid for p in payments) + Decimal("2.37") - Decimal("15.00")
    assert remit.balances()


def test_reversal_alone_is_carried_as_a_forward_balance_so_the_check_is_never_negative() -> None:
    payer = CONFIG.payer("SBXPPO01")
    assert payer is not None
    reversal = reversal_of(_paid("R", MemberScenario.NONE))
    remit = build_remittance(payer, [PendingPayment(reversal, BILLING_NPI)], "T2", TODAY, CONFIG)
    assert remit.total_payment == Decimal("0.00")
    assert [a.reason_code for a in remit.provider_adjustments] == ["FB"]


def test_ids_are_deterministic_per_seed_and_npi_check_digit_is_luhn() -> None:
    assert payer_claim_control_number(42, 1) == payer_claim_control_number(42, 1)
    assert payer_claim_control_number(42, 1) != payer_claim_control_number(43, 1)
    assert trace_number(42, 1) != trace_number(42, 2)
    assert npi_is_valid(BILLING_NPI) and not npi_is_valid("1234567890") and not npi_is_valid("12345")


def test_accumulators_and_claims_survive_a_restart(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-HDHP")
    now = datetime(2026, 11, 10, tzinfo=UTC)
    setup = SandboxSetup(config=CONFIG, seed=42, remit_delay=timedelta(0), clock=lambda: now)

    def submit(storage: SqliteStorage, control_number: str, claim: Claim) -> list[AcceptedClaim]:
        cmd = ReceiveClaims(sender_id="RCMPLATFORM", control_number=control_number, usage_indicator="T",
                            syntax_accepted=True, submitter_id="RCMPLATFORM", submitter_name="", claims=(claim,))
        return list(receive_claims(cmd, SqliteUnitOfWork(storage), setup=setup, replies=RecordedReplies()).decisions)

    first = SqliteStorage(tmp_path / "s.sqlite3")
    submit(first, "1", make_claim(m, [("80053", "50.00")], pcn="P1", service_date=TODAY))
    first.close()
    second = SqliteStorage(tmp_path / "s.sqlite3")
    inquiry = inquiry_for(m.member_id, m.last_name, None, m.payer_id)
    asked = AnswerEligibility(sender_id="RCMPLATFORM", usage_indicator="T", inquiries=(inquiry,))
    [result] = answer_eligibility(asked, SqliteUnitOfWork(second), setup=setup).results
    assert result.benefits is not None
    assert result.benefits.deductible_remaining == Decimal("3000.00") - Decimal("14.70")
    [again] = submit(second, "2", make_claim(m, [("80053", "50.00")], pcn="P1", service_date=TODAY))
    assert again.ack.status_code == "54"
    assert views.claims(SqliteUnitOfWork(second))[0].times_received == 2
