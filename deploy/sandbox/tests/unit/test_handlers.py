"""The sandbox's handlers on the in-memory unit of work: no SQLite, no HTTP, no X12 writing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from rcm_sandbox.adapters.memory import FakeSandboxUnitOfWork, SandboxStore
from rcm_sandbox.config import MemberScenario, MemberStatus, load_config
from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.commands import (
    AnswerClaimStatus,
    AnswerEligibility,
    ReceiveClaims,
    RefuseInterchange,
    ReleaseRemittances,
    StatusInquiry,
)
from rcm_sandbox.domain.eligibility import EligibilityInquiry, RejectReason
from rcm_sandbox.domain.errors import UnbalancedRemittanceError
from rcm_sandbox.domain.model import AckCategory, Claim, ClaimStatusCode, GroupCode, StatusAnswer
from rcm_sandbox.domain.payers import Member
from rcm_sandbox.domain.records import ClaimState, MailboxKind
from rcm_sandbox.service.handlers import (
    ClaimsReceived,
    SandboxSetup,
    answer_claim_status,
    answer_eligibility,
    receive_claims,
    refuse_interchange,
    release_remittances,
)
from rcm_sandbox.testing import RecordedRemittances, RecordedReplies, make_claim, pick_member, setup_for

CONFIG = load_config()
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
SETUP = setup_for(CONFIG, now=NOW)
GOLD = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
HDHP = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-HDHP")
MEDICAID = pick_member(CONFIG, "SBXMCD01")
MEDICARE = pick_member(CONFIG, "SBXMCR01")


@pytest.fixture
def store() -> SandboxStore:
    return SandboxStore()


def receive(
    store: SandboxStore,
    *claims: Claim,
    control_number: str = "1",
    sender_id: str = "RCMPLATFORM",
    syntax_accepted: bool = True,
    setup: SandboxSetup = SETUP,
    replies: RecordedReplies | None = None,
) -> ClaimsReceived:
    cmd = ReceiveClaims(
        sender_id=sender_id,
        control_number=control_number,
        usage_indicator="T",
        syntax_accepted=syntax_accepted,
        submitter_id="SUBMITTER1",
        submitter_name="RCM PLATFORM",
        claims=claims,
    )
    return receive_claims(cmd, FakeSandboxUnitOfWork(store), setup=setup, replies=replies or RecordedReplies())


def release(
    store: SandboxStore, *, force: bool = True, setup: SandboxSetup = SETUP, writer: RecordedRemittances | None = None
) -> tuple[str, ...]:
    writer = writer if writer is not None else RecordedRemittances()
    return release_remittances(ReleaseRemittances(force), FakeSandboxUnitOfWork(store), setup=setup, writer=writer)


def status_of(store: SandboxStore, pcn: str, member: Member) -> StatusAnswer:
    cmd = AnswerClaimStatus(
        sender_id="RCMPLATFORM", usage_indicator="T", inquiries=(StatusInquiry(pcn, member.member_id.lower()),)
    )
    [answer] = answer_claim_status(cmd, FakeSandboxUnitOfWork(store), setup=SETUP).answers
    return answer


def mailbox(store: SandboxStore, kind: MailboxKind) -> list[str]:
    return [f.content for f in store.mailbox.values() if f.kind is kind]


def paid_original(store: SandboxStore) -> str:
    """Receive and release a Medicaid 99213 (paid 65.52 - 4.00 copay); returns its payer claim id."""
    receive(store, make_claim(MEDICAID, [("99213", "120.00")], pcn="PCN-R"), control_number="1")
    release(store)
    record = store.claims[("PCN-R", "1")]
    assert record.payer_claim_id is not None
    return record.payer_claim_id


# ------------------------------------------------------------------------- receive_claims
def test_accepted_claim_is_acknowledged_adjudicated_and_its_payment_queued(store: SandboxStore) -> None:
    replies = RecordedReplies()
    received = receive(store, make_claim(GOLD, [("99213", "200.00")], pcn="PCN-1"), replies=replies)

    assert (received.result, received.answer) == ("accepted", "999 #1")
    [decision] = received.decisions
    assert (decision.ack.category, decision.ack.status_code) == (AckCategory.ACCEPTED, "20")
    assert mailbox(store, MailboxKind.ACK_999) == ["999 #1"]
    assert mailbox(store, MailboxKind.ACK_277CA) == ["277CA #2 PCN-1:A2:20"]
    record = store.claims[("PCN-1", "1")]
    assert record.status is ClaimState.ADJUDICATED and record.payer_claim_id == decision.payer_claim_id
    # 99213: allowed 127.40 (the fee schedule, below the charge), minus the 25.00 copay.
    assert record.paid == Decimal("102.40") and record.claim_status is ClaimStatusCode.PROCESSED_PRIMARY
    assert record.carc_codes == ("CO-45", "PR-3")
    [item] = store.remit_items.values()
    assert item.payment.paid == Decimal("102.40") and item.after_item is None and item.sent_in is None
    assert item.due_at == NOW and record.last_item == item.id
    opening = Accumulator.opening(GOLD)
    assert store.accumulators[(GOLD.member_id, 2026)] == opening.plus(Decimal("0"), Decimal("25.00"))
    assert store.counters["interchanges_received"] == 1 and "duplicate_interchanges" not in store.counters


def test_payment_is_due_after_the_remittance_delay(store: SandboxStore) -> None:
    delayed = setup_for(CONFIG, now=NOW, remit_delay=timedelta(seconds=90))
    receive(store, make_claim(GOLD, [("99213", "200.00")]), setup=delayed)
    [item] = store.remit_items.values()
    assert item.due_at == NOW + timedelta(seconds=90)


def test_resent_interchange_is_answered_ta1_025_and_changes_nothing(store: SandboxStore) -> None:
    claim = make_claim(GOLD, [("99213", "200.00")], pcn="PCN-1")
    receive(store, claim, control_number="555")
    before = (dict(store.claims), dict(store.remit_items), dict(store.mailbox), dict(store.accumulators))

    again = receive(store, claim, control_number="555")

    assert (again.result, again.answer, again.decisions) == ("duplicate", "TA1 025 #3", ())
    assert (dict(store.claims), dict(store.remit_items), dict(store.mailbox), dict(store.accumulators)) == before
    assert store.counters["duplicate_interchanges"] == 1 and store.counters["interchanges_received"] == 2


def test_another_sender_may_use_the_same_control_number(store: SandboxStore) -> None:
    receive(store, make_claim(GOLD, [("99213", "200.00")], pcn="PCN-1"), control_number="7", sender_id="A")
    other = receive(store, make_claim(GOLD, [("99214", "200.00")], pcn="PCN-2"), control_number="7", sender_id="B")
    assert other.result == "accepted" and len(store.claims) == 2


def test_same_claim_in_a_new_interchange_is_counted_and_rejected_a3_54(store: SandboxStore) -> None:
    claim = make_claim(GOLD, [("99213", "200.00")], pcn="PCN-1")
    first = receive(store, claim, control_number="1")
    again = receive(store, claim, control_number="2")

    [decision] = again.decisions
    assert (decision.ack.category, decision.ack.status_code, decision.payer_claim_id) == (
        AckCategory.UNPROCESSABLE, "54", None)
    record = store.claims[("PCN-1", "1")]
    assert record.times_received == 2 and record.payer_claim_id == first.decisions[0].payer_claim_id
    assert len(store.remit_items) == 1


def test_claim_failing_a_front_end_edit_is_stored_rejected_and_not_adjudicated(store: SandboxStore) -> None:
    received = receive(store, make_claim(GOLD, [("99213", "200.00")], pcn="PCN-X", payer_id="NOSUCHPAYER"))

    [decision] = received.decisions
    assert (decision.ack.category, decision.ack.status_code, decision.payer_claim_id) == (
        AckCategory.UNPROCESSABLE, "116", None)
    record = store.claims[("PCN-X", "1")]
    assert record.status is ClaimState.REJECTED and record.ack_category is AckCategory.UNPROCESSABLE
    assert record.payment is None and record.claim_status is None and record.paid == Decimal("0.00")
    assert store.remit_items == {} and store.accumulators == {}
    assert mailbox(store, MailboxKind.ACK_277CA) == ["277CA #2 PCN-X:A3:116"]


def test_interchange_rejected_by_its_999_has_no_claims_and_no_277ca(store: SandboxStore) -> None:
    received = receive(store, syntax_accepted=False)
    assert (received.result, received.answer) == ("rejected", "999 #1")
    assert mailbox(store, MailboxKind.ACK_999) == ["999 #1"] and mailbox(store, MailboxKind.ACK_277CA) == []
    assert store.claims == {}


def test_same_services_under_another_pcn_are_denied_co_18(store: SandboxStore) -> None:
    lines = [("99213", "200.00")]
    receive(store, make_claim(GOLD, lines, pcn="PCN-1"), control_number="1")
    receive(store, make_claim(GOLD, lines, pcn="PCN-2"), control_number="2")
    copy = store.claims[("PCN-2", "1")]
    assert copy.claim_status is ClaimStatusCode.DENIED and copy.carc_codes == ("CO-18",)
    assert copy.paid == Decimal("0.00")
    # The denied copy does not count as a prior claim: a third copy is still a duplicate of PCN-1.
    receive(store, make_claim(GOLD, lines, pcn="PCN-3"), control_number="3")
    assert store.claims[("PCN-3", "1")].carc_codes == ("CO-18",)


def test_a_claim_denied_as_a_duplicate_makes_no_later_claim_a_duplicate(store: SandboxStore) -> None:
    lines = [("99213", "120.00")]
    icn = paid_original(store)  # PCN-R
    receive(store, make_claim(MEDICAID, lines, pcn="PCN-COPY"), control_number="2")
    assert store.claims[("PCN-COPY", "1")].carc_codes == ("CO-18",)
    void = replace(make_claim(MEDICAID, lines, pcn="PCN-R", frequency_code="8"), original_payer_claim_id=icn)
    receive(store, void, control_number="3")
    # The original is voided and its copy was denied CO-18: neither makes this one a duplicate.
    receive(store, make_claim(MEDICAID, lines, pcn="PCN-NEW"), control_number="4")
    fresh = store.claims[("PCN-NEW", "1")]
    assert fresh.claim_status is ClaimStatusCode.PROCESSED_PRIMARY and fresh.paid == Decimal("61.52")


def test_replacement_claim_reverses_the_original_after_its_835_and_pays_the_new_one(store: SandboxStore) -> None:
    icn = paid_original(store)
    original_item = store.claims[("PCN-R", "1")].last_item
    fixed = replace(make_claim(MEDICAID, [("99214", "160.00")], pcn="PCN-R", frequency_code="7"),
                    original_payer_claim_id=icn)

    [decision] = receive(store, fixed, control_number="2").decisions

    assert decision.ack.accepted and decision.payer_claim_id is not None and decision.payer_claim_id != icn
    assert store.claims[("PCN-R", "1")].status is ClaimState.REPLACED
    replacement = store.claims[("PCN-R", "7")]
    assert replacement.status is ClaimState.ADJUDICATED and replacement.paid == Decimal("88.88")
    reversal, paid = (i for i in store.remit_items.values() if i.sent_in is None)
    assert reversal.payment.status is ClaimStatusCode.REVERSAL and reversal.payment.paid == Decimal("-61.52")
    assert reversal.payment.payer_claim_id == icn
    assert reversal.after_item == original_item and paid.after_item == original_item
    # The original's 4.00 copay is taken back from the out-of-pocket met, the new one added.
    opening = Accumulator.opening(MEDICAID)
    assert store.accumulators[(MEDICAID.member_id, 2026)] == opening.plus(Decimal("0"), Decimal("4.00"))


def test_replacement_finds_its_original_by_pcn_without_ref_f8(store: SandboxStore) -> None:
    icn = paid_original(store)
    [decision] = receive(store, make_claim(MEDICAID, [("99214", "160.00")], pcn="PCN-R", frequency_code="7"),
                         control_number="2").decisions
    assert decision.ack.accepted
    reversal = next(i for i in store.remit_items.values() if i.payment.status is ClaimStatusCode.REVERSAL)
    assert reversal.payment.payer_claim_id == icn


def test_replacement_without_an_original_is_rejected_a7_21(store: SandboxStore) -> None:
    orphan = make_claim(MEDICAID, [("99213", "120.00")], pcn="ORPHAN", frequency_code="7")
    [decision] = receive(store, orphan).decisions
    assert (decision.ack.category, decision.ack.status_code, decision.ack.entity_code) == (
        AckCategory.INVALID_INFORMATION, "21", None)
    assert store.claims[("ORPHAN", "7")].status is ClaimState.REJECTED and store.remit_items == {}


def test_void_reverses_the_original_and_restores_the_accumulators(store: SandboxStore) -> None:
    icn = paid_original(store)
    void = replace(make_claim(MEDICAID, [("99213", "120.00")], pcn="PCN-R", frequency_code="8"),
                   original_payer_claim_id=icn)

    [decision] = receive(store, void, control_number="2").decisions

    assert decision.ack.accepted and decision.payer_claim_id is not None
    assert store.claims[("PCN-R", "1")].status is ClaimState.VOIDED
    voiding = store.claims[("PCN-R", "8")]
    assert voiding.status is ClaimState.VOIDED and voiding.payer_claim_id == decision.payer_claim_id
    assert voiding.payment is None
    [reversal] = (i for i in store.remit_items.values() if i.sent_in is None)
    assert reversal.payment.status is ClaimStatusCode.REVERSAL and reversal.payment.paid == Decimal("-61.52")
    assert store.accumulators[(MEDICAID.member_id, 2026)] == Accumulator.opening(MEDICAID)


def test_reprocess_member_is_paid_short_then_reversed_and_corrected_after_the_first_835(store: SandboxStore) -> None:
    member = pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.REPROCESS)
    [decision] = receive(store, make_claim(member, [("99214", "200.00")], pcn="PCN-RP")).decisions

    first, reversal, corrected = store.remit_items.values()
    # 90 % of the 180.60 schedule, minus the copay; then the contracted schedule.
    assert first.payment.paid == Decimal("137.54") and corrected.payment.paid == Decimal("155.60")
    assert reversal.payment.status is ClaimStatusCode.REVERSAL and reversal.payment.paid == Decimal("-137.54")
    assert reversal.after_item == first.id and corrected.after_item == first.id
    assert first.payment.payer_claim_id == decision.payer_claim_id != corrected.payment.payer_claim_id
    record = store.claims[("PCN-RP", "1")]
    assert record.paid == Decimal("137.54") and record.last_item == corrected.id


def test_a_failing_writer_rolls_the_whole_interchange_back(store: SandboxStore) -> None:
    class BrokenReplies(RecordedReplies):
        def claim_acknowledgements(self, envelope, decisions):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        receive(store, make_claim(GOLD, [("99213", "200.00")]), replies=BrokenReplies())
    assert store == SandboxStore()


# ------------------------------------------------------------------------- answer_eligibility
def inquiry(member: Member, **changes: object) -> EligibilityInquiry:
    base = EligibilityInquiry(member.payer_id, member.member_id, member.last_name, member.first_name,
                              member.birth_date, date(2026, 11, 10))
    return replace(base, **changes)  # type: ignore[arg-type]


def ask(store: SandboxStore, *inquiries: EligibilityInquiry) -> list[tuple[RejectReason | None, bool]]:
    cmd = AnswerEligibility(sender_id="RCMPLATFORM", usage_indicator="T", inquiries=inquiries)
    answered = answer_eligibility(cmd, FakeSandboxUnitOfWork(store), setup=SETUP)
    assert answered.envelope.receiver_id == "RCMPLATFORM"
    return [(r.reject_reason, r.active) for r in answered.results]


def test_eligibility_shows_the_deductible_left_after_earlier_claims(store: SandboxStore) -> None:
    receive(store, make_claim(HDHP, [("80053", "50.00")], pcn="P1", service_date=date(2026, 11, 10)))
    cmd = AnswerEligibility(sender_id="RCMPLATFORM", usage_indicator="T", inquiries=(inquiry(HDHP),))
    [result] = answer_eligibility(cmd, FakeSandboxUnitOfWork(store), setup=SETUP).results
    assert result.active and result.benefits is not None
    assert result.benefits.deductible_remaining == Decimal("3000.00") - Decimal("14.70")


def test_each_inquiry_is_answered_and_counted(store: SandboxStore) -> None:
    terminated = pick_member(CONFIG, "SBXPPO01", status=MemberStatus.TERMINATED)
    answers = ask(
        store,
        inquiry(GOLD),
        inquiry(GOLD, member_id=GOLD.member_id + "!"),
        inquiry(GOLD, member_id="ZZZ999999"),
        inquiry(GOLD, last_name="WRONGNAME"),
        inquiry(GOLD, birth_date=date(1901, 1, 1)),
        inquiry(GOLD, payer_id="SBXMCR01"),
        inquiry(terminated),
    )
    assert answers == [
        (None, True),
        (RejectReason.INVALID_MEMBER_ID, False),
        (RejectReason.SUBSCRIBER_NOT_FOUND, False),
        (RejectReason.INVALID_NAME, False),
        (RejectReason.INVALID_DOB, False),
        (RejectReason.SUBSCRIBER_NOT_FOUND, False),
        (None, False),
    ]
    assert store.counters["eligibility_requests"] == 7 and store.counters["interchanges_received"] == 1
    assert store.accumulators == {}  # answering reads, it never writes


# ------------------------------------------------------------------------- answer_claim_status
def test_claim_status_follows_the_claim_from_pending_to_finalized(store: SandboxStore) -> None:
    assert status_of(store, "PCN-S", MEDICAID) == StatusAnswer("PCN-S", False, "A4", "35")
    [decision] = receive(store, make_claim(MEDICAID, [("99213", "120.00")], pcn="PCN-S")).decisions
    assert status_of(store, "PCN-S", MEDICAID) == StatusAnswer(
        "PCN-S", True, "P1", "20", Decimal("120.00"), None, decision.payer_claim_id)
    writer = RecordedRemittances()
    release(store, writer=writer)
    [remittance] = writer.written
    assert status_of(store, "PCN-S", MEDICAID) == StatusAnswer(
        "PCN-S", True, "F1", "65", Decimal("120.00"), Decimal("61.52"), decision.payer_claim_id,
        remittance.trace_number, NOW.date())


def test_claim_status_of_a_denied_claim_is_f2_88_and_of_a_rejected_one_its_277ca_code(store: SandboxStore) -> None:
    receive(store, make_claim(MEDICARE, [("83036", "30.00")], pcn="PCN-D"))  # CO-50: no supporting diagnosis
    receive(store, make_claim(MEDICAID, [("99213", "120.00")], pcn="PCN-X", payer_id="NOSUCHPAYER"),
            control_number="2")
    release(store)
    denied = status_of(store, "PCN-D", MEDICARE)
    assert (denied.category, denied.status_code, denied.paid) == ("F2", "88", Decimal("0.00"))
    rejected = status_of(store, "PCN-X", MEDICAID)
    assert (rejected.found, rejected.category, rejected.status_code, rejected.paid) == (True, "A3", "116", None)


def test_claim_status_is_only_told_to_the_member_of_the_claim(store: SandboxStore) -> None:
    receive(store, make_claim(MEDICAID, [("99213", "120.00")], pcn="PCN-S"))
    assert status_of(store, "PCN-S", GOLD).found is False


def test_claim_status_reports_the_latest_frequency(store: SandboxStore) -> None:
    icn = paid_original(store)
    receive(store, replace(make_claim(MEDICAID, [("99214", "160.00")], pcn="PCN-R", frequency_code="7"),
                           original_payer_claim_id=icn), control_number="2")
    answer = status_of(store, "PCN-R", MEDICAID)
    assert (answer.category, answer.charge) == ("P1", Decimal("160.00"))


# ------------------------------------------------------------------------- refuse_interchange
@pytest.mark.parametrize("counted", [True, False])
def test_a_refusal_takes_the_next_control_number_and_counts_only_a_read_interchange(
    store: SandboxStore, counted: bool
) -> None:
    cmd = RefuseInterchange(sender_id="SENDER9", usage_indicator="P", counted=counted)
    first = refuse_interchange(cmd, FakeSandboxUnitOfWork(store), setup=SETUP)
    second = refuse_interchange(cmd, FakeSandboxUnitOfWork(store), setup=SETUP)
    assert (first.sender_id, first.receiver_id, first.usage_indicator, first.now) == ("SANDBOXCH", "SENDER9", "P", NOW)
    assert (first.control_number, second.control_number) == (1, 2)
    assert store.counters.get("interchanges_received", 0) == (2 if counted else 0)
    assert store.mailbox == {}


def test_control_numbers_wrap_after_999999999(store: SandboxStore) -> None:
    store.counters["outbound_control_number"] = 999_999_999
    cmd = RefuseInterchange(sender_id="S", usage_indicator="T", counted=False)
    assert refuse_interchange(cmd, FakeSandboxUnitOfWork(store), setup=SETUP).control_number == 1


# ------------------------------------------------------------------------- release_remittances
def test_release_waits_for_the_delay_unless_forced(store: SandboxStore) -> None:
    delayed = setup_for(CONFIG, now=NOW, remit_delay=timedelta(seconds=2))
    receive(store, make_claim(GOLD, [("99213", "200.00")]), setup=delayed)
    assert release(store, force=False, setup=delayed) == ()
    later = setup_for(CONFIG, now=NOW + timedelta(seconds=2), remit_delay=timedelta(seconds=2))
    assert release(store, force=False, setup=later) == ("835-42-00000001",)


def test_release_sends_one_835_per_payer_and_marks_the_claims_paid_or_denied(store: SandboxStore) -> None:
    receive(
        store,
        make_claim(MEDICARE, [("99214", "180.00")], pcn="PCN-A"),
        make_claim(MEDICARE, [("83036", "30.00")], pcn="PCN-B"),  # CO-50
        make_claim(GOLD, [("99213", "200.00")], pcn="PCN-C"),
    )
    writer = RecordedRemittances()

    released = release(store, writer=writer)

    assert released == ("835-42-00000001", "835-42-00000002")
    assert [r.payer_id for r in writer.written] == ["SBXMCR01", "SBXPPO01"]
    assert [[c.patient_control_number for c in r.claims] for r in writer.written] == [["PCN-A", "PCN-B"], ["PCN-C"]]
    medicare, ppo = writer.written
    states = {pcn: (store.claims[(pcn, "1")].status, store.claims[(pcn, "1")].check_number)
              for pcn in ("PCN-A", "PCN-B", "PCN-C")}
    assert states == {"PCN-A": (ClaimState.PAID, medicare.trace_number),
                      "PCN-B": (ClaimState.DENIED, medicare.trace_number),
                      "PCN-C": (ClaimState.PAID, ppo.trace_number)}
    assert store.claims[("PCN-C", "1")].paid_date == NOW.date()
    assert all(i.sent_in is not None for i in store.remit_items.values())
    assert [f.content for f in store.mailbox.values() if f.kind is MailboxKind.REMITTANCE_835] == [
        f"835 #3 {medicare.trace_number}", f"835 #4 {ppo.trace_number}"]
    sent = {r.payer_id: r for r in store.remittances}
    assert sent["SBXPPO01"].claims_paid == Decimal("102.40") == sent["SBXPPO01"].check_amount
    assert sent["SBXPPO01"].file_id == f"835-SBXPPO01-{ppo.trace_number}"


def test_releasing_again_sends_nothing(store: SandboxStore) -> None:
    receive(store, make_claim(GOLD, [("99213", "200.00")]))
    assert len(release(store)) == 1
    assert release(store) == () and len(store.remittances) == 1


def test_forced_release_sends_a_reversal_and_its_correction_in_a_later_835(store: SandboxStore) -> None:
    member = pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.REPROCESS)
    receive(store, make_claim(member, [("99214", "200.00")], pcn="PCN-RP"))

    assert len(release(store, force=False)) == 1  # one batch: the reversal waits for its original
    writer = RecordedRemittances()
    assert len(release(store, writer=writer)) == 1
    [later] = writer.written
    assert [c.status for c in later.claims] == [ClaimStatusCode.REVERSAL, ClaimStatusCode.PROCESSED_PRIMARY]
    assert later.total_payment == Decimal("155.60") - Decimal("137.54")
    record = store.claims[("PCN-RP", "1")]
    corrected = later.claims[1]
    assert (record.status, record.paid, record.payer_claim_id) == (
        ClaimState.PAID, Decimal("155.60"), corrected.payer_claim_id)


def test_one_forced_release_sends_the_original_and_then_its_reversal_and_correction(store: SandboxStore) -> None:
    member = pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.REPROCESS)
    receive(store, make_claim(member, [("99214", "200.00")], pcn="PCN-RP"))
    writer = RecordedRemittances()
    assert release(store, writer=writer) == ("835-42-00000001", "835-42-00000002")
    assert [[c.status for c in r.claims] for r in writer.written] == [
        [ClaimStatusCode.PROCESSED_PRIMARY], [ClaimStatusCode.REVERSAL, ClaimStatusCode.PROCESSED_PRIMARY]]
    assert store.remit_items and all(i.sent_in is not None for i in store.remit_items.values())


def test_a_claim_of_a_plb_scenario_member_brings_its_provider_adjustment(store: SandboxStore) -> None:
    interest = pick_member(CONFIG, "SBXMCD01", scenario=MemberScenario.INTEREST)
    receive(store, make_claim(interest, [("99215", "250.00")], pcn="PCN-INT"))
    writer = RecordedRemittances()
    release(store, writer=writer)
    [remittance] = writer.written
    assert [(a.reason_code, a.amount) for a in remittance.provider_adjustments] == [("L6", Decimal("-2.37"))]
    [sent] = store.remittances
    # The ledger keeps both: CLP04 (what the stats total) and BPR02 (the check, interest added).
    assert sent.claims_paid == remittance.claims[0].paid > Decimal("0")
    assert sent.check_amount == remittance.claims[0].paid + Decimal("2.37") == remittance.total_payment


def test_an_835_that_would_not_balance_is_never_sent(store: SandboxStore) -> None:
    receive(store, make_claim(GOLD, [("99213", "200.00")]))
    [item] = store.remit_items.values()
    store.remit_items[item.id] = replace(item, payment=replace(item.payment, paid=item.payment.paid + Decimal("1")))
    before = (dict(store.remit_items), dict(store.mailbox), list(store.remittances), dict(store.claims))

    with pytest.raises(UnbalancedRemittanceError):
        release(store)

    assert (dict(store.remit_items), dict(store.mailbox), list(store.remittances), dict(store.claims)) == before


def test_denied_lines_carry_their_reason_to_the_claim_record(store: SandboxStore) -> None:
    receive(store, make_claim(MEDICAID, [("J1030", "25.00")], pcn="PCN-NDC"))  # drug without NDC
    record = store.claims[("PCN-NDC", "1")]
    assert record.payment is not None
    assert record.carc_codes == ("CO-16",) and record.payment.adjustment_total(GroupCode.CO, "16") == Decimal("25.00")
