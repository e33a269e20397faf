"""The 837 dispatcher on the fake unit of work: send the oldest pending claim, record the
clearinghouse's answer, publish ClaimSubmitted / ClaimAcknowledged on the claim's chain."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.adapters.translate import record_coding, record_coverage, record_encounter
from rcm_claims.domain.acknowledgements import SubmissionOutcome
from rcm_claims.domain.commands import SendNextSubmission
from rcm_claims.domain.errors import ClaimNotFoundError
from rcm_claims.domain.model import Claim
from rcm_claims.entrypoints.workers import submission_dispatcher
from rcm_claims.service import handlers
from rcm_claims.testing import (
    ACCEPTED_999,
    AT,
    DUPLICATE_TA1,
    PRICES,
    REJECTED_999,
    FakeClearinghouse,
    StubClaimWriter,
    StubReplyReader,
    eligibility_checked,
    encounter_coded,
    encounter_completed,
    event_of,
)
from rcm_shared.contracts.claims import (
    CLAIM_ACKNOWLEDGED,
    CLAIM_SUBMITTED,
    ClaimAcknowledged,
    ClaimLineSummary,
    ClaimSubmitted,
)
from rcm_shared.envelope import Envelope
from rcm_shared.messaging.errors import TransientError
from rcm_shared.tracing import trace_id

LINES = [{"code": "99213", "code_system": "CPT", "modifiers": ["25"], "diagnosis_pointers": [1]},
         {"code": "J1100", "code_system": "HCPCS", "units": "2.75", "diagnosis_pointers": [1]},
         {"code": "96372", "code_system": "CPT", "units": "0.5", "diagnosis_pointers": [1]}]


async def build(store: ClaimsStore, encounter_id: str = "E-1",
                lines: list[dict[str, object]] | None = None) -> tuple[Claim, Envelope]:
    """Join the three parts of ``encounter_id``; return the claim and the event that completed it."""
    completing = event_of(encounter_coded(encounter_id, lines), source="rcm/coding")
    kw = {"chargemaster": PRICES, "writer": StubClaimWriter()}
    async with FakeClaimsUnitOfWork(store) as uow:
        await handlers.record_encounter(record_encounter(encounter_completed(encounter_id)), uow, cause=None, **kw)
        await handlers.record_coverage(record_coverage(eligibility_checked(encounter_id)), uow, cause=None, **kw)
        claim = await handlers.record_coding(record_coding(encounter_coded(encounter_id, lines)), uow,
                                             cause=completing.as_cause(), **kw)
        await uow.commit()
    assert claim is not None
    return claim, completing


async def dispatch(store: ClaimsStore, clearinghouse: FakeClearinghouse,
                   outcome: SubmissionOutcome = ACCEPTED_999) -> bool:
    async with FakeClaimsUnitOfWork(store, source="rcm/claims") as uow:
        sent = await handlers.send_next_submission(SendNextSubmission(), uow, clearinghouse=clearinghouse,
                                                   replies=StubReplyReader(outcome),
                                                   now=lambda: AT)
        await uow.commit()
    return sent


async def test_an_accepted_claim_is_sent_once_marked_submitted_and_announced_in_claim_submitted() -> None:
    store = ClaimsStore()
    claim, _ = await build(store, lines=LINES)
    clearinghouse = FakeClearinghouse()
    assert await dispatch(store, clearinghouse) is True
    [submission] = store.submissions.values()
    assert clearinghouse.sent == [submission.x12]
    assert (submission.status, submission.reply_result, submission.attempts) == ("sent", "accepted", 1)
    assert submission.reply == "999 accepted" and submission.sent_at is not None
    assert store.claims[claim.claim_id].claim.status == "submitted"
    [submitted] = store.events(CLAIM_SUBMITTED)
    assert submitted.payload_as(ClaimSubmitted) == ClaimSubmitted(
        claim_id=claim.claim_id, encounter_id="E-1", payer_id="SBXPPO01", frequency_code="1",
        total_charge=Decimal("246.51"),
        lines=[ClaimLineSummary(line_number=1, code="99213", modifiers=["25"], units=Decimal(1),
                                charge=Decimal("185.00")),
               ClaimLineSummary(line_number=2, code="J1100", units=Decimal("2.75"), charge=Decimal("33.96")),
               ClaimLineSummary(line_number=3, code="96372", units=Decimal("0.5"), charge=Decimal("27.55"))],
        interchange_control_number="000000001", submitted_at=AT)
    assert submitted.key == "E-1" and submitted.source == "rcm/claims"


async def test_claim_submitted_continues_the_chain_of_the_event_that_built_the_claim() -> None:
    store = ClaimsStore()
    claim, completing = await build(store)
    await dispatch(store, FakeClearinghouse())
    [submitted] = store.events(CLAIM_SUBMITTED)
    assert submitted.causation_id == completing.id and submitted.correlation_id == completing.correlation_id
    assert trace_id(submitted.traceparent) == trace_id(completing.traceparent)
    assert store.claims[claim.claim_id].submitted_by == submitted.as_cause()


async def test_the_sync_999_is_recorded_and_acknowledged_as_caused_by_claim_submitted() -> None:
    store = ClaimsStore()
    claim, completing = await build(store)
    await dispatch(store, FakeClearinghouse())
    [submitted] = store.events(CLAIM_SUBMITTED)
    [ack] = store.events(CLAIM_ACKNOWLEDGED)
    assert ack.payload_as(ClaimAcknowledged) == ClaimAcknowledged(
        claim_id=claim.claim_id, encounter_id="E-1", level="999", accepted=True, status_codes=["A"],
        file_id="sync:000000001")
    assert ack.causation_id == submitted.id and trace_id(ack.traceparent) == trace_id(completing.traceparent)
    [recorded] = store.acks[claim.claim_id]
    assert (recorded.file_id, recorded.level, recorded.accepted, recorded.status_codes) == (
        "sync:000000001", "999", True, ("A",))


async def test_a_rejected_999_rejects_the_claim_without_claim_submitted_and_acknowledges_on_the_build_chain() -> None:
    store = ClaimsStore()
    claim, completing = await build(store)
    await dispatch(store, FakeClearinghouse(), REJECTED_999)
    [submission] = store.submissions.values()
    assert (submission.status, submission.reply_result) == ("rejected", "rejected")
    assert store.claims[claim.claim_id].claim.status == "rejected"
    assert store.events(CLAIM_SUBMITTED) == []
    [ack] = store.events(CLAIM_ACKNOWLEDGED)
    assert ack.payload["accepted"] is False and ack.payload["status_codes"] == ["R", "I12"]
    assert ack.causation_id == completing.id
    assert store.claims[claim.claim_id].submitted_by is None


async def test_a_duplicate_interchange_counts_as_sent_and_is_not_acknowledged_again() -> None:
    store = ClaimsStore()
    claim, _ = await build(store)
    await dispatch(store, FakeClearinghouse(), DUPLICATE_TA1)
    [submission] = store.submissions.values()
    assert (submission.status, submission.reply_result) == ("sent", "duplicate")
    assert store.claims[claim.claim_id].claim.status == "submitted"
    assert len(store.events(CLAIM_SUBMITTED)) == 1
    assert store.events(CLAIM_ACKNOWLEDGED) == [] and store.acks == {}


async def test_with_nothing_pending_the_dispatcher_sends_nothing() -> None:
    store = ClaimsStore()
    clearinghouse = FakeClearinghouse()
    assert await dispatch(store, clearinghouse) is False
    assert clearinghouse.sent == [] and store.events() == []


async def test_a_sent_claim_is_never_sent_again() -> None:
    store = ClaimsStore()
    await build(store)
    clearinghouse = FakeClearinghouse()
    assert [await dispatch(store, clearinghouse) for _ in range(3)] == [True, False, False]
    assert len(clearinghouse.sent) == 1 and len(store.events(CLAIM_SUBMITTED)) == 1


async def test_the_oldest_pending_claim_is_sent_first() -> None:
    store = ClaimsStore()
    first, _ = await build(store, "E-1")
    await build(store, "E-2")
    await dispatch(store, FakeClearinghouse())
    [submitted] = store.events(CLAIM_SUBMITTED)
    assert submitted.payload["claim_id"] == first.claim_id


async def test_a_clearinghouse_that_cannot_answer_leaves_the_claim_pending_for_the_next_try() -> None:
    store = ClaimsStore()
    claim, _ = await build(store)
    with pytest.raises(TransientError):
        await dispatch(store, FakeClearinghouse(down=True))
    [submission] = store.submissions.values()
    assert submission.status == "pending" and submission.attempts == 0
    assert store.claims[claim.claim_id].claim.status == "built" and store.events() == []
    assert await dispatch(store, FakeClearinghouse()) is True


async def test_a_submission_whose_claim_is_missing_is_an_error_naming_the_claim() -> None:
    store = ClaimsStore()
    async with FakeClaimsUnitOfWork(store) as uow:
        await uow.submissions.add("C-GONE", interchange_control_number="000000009", x12="837")
        await uow.commit()
    with pytest.raises(ClaimNotFoundError, match="C-GONE"):
        await dispatch(store, FakeClearinghouse())


async def test_a_claim_stored_before_causes_were_starts_its_own_chain_on_the_encounter() -> None:
    store = ClaimsStore()
    claim, _ = await build(store)
    store.claims[claim.claim_id] = dataclasses.replace(store.claims[claim.claim_id], built_by=None)
    await dispatch(store, FakeClearinghouse())
    [submitted] = store.events(CLAIM_SUBMITTED)
    assert submitted.causation_id is None and submitted.correlation_id == "E-1"


async def test_the_dispatcher_worker_sends_every_pending_claim_until_stopped() -> None:
    store = ClaimsStore()
    for eid in ("E-1", "E-2"):
        await build(store, eid)
    clearinghouse = FakeClearinghouse()
    stop = asyncio.Event()
    run = submission_dispatcher(lambda: FakeClaimsUnitOfWork(store), clearinghouse, StubReplyReader(ACCEPTED_999),
                                idle_s=0.01)
    task = asyncio.create_task(run(stop))
    for _ in range(200):
        if len(clearinghouse.sent) == 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(clearinghouse.sent) == 2 and all(s.status == "sent" for s in store.submissions.values())
