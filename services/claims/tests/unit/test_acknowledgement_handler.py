"""277CA files on the fake unit of work: each claim's front-end status is recorded and
announced as ClaimAcknowledged, continuing that claim's own chain (its ClaimSubmitted)."""

from __future__ import annotations

import dataclasses

from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.adapters.translate import record_coding, record_coverage, record_encounter
from rcm_claims.domain.acknowledgements import Acknowledgement, ClaimStatusAck
from rcm_claims.domain.commands import ApplyClaimStatusReport, SendNextSubmission
from rcm_claims.domain.model import Claim
from rcm_claims.entrypoints.consumers import subscriptions
from rcm_claims.service import handlers
from rcm_claims.testing import (
    ACCEPTED_999,
    PRICES,
    FakeClearinghouse,
    StubAckReader,
    StubClaimWriter,
    StubReplyReader,
    clearinghouse_file,
    eligibility_checked,
    encounter_coded,
    encounter_completed,
    event_of,
)
from rcm_shared.contracts.claims import CLAIM_ACKNOWLEDGED, CLAIM_SUBMITTED, ClaimAcknowledged
from rcm_shared.envelope import Envelope
from rcm_shared.messaging import Subscription
from rcm_shared.testing.fakes import deliver
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id


async def sent_claim(store: ClaimsStore, encounter_id: str) -> tuple[Claim, Envelope]:
    """A claim built and sent (999 accepted); return it and its ClaimSubmitted event."""
    kw = {"chargemaster": PRICES, "writer": StubClaimWriter()}
    completing = event_of(encounter_coded(encounter_id), source="rcm/coding")
    async with FakeClaimsUnitOfWork(store) as uow:
        await handlers.record_encounter(record_encounter(encounter_completed(encounter_id)), uow, cause=None, **kw)
        await handlers.record_coverage(record_coverage(eligibility_checked(encounter_id)), uow, cause=None, **kw)
        claim = await handlers.record_coding(record_coding(encounter_coded(encounter_id)), uow,
                                             cause=completing.as_cause(), **kw)
        await handlers.send_next_submission(SendNextSubmission(), uow, clearinghouse=FakeClearinghouse(),
                                            replies=StubReplyReader(ACCEPTED_999))
        await uow.commit()
    assert claim is not None
    [submitted] = [e for e in store.events(CLAIM_SUBMITTED) if e.payload["claim_id"] == claim.claim_id]
    return claim, submitted


def acks_subscription(reader: StubAckReader) -> Subscription[FakeClaimsUnitOfWork]:
    subs: list[Subscription[FakeClaimsUnitOfWork]] = subscriptions(chargemaster=PRICES, writer=StubClaimWriter(),
                                                                   acks=reader)
    return subs[1]


async def receive(store: ClaimsStore, file_event: Envelope, statuses: list[ClaimStatusAck]) -> StubAckReader:
    reader = StubAckReader(statuses)
    await deliver(acks_subscription(reader), file_event, lambda: FakeClaimsUnitOfWork(store, source="rcm/claims"),
                  topic=Topic.CLAIMS_ACKS, service="claims")
    return reader


def the_277ca_acks(store: ClaimsStore) -> list[Envelope]:
    return [e for e in store.events(CLAIM_ACKNOWLEDGED) if e.payload["level"] == "277CA"]


async def test_an_accepted_277ca_marks_the_claim_accepted_and_announces_it() -> None:
    store = ClaimsStore()
    claim, _ = await sent_claim(store, "E-1")
    file_event = event_of(clearinghouse_file("ISA*277CA..."), source="rcm/claims")
    await receive(store, file_event, [ClaimStatusAck(claim.claim_id, True, ("A1:20",))])
    assert store.claims[claim.claim_id].claim.status == "accepted"
    [ack] = the_277ca_acks(store)
    assert ack.payload_as(ClaimAcknowledged) == ClaimAcknowledged(
        claim_id=claim.claim_id, encounter_id="E-1", level="277CA", accepted=True, status_codes=["A1:20"],
        file_id="F-277-1")
    assert ack.key == "E-1" and ack.source == "rcm/claims"  # keyed by encounter: its events stay in order
    assert store.acks[claim.claim_id][-1] == Acknowledgement("F-277-1", "277CA", True, ("A1:20",))


async def test_a_rejected_277ca_marks_the_claim_rejected_with_its_status_codes() -> None:
    store = ClaimsStore()
    claim, _ = await sent_claim(store, "E-1")
    await receive(store, event_of(clearinghouse_file("x")), [ClaimStatusAck(claim.claim_id, False, ("A7:21",))])
    assert store.claims[claim.claim_id].claim.status == "rejected"
    [ack] = the_277ca_acks(store)
    assert ack.payload["accepted"] is False and ack.payload["status_codes"] == ["A7:21"]


async def test_the_277ca_ack_is_caused_by_the_claims_claim_submitted_not_by_the_file() -> None:
    store = ClaimsStore()
    claim, submitted = await sent_claim(store, "E-1")
    file_event = event_of(clearinghouse_file("x"), source="rcm/claims")
    await receive(store, file_event, [ClaimStatusAck(claim.claim_id, True, ())])
    [ack] = the_277ca_acks(store)
    assert ack.causation_id == submitted.id and ack.correlation_id == submitted.correlation_id
    assert trace_id(ack.traceparent) == trace_id(submitted.traceparent) != trace_id(file_event.traceparent)


async def test_one_file_acknowledges_each_claim_on_its_own_chain_and_skips_claims_we_did_not_send() -> None:
    store = ClaimsStore()
    first, first_submitted = await sent_claim(store, "E-1")
    second, second_submitted = await sent_claim(store, "E-2")
    statuses = [ClaimStatusAck(first.claim_id, True, ()), ClaimStatusAck("C-NOT-OURS", True, ()),
                ClaimStatusAck(second.claim_id, False, ("A7:21",))]
    async with FakeClaimsUnitOfWork(store) as uow:
        applied = await handlers.apply_claim_status_report(ApplyClaimStatusReport("F-1", "x"), uow, cause=None,
                                                           acks=StubAckReader(statuses))
        await uow.commit()
    assert applied == 2
    assert [(a.payload["claim_id"], a.causation_id) for a in the_277ca_acks(store)] == [
        (first.claim_id, first_submitted.id), (second.claim_id, second_submitted.id)]
    assert "C-NOT-OURS" not in store.acks


async def test_a_claim_stored_without_causes_is_acknowledged_on_the_files_chain() -> None:
    store = ClaimsStore()
    claim, _ = await sent_claim(store, "E-1")
    store.claims[claim.claim_id] = dataclasses.replace(store.claims[claim.claim_id], built_by=None, submitted_by=None)
    file_event = event_of(clearinghouse_file("x"), source="rcm/claims")
    await receive(store, file_event, [ClaimStatusAck(claim.claim_id, True, ())])
    [ack] = the_277ca_acks(store)
    assert ack.causation_id == file_event.id


async def test_delivering_the_same_277ca_twice_acknowledges_once() -> None:
    store = ClaimsStore()
    claim, _ = await sent_claim(store, "E-1")
    file_event = event_of(clearinghouse_file("x"), source="rcm/claims")
    statuses = [ClaimStatusAck(claim.claim_id, True, ())]
    await receive(store, file_event, statuses)
    await receive(store, file_event, statuses)
    assert len(the_277ca_acks(store)) == 1 and len(store.acks[claim.claim_id]) == 2  # the sync 999 and the 277CA


async def test_mailbox_files_other_than_277ca_are_left_alone() -> None:
    store = ClaimsStore()
    claim, _ = await sent_claim(store, "E-1")
    reader = await receive(store, event_of(clearinghouse_file("x", kind="835", file_id="F-835")),
                           [ClaimStatusAck(claim.claim_id, False, ())])
    assert reader.files_read == 0 and the_277ca_acks(store) == []
    assert store.claims[claim.claim_id].claim.status == "submitted"
