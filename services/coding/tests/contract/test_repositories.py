"""One contract for the coding repositories: the in-memory fakes and the SQL ones behave alike.

The SQL case runs on a real PostgreSQL migrated by the service's Alembic scripts; a last test
checks those scripts and the table models never drift.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from rcm_coding.adapters.memory import CodingStore, FakeCodingUnitOfWork
from rcm_coding.adapters.tables import MIGRATIONS, messaging, metadata
from rcm_coding.adapters.unit_of_work import SqlCodingUnitOfWork
from rcm_coding.domain import review as r
from rcm_coding.domain.model import (
    CodingResult,
    CodingStatus,
    DiagnosisProposal,
    EditFailure,
    EncounterCoding,
    Evidence,
    FinalCodes,
    FinalLine,
    ProcedureLine,
)
from rcm_coding.service.unit_of_work import CodingUnitOfWork
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import migration_drift
from rcm_shared.envelope import Cause

UowFactory = Callable[[], CodingUnitOfWork]
MigratedDatabase = Callable[[str, Path], Awaitable[Database]]
DOS = date(2026, 10, 14)
AT = datetime(2026, 10, 14, 9, 30, 15, 123456, tzinfo=UTC)


@pytest_asyncio.fixture()
async def sql_database(migrated_database: MigratedDatabase) -> Database:
    return await migrated_database("coding", MIGRATIONS)


@pytest.fixture(params=["memory", pytest.param("sql", marks=pytest.mark.integration)])
def new_uow(request: pytest.FixtureRequest) -> UowFactory:
    """A factory of units of work on one fresh store (the SQL one only asks for a database when used)."""
    if request.param == "memory":
        store = CodingStore()
        return lambda: FakeCodingUnitOfWork(store)
    db: Database = request.getfixturevalue("sql_database")
    return lambda: SqlCodingUnitOfWork(db, messaging, "rcm", source="rcm/coding")


def proposal(*reasons: str) -> CodingResult:
    evidence = (Evidence(12, 24, "assessment", "hypertension"),)
    return CodingResult(
        (DiagnosisProposal("I10", "Essential (primary) hypertension", "dx.lexicon", 0.95, evidence),),
        (ProcedureLine("99213", "office visit", "em.office", 0.9, ("25",), Decimal(1), (1,), evidence),
         ProcedureLine("J1030", "methylprednisolone 40 mg", "injection.drug", 0.82, (), Decimal("0.5"), (1,))),
        (EditFailure("PROC_UNKNOWN_CODE", ("J1030",), "not in the lists", (2,), "warning"),),
        bool(reasons), reasons, {"icd10cm": "2026-04"})


def coded(encounter_id: str) -> EncounterCoding:
    final = FinalCodes(("I10",), (FinalLine("99213", ("25",), Decimal(1), (1,)),
                                  FinalLine("J1030", (), Decimal("0.5"), (1,))), "engine")
    return EncounterCoding(encounter_id, DOS, CodingStatus.CODED, proposal(), "Assessment: hypertension.", final)


def in_review(encounter_id: str) -> EncounterCoding:
    return EncounterCoding(encounter_id, DOS, CodingStatus.REVIEW, proposal("low confidence"), "Assessment: cough.")


def case_of(encounter_id: str) -> r.ReviewCase:
    return r.ReviewCase.open(f"RC-{encounter_id}", encounter_id, proposal("low confidence"), AT, patient_age=56,
                             patient_sex="F")


CAUSE = Cause(uuid.UUID("8a1f3c1e-5b7d-4c1e-9a2b-000000000001"), "ENC-1",
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")


async def queue(new_uow: UowFactory, encounter_id: str, cause: Cause | None = CAUSE) -> r.ReviewCase:
    case = case_of(encounter_id)
    async with new_uow() as uow:
        await uow.results.save(in_review(encounter_id))
        await uow.reviews.add(case, cause=cause)
        await uow.commit()
    return case


# ----------------------------------------------------------------------------- CodingResultRepository
async def test_a_saved_coding_reads_back_whole_with_its_decimal_units(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.results.save(coded("ENC-1"))
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.results.get("ENC-1") == coded("ENC-1")
        assert await uow.results.get("ENC-404") is None


async def test_nothing_is_kept_without_commit(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        await uow.results.save(coded("ENC-1"))
    async with new_uow() as uow:
        assert await uow.results.get("ENC-1") is None


async def test_a_new_coding_replaces_the_old_one_and_its_review_case(new_uow: UowFactory) -> None:
    await queue(new_uow, "ENC-1")
    async with new_uow() as uow:
        await uow.results.save(coded("ENC-1"))
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.results.get("ENC-1") == coded("ENC-1")
        assert await uow.reviews.get("ENC-1") is None
        assert await uow.reviews.queue(limit=10) == []


async def test_codings_are_counted_by_status(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        assert await uow.results.count_by_status() == {}
        for coding in (coded("ENC-1"), coded("ENC-2"), in_review("ENC-3")):
            await uow.results.save(coding)
        await uow.commit()
    async with new_uow() as uow:
        assert await uow.results.count_by_status() == {CodingStatus.CODED: 2, CodingStatus.REVIEW: 1}


# ----------------------------------------------------------------------------- ReviewCaseRepository
async def test_a_queued_case_reads_back_with_its_date_of_service_and_cause(new_uow: UowFactory) -> None:
    case = await queue(new_uow, "ENC-1")
    await queue(new_uow, "ENC-2", cause=None)
    async with new_uow() as uow:
        queued = await uow.reviews.get("ENC-1", for_update=True)
        assert queued is not None
        assert (queued.case, queued.date_of_service, queued.cause) == (case, DOS, CAUSE)
        legacy = await uow.reviews.get("ENC-2")
        assert legacy is not None and legacy.cause is None
        assert await uow.reviews.get("ENC-404") is None


async def test_a_case_needs_the_coding_it_belongs_to(new_uow: UowFactory) -> None:
    async with new_uow() as uow:
        with pytest.raises(LookupError):
            await uow.reviews.add(case_of("ENC-404"), cause=None)


async def test_each_saved_version_of_a_case_appends_its_step_and_moves_the_status(new_uow: UowFactory) -> None:
    case = await queue(new_uow, "ENC-1")
    edited = case.apply(r.EditCodes((r.SetUnits(2, Decimal("2.75")),), "documented"), "coder7", AT)
    done = edited.apply(r.CompleteReview("reviewed"), "coder7", AT)
    for version in (edited, done):
        async with new_uow() as uow:
            await uow.reviews.save(version)
            await uow.commit()
    async with new_uow() as uow:
        queued = await uow.reviews.get("ENC-1")
        assert queued is not None and queued.case == done
        coding = await uow.results.get("ENC-1")
        assert coding is not None and coding.status is CodingStatus.CODED and coding.final_codes == done.final_codes()
        assert coding.coded_by == "coder:coder7" and coding.proposal == proposal("low confidence")
        trail = await uow.reviews.audit_trail("ENC-1")
        assert [(a.action, a.user, a.reason) for a in trail] == [("edited", "coder7", "documented"),
                                                                  ("completed", "coder7", "reviewed")]
        assert trail[1].detail == done.audit[-1].detail and trail[1].at == AT
        assert await uow.reviews.audit_trail("ENC-404") == []


async def test_a_rejected_case_leaves_the_encounter_rejected_without_codes(new_uow: UowFactory) -> None:
    case = await queue(new_uow, "ENC-1")
    async with new_uow() as uow:
        await uow.reviews.save(case.apply(r.RejectEncounter("duplicate"), "coder7", AT))
        await uow.commit()
    async with new_uow() as uow:
        coding = await uow.results.get("ENC-1")
        assert coding is not None and coding.status is CodingStatus.REJECTED and coding.final_codes is None


async def test_the_queue_lists_waiting_encounters_oldest_first_a_page_at_a_time(new_uow: UowFactory) -> None:
    for encounter_id in ("ENC-B", "ENC-A", "ENC-C"):
        await queue(new_uow, encounter_id)
    async with new_uow() as uow:
        await uow.results.save(coded("ENC-D"))
        await uow.commit()
    case = await queue(new_uow, "ENC-E")
    async with new_uow() as uow:
        await uow.reviews.save(case.apply(r.AcceptProposals(), "coder7", AT))  # no longer waiting
        await uow.commit()
    async with new_uow() as uow:
        waiting = await uow.reviews.queue(limit=10)
        assert [q.encounter_id for q in waiting] == ["ENC-B", "ENC-A", "ENC-C"]
        assert waiting[0].date_of_service == DOS and waiting[0].review_reasons == ("low confidence",)
        assert waiting[0].queued_at <= waiting[1].queued_at <= waiting[2].queued_at
        assert [q.encounter_id for q in await uow.reviews.queue(limit=1, offset=1)] == ["ENC-A"]


# ----------------------------------------------------------------------------- migrations
@pytest.mark.integration
async def test_the_migrations_and_the_table_models_never_drift(sql_database: Database) -> None:
    assert await migration_drift(sql_database.url, metadata) == []
