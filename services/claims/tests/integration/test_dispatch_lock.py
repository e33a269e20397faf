"""Two dispatchers on a real PostgreSQL never send the same claim: the pending submission a
transaction holds is skipped by the other (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
import rcm_claims
from rcm_claims.adapters.tables import claim_submissions, messaging
from rcm_claims.adapters.translate import coded_encounter, coverage_facts, encounter_facts
from rcm_claims.adapters.unit_of_work import SqlClaimsUnitOfWork
from rcm_claims.domain.claim_assembly import build_claim
from rcm_claims.domain.commands import SendNextSubmission
from rcm_claims.service import handlers
from rcm_claims.testing import (
    ACCEPTED_999,
    PRICES,
    FakeClearinghouse,
    StubReplyReader,
    eligibility_checked,
    encounter_coded,
    encounter_completed,
)
from rcm_shared.db.database import Database
from rcm_shared.db.uow import decode_headers
from rcm_shared.envelope import Cause
from sqlalchemy import select

pytestmark = pytest.mark.integration
MIGRATIONS = Path(rcm_claims.__file__).resolve().parent / "migrations"


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("claims", MIGRATIONS)


def uow(db: Database) -> SqlClaimsUnitOfWork:
    return SqlClaimsUnitOfWork(db, messaging, "t", source="rcm/claims")


async def queue(db: Database, *encounter_ids: str) -> list[int]:
    ids = []
    async with uow(db) as u:
        for n, eid in enumerate(encounter_ids, start=1):
            claim = build_claim(encounter_facts(encounter_completed(eid)), coverage_facts(eligibility_checked(eid)),
                                coded_encounter(encounter_coded(eid)), PRICES)
            await u.claims.add(claim, cause=None)
            ids.append((await u.submissions.add(claim.claim_id, interchange_control_number=f"{n:09d}", x12=eid)).id)
        await u.commit()
    return ids


async def test_a_pending_submission_held_by_one_dispatcher_is_skipped_by_the_other(db: Database) -> None:
    first, second = await queue(db, "E-1", "E-2")
    a, b = uow(db), uow(db)
    await a.__aenter__()
    await b.__aenter__()
    try:
        # A dispatcher that waited for the other's row lock (no SKIP LOCKED) would time out here.
        held_by_a = await asyncio.wait_for(a.submissions.next_pending(), 5)
        held_by_b = await asyncio.wait_for(b.submissions.next_pending(), 5)
        assert held_by_a is not None and held_by_a.id == first
        assert held_by_b is not None and held_by_b.id == second
        c = uow(db)
        async with c:
            assert await asyncio.wait_for(c.submissions.next_pending(), 5) is None  # both held: none repeats
    finally:
        await a.__aexit__(None, None, None)
        await b.__aexit__(None, None, None)


async def test_concurrent_dispatchers_send_each_claim_exactly_once(db: Database) -> None:
    await queue(db, *(f"E-{n}" for n in range(6)))
    clearinghouse = FakeClearinghouse()

    async def dispatcher() -> None:
        while True:
            async with uow(db) as u:
                sent = await handlers.send_next_submission(SendNextSubmission(), u, clearinghouse=clearinghouse,
                                                           replies=StubReplyReader(ACCEPTED_999))
                await u.commit()
            if not sent:
                return

    await asyncio.gather(dispatcher(), dispatcher(), dispatcher())
    assert sorted(clearinghouse.sent) == sorted(f"E-{n}" for n in range(6))


async def test_claim_submitted_in_the_outbox_is_caused_by_the_stored_build_cause(db: Database) -> None:
    cause = Cause(uuid.uuid4(), "E-1", None)
    async with uow(db) as u:
        claim = build_claim(encounter_facts(encounter_completed("E-1")), coverage_facts(eligibility_checked("E-1")),
                            coded_encounter(encounter_coded("E-1")), PRICES)
        await u.claims.add(claim, cause=cause)
        await u.submissions.add(claim.claim_id, interchange_control_number="000000001", x12="E-1")
        await u.commit()
    async with uow(db) as u:
        await handlers.send_next_submission(SendNextSubmission(), u, clearinghouse=FakeClearinghouse(),
                                            replies=StubReplyReader(ACCEPTED_999))
        await u.commit()
    async with db.session() as s:
        rows = (await s.execute(select(messaging.outbox.c.event_type, messaging.outbox.c.headers)
                                .order_by(messaging.outbox.c.id))).all()
    headers = [{n: v.decode() for n, v in decode_headers(h)} for _, h in rows]
    assert [t for t, _ in rows] == ["rcm.claims.claim_submitted", "rcm.claims.claim_acknowledged"]
    assert headers[0]["ce_causationid"] == str(cause.event_id)
    assert headers[1]["ce_causationid"] == headers[0]["ce_id"]
    trace_ids = {h["ce_traceparent"].split("-")[1] for h in headers}
    assert trace_ids == {cause.event_id.hex}  # an untraced cause: the trace id of its event id


async def test_a_submission_whose_patient_was_shredded_is_withdrawn_and_never_holds_the_queue(db: Database) -> None:
    first, second = await queue(db, "E-SHRED", "E-KEPT")
    async with uow(db) as u:
        stored = (await u.session.execute(select(claim_submissions.c.x12).where(
            claim_submissions.c.id == first))).scalar_one()
        assert stored.startswith("rcm-sealed:") and "E-SHRED" not in stored, "the 837 is sealed at rest"
        await u.phi.keyring.shred("encounter:E-SHRED")
    async with uow(db) as u:
        pending = await u.submissions.next_pending()
        assert pending is not None and pending.id == second and pending.x12 == "E-KEPT"
        await u.commit()
    async with uow(db) as u:
        status = (await u.session.execute(select(claim_submissions.c.status).where(
            claim_submissions.c.id == first))).scalar_one()
    assert status == "withdrawn"
