"""The intake join on the fake unit of work: encounter, coverage and codes become one claim
(or a ClaimHeld saying why not), delivered through the real consumer loop without Kafka."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.adapters.translate import record_coding, record_coverage, record_encounter
from rcm_claims.domain.model import claim_id_for
from rcm_claims.entrypoints.consumers import subscriptions
from rcm_claims.service import handlers
from rcm_claims.testing import (
    PRICES,
    StubAckReader,
    StubClaimWriter,
    eligibility_checked,
    encounter_coded,
    encounter_completed,
    event_of,
)
from rcm_shared.contracts.claims import CLAIM_HELD, ClaimHeld
from rcm_shared.envelope import Envelope
from rcm_shared.messaging import Subscription
from rcm_shared.testing.fakes import deliver
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id

TOPIC = {"rcm.encounter.completed": Topic.ENCOUNTERS, "rcm.eligibility.checked": Topic.ELIGIBILITY_EVENTS,
         "rcm.coding.encounter_coded": Topic.CODING_EVENTS}


class Claims:
    """One claims service on an in-memory store."""

    def __init__(self, writer: StubClaimWriter | None = None, prices: dict[str, Decimal] | None = None) -> None:
        self.store = ClaimsStore()
        self.writer = writer or StubClaimWriter()
        subs: list[Subscription[FakeClaimsUnitOfWork]] = subscriptions(
            chargemaster=PRICES if prices is None else prices, writer=self.writer, acks=StubAckReader())
        self.intake = subs[0]

    def uow(self) -> FakeClaimsUnitOfWork:
        return FakeClaimsUnitOfWork(self.store, source="rcm/claims")

    async def deliver(self, *events: Envelope) -> None:
        for event in events:
            await deliver(self.intake, event, self.uow, topic=TOPIC[event.type], service="claims")


def parts(encounter_id: str, *, status: str = "active", lines: list[dict[str, object]] | None = None
          ) -> tuple[Envelope, Envelope, Envelope]:
    return (event_of(encounter_completed(encounter_id), source="hospital"),
            event_of(eligibility_checked(encounter_id, status), source="rcm/eligibility"),
            event_of(encounter_coded(encounter_id, lines), source="rcm/coding"))


async def test_the_last_of_the_three_parts_builds_one_priced_claim_and_queues_its_837() -> None:
    claims = Claims()
    e, cov, cod = parts("E-1")
    await claims.deliver(e, cov, cod)
    [stored] = claims.store.claims.values()
    claim = stored.claim
    assert claim.claim_id == claim_id_for("E-1") and claim.encounter_id == "E-1" and claim.payer_id == "SBXPPO01"
    assert claim.status == "built" and claim.total_charge == Decimal("185.00")
    assert [(ln.code, ln.units, ln.charge) for ln in claim.lines] == [("99213", Decimal(1), Decimal("185.00"))]
    [submission] = claims.store.submissions.values()
    assert submission.claim_id == claim.claim_id and submission.status == "pending"
    assert submission.interchange_control_number == "000000001"
    assert submission.x12 == f"837|{claim.claim_id}|000000001|185.00"
    assert claims.store.intakes["E-1"].claim_id == claim.claim_id and claims.store.intakes["E-1"].held_reasons is None
    assert claims.store.events() == []  # building publishes nothing: ClaimSubmitted comes from the dispatcher


async def test_the_claim_keeps_the_cause_of_the_event_that_completed_its_intake() -> None:
    claims = Claims()
    e, cov, cod = parts("E-1")
    await claims.deliver(cod, e, cov)
    [stored] = claims.store.claims.values()
    assert stored.built_by == cov.as_cause() and stored.submitted_by is None


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
async def test_a_claim_is_built_once_whichever_part_arrives_last(order: tuple[int, int, int]) -> None:
    claims = Claims()
    events = parts("E-ORDER")
    await claims.deliver(*(events[i] for i in order))
    assert len(claims.store.claims) == 1 and len(claims.store.submissions) == 1
    assert claims.store.claims[claim_id_for("E-ORDER")].built_by == events[order[-1]].as_cause()


async def test_a_claim_waits_until_every_part_has_arrived() -> None:
    claims = Claims()
    e, cov, _ = parts("E-1")
    await claims.deliver(e, cov)
    assert claims.store.claims == {} and claims.store.submissions == {} and claims.store.events() == []
    assert claims.store.intakes["E-1"].waiting_for == ("coding",)


async def test_inactive_coverage_holds_the_claim_and_says_why_in_claim_held_caused_by_that_answer() -> None:
    claims = Claims()
    e, cov, cod = parts("E-HELD", status="inactive")
    await claims.deliver(e, cod, cov)
    assert claims.store.claims == {} and claims.store.submissions == {}
    reasons = claims.store.intakes["E-HELD"].held_reasons
    assert reasons is not None and "coverage is inactive" in reasons[0]
    [held] = claims.store.events(CLAIM_HELD)
    assert held.payload_as(ClaimHeld) == ClaimHeld(encounter_id="E-HELD", reasons=list(reasons))
    assert held.causation_id == cov.id and held.correlation_id == cov.correlation_id and held.key == "E-HELD"
    assert held.source == "rcm/claims" and trace_id(held.traceparent) == trace_id(cov.traceparent)


async def test_a_code_without_a_chargemaster_price_holds_the_claim_naming_the_code() -> None:
    claims = Claims(prices={"99214": Decimal("265.00")})
    await claims.deliver(*parts("E-PRICE"))
    [held] = claims.store.events(CLAIM_HELD)
    assert held.payload["reasons"] == ["no chargemaster price for code(s) 99213"]
    assert claims.store.claims == {} and claims.store.last_control_number == 0


async def test_a_part_replayed_with_the_same_reasons_does_not_repeat_claim_held() -> None:
    claims = Claims()
    e, cov, cod = parts("E-HELD", status="inactive")
    again = event_of(eligibility_checked("E-HELD", "inactive"), source="rcm/eligibility")  # a new event, same answer
    await claims.deliver(e, cod, cov, again)
    assert len(claims.store.events(CLAIM_HELD)) == 1


async def test_a_held_intake_is_built_when_a_corrected_answer_arrives() -> None:
    claims = Claims()
    e, cov, cod = parts("E-FIX", status="inactive")
    fixed = event_of(eligibility_checked("E-FIX", "active"), source="rcm/eligibility")
    await claims.deliver(e, cod, cov, fixed)
    [stored] = claims.store.claims.values()
    assert stored.built_by == fixed.as_cause()
    assert claims.store.intakes["E-FIX"].held_reasons is None
    assert claims.store.intakes["E-FIX"].claim_id == stored.claim.claim_id


async def test_a_part_arriving_after_the_claim_was_built_changes_nothing() -> None:
    claims = Claims()
    e, cov, cod = parts("E-1")
    recoded = event_of(encounter_coded("E-1", [{"code": "99214", "code_system": "CPT", "diagnosis_pointers": [1]}]),
                       source="rcm/coding")
    await claims.deliver(e, cov, cod, recoded)
    [stored] = claims.store.claims.values()
    assert [ln.code for ln in stored.claim.lines] == ["99213"]
    assert len(claims.store.submissions) == 1 and claims.store.last_control_number == 1
    assert claims.store.events() == [] and claims.store.raw() == []  # a no-op, not a failure dead-lettered


async def test_delivering_the_completing_event_twice_builds_one_claim_with_one_control_number() -> None:
    claims = Claims()
    e, cov, cod = parts("E-1")
    await claims.deliver(e, cov, cod, cod)
    assert len(claims.store.claims) == 1 and len(claims.store.submissions) == 1
    assert claims.store.last_control_number == 1 and claims.writer.rendered == [(claim_id_for("E-1"), 1)]


async def test_delivering_a_holding_event_twice_publishes_one_claim_held() -> None:
    claims = Claims()
    e, cov, cod = parts("E-HELD", status="rejected")
    await claims.deliver(e, cod, cov, cov)
    assert len(claims.store.events(CLAIM_HELD)) == 1


async def test_a_failure_while_queueing_the_claim_rolls_the_whole_part_back_and_dead_letters_it() -> None:
    claims = Claims(writer=StubClaimWriter(fail=RuntimeError("writer broke")))
    e, cov, cod = parts("E-1")
    await claims.deliver(e, cov, cod)
    assert claims.store.claims == {} and claims.store.submissions == {} and claims.store.last_control_number == 0
    assert claims.store.intakes["E-1"].coding is None  # the coding part went with its transaction
    [dead] = claims.store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"RuntimeError"


async def test_two_encounters_get_two_claims_with_distinct_control_numbers() -> None:
    claims = Claims()
    await claims.deliver(*parts("E-1"), *parts("E-2"))
    numbers = sorted(s.interchange_control_number for s in claims.store.submissions.values())
    assert numbers == ["000000001", "000000002"] and len(claims.store.claims) == 2


async def test_each_intake_handler_returns_the_claim_it_built() -> None:
    store = ClaimsStore()
    kw = {"cause": None, "chargemaster": PRICES, "writer": StubClaimWriter()}
    async with FakeClaimsUnitOfWork(store) as uow:
        assert await handlers.record_encounter(record_encounter(encounter_completed("E-1")), uow, **kw) is None
        assert await handlers.record_coding(record_coding(encounter_coded("E-1")), uow, **kw) is None
        claim = await handlers.record_coverage(record_coverage(eligibility_checked("E-1")), uow, **kw)
        await uow.commit()
    assert claim is not None and store.claims[claim.claim_id].claim == claim
    assert store.claims[claim.claim_id].built_by is None  # no cause given: none stored
