"""Claims' join of encounter, coverage and codes on a real PostgreSQL (migrated by Alembic)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from rcm_claims.adapters import translate
from rcm_claims.adapters.reference_data import load_chargemaster
from rcm_claims.adapters.tables import claim_intake, claim_submissions, claims, messaging
from rcm_claims.adapters.unit_of_work import SqlClaimsUnitOfWork as UnitOfWork
from rcm_claims.adapters.x12 import X12ClaimWriter
from rcm_claims.service import handlers
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.db.database import Database
from rcm_shared.testing.samples import encounter_payload
from sqlalchemy import func, select

pytestmark = pytest.mark.integration
MIGRATIONS = Path(handlers.__file__).resolve().parents[1] / "migrations"


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("claims", MIGRATIONS)


def parts(encounter_id: str) -> tuple[EncounterCompleted, EligibilityChecked, EncounterCoded]:
    e = EncounterCompleted.model_validate(encounter_payload(encounter_id))
    cov = EligibilityChecked(encounter_id=encounter_id, payer_id=e.coverage.payer_id, member_id=e.coverage.member_id,
                             date_of_service=e.date_of_service, status="active", checked_at=datetime.now(UTC))
    cod = EncounterCoded.model_validate({
        "encounter_id": encounter_id, "date_of_service": e.date_of_service, "coded_by": "engine",
        "diagnoses": [{"code": "I10", "rank": 1}],
        "lines": [{"code": "99213", "code_system": "CPT", "diagnosis_pointers": [1]}]})
    return e, cov, cod


def deps() -> dict[str, Any]:
    return {"cause": None, "chargemaster": load_chargemaster(),
            "writer": X12ClaimWriter(submitter_id="RCMPLATFORM", receiver_id="CLEARINGHOUSE", submitter_name="RCM")}


def record_encounter(e: EncounterCompleted, uow: UnitOfWork, d: dict[str, Any]) -> Awaitable[object]:
    return handlers.record_encounter(translate.record_encounter(e), uow, **d)


def record_coverage(c: EligibilityChecked, uow: UnitOfWork, d: dict[str, Any]) -> Awaitable[object]:
    return handlers.record_coverage(translate.record_coverage(c), uow, **d)


def record_coding(c: EncounterCoded, uow: UnitOfWork, d: dict[str, Any]) -> Awaitable[object]:
    return handlers.record_coding(translate.record_coding(c), uow, **d)


async def count(db: Database, table: object) -> int:
    async with db.session() as s:
        return int((await s.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_a_claim_is_built_once_whichever_part_arrives_last(db: Database) -> None:
    d = deps()
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        eid = f"E-ORDER-{''.join(map(str, order))}"
        e, cov, cod = parts(eid)
        steps = [lambda u, e=e: record_encounter(e, u, d),
                 lambda u, cov=cov: record_coverage(cov, u, d),
                 lambda u, cod=cod: record_coding(cod, u, d)]
        for i in order:
            async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
                await steps[i](uow)
                await uow.commit()
    assert await count(db, claims) == 3
    assert await count(db, claim_submissions) == 3


async def test_parts_arriving_at_the_same_moment_in_two_transactions_build_one_claim(db: Database) -> None:
    d = deps()
    e, cov, cod = parts("E-RACE")
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        await record_encounter(e, uow, d)
        await uow.commit()
    # Two consumers each hold one of the last two parts; neither has committed when the other starts.
    uow_a = UnitOfWork(db, messaging, "t", source="rcm/test")
    uow_b = UnitOfWork(db, messaging, "t", source="rcm/test")
    await uow_a.__aenter__()
    await uow_b.__aenter__()
    await record_coverage(cov, uow_a, d)
    second = asyncio.create_task(record_coding(cod, uow_b, d))
    await asyncio.sleep(0.3)
    assert not second.done(), "the second part must wait for the first transaction's row lock"
    await uow_a.commit()
    await uow_a.__aexit__(None, None, None)
    await second
    await uow_b.commit()
    await uow_b.__aexit__(None, None, None)
    assert await count(db, claims) == 1
    assert await count(db, claim_submissions) == 1
    async with db.session() as s:
        row = (await s.execute(select(claim_intake).where(claim_intake.c.encounter_id == "E-RACE"))).one()
    assert row.claim_id is not None and row.held_reasons is None


async def test_inactive_coverage_holds_the_claim_and_says_why(db: Database) -> None:
    d = deps()
    e, cov, cod = parts("E-HELD")
    cov = cov.model_copy(update={"status": "inactive"})
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        await record_encounter(e, uow, d)
        await record_coverage(cov, uow, d)
        await record_coding(cod, uow, d)
        await uow.commit()
    assert await count(db, claims) == 0
    async with db.session() as s:
        row = (await s.execute(select(claim_intake).where(claim_intake.c.encounter_id == "E-HELD"))).one()
        held_events = (await s.execute(select(func.count()).select_from(messaging.outbox)
                                       .where(messaging.outbox.c.event_type == "rcm.claims.claim_held"))).scalar_one()
    assert row.held_reasons and "coverage is inactive" in row.held_reasons[0]
    assert held_events == 1
