"""One contract suite for the claims repositories, run against the in-memory fakes and the
SQL implementation on a migrated PostgreSQL: a fast test on the fakes proves what the
database would do."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
import rcm_claims
from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.adapters.tables import messaging
from rcm_claims.adapters.translate import coded_encounter, coverage_facts, encounter_facts
from rcm_claims.adapters.unit_of_work import SqlClaimsUnitOfWork
from rcm_claims.domain.acknowledgements import Acknowledgement
from rcm_claims.domain.claim_assembly import build_claim
from rcm_claims.domain.model import Claim, Intake
from rcm_claims.service.unit_of_work import ClaimsUnitOfWork
from rcm_claims.testing import (
    ACCEPTED_999,
    PRICES,
    REJECTED_999,
    eligibility_checked,
    encounter_coded,
    encounter_completed,
)
from rcm_shared.db.database import Database
from rcm_shared.envelope import Cause

MIGRATIONS = Path(rcm_claims.__file__).resolve().parent / "migrations"
Factory = Callable[[], ClaimsUnitOfWork]
MakeDb = Callable[[str, Path], Awaitable[Database]]


@pytest.fixture(params=["memory", pytest.param("sql", marks=pytest.mark.integration)])
def make_db(request: pytest.FixtureRequest) -> MakeDb | None:
    if request.param == "memory":
        return None
    make: MakeDb = request.getfixturevalue("migrated_database")
    return make


@pytest_asyncio.fixture()
async def uow(make_db: MakeDb | None) -> Factory:
    if make_db is None:
        store = ClaimsStore()
        return lambda: FakeClaimsUnitOfWork(store)
    db = await make_db("claims", MIGRATIONS)
    return lambda: SqlClaimsUnitOfWork(db, messaging, "t", source="rcm/test")


def claim_for(encounter_id: str, lines: list[dict[str, object]] | None = None) -> Claim:
    return build_claim(encounter_facts(encounter_completed(encounter_id)),
                       coverage_facts(eligibility_checked(encounter_id)),
                       coded_encounter(encounter_coded(encounter_id, lines)), PRICES)


def a_cause(encounter_id: str) -> Cause:
    return Cause(uuid.uuid4(), encounter_id, "00-" + uuid.uuid4().hex + "-" + uuid.uuid4().hex[:16] + "-01")


async def add_claim(uow: Factory, claim: Claim, cause: Cause | None = None) -> None:
    async with uow() as u:
        await u.claims.add(claim, cause=cause)
        await u.commit()


# --- intakes -------------------------------------------------------------------------------

async def test_an_encounter_never_seen_has_no_intake(uow: Factory) -> None:
    async with uow() as u:
        assert await u.intakes.get("E-NONE") is None
        assert await u.intakes.count_held() == 0


async def test_merging_parts_returns_every_part_so_far_exactly_as_given(uow: Factory) -> None:
    e = encounter_facts(encounter_completed("E-1"))
    k = coded_encounter(encounter_coded("E-1", [{"code": "J1100", "code_system": "HCPCS", "units": "2.75",
                                                 "modifiers": ["JW"], "diagnosis_pointers": [1]}]))
    c = coverage_facts(eligibility_checked("E-1", "rejected", rejection_codes=["72"]))
    async with uow() as u:
        assert await u.intakes.merge(e) == Intake("E-1", encounter=e)
        assert await u.intakes.merge(k) == Intake("E-1", encounter=e, coding=k)
        await u.commit()
    async with uow() as u:
        assert await u.intakes.merge(c) == Intake("E-1", encounter=e, coverage=c, coding=k)
        await u.commit()
    async with uow() as u:
        assert await u.intakes.get("E-1") == Intake("E-1", encounter=e, coverage=c, coding=k)


async def test_a_later_part_of_the_same_kind_replaces_the_earlier(uow: Factory) -> None:
    first = coverage_facts(eligibility_checked("E-1", "inactive"))
    second = coverage_facts(eligibility_checked("E-1", "active"))
    async with uow() as u:
        await u.intakes.merge(first)
        await u.commit()
    async with uow() as u:
        assert (await u.intakes.merge(second)).coverage == second
        await u.commit()


async def test_the_outcome_records_why_an_intake_is_held_and_then_its_claim(uow: Factory) -> None:
    async with uow() as u:
        await u.intakes.merge(coverage_facts(eligibility_checked("E-1")))
        await u.intakes.merge(coverage_facts(eligibility_checked("E-2")))
        await u.intakes.set_outcome("E-1", claim_id=None, held_reasons=("coverage is inactive", "another"))
        await u.commit()
    async with uow() as u:
        held = await u.intakes.get("E-1")
        assert held is not None and held.held_reasons == ("coverage is inactive", "another") and held.claim_id is None
        assert await u.intakes.count_held() == 1
        await u.intakes.set_outcome("E-1", claim_id="C-1", held_reasons=None)
        await u.commit()
    async with uow() as u:
        built = await u.intakes.get("E-1")
        assert built is not None and built.claim_id == "C-1" and built.held_reasons is None
        assert await u.intakes.count_held() == 0


async def test_changes_left_uncommitted_are_rolled_back(uow: Factory) -> None:
    async with uow() as u:
        await u.intakes.merge(coverage_facts(eligibility_checked("E-1")))
        await u.claims.add(claim_for("E-1"), cause=None)
    async with uow() as u:
        assert await u.intakes.get("E-1") is None and await u.claims.get_by_encounter("E-1") is None


# --- claims --------------------------------------------------------------------------------

async def test_a_stored_claim_reads_back_equal_by_id_and_by_encounter(uow: Factory) -> None:
    claim = claim_for("E-1", [{"code": "99213", "code_system": "CPT", "modifiers": ["25"], "diagnosis_pointers": [1]},
                              {"code": "96372", "code_system": "CPT", "units": "0.5", "diagnosis_pointers": [1]}])
    await add_claim(uow, claim)
    async with uow() as u:
        assert await u.claims.get(claim.claim_id) == claim
        assert await u.claims.get_by_encounter("E-1") == claim
        assert await u.claims.get("C-NONE") is None and await u.claims.get_by_encounter("E-NONE") is None
    assert claim.total_charge == Decimal("212.55")


async def test_a_claims_status_changes(uow: Factory) -> None:
    claim = claim_for("E-1")
    await add_claim(uow, claim)
    async with uow() as u:
        await u.claims.set_status(claim.claim_id, "submitted")
        await u.commit()
    async with uow() as u:
        stored = await u.claims.get(claim.claim_id)
        assert stored is not None and stored.status == "submitted"


async def test_a_claim_keeps_its_build_cause_and_then_its_submitted_cause(uow: Factory) -> None:
    claim, built_by, submitted_by = claim_for("E-1"), a_cause("E-1"), a_cause("E-1")
    await add_claim(uow, claim, built_by)
    async with uow() as u:
        causes = await u.claims.causes(claim.claim_id)
        assert (causes.built_by, causes.submitted_by) == (built_by, None)
        await u.claims.set_submitted_cause(claim.claim_id, submitted_by)
        await u.commit()
    async with uow() as u:
        causes = await u.claims.causes(claim.claim_id)
        assert (causes.built_by, causes.submitted_by) == (built_by, submitted_by)


async def test_a_claim_stored_without_a_cause_or_never_stored_has_none(uow: Factory) -> None:
    claim = claim_for("E-1")
    await add_claim(uow, claim)
    async with uow() as u:
        for claim_id in (claim.claim_id, "C-NONE"):
            causes = await u.claims.causes(claim_id)
            assert causes.built_by is None and causes.submitted_by is None


async def test_acknowledgements_read_back_oldest_first(uow: Factory) -> None:
    claim = claim_for("E-1")
    await add_claim(uow, claim)
    sync = Acknowledgement("sync:000000001", "999", True, ("A",))
    front_end = Acknowledgement("F-277-1", "277CA", False, ("A7:21", "A7:562"))
    async with uow() as u:
        await u.claims.add_ack(claim.claim_id, sync)
        await u.claims.add_ack(claim.claim_id, front_end)
        await u.commit()
    async with uow() as u:
        assert await u.claims.acks(claim.claim_id) == [sync, front_end]
        assert await u.claims.acks("C-NONE") == []


async def test_claims_are_counted_by_status_leaving_out_statuses_without_claims(uow: Factory) -> None:
    claims = [claim_for(f"E-{n}") for n in range(3)]
    for claim in claims:
        await add_claim(uow, claim)
    async with uow() as u:
        assert await u.claims.count_by_status() == {"built": 3}
        await u.claims.set_status(claims[0].claim_id, "accepted")
        await u.claims.set_status(claims[1].claim_id, "rejected")
        assert await u.claims.count_by_status() == {"built": 1, "accepted": 1, "rejected": 1}


# --- submissions ---------------------------------------------------------------------------

async def test_a_stored_submission_is_pending_with_its_control_number_and_bytes(uow: Factory) -> None:
    claim = claim_for("E-1")
    await add_claim(uow, claim)
    async with uow() as u:
        added = await u.submissions.add(claim.claim_id, interchange_control_number="000000007", x12="ISA*...~")
        await u.commit()
    assert (added.claim_id, added.interchange_control_number, added.x12, added.status, added.attempts) == (
        claim.claim_id, "000000007", "ISA*...~", "pending", 0)
    assert added.reply_result is None and added.reply is None and added.sent_at is None
    async with uow() as u:
        assert await u.submissions.for_claim(claim.claim_id) == [added]
        assert await u.submissions.next_pending() == added


async def test_the_oldest_pending_submission_comes_first_and_a_finished_one_never_again(uow: Factory) -> None:
    first, second = claim_for("E-1"), claim_for("E-2")
    for claim in (first, second):
        await add_claim(uow, claim)
    async with uow() as u:
        a = await u.submissions.add(first.claim_id, interchange_control_number="000000001", x12="1")
        b = await u.submissions.add(second.claim_id, interchange_control_number="000000002", x12="2")
        await u.commit()
    async with uow() as u:
        pending = await u.submissions.next_pending()
        assert pending is not None and pending.id == a.id
        await u.submissions.finish(a.id, outcome=ACCEPTED_999, reply="999 A")
        await u.commit()
    async with uow() as u:
        pending = await u.submissions.next_pending()
        assert pending is not None and pending.id == b.id
        await u.submissions.finish(b.id, outcome=REJECTED_999, reply="999 R")
        await u.commit()
    async with uow() as u:
        assert await u.submissions.next_pending() is None
        [sent] = await u.submissions.for_claim(first.claim_id)
        [rejected] = await u.submissions.for_claim(second.claim_id)
    assert (sent.status, sent.reply_result, sent.reply, sent.attempts) == ("sent", "accepted", "999 A", 1)
    assert (rejected.status, rejected.reply_result, rejected.reply, rejected.attempts) == (
        "rejected", "rejected", "999 R", 1)
    assert sent.sent_at is not None and rejected.sent_at is not None


async def test_a_claims_submissions_read_back_oldest_first(uow: Factory) -> None:
    claim = claim_for("E-1")
    await add_claim(uow, claim)
    async with uow() as u:
        a = await u.submissions.add(claim.claim_id, interchange_control_number="000000001", x12="1")
        b = await u.submissions.add(claim.claim_id, interchange_control_number="000000002", x12="2")
        await u.commit()
    async with uow() as u:
        assert [s.id for s in await u.submissions.for_claim(claim.claim_id)] == [a.id, b.id]
        assert await u.submissions.for_claim("C-NONE") == []


# --- control numbers -----------------------------------------------------------------------

async def test_control_numbers_never_repeat_within_or_across_transactions(uow: Factory) -> None:
    async with uow() as u:
        first = [await u.control_numbers.next_value() for _ in range(3)]
        await u.commit()
    async with uow() as u:
        later = await u.control_numbers.next_value()
        await u.commit()
    numbers = [*first, later]
    assert numbers == sorted(numbers) and len(set(numbers)) == 4 and all(1 <= n <= 999_999_999 for n in numbers)
