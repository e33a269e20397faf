"""One contract for the payments repositories, run against the in-memory fakes and PostgreSQL.

What the fast handler tests rely on of the fakes is asserted here of the SQL ones too.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio
from rcm_payments.adapters.memory import FakePaymentsUnitOfWork, PaymentsStore
from rcm_payments.adapters.tables import MIGRATIONS, messaging, metadata
from rcm_payments.adapters.unit_of_work import SqlPaymentsUnitOfWork
from rcm_payments.domain.model import (
    AccountChange,
    ClaimAccount,
    PostedAdjustment,
    Posting,
    PostingTotals,
    RemittanceOutcome,
)
from rcm_payments.service.unit_of_work import PaymentsUnitOfWork
from rcm_shared.contracts.payments import RemittanceHeld
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import migration_drift
from rcm_shared.envelope import Cause
from rcm_shared.topics import Topic

AT = datetime(2026, 10, 21, 9, 30, 15, 123456, tzinfo=UTC)
CAUSE = Cause(uuid.uuid4(), "E1", "00-" + "a" * 32 + "-" + "b" * 16 + "-01")


class UowFactory(Protocol):
    def __call__(self) -> PaymentsUnitOfWork: ...


@pytest_asyncio.fixture()
async def payments_database(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("payments", MIGRATIONS)


@pytest.fixture(params=["memory", pytest.param("sql", marks=pytest.mark.integration)])
def new_uow(request: pytest.FixtureRequest) -> UowFactory:
    """A factory of units of work on one fresh store: in memory, or a newly migrated database."""
    if request.param == "memory":
        store = PaymentsStore()
        return lambda: FakePaymentsUnitOfWork(store)
    # A sync fixture, so that the database fixture is set up outside the running event loop.
    db: Database = request.getfixturevalue("payments_database")
    return lambda: SqlPaymentsUnitOfWork(db, messaging, "t", source="rcm/test")


def submitted(claim_id: str = "C1", encounter_id: str = "E1", charge: str = "185.00") -> ClaimAccount:
    return ClaimAccount.submitted(claim_id, encounter_id=encounter_id, payer_id="SANDBOX-PPO", total_charge=D(charge))


def posting(key: str, claim_id: str = "C1", *, paid: str = "80.00", owed: str = "20.00",
            at: datetime = AT) -> Posting:
    return Posting(key, claim_id, "F1", "TRN1", "1", D("185.00"), D(paid), D(owed), at,
                   (PostedAdjustment("CO", "45", D("85.00"), 1), PostedAdjustment("PR", "3", D(owed), 1),
                    PostedAdjustment("OA", "23", D("0.00"))))


# --------------------------------------------------------------------------- claim accounts


async def test_an_opened_account_is_read_back_with_its_cause(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.accounts.open(submitted(), cause=CAUSE)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.accounts.get("C1") == ClaimAccount("C1", "submitted", "E1", "SANDBOX-PPO", D("185.00"))
        assert await uow.accounts.cause_of("C1") == CAUSE
        assert await uow.accounts.get("C2") is None
        assert await uow.accounts.cause_of("C2") is None


async def test_reopening_replaces_the_claim_details_and_cause_but_keeps_status_and_totals(new_uow: UowFactory) -> None:
    later = Cause(uuid.uuid4(), "E1b", None)
    async with new_uow() as uow:
        await uow.accounts.open(submitted(), cause=CAUSE)
        await uow.accounts.apply_posting(AccountChange("C1", "paid", D("80.00"), D("20.00")))
        await uow.accounts.open(submitted(encounter_id="E1b", charge="200.00"), cause=later)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.accounts.get("C1") == ClaimAccount("C1", "paid", "E1b", "SANDBOX-PPO", D("200.00"),
                                                            D("80.00"), D("20.00"))
        assert await uow.accounts.cause_of("C1") == later


async def test_a_posting_before_the_submission_creates_the_account_without_a_cause(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        account = await uow.accounts.apply_posting(AccountChange("C1", "paid", D("80.00"), D("20.00")))
        assert account == ClaimAccount("C1", "paid", paid_total=D("80.00"), patient_responsibility=D("20.00"))
        assert await uow.accounts.cause_of("C1") is None
        await uow.accounts.open(submitted(), cause=CAUSE)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.accounts.get("C1") == ClaimAccount("C1", "paid", "E1", "SANDBOX-PPO", D("185.00"),
                                                            D("80.00"), D("20.00"))
        assert await uow.accounts.cause_of("C1") == CAUSE


async def test_postings_add_up_on_the_account_and_the_last_status_wins(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.accounts.open(submitted(), cause=None)
        await uow.accounts.apply_posting(AccountChange("C1", "paid", D("80.00"), D("20.00")))
        after = await uow.accounts.apply_posting(AccountChange("C1", "reversed", D("-80.00"), D("-20.00")))
        await uow.commit()
    assert (after.status, after.paid_total, after.patient_responsibility, after.encounter_id) == (
        "reversed", D("0.00"), D("0.00"), "E1")
    async with new_uow() as uow:
        assert await uow.accounts.get("C1") == after


async def test_the_account_summary_counts_each_status_present(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        assert await uow.accounts.summary() == {}
        for claim_id in ("C1", "C2", "C3"):
            await uow.accounts.open(submitted(claim_id), cause=None)
        await uow.accounts.apply_posting(AccountChange("C2", "paid", D("1.00"), D("0.00")))
        await uow.accounts.apply_posting(AccountChange("C4", "denied", D("0.00"), D("0.00")))
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.accounts.summary() == {"submitted": 2, "paid": 1, "denied": 1}


# --------------------------------------------------------------------------- postings


async def test_a_posting_key_is_taken_once(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        assert await uow.postings.add(posting("TRN1|P1|C1|1")) is True
        assert await uow.postings.add(posting("TRN1|P1|C1|1", paid="99.00")) is False
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.postings.add(posting("TRN1|P1|C1|1")) is False
        assert await uow.postings.for_claim("C1") == [posting("TRN1|P1|C1|1")]


async def test_a_claims_postings_come_back_whole_and_in_order(new_uow: UowFactory) -> None:
    later = datetime(2026, 10, 22, tzinfo=UTC)
    async with new_uow() as uow:
        await uow.postings.add(posting("b", "C1"))
        await uow.postings.add(posting("other", "C2"))
        await uow.postings.add(posting("a", "C1", paid="-80.00", owed="-20.00", at=later))
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.postings.for_claim("C1") == [
            posting("b", "C1"), posting("a", "C1", paid="-80.00", owed="-20.00", at=later)]
        assert await uow.postings.for_claim("C9") == []


async def test_posting_totals_sum_every_posting(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        assert await uow.postings.totals() == PostingTotals(0, D(0), D(0))
        await uow.postings.add(posting("k1", "C1", paid="80.00", owed="20.00"))
        await uow.postings.add(posting("k2", "C2", paid="60.50", owed="39.50"))
        await uow.commit()
    async with new_uow() as uow:
        totals = await uow.postings.totals()
    assert totals == PostingTotals(2, D("140.50"), D("59.50"))
    assert (str(totals.paid), str(totals.patient_responsibility)) == ("140.50", "59.50")


# --------------------------------------------------------------------------- remittance files


async def test_a_files_first_outcome_stays(new_uow: UowFactory) -> None:
    held = RemittanceOutcome("F1", "held", "TRN1", D("150.00"), ("transaction: off by 10.00", "claim C1: off"))
    async with new_uow() as uow:
        await uow.remittances.record(held)
        await uow.remittances.record(RemittanceOutcome("F1", "posted", "TRN1", D("140.00")))
        await uow.remittances.record(RemittanceOutcome("F2", "posted", "TRN2", D("10.00")))
        await uow.remittances.record(RemittanceOutcome("F3", "held", reasons=("unreadable",)))
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.remittances.get("F1") == held
        assert await uow.remittances.get("F2") == RemittanceOutcome("F2", "posted", "TRN2", D("10.00"))
        assert await uow.remittances.get("F3") == RemittanceOutcome("F3", "held", None, None, ("unreadable",))
        assert await uow.remittances.get("F4") is None
        assert await uow.remittances.count_held() == 2


# --------------------------------------------------------------------------- the transaction


async def test_nothing_is_kept_without_a_commit(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.accounts.open(submitted(), cause=CAUSE)
        await uow.postings.add(posting("k1"))
        await uow.remittances.record(RemittanceOutcome("F1", "posted"))
        await uow.publish(Topic.PAYMENTS_EVENTS, RemittanceHeld(file_id="F1", trace_number=None, reasons=["r"]),
                          cause=CAUSE, key="F1")
    async with new_uow() as uow:
        assert await uow.accounts.get("C1") is None
        assert await uow.postings.totals() == PostingTotals(0, D(0), D(0))
        assert await uow.remittances.get("F1") is None


# --------------------------------------------------------------------------- migrations


@pytest.mark.integration
async def test_the_migrations_create_exactly_the_table_models(payments_database: Database) -> None:
    assert await migration_drift(payments_database.url, metadata) == []
