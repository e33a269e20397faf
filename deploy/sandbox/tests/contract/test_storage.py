"""One contract for the sandbox's storage, run against both implementations: the in-memory one
the handler tests use and the SQLite one the app runs on (a file: no server needed)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rcm_sandbox.adapters.memory import FakeSandboxUnitOfWork, SandboxStore
from rcm_sandbox.adapters.storage import SqliteStorage
from rcm_sandbox.adapters.unit_of_work import SqliteUnitOfWork
from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.model import (
    AckCategory,
    Adjustment,
    ClaimPayment,
    ClaimStatusCode,
    GroupCode,
    LinePayment,
)
from rcm_sandbox.domain.records import ClaimRecord, ClaimState, MailboxKind, SentRemittance
from rcm_sandbox.service.unit_of_work import SandboxUnitOfWork

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
UowFactory = Callable[[], SandboxUnitOfWork]
REFUSED = (ValueError, sqlite3.IntegrityError)  # a key stored twice


@pytest.fixture(params=["memory", "sqlite"])
def uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UowFactory]:
    if request.param == "memory":
        store = SandboxStore()
        yield lambda: FakeSandboxUnitOfWork(store)
        return
    storage = SqliteStorage(tmp_path / "contract.sqlite3")
    yield lambda: SqliteUnitOfWork(storage)
    storage.close()


def payment(pcn: str = "PCN1", paid: str = "80.00") -> ClaimPayment:
    line = LinePayment(
        line_number=1, procedure_code="99213", modifiers=("25",), charge=Decimal("120.00"), paid=Decimal(paid),
        units=Decimal("1.5"), service_date=date(2026, 11, 2), allowed=Decimal(paid) + Decimal("20.00"),
        adjustments=(Adjustment(GroupCode.CO, "45", Decimal("20.00")), Adjustment(GroupCode.PR, "2", Decimal("20.00"),
                                                                                   Decimal("1"))),
        remark_codes=("N130",),
    )
    return ClaimPayment(
        patient_control_number=pcn, payer_id="SBXPPO01", member_id="PPO100014",
        status=ClaimStatusCode.PROCESSED_PRIMARY,
        charge=Decimal("120.00"), paid=Decimal(paid), patient_responsibility=Decimal("20.00"), payer_claim_id="SBX1",
        frequency_code="1", lines=(line,), claim_adjustments=(Adjustment(GroupCode.OA, "23", Decimal("0.00")),),
        remark_codes=("MA130",), subscriber_last_name="CALLOWAY", subscriber_first_name="ANN",
    )


def claim(pcn: str = "PCN1", frequency: str = "1", *, member: str = "PPO100014", at: datetime = T0) -> ClaimRecord:
    return ClaimRecord(
        patient_control_number=pcn, frequency_code=frequency, payer_id="SBXPPO01", member_id=member,
        status=ClaimState.ADJUDICATED, charge=Decimal("120.00"), line_signature="2026-11-02|99213||1",
        first_service_date=date(2026, 11, 2), received_at=at, payee_npi="1234567893",
        ack_category=AckCategory.ACCEPTED, ack_code="20",
    )


# ------------------------------------------------------------------------- the unit of work
def test_what_is_committed_is_kept(uow: UowFactory) -> None:
    with uow() as u:
        u.counters.increment("n")
        u.commit()
    with uow() as u:
        assert u.counters.value("n") == 1


def test_leaving_without_commit_rolls_back(uow: UowFactory) -> None:
    with uow() as u:
        u.counters.increment("n")
        u.claims.add(claim())
    with uow() as u:
        assert u.counters.value("n") == 0 and u.claims.all() == []


def test_an_exception_rolls_back(uow: UowFactory) -> None:
    with pytest.raises(RuntimeError), uow() as u:
        u.mailbox.put("999-1", MailboxKind.ACK_999, T0, "ISA")
        raise RuntimeError("boom")
    with uow() as u:
        assert u.mailbox.files(None, 0, 10) == []


def test_work_after_a_commit_is_rolled_back_without_another(uow: UowFactory) -> None:
    with uow() as u:
        u.counters.increment("n")
        u.commit()
        u.counters.increment("n")
    with uow() as u:
        assert u.counters.value("n") == 1


# ------------------------------------------------------------------------- counters, interchanges
def test_counters_start_at_zero_and_return_their_new_value(uow: UowFactory) -> None:
    with uow() as u:
        assert u.counters.value("a") == 0
        assert [u.counters.increment("a"), u.counters.increment("a", 5), u.counters.increment("b")] == [1, 6, 1]
        assert u.counters.value("a") == 6


def test_an_interchange_is_new_once_per_sender_and_control_number(uow: UowFactory) -> None:
    with uow() as u:
        assert u.interchanges.remember("S1", "000000001", "837", T0)
        assert not u.interchanges.remember("S1", "000000001", "837", T0)
        assert not u.interchanges.remember("S1", "000000001", "837", T0)
        assert u.interchanges.remember("S2", "000000001", "837", T0)
        assert u.interchanges.remember("S1", "000000002", "837", T0)


# ------------------------------------------------------------------------- claims
def test_a_claim_round_trips_with_every_field(uow: UowFactory) -> None:
    full = ClaimRecord(
        patient_control_number="PCN1", frequency_code="7", payer_id="SBXPPO01", member_id="PPO100014",
        status=ClaimState.PAID, charge=Decimal("120.00"), line_signature="sig", first_service_date=date(2026, 11, 2),
        received_at=T0, payee_npi="1234567893", ack_category=AckCategory.ACCEPTED, ack_code="20",
        paid=Decimal("80.00"), times_received=3, carc_codes=("CO-45", "PR-2"), payer_claim_id="SBX1",
        claim_status=ClaimStatusCode.PROCESSED_PRIMARY, check_number="0123456789", paid_date=date(2026, 11, 12),
        payment=payment(), last_item=4,
    )
    bare = ClaimRecord(
        patient_control_number="PCN2", frequency_code="1", payer_id="X", member_id="M", status=ClaimState.REJECTED,
        charge=Decimal("0"), line_signature="", first_service_date=None, received_at=T0, payee_npi="",
        ack_category=AckCategory.MISSING_INFORMATION, ack_code="21",
    )
    with uow() as u:
        u.claims.add(full)
        u.claims.add(bare)
        u.commit()
    with uow() as u:
        assert u.claims.get("PCN1", "7") == full and u.claims.get("PCN2", "1") == bare
        assert u.claims.get("PCN1", "1") is None


def test_a_claim_key_is_stored_once(uow: UowFactory) -> None:
    with pytest.raises(REFUSED), uow() as u:
        u.claims.add(claim())
        u.claims.add(claim())


def test_update_replaces_the_claim_with_the_same_key_only(uow: UowFactory) -> None:
    with uow() as u:
        u.claims.add(claim("A"))
        u.claims.add(claim("B"))
        u.claims.update(ClaimRecord(**{**claim("A").__dict__, "status": ClaimState.PAID, "times_received": 2}))
        u.claims.update(claim("NOT-STORED"))
        assert u.claims.get("A", "1") == ClaimRecord(**{**claim("A").__dict__, "status": ClaimState.PAID,
                                                          "times_received": 2})
        assert u.claims.get("B", "1") == claim("B") and u.claims.get("NOT-STORED", "1") is None


def test_claims_come_back_in_arrival_order(uow: UowFactory) -> None:
    later = T0 + timedelta(minutes=1)
    with uow() as u:
        u.claims.add(claim("P2", at=later))
        u.claims.add(claim("P1", "1"))
        u.claims.add(claim("P1", "7", at=later))
        u.claims.add(claim("P3", member="OTHER", at=later))
        u.claims.add(claim("P1", "8"))
        order = [(c.patient_control_number, c.frequency_code) for c in u.claims.all()]
        assert order == [("P1", "1"), ("P1", "8"), ("P2", "1"), ("P1", "7"), ("P3", "1")]
        assert [c.frequency_code for c in u.claims.by_patient_control_number("P1")] == ["1", "8", "7"]
        assert [c.patient_control_number for c in u.claims.of_member("PPO100014")] == ["P1", "P1", "P2", "P1"]
        assert u.claims.of_member("NOBODY") == [] and u.claims.by_patient_control_number("NONE") == []


def test_a_claim_is_found_by_its_payer_claim_id(uow: UowFactory) -> None:
    with uow() as u:
        u.claims.add(claim("P1"))
        u.claims.add(ClaimRecord(**{**claim("P2").__dict__, "payer_claim_id": "SBX9"}))
        found = u.claims.by_payer_claim_id("SBX9")
        assert found is not None and found.patient_control_number == "P2"
        assert u.claims.by_payer_claim_id("SBX0") is None


# ------------------------------------------------------------------------- accumulators
def test_accumulators_are_kept_per_member_and_year(uow: UowFactory) -> None:
    with uow() as u:
        assert u.accumulators.get("M1", 2026) is None
        u.accumulators.save("M1", 2026, Accumulator(Decimal("10.00"), Decimal("25.50")))
        u.accumulators.save("M1", 2026, Accumulator(Decimal("12.00"), Decimal("30.00")))
        u.accumulators.save("M1", 2027, Accumulator(Decimal("1.00"), Decimal("1.00")))
        u.commit()
    with uow() as u:
        assert u.accumulators.get("M1", 2026) == Accumulator(Decimal("12.00"), Decimal("30.00"))
        assert u.accumulators.get("M1", 2027) == Accumulator(Decimal("1.00"), Decimal("1.00"))
        assert u.accumulators.get("M2", 2026) is None


# ------------------------------------------------------------------------- remittance queue and ledger
def queue(u: SandboxUnitOfWork, *, due: datetime = T0, after: int | None = None, payee: str = "1234567893") -> int:
    return u.remittance_queue.add(payer_id="SBXPPO01", payee_npi=payee, due_at=due, payment=payment(),
                                  patient_control_number="PCN1", frequency_code="1", after_item=after)


def test_a_queued_payment_round_trips(uow: UowFactory) -> None:
    with uow() as u:
        item_id = queue(u, after=None)
        [item] = u.remittance_queue.releasable(None)
        assert (item.id, item.payer_id, item.payee_npi, item.due_at, item.payment, item.after_item, item.sent_in) == (
            item_id, "SBXPPO01", "1234567893", T0, payment(), None, None)
        assert (item.patient_control_number, item.frequency_code) == ("PCN1", "1")


def test_items_are_releasable_when_due_and_after_their_predecessor_went_out(uow: UowFactory) -> None:
    with uow() as u:
        first = queue(u)
        follower = queue(u, after=first)
        late = queue(u, due=T0 + timedelta(seconds=5))
        assert first < follower < late
        assert [i.id for i in u.remittance_queue.releasable(T0)] == [first]
        assert [i.id for i in u.remittance_queue.releasable(None)] == [first, late]
        assert u.remittance_queue.pending_count() == 3
        u.remittance_queue.mark_sent([first], "835-A")
        assert [i.id for i in u.remittance_queue.releasable(T0)] == [follower]
        assert [i.id for i in u.remittance_queue.releasable(T0 + timedelta(seconds=5))] == [follower, late]
        u.remittance_queue.mark_sent([follower, late], "835-B")
        assert u.remittance_queue.releasable(None) == [] and u.remittance_queue.pending_count() == 0


def test_an_item_after_an_unknown_item_waits(uow: UowFactory) -> None:
    with uow() as u:
        queue(u, after=999)
        assert u.remittance_queue.releasable(None) == []


def test_the_ledger_totals_the_835s_sent(uow: UowFactory) -> None:
    with uow() as u:
        assert u.remittances.totals() == (0, Decimal("0.00"))
        for file_id, paid in (("835-A", "100.50"), ("835-B", "-20.25")):
            u.remittances.record(SentRemittance(file_id=file_id, payer_id="SBXPPO01", trace_number="1",
                                                claims_paid=Decimal(paid), check_amount=Decimal("0"), created_at=T0))
        assert u.remittances.totals() == (2, Decimal("80.25"))


# ------------------------------------------------------------------------- mailbox
def test_mailbox_files_are_read_with_a_cursor_by_kind_and_never_consumed(uow: UowFactory) -> None:
    with uow() as u:
        seqs = [u.mailbox.put(f"f{n}", kind, T0 + timedelta(seconds=n), f"content {n}")
                for n, kind in enumerate([MailboxKind.ACK_999, MailboxKind.ACK_277CA, MailboxKind.ACK_999,
                                          MailboxKind.REMITTANCE_835])]
        u.commit()
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    with uow() as u:
        every = u.mailbox.files(None, 0, 100)
        assert [f.file_id for f in every] == ["f0", "f1", "f2", "f3"]
        assert (every[1].kind, every[1].created_at, every[1].content, every[1].seq) == (
            MailboxKind.ACK_277CA, T0 + timedelta(seconds=1), "content 1", seqs[1])
        assert [f.file_id for f in u.mailbox.files(MailboxKind.ACK_999, 0, 100)] == ["f0", "f2"]
        assert [f.file_id for f in u.mailbox.files(None, seqs[1], 100)] == ["f2", "f3"]
        assert [f.file_id for f in u.mailbox.files(None, 0, 2)] == ["f0", "f1"]
        assert u.mailbox.files(MailboxKind.REMITTANCE_835, seqs[3], 100) == []
        assert len(u.mailbox.files(None, 0, 100)) == 4


def test_a_mailbox_file_id_is_stored_once(uow: UowFactory) -> None:
    with pytest.raises(REFUSED), uow() as u:
        u.mailbox.put("f", MailboxKind.ACK_999, T0, "a")
        u.mailbox.put("f", MailboxKind.ACK_999, T0, "b")


# ------------------------------------------------------------------------- SQLite only
def test_the_sqlite_file_keeps_everything_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.sqlite3"
    first = SqliteStorage(path)
    with SqliteUnitOfWork(first) as u:
        u.claims.add(claim())
        u.counters.increment("n")
        u.interchanges.remember("S", "1", "837", T0)
        u.commit()
    first.close()
    second = SqliteStorage(path)
    with SqliteUnitOfWork(second) as u:
        assert u.claims.get("PCN1", "1") == claim() and u.counters.value("n") == 1
        assert not u.interchanges.remember("S", "1", "837", T0)
    second.close()
