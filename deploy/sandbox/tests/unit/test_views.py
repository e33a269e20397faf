"""The read side on the in-memory unit of work."""

from __future__ import annotations

from decimal import Decimal

from rcm_sandbox.adapters.memory import FakeSandboxUnitOfWork, SandboxStore
from rcm_sandbox.config import load_config
from rcm_sandbox.domain.commands import ReceiveClaims, ReleaseRemittances
from rcm_sandbox.domain.records import ClaimState, MailboxKind
from rcm_sandbox.service import views
from rcm_sandbox.service.handlers import receive_claims, release_remittances
from rcm_sandbox.testing import RecordedRemittances, RecordedReplies, make_claim, pick_member, setup_for

CONFIG = load_config()
SETUP = setup_for(CONFIG)


def test_stats_count_claims_by_outcome_and_the_money_sent() -> None:
    store = SandboxStore()
    gold, medicare = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD"), pick_member(CONFIG, "SBXMCR01")
    claims = (
        make_claim(gold, [("99213", "200.00")], pcn="PAID"),
        make_claim(medicare, [("83036", "30.00")], pcn="DENIED"),
        make_claim(gold, [("99213", "200.00")], pcn="REJECTED", payer_id="NOSUCHPAYER"),
    )
    for control_number in ("1", "1"):  # the second is a resent interchange
        cmd = ReceiveClaims(sender_id="S", control_number=control_number, usage_indicator="T", syntax_accepted=True,
                            submitter_id="S", submitter_name="", claims=claims)
        receive_claims(cmd, FakeSandboxUnitOfWork(store), setup=SETUP, replies=RecordedReplies())
    before = views.stats(FakeSandboxUnitOfWork(store))
    assert (before.claims_adjudicated, before.remittances_pending, before.remittances_sent) == (2, 2, 0)
    release_remittances(ReleaseRemittances(True), FakeSandboxUnitOfWork(store), setup=SETUP,
                        writer=RecordedRemittances())

    stats = views.stats(FakeSandboxUnitOfWork(store))

    assert (stats.interchanges_received, stats.duplicate_interchanges) == (2, 1)
    assert (stats.claims_received, stats.claims_accepted, stats.claims_rejected) == (3, 2, 1)
    assert (stats.claims_adjudicated, stats.claims_paid, stats.claims_denied) == (2, 1, 1)
    assert (stats.remittances_sent, stats.remittances_pending, stats.total_paid) == (2, 0, Decimal("102.40"))
    assert stats.eligibility_requests == 0
    assert [(c.patient_control_number, c.status) for c in views.claims(FakeSandboxUnitOfWork(store))] == [
        ("PAID", ClaimState.PAID), ("DENIED", ClaimState.DENIED), ("REJECTED", ClaimState.REJECTED)]
    acks = views.mailbox_files(FakeSandboxUnitOfWork(store), MailboxKind.ACK_999, 0, 10)
    assert [f.content for f in acks] == ["999 #1"]
    assert len(views.mailbox_files(FakeSandboxUnitOfWork(store), None, acks[0].seq, 10)) == 3  # 277CA + two 835s
