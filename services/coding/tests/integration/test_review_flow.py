"""Coding handlers and the review flow on a real PostgreSQL with the real engine."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from rcm_coding.adapters.tables import coding_results, messaging, review_audit
from rcm_coding.domain import review as r
from rcm_coding.domain.engine import default_engine
from rcm_coding.domain.errors import EditsFailedError, ReviewCaseClosedError
from rcm_coding.service import handlers
from rcm_coding.service.commands import CodeEncounter
from rcm_coding.service.review import decide_review
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.db.database import Database
from rcm_shared.db.uow import UnitOfWork
from sqlalchemy import select

pytestmark = pytest.mark.integration
MIGRATIONS = Path(handlers.__file__).resolve().parents[1] / "migrations"


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("coding", MIGRATIONS)


def command(encounter_id: str, note: str, dx: tuple[str, ...] = (), px: tuple[str, ...] = ()) -> CodeEncounter:
    return CodeEncounter(encounter_id=encounter_id, date_of_service=date(2026, 9, 15), birth_date=date(1970, 3, 2),
                         sex="F", place_of_service="11", payer_category="commercial", note_text=note,
                         clinician_diagnoses=dx, clinician_procedures=tuple((c, (), 1) for c in px))


async def outbox_events(db: Database, event_type: str) -> list[dict[str, object]]:
    async with db.session() as s:
        rows = await s.execute(select(messaging.outbox.c.value).where(messaging.outbox.c.event_type == event_type))
        return [json.loads(bytes(v)) for (v,) in rows]


async def test_a_clear_note_is_coded_and_emitted_without_review(db: Database) -> None:
    note = ("Assessment: Essential hypertension, controlled.\n"
            "Plan: Continue lisinopril. Established patient office visit, low complexity medical decision making.")
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        status = await handlers.code_encounter(command("E-HTN", note), uow, default_engine(), None)
        await uow.commit()
    assert status == "coded"
    [event] = await outbox_events(db, "rcm.coding.encounter_coded")
    coded = EncounterCoded.model_validate(event)
    assert [d.code for d in coded.diagnoses] == ["I10"]
    assert [ln.code for ln in coded.lines] == ["99213"]


async def test_a_coder_edits_and_completes_a_queued_encounter_and_the_trail_is_emitted(db: Database) -> None:
    note = "Assessment: Cough, rule out pneumonia.\nPlan: chest x-ray ordered."
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        status = await handlers.code_encounter(command("E-REV", note), uow, default_engine(), None)
        await uow.commit()
    assert status == "review"
    assert await outbox_events(db, "rcm.coding.encounter_coded") == []
    [queued] = await outbox_events(db, "rcm.coding.review_required")
    assert queued["reasons"]

    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        case = await decide_review("E-REV", r.EditCodes((r.AddLine("99213", (), 1, (1,)),),
                                                        reason="visit level documented in the full note"),
                                   "coder7", uow, default_engine().registry)
        await uow.commit()
    assert case.status is r.ReviewStatus.OPEN
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        case = await decide_review("E-REV", r.CompleteReview("done"), "coder7", uow, default_engine().registry)
        await uow.commit()
    assert case.status is r.ReviewStatus.COMPLETED

    [event] = await outbox_events(db, "rcm.coding.encounter_coded")
    coded = EncounterCoded.model_validate(event)
    assert coded.coded_by == "coder:coder7" and coded.reviewed
    assert "99213" in [ln.code for ln in coded.lines]
    assert [t.action for t in coded.review_trail] == ["opened", "edited", "completed"]
    assert coded.review_trail[1].reason == "visit level documented in the full note"
    async with db.session() as s:
        row = (await s.execute(select(coding_results).where(coding_results.c.encounter_id == "E-REV"))).one()
        audit = (await s.execute(select(review_audit.c.action).where(review_audit.c.encounter_id == "E-REV")
                                 .order_by(review_audit.c.id))).scalars().all()
    assert row.status == "coded" and audit == ["edited", "completed"]

    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        with pytest.raises(ReviewCaseClosedError):
            await decide_review("E-REV", r.RejectEncounter("too late"), "coder8", uow, default_engine().registry)


async def test_closing_with_codes_that_fail_edits_needs_an_override_reason(db: Database) -> None:
    note = "Assessment: Cough, rule out pneumonia.\nPlan: chest x-ray ordered."
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        assert await handlers.code_encounter(command("E-EDIT", note), uow, default_engine(), None) == "review"
        await uow.commit()
    # The coder adds an office visit and a male-only diagnosis for a female patient.
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        await decide_review("E-EDIT", r.EditCodes((r.AddLine("99213", (), 1, (1,)), r.AddDiagnosis("N40.0")),
                                                  reason="per addendum"), "coder7", uow, default_engine().registry)
        await uow.commit()
    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        with pytest.raises(EditsFailedError) as failed:
            await decide_review("E-EDIT", r.CompleteReview(), "coder7", uow, default_engine().registry)
    assert any("N40.0" in f.codes for f in failed.value.failures)
    assert await outbox_events(db, "rcm.coding.encounter_coded") == []

    async with UnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        case = await decide_review("E-EDIT", r.CompleteReview(override_reason="sex recorded wrongly; ticket 12"),
                                   "coder7", uow, default_engine().registry)
        await uow.commit()
    assert case.status is r.ReviewStatus.COMPLETED
    [event] = await outbox_events(db, "rcm.coding.encounter_coded")
    last = EncounterCoded.model_validate(event).review_trail[-1]
    assert last.reason == "sex recorded wrongly; ticket 12" and "edits overridden" in last.detail
