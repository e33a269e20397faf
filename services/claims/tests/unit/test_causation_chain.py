"""One encounter is one causation chain and one trace through the claims service, even
across the dispatcher's timer and the 277CA mailbox file."""

from __future__ import annotations

from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.domain.acknowledgements import ClaimStatusAck
from rcm_claims.domain.commands import SendNextSubmission
from rcm_claims.domain.model import claim_id_for
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
from rcm_shared.messaging import Subscription
from rcm_shared.testing.fakes import deliver
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id


async def test_from_encounter_completed_to_the_277ca_every_event_is_caused_by_the_one_before() -> None:
    store = ClaimsStore()
    claim_id = claim_id_for("E-CHAIN")
    subs: list[Subscription[FakeClaimsUnitOfWork]] = subscriptions(
        chargemaster=PRICES, writer=StubClaimWriter(), acks=StubAckReader([ClaimStatusAck(claim_id, True, ())]))
    intake, acks = subs

    def uow() -> FakeClaimsUnitOfWork:
        return FakeClaimsUnitOfWork(store, source="rcm/claims")

    encounter = event_of(encounter_completed("E-CHAIN"), source="hospital")
    coverage = event_of(eligibility_checked("E-CHAIN"), source="rcm/eligibility", cause=encounter)
    coded = event_of(encounter_coded("E-CHAIN"), source="rcm/coding", cause=encounter)
    await deliver(intake, encounter, uow, topic=Topic.ENCOUNTERS)
    await deliver(intake, coverage, uow, topic=Topic.ELIGIBILITY_EVENTS)
    await deliver(intake, coded, uow, topic=Topic.CODING_EVENTS)
    async with uow() as u:  # the dispatcher's timer
        await handlers.send_next_submission(SendNextSubmission(), u, clearinghouse=FakeClearinghouse(),
                                            replies=StubReplyReader(ACCEPTED_999))
        await u.commit()
    # The mailbox file starts its own trace: it speaks of many claims.
    await deliver(acks, event_of(clearinghouse_file("x"), source="rcm/claims"), uow, topic=Topic.CLAIMS_ACKS)

    submitted, sync_ack, front_end_ack = store.events()
    assert submitted.causation_id == coded.id
    assert sync_ack.causation_id == front_end_ack.causation_id == submitted.id
    chain = [encounter, coded, submitted, sync_ack, front_end_ack]
    assert {e.correlation_id for e in chain} == {"E-CHAIN"}
    assert {trace_id(e.traceparent) for e in chain} == {trace_id(encounter.traceparent)}
    assert len({e.traceparent for e in chain}) == len(chain)  # each event its own span
