"""The messaging runtime on a real Kafka broker and a real PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.database import Database
from rcm_shared.db.tables import messaging_tables
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import new_event
from rcm_shared.messaging import Event, PermanentError, ServiceRuntime, Subscription
from rcm_shared.phi.codec import DEAD_LETTER_VALUE_AAD, SEALED
from rcm_shared.settings import ServiceSettings
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import produce, produce_events, read_topic, wait_for
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic, topic_name
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, text

pytestmark = pytest.mark.integration

metadata = MetaData()
messaging = messaging_tables(metadata)
effects = Table("effects", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("encounter_id", String(40), nullable=False))

ECHO = "rcm.test.echo"


class Harness:
    def __init__(self, runtime: ServiceRuntime, db: Database, bootstrap: str, namespace: str) -> None:
        self.runtime, self.db, self.bootstrap, self.namespace = runtime, db, bootstrap, namespace

    def topic(self, t: Topic) -> str:
        return topic_name(t, self.namespace)

    async def effect_count(self, encounter_id: str | None = None) -> int:
        async with self.db.session() as s:
            q = select(func.count()).select_from(effects)
            if encounter_id:
                q = q.where(effects.c.encounter_id == encounter_id)
            return int((await s.execute(q)).scalar_one())

    async def inbox_count(self) -> int:
        async with self.db.session() as s:
            return int((await s.execute(select(func.count()).select_from(messaging.inbox))).scalar_one())


async def on_encounter(event: Event[EncounterCompleted], uow: UnitOfWork) -> None:
    if event.payload.documentation.note_text == "raise permanent":
        raise PermanentError("documentation says so: permanent failure for the test")
    if event.payload.documentation.note_text == "raise always":
        raise RuntimeError("simulated bug")
    await uow.session.execute(insert(effects).values(encounter_id=event.payload.encounter_id))
    echo = event.envelope.caused(ECHO, {"encounter_id": event.payload.encounter_id}, source="rcm/test")
    await uow.publish_envelope(Topic.CODING_EVENTS, echo)


@pytest_asyncio.fixture()
async def harness(endpoints: Endpoints, namespace: str,
                  make_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[Harness]:
    url = await make_database("runtime")
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    settings = ServiceSettings(kafka_bootstrap_servers=endpoints.kafka_bootstrap, database_url=url,
                               topic_namespace=namespace, topic_partitions=3, handler_max_attempts=3,
                               retry_backoff_initial_ms=10, retry_backoff_max_ms=50)
    sub = Subscription(name="test", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter})
    runtime = ServiceRuntime(unit_of_work=UnitOfWork, service="coding", settings=settings, db=db, tables=messaging,
                             subscriptions=[sub])
    await runtime.start()
    try:
        yield Harness(runtime, db, endpoints.kafka_bootstrap, namespace)
    finally:
        await runtime.stop()
        await db.dispose()


def encounter_event(encounter_id: str, **overrides: Any) -> Any:
    payload = EncounterCompleted.model_validate(encounter_payload(encounter_id, **overrides))
    return new_event(ENCOUNTER_COMPLETED, payload, source="rcm/test", correlation_id=encounter_id)


async def test_the_same_event_delivered_twice_has_one_effect(harness: Harness) -> None:
    event = encounter_event("E-DUP-1")
    topic = harness.topic(Topic.ENCOUNTERS)
    await produce_events(harness.bootstrap, topic, [event, event])
    await produce_events(harness.bootstrap, topic, [event, encounter_event("E-DUP-2")])

    async def second_seen() -> bool:
        return await harness.effect_count("E-DUP-2") == 1

    await wait_for(second_seen, what="the event after the duplicates")
    assert await harness.effect_count("E-DUP-1") == 1
    echoes = await read_topic(harness.bootstrap, harness.topic(Topic.CODING_EVENTS), expect=3, timeout_s=8)
    assert sorted(r.key for r in echoes) == [b"E-DUP-1", b"E-DUP-2"]
    dup = harness.runtime.metrics.duplicates.labels("coding", topic, ENCOUNTER_COMPLETED)._value.get()
    assert dup == 2


async def test_a_malformed_event_is_dead_lettered_with_its_reason_and_the_next_is_processed(harness: Harness) -> None:
    topic = harness.topic(Topic.ENCOUNTERS)
    bad_payload = encounter_event("E-BAD-NPI")
    key, value, headers = bad_payload.to_kafka()
    data = json.loads(value)
    good_npi = data["rendering_provider"]["npi"]
    data["rendering_provider"]["npi"] = good_npi[:9] + str((int(good_npi[9]) + 1) % 10)  # breaks the Luhn check
    value = json.dumps(data).encode()
    await produce(harness.bootstrap, topic, [(b"E-GARBAGE", b"not json at all", []), (key, value, headers)])
    await produce_events(harness.bootstrap, topic, [encounter_event("E-GOOD")])

    async def good_seen() -> bool:
        return await harness.effect_count("E-GOOD") == 1

    await wait_for(good_seen, what="the good event after two bad ones")
    dead = await read_topic(harness.bootstrap, harness.topic(Topic.DLQ_CODING), expect=2, timeout_s=15)
    assert len(dead) == 2
    by_key = {r.key: dict((n, v.decode()) for n, v in r.headers) for r in dead}
    garbage = by_key[b"E-GARBAGE"]
    assert "missing CloudEvents header" in garbage["dlq_reason"]
    assert garbage["dlq_original_topic"] == topic
    assert garbage["dlq_service"] == "coding"
    assert garbage["dlq_original_offset"].isdigit()
    npi = by_key[b"E-BAD-NPI"]
    assert npi["dlq_error_type"] == "ValidationError"
    assert "rendering_provider.npi" in npi["dlq_reason"] and "check digit" in npi["dlq_reason"]
    assert data["rendering_provider"]["npi"] not in npi["dlq_reason"], "reasons never echo input values"
    assert await harness.effect_count("E-BAD-NPI") == 0


async def test_a_permanent_error_dead_letters_at_once_and_a_bug_after_bounded_retries(harness: Harness) -> None:
    topic = harness.topic(Topic.ENCOUNTERS)
    perm = encounter_event("E-PERM", documentation={"note_text": "raise permanent"})
    bug = encounter_event("E-BUG", documentation={"note_text": "raise always"})
    await produce_events(harness.bootstrap, topic, [perm, bug, encounter_event("E-AFTER")])

    async def after_seen() -> bool:
        return await harness.effect_count("E-AFTER") == 1

    await wait_for(after_seen, what="the event after the failing ones")
    dead = await read_topic(harness.bootstrap, harness.topic(Topic.DLQ_CODING), expect=2, timeout_s=15)
    headers = {r.key: dict((n, v.decode()) for n, v in r.headers) for r in dead}
    assert headers[b"E-PERM"]["dlq_attempts"] == "1"
    assert headers[b"E-PERM"]["dlq_error_type"] == "PermanentError"
    assert headers[b"E-BUG"]["dlq_attempts"] == "3"
    # A bug's reason names its type and where it was raised, never its message (it may quote input).
    assert headers[b"E-BUG"]["dlq_reason"].startswith("RuntimeError at test_messaging_runtime.py:")
    assert "simulated bug" not in headers[b"E-BUG"]["dlq_reason"]
    assert headers[b"E-BUG"]["ce_id"] == str(bug.id), "the dead letter keeps the original headers"


async def test_events_emitted_by_a_handler_carry_causation_and_trace(harness: Harness) -> None:
    event = encounter_event("E-TRACE")
    await produce_events(harness.bootstrap, harness.topic(Topic.ENCOUNTERS), [event])
    echoes = await read_topic(harness.bootstrap, harness.topic(Topic.CODING_EVENTS), expect=1, timeout_s=30)
    assert len(echoes) == 1
    h = dict((n, v.decode()) for n, v in echoes[0].headers)
    assert h["ce_causationid"] == str(event.id)
    assert h["ce_correlationid"] == "E-TRACE"
    assert h["ce_traceparent"].split("-")[1] == event.traceparent.split("-")[1]  # type: ignore[union-attr]
    assert h["ce_traceparent"] != event.traceparent


async def test_readiness_reports_kafka_and_database(harness: Harness) -> None:
    checks = await harness.runtime.readiness()
    assert checks == {"database": "ok", "kafka": "ok", "tasks": "ok", "restarts": "ok", "consumer:test": "ok",
                      "relay": "ok", "outbox": "ok", "outbox_refused": "ok"}


async def test_readiness_names_a_consumer_paused_on_a_dependency_and_a_stale_outbox(harness: Harness) -> None:
    from rcm_shared.messaging.consumer import Paused

    [runner] = harness.runtime.consumers
    runner.paused = Paused(reason="DBAPIError (CannotConnectNowError, SQLSTATE 57P03)", since=0.0)
    async with harness.db.session() as s, s.begin():
        await s.execute(insert(messaging.outbox).values(
            event_id="stale-1", event_type="t", topic=harness.topic(Topic.CODING_EVENTS), key=b"k", headers=[],
            value=b"{}", created_at=func.now() - text("interval '10 minutes'"), publish_error="RecordTooLargeError"))
    checks = await harness.runtime.readiness()
    runner.paused = None
    assert checks["consumer:test"].startswith("paused") and "57P03" in checks["consumer:test"]
    assert checks["outbox_refused"] == "1 row(s) refused by Kafka for good"


async def test_a_dead_letter_keeps_nul_bytes_non_utf8_headers_and_a_null_value_byte_for_byte(
    harness: Harness,
) -> None:
    topic = harness.topic(Topic.ENCOUNTERS)
    nested = b"[" * 50_000 + b"]" * 50_000
    records: list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]] = [
        (b"K\x00NUL", b"{\"a\": \"\\u0000\"}", [("ce_id", b"\x00"), ("h\xe9", b"\xff\xfe\x00")]),
        (b"\xff\xfe", None, [("ce_type", b"\xc3\x28")]),
        (b"DEEP", nested, encounter_event("E-DEEP").to_kafka()[2]),
    ]
    await produce(harness.bootstrap, topic, records)
    await produce_events(harness.bootstrap, topic, [encounter_event("E-AFTER-POISON")])

    async def good_seen() -> bool:
        return await harness.effect_count("E-AFTER-POISON") == 1

    await wait_for(good_seen, what="the good event after three poison records")
    dead = await read_topic(harness.bootstrap, harness.topic(Topic.DLQ_CODING), expect=3, timeout_s=15)
    by_key = {r.key: r for r in dead}
    assert set(by_key) == {b"K\x00NUL", b"\xff\xfe", b"DEEP"}
    first = by_key[b"K\x00NUL"]
    # Values that might hold unsealed PHI are sealed whole on the dead-letter topic, byte for byte inside.
    assert dict(first.headers)["dlq_value_sealed"] == SEALED.encode() and b"\\u0000" not in first.value
    assert await harness.runtime.phi.open_bytes(first.value, aad=DEAD_LETTER_VALUE_AAD) == records[0][1]
    assert list(first.headers)[:2] == records[0][2]
    second = dict(by_key[b"\xff\xfe"].headers)
    assert second["ce_type"] == b"\xc3\x28" and second["dlq_original_value_null"] == b"true"
    assert await harness.runtime.phi.open_bytes(by_key[b"DEEP"].value, aad=DEAD_LETTER_VALUE_AAD) == nested
    assert b"nests deeper" in dict(by_key[b"DEEP"].headers)["dlq_reason"]
    assert harness.runtime.task_restarts == {}, "no consumer restarted on a poison record"


async def test_readiness_reports_a_loop_that_keeps_crashing(harness: Harness) -> None:
    # task_restarts used to be counted but shown nowhere: a crash-looping loop looked ready.
    import asyncio

    from rcm_shared.messaging.runtime import NamedWorker

    crashes = 0

    async def broken(stop: asyncio.Event) -> None:
        nonlocal crashes
        crashes += 1
        raise RuntimeError("simulated bug in a loop")

    harness.runtime.workers.append(NamedWorker("broken", broken))
    harness.runtime._spawn("worker:broken", broken)

    async def restarted() -> bool:
        return crashes >= 2

    await wait_for(restarted, what="the broken loop to be restarted")
    checks = await harness.runtime.readiness()
    assert checks["restarts"].startswith("crash-looping: worker:broken ("), checks
