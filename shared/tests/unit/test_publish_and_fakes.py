"""The one way to emit an event, and the in-memory unit of work handlers are tested on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from rcm_shared.contracts.claims import CLAIM_HELD, ClaimHeld
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.uow import build_event
from rcm_shared.envelope import Cause, new_event
from rcm_shared.messaging import Event, PermanentError, Subscription
from rcm_shared.testing.fakes import InMemoryStore, InMemoryUnitOfWork, deliver
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id


def test_an_event_caused_by_another_continues_its_chain_and_trace() -> None:
    cause = new_event(ENCOUNTER_COMPLETED, encounter_payload("E1"), source="hospital", correlation_id="E1")
    held = build_event(ClaimHeld(encounter_id="E1", reasons=["x"]), source="rcm/claims", cause=cause, key="E1")
    assert held.type == CLAIM_HELD
    assert held.causation_id == cause.id
    assert held.correlation_id == "E1"
    assert trace_id(held.traceparent) == trace_id(cause.traceparent)
    assert held.traceparent != cause.traceparent  # a new span in the same trace


def test_an_untraced_cause_gives_every_reaction_the_same_trace() -> None:
    cause = Cause(event_id=uuid.uuid4(), correlation_id="E2", traceparent=None)
    a = build_event(ClaimHeld(encounter_id="E2", reasons=["a"]), source="rcm/claims", cause=cause, key="E2")
    b = build_event(ClaimHeld(encounter_id="E2", reasons=["b"]), source="rcm/coding", cause=cause, key="E2")
    assert trace_id(a.traceparent) == trace_id(b.traceparent) == cause.event_id.hex


def test_a_stored_cause_round_trips_through_json() -> None:
    cause = Cause(event_id=uuid.uuid4(), correlation_id="E3", traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01")
    assert Cause.from_json(cause.to_json()) == cause
    with pytest.raises(ValueError, match="event_id"):
        Cause.from_json({"correlation_id": "E3"})


def test_without_a_cause_an_event_starts_its_own_chain() -> None:
    event = build_event(ClaimHeld(encounter_id="E4", reasons=["r"]), source="rcm/claims", cause=None, key="E4")
    assert event.causation_id is None and event.correlation_id == "E4" and trace_id(event.traceparent)


def test_a_payload_outside_the_contract_is_refused() -> None:
    from pydantic import BaseModel

    class NotAnEvent(BaseModel):
        x: int = 1

    with pytest.raises(TypeError, match="NotAnEvent"):
        build_event(NotAnEvent(), source="rcm/x", cause=None, key="k")


@dataclass
class CounterStore(InMemoryStore):
    effects: list[str] = field(default_factory=list)


class CounterUnitOfWork(InMemoryUnitOfWork[CounterStore]):
    pass


async def test_changes_and_events_are_kept_only_on_commit() -> None:
    store = CounterStore()
    async with CounterUnitOfWork(store) as uow:
        uow.state.effects.append("lost")
        await uow.publish(Topic.CLAIMS_EVENTS, ClaimHeld(encounter_id="E5", reasons=["r"]), cause=None, key="E5")
    assert store.effects == [] and store.events() == []
    async with CounterUnitOfWork(store) as uow:
        uow.state.effects.append("kept")
        await uow.publish(Topic.CLAIMS_EVENTS, ClaimHeld(encounter_id="E5", reasons=["r"]), cause=None, key="E5")
        await uow.commit()
    assert store.effects == ["kept"] and len(store.events()) == 1 and store.commits == 1


def _subscription(fail: type[Exception] | None = None) -> Subscription[CounterUnitOfWork]:
    async def on_encounter(event: Event[EncounterCompleted], uow: CounterUnitOfWork) -> None:
        uow.state.effects.append(event.payload.encounter_id)
        if fail is not None:
            raise fail("cannot handle this encounter")

    return Subscription(name="t", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter})


async def test_delivering_the_same_event_twice_has_one_effect() -> None:
    store = CounterStore()
    event = new_event(ENCOUNTER_COMPLETED, encounter_payload("E6"), source="hospital", correlation_id="E6")
    for _ in range(2):
        await deliver(_subscription(), event, lambda: CounterUnitOfWork(store), topic=Topic.ENCOUNTERS)
    assert store.effects == ["E6"]


async def test_a_permanent_error_dead_letters_and_rolls_the_effect_back() -> None:
    store = CounterStore()
    event = new_event(ENCOUNTER_COMPLETED, encounter_payload("E7"), source="hospital", correlation_id="E7")
    await deliver(_subscription(PermanentError), event, lambda: CounterUnitOfWork(store), topic=Topic.ENCOUNTERS)
    assert store.effects == []
    [dead] = store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"PermanentError"
