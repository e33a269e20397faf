"""Coding handlers and the review flow on a real PostgreSQL with the real engine."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from rcm_coding.adapters.reference_data import default_engine
from rcm_coding.adapters.tables import MIGRATIONS, CodingResultRow, ReviewAuditRow, messaging
from rcm_coding.adapters.unit_of_work import SqlCodingUnitOfWork
from rcm_coding.domain import review as r
from rcm_coding.domain.commands import CodeEncounter, DecideReview
from rcm_coding.domain.errors import EditsFailedError, ReviewCaseClosedError
from rcm_coding.domain.model import EncounterDocumentation, StructuredProcedure
from rcm_coding.service import handlers
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.db.database import Database
from sqlmodel import col, select

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("coding", MIGRATIONS)


def command(encounter_id: str, note: str, dx: tuple[str, ...] = (), px: tuple[str, ...] = ()) -> CodeEncounter:
    return CodeEncounter(encounter_id, EncounterDocumentation(
        note_text=note, date_of_service=date(2026, 9, 15), patient_sex="F", birth_date=date(1970, 3, 2),
        place_of_service="11", payer_category="commercial", structured_diagnoses=dx,
        structured_procedures=tuple(StructuredProcedure(c, (), Decimal(1)) for c in px)))


def uow_on(db: Database) -> SqlCodingUnitOfWork:
    return SqlCodingUnitOfWork(db, messaging, "t", source="rcm/test")


async def decide(db: Database, encounter_id: str, decision: r.Decision, user: str) -> r.ReviewCase:
    async with uow_on(db) as uow:
        case = await handlers.decide_review(DecideReview(encounter_id, user, decision), uow, cause=None,
                                            reference=default_engine().registry)
        await uow.commit()
    return case


async def outbox_events(db: Database, event_type: str) -> list[dict[str, object]]:
    async with db.session() as s:
        rows = await s.execute(select(messaging.outbox.c.value).where(messaging.outbox.c.event_type == event_type))
        return [json.loads(bytes(v)) for (v,) in rows]


async def test_a_clear_note_is_coded_and_emitted_without_review(db: Database) -> None:
    note = ("Assessment: Essential hypertension, controlled.\n"
            "Plan: Continue lisinopril. Established patient office visit, low complexity medical decision making.")
    async with uow_on(db) as uow:
        status = await handlers.code_encounter(command("E-HTN", note), uow, cause=None, coder=default_engine())
        await uow.commit()
    assert status == "coded"
    [event] = await outbox_events(db, "rcm.coding.encounter_coded")
    coded = EncounterCoded.model_validate(event)
    assert [d.code for d in coded.diagnoses] == ["I10"]
    assert [ln.code for ln in coded.lines] == ["99213"]


async def test_a_coder_edits_and_completes_a_queued_encounter_and_the_trail_is_emitted(db: Database) -> None:
    note = "Assessment: Cough, rule out pneumonia.\nPlan: chest x-ray ordered."
    async with uow_on(db) as uow:
        status = await handlers.code_encounter(command("E-REV", note), uow, cause=None, coder=default_engine())
        await uow.commit()
    assert status == "review"
    assert await outbox_events(db, "rcm.coding.encounter_coded") == []
    [queued] = await outbox_events(db, "rcm.coding.review_required")
    assert queued["reasons"]

    case = await decide(db, "E-REV", r.EditCodes((r.AddLine("99213", (), Decimal(1), (1,)),),
                                                 reason="visit level documented in the full note"), "coder7")
    assert case.status is r.ReviewStatus.OPEN
    case = await decide(db, "E-REV", r.CompleteReview("done"), "coder7")
    assert case.status is r.ReviewStatus.COMPLETED

    [event] = await outbox_events(db, "rcm.coding.encounter_coded")
    coded = EncounterCoded.model_validate(event)
    assert coded.coded_by == "coder:coder7" and coded.reviewed
    assert "99213" in [ln.code for ln in coded.lines]
    assert [t.action for t in coded.review_trail] == ["opened", "edited", "completed"]
    assert coded.review_trail[1].reason == "visit level documented in the full note"
    async with db.session() as s:
        row = (await s.execute(select(CodingResultRow).where(col(CodingResultRow.encounter_id) == "E-REV"))
               ).scalars().one()
        audit = (await s.execute(select(ReviewAuditRow.action).where(col(ReviewAuditRow.encounter_id) == "E-REV")
                                 .order_by(col(ReviewAuditRow.id)))).scalars().all()
    assert row.status == "coded" and audit == ["edited", "completed"]

    with pytest.raises(ReviewCaseClosedError):
        await decide(db, "E-REV", r.RejectEncounter("too late"), "coder8")


async def test_closing_with_codes_that_fail_edits_needs_an_override_reason(db: Database) -> None:
    note = "Assessment: Cough, rule out pneumonia.\nPlan: chest x-ray ordered."
    async with uow_on(db) as uow:
        assert await handlers.code_encounter(command("E-EDIT", note), uow, cause=None,
                                             coder=default_engine()) == "review"
        await uow.commit()
    # The coder adds an office visit and a male-only diagnosis for a female patient.
    await decide(db, "E-EDIT", r.EditCodes((r.AddLine("99213", (), Decimal(1), (1,)), r.AddDiagnosis("N40.0")),
                                           reason="per addendum"), "coder7")
    with pytest.raises(EditsFailedError) as failed:
        await decide(db, "E-EDIT", r.CompleteReview(), "coder7")
    assert any("N40.0" in f.codes for f in failed.value.failures)
    assert await outbox_events(db, "rcm.coding.encounter_coded") == []

    case = await decide(db, "E-EDIT", r.CompleteReview(override_reason="sex recorded wrongly; ticket 12"), "coder7")
    assert case.status is r.ReviewStatus.COMPLETED
    [event] = await outbox_events(db, "rcm.coding.encounter_coded")
    last = EncounterCoded.model_validate(event).review_trail[-1]
    assert last.reason == "sex recorded wrongly; ticket 12" and "edits overridden" in last.detail
