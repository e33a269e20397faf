"""One contract for every CoverageCheckRepository: the in-memory fake and the SQL one behave alike.

The SQL case runs on a real PostgreSQL migrated by the service's Alembic scripts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import pytest_asyncio
from rcm_eligibility.adapters.memory import EligibilityStore, FakeEligibilityUnitOfWork
from rcm_eligibility.adapters.tables import MIGRATIONS, messaging, metadata
from rcm_eligibility.adapters.unit_of_work import SqlEligibilityUnitOfWork
from rcm_eligibility.domain.model import CoverageAnswer, CoverageCheck
from rcm_eligibility.service.unit_of_work import EligibilityUnitOfWork
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import migration_drift

UowFactory = Callable[[], EligibilityUnitOfWork]
MigratedDatabase = Callable[[str, Path], Awaitable[Database]]


@pytest_asyncio.fixture()
async def sql_database(migrated_database: MigratedDatabase) -> Database:
    return await migrated_database("eligibility", MIGRATIONS)


@pytest.fixture(params=["memory", pytest.param("sql", marks=pytest.mark.integration)])
def new_uow(request: pytest.FixtureRequest) -> UowFactory:
    """A factory of units of work on one fresh store (the SQL one only asks for a database when used)."""
    if request.param == "memory":
        store = EligibilityStore()
        return lambda: FakeEligibilityUnitOfWork(store)
    db: Database = request.getfixturevalue("sql_database")
    return lambda: SqlEligibilityUnitOfWork(db, messaging, "rcm", source="rcm/eligibility")


def _check(encounter_id: str, answer: CoverageAnswer, *, minute: int = 0) -> CoverageCheck:
    return CoverageCheck(encounter_id=encounter_id, payer_id="SBXPPO01", member_id="SBX0000004",
                         date_of_service=date(2026, 10, 14), answer=answer,
                         checked_at=datetime(2026, 10, 14, 9, minute, 7, 123456, tzinfo=UTC))


FULL = CoverageAnswer(status="active", plan_name="SANDBOX PPO GOLD", copay=D("25.00"), coinsurance_percent=D("12.5"),
                      deductible_remaining=D("1200.50"), out_of_pocket_remaining=D("4000"))
INACTIVE = CoverageAnswer(status="inactive", notes=("no active coverage (EB*1) in the 271",))
REJECTED = CoverageAnswer(status="rejected", rejection_codes=("72", "75"))


async def _add(new_uow: UowFactory, *checks: CoverageCheck) -> None:
    async with new_uow() as uow:
        for check in checks:
            await uow.checks.add(check)
        await uow.commit()


async def test_a_check_reads_back_whole(new_uow: UowFactory) -> None:
    checks = [_check("E-1", FULL), _check("E-2", INACTIVE), _check("E-3", REJECTED)]
    await _add(new_uow, *checks)
    async with new_uow() as uow:
        read = [(await uow.checks.for_encounter(c.encounter_id))[0] for c in checks]
    assert read == checks
    assert [str(a) for a in (read[0].answer.copay, read[0].answer.deductible_remaining)] == ["25.00", "1200.50"]
    assert read[0].checked_at.tzinfo is not None


async def test_the_checks_of_an_encounter_are_its_own_in_the_order_recorded(new_uow: UowFactory) -> None:
    await _add(new_uow, _check("E-1", REJECTED, minute=5), _check("E-2", FULL))
    await _add(new_uow, _check("E-1", FULL, minute=1))
    async with new_uow() as uow:
        e1 = await uow.checks.for_encounter("E-1")
        unknown = await uow.checks.for_encounter("E-9")
    assert [(c.status, c.checked_at.minute) for c in e1] == [("rejected", 5), ("active", 1)]
    assert unknown == []


async def test_the_counts_name_only_the_statuses_that_have_checks(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        assert await uow.checks.count_by_status() == {}
    await _add(new_uow, _check("E-1", FULL), _check("E-2", FULL), _check("E-3", REJECTED))
    async with new_uow() as uow:
        assert await uow.checks.count_by_status() == {"active": 2, "rejected": 1}


async def test_a_check_added_without_commit_is_not_kept(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.checks.add(_check("E-1", FULL))
        assert [c.encounter_id for c in await uow.checks.for_encounter("E-1")] == ["E-1"], "seen in its transaction"
    async with new_uow() as uow:
        assert await uow.checks.for_encounter("E-1") == []
        assert await uow.checks.count_by_status() == {}


@pytest.mark.integration
async def test_the_migrations_create_exactly_the_table_models(sql_database: Database) -> None:
    assert await migration_drift(sql_database.url, metadata) == []
