"""The PostgreSQL keyring and sealed events through the messaging runtime, on the real broker and
database: one key per patient under concurrency, nothing readable in the key table, shredding and
retention, and what a consumer does with sealed, shredded, unknown and unsealed PHI."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import upgrade_to_head
from rcm_shared.db.tables import messaging_tables
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import new_event
from rcm_shared.messaging import Event, ServiceRuntime, Subscription
from rcm_shared.phi import (
    MemoryKeyring,
    PhiCipher,
    PhiKeyringError,
    PhiKeyShreddedError,
    PhiUnreadableError,
    is_sealed,
)
from rcm_shared.phi.codec import DEAD_LETTER_VALUE_AAD
from rcm_shared.phi.sql import KEYRING_MIGRATIONS, LocalKeyWrapper, SqlKeyring
from rcm_shared.settings import ServiceSettings
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import produce, produce_events, read_topic, wait_for
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic, topic_name
from sqlalchemy import MetaData, text

pytestmark = pytest.mark.integration

MRN = "MRN-KR-3301"
NAME = "Ottoline"
MEMBER = "MBRKR9981"


@pytest_asyncio.fixture()
async def keyring_db(make_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[tuple[str, Database]]:
    url = await make_database("keyring")
    await asyncio.to_thread(upgrade_to_head, KEYRING_MIGRATIONS, url)
    db = Database(url)
    try:
        yield url, db
    finally:
        await db.dispose()


def _ring(db: Database, kek: bytes = b"k" * 32) -> SqlKeyring:
    return SqlKeyring(db, LocalKeyWrapper(kek))


def _encounter(encounter_id: str, mrn: str | None = MRN) -> EncounterCompleted:
    payload = encounter_payload(encounter_id)
    payload["patient"].update(first_name=NAME, mrn=mrn)
    payload["coverage"]["member_id"] = MEMBER
    return EncounterCompleted.model_validate(payload)


async def test_concurrent_first_uses_of_a_patient_get_one_key(keyring_db: tuple[str, Database]) -> None:
    _, db = keyring_db
    rings = [_ring(db) for _ in range(3)]
    keys = await asyncio.gather(*(rings[i % 3].key_for([f"mrn:{MRN}", f"encounter:E-C{i}"]) for i in range(24)))
    assert len({k.kid for k in keys}) == 1
    assert len({k.secret for k in keys}) == 1
    # Every encounter registered on the way finds the same key.
    assert (await rings[0].key_for(["encounter:E-C17"])).kid == keys[0].kid
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM phi_keys"))).scalar_one() == 1
        assert (await conn.execute(text("SELECT count(*) FROM phi_key_subjects"))).scalar_one() == 25


async def test_the_key_table_holds_neither_mrns_nor_plain_keys(keyring_db: tuple[str, Database]) -> None:
    _, db = keyring_db
    key = await _ring(db).key_for([f"mrn:{MRN}"])
    async with db.engine.connect() as conn:
        dump = json.dumps([[str(v) for v in row] for table in ("phi_keys", "phi_key_subjects")
                           for row in (await conn.execute(text(f"SELECT * FROM {table}"))).all()])
        raw = b"".join(bytes(r[0]) for r in (await conn.execute(text("SELECT wrapped FROM phi_keys"))).all())
    assert MRN not in dump and MRN.encode().hex() not in dump
    assert key.secret not in raw, "the data key is stored wrapped by the KEK"


async def test_another_kek_cannot_unwrap_the_keys(keyring_db: tuple[str, Database]) -> None:
    _, db = keyring_db
    key = await _ring(db).key_for(["encounter:E-KEK"])
    with pytest.raises(PhiKeyringError, match="another key-encryption key"):
        await _ring(db, kek=b"z" * 32).get(key.kid)


async def test_shred_leaves_a_tombstone_and_retention_expires_only_unused_keys(
        keyring_db: tuple[str, Database]) -> None:
    _, db = keyring_db
    ring = _ring(db)
    gone = await ring.key_for([f"mrn:{MRN}", "encounter:E-S1"])
    kept = await ring.key_for(["encounter:E-S2"])
    assert await ring.shred("encounter:E-S1") == gone.kid
    assert await ring.shred("encounter:never-seen") is None
    with pytest.raises(PhiKeyShreddedError):
        await ring.get(gone.kid)
    with pytest.raises(PhiKeyShreddedError):
        await ring.key_for([f"mrn:{MRN}"])
    with pytest.raises(PhiUnreadableError, match="unknown"):
        await ring.get("00000000-0000-0000-0000-000000000000")
    assert await ring.expire(unused_since=datetime.now(UTC) - timedelta(days=1)) == []
    assert await ring.expire(unused_since=datetime.now(UTC) + timedelta(minutes=1)) == [kept.kid]
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT kid, wrapped IS NULL, shredded_at IS NOT NULL FROM phi_keys"))).all()
    assert sorted((str(k), a, b) for k, a, b in rows) == sorted([(gone.kid, True, True), (kept.kid, True, True)])


async def test_a_key_linked_to_a_patients_key_is_shredded_with_it(keyring_db: tuple[str, Database]) -> None:
    _, db = keyring_db
    ring = _ring(db)
    patient = await ring.key_for([f"mrn:{MRN}", "encounter:E-L1", "claim:C-L1"])
    other = await ring.key_for(["encounter:E-L2", "claim:C-L2"])
    file_key = await ring.key_for(["file:835-L"], linked_to=["claim:C-L1", "claim:C-L2", "claim:C-UNKNOWN"])
    again = await ring.key_for(["file:835-L"], linked_to=["claim:C-L1"])  # idempotent
    assert again.kid == file_key.kid
    async with db.engine.connect() as conn:
        links = (await conn.execute(text("SELECT kid, depends_on FROM phi_key_links"))).all()
    expected = sorted([(file_key.kid, patient.kid), (file_key.kid, other.kid)])
    assert sorted((str(a), str(b)) for a, b in links) == expected
    await ring.shred("claim:C-L1")
    for kid in (patient.kid, file_key.kid):
        with pytest.raises(PhiKeyShreddedError):
            await ring.get(kid)
    assert (await ring.get(other.kid)).secret == other.secret


# ---------------------------------------------------------------- sealed events through the runtime
metadata = MetaData()
messaging = messaging_tables(metadata)
SEEN: dict[str, str] = {}


async def on_encounter(event: Event[EncounterCompleted], uow: UnitOfWork) -> None:
    SEEN[event.payload.encounter_id] = event.payload.patient.first_name
    checked = EligibilityChecked(encounter_id=event.payload.encounter_id, payer_id="P1",
                                 member_id=event.payload.coverage.member_id,
                                 date_of_service=event.payload.date_of_service, status="active",
                                 checked_at=datetime.now(UTC))
    await uow.publish(Topic.ELIGIBILITY_EVENTS, checked, cause=event.envelope, key=event.payload.encounter_id)


@pytest_asyncio.fixture()
async def runtime(endpoints: Endpoints, namespace: str, make_database: Callable[[str], Awaitable[str]],
                  keyring_db: tuple[str, Database], request: pytest.FixtureRequest,
                  ) -> AsyncIterator[ServiceRuntime[UnitOfWork]]:
    url = await make_database("sealed")
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    settings = ServiceSettings(kafka_bootstrap_servers=endpoints.kafka_bootstrap, database_url=url,
                               topic_namespace=namespace, topic_partitions=1, keyring_database_url=keyring_db[0],
                               phi_key_cache_ttl_s=0,
                               phi_plaintext_input=getattr(request, "param", "accept"))
    sub = Subscription(name="sealed", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter})
    rt: ServiceRuntime[UnitOfWork] = ServiceRuntime(unit_of_work=UnitOfWork, service="eligibility",
                                                    settings=settings, db=db, tables=messaging, subscriptions=[sub])
    await rt.start()
    try:
        yield rt
    finally:
        await rt.stop()
        await db.dispose()


async def _sealed_event(rt: ServiceRuntime[UnitOfWork], encounter_id: str, mrn: str | None = MRN) -> Any:
    model = _encounter(encounter_id, mrn)
    event = new_event(ENCOUNTER_COMPLETED, model, source="rcm/ehr-integration", correlation_id=encounter_id)
    return event.model_copy(update={"payload": await rt.phi.seal_payload(model, event.payload)})


async def test_a_sealed_encounter_is_processed_and_what_it_causes_is_sealed_too(
        runtime: ServiceRuntime[UnitOfWork], namespace: str, endpoints: Endpoints) -> None:
    event = await _sealed_event(runtime, "E-SEAL-1")
    assert NAME not in json.dumps(event.payload)
    await produce_events(endpoints.kafka_bootstrap, topic_name(Topic.ENCOUNTERS, namespace), [event])
    await wait_for(lambda: _true(SEEN.get("E-SEAL-1") == NAME), what="the handler seeing the opened name")
    [out] = await read_topic(endpoints.kafka_bootstrap, topic_name(Topic.ELIGIBILITY_EVENTS, namespace), expect=1)
    payload = json.loads(out.value)
    assert is_sealed(payload["member_id"]) and MEMBER.encode() not in out.value
    assert payload["member_id"]["kid"] == event.payload["patient"]["kid"], "the patient's key, found by encounter"
    assert (await runtime.phi.open_payload(payload))["member_id"] == MEMBER


async def test_a_shredded_patient_is_skipped_and_an_unknown_key_is_dead_lettered(
        runtime: ServiceRuntime[UnitOfWork], namespace: str, endpoints: Endpoints) -> None:
    shredded = await _sealed_event(runtime, "E-SHRED-1", mrn="MRN-GONE-1")
    await runtime.phi.keyring.shred("mrn:MRN-GONE-1")
    # Sealed with another deployment's keyring: its key id means nothing here.
    model = _encounter("E-STRANGER-1", "MRN-STRANGER-1")
    stranger = new_event(ENCOUNTER_COMPLETED, model, source="rcm/ehr-integration", correlation_id="E-STRANGER-1")
    unknown = stranger.model_copy(update={
        "payload": await PhiCipher(MemoryKeyring()).seal_payload(model, stranger.payload)})
    after = await _sealed_event(runtime, "E-AFTER-1")
    topic = topic_name(Topic.ENCOUNTERS, namespace)
    await produce_events(endpoints.kafka_bootstrap, topic, [shredded, unknown, after])
    await wait_for(lambda: _true("E-AFTER-1" in SEEN), what="the event after the shredded and unknown ones")
    assert "E-SHRED-1" not in SEEN and "E-STRANGER-1" not in SEEN
    assert runtime.metrics.shredded.labels("eligibility", topic, ENCOUNTER_COMPLETED)._value.get() == 1
    [dead] = await read_topic(endpoints.kafka_bootstrap, topic_name(Topic.DLQ_ELIGIBILITY, namespace), expect=1)
    headers = {n: v.decode() for n, v in dead.headers}
    assert headers["dlq_error_type"] == "PhiUnreadableError" and "unknown to this keyring" in headers["dlq_reason"]
    assert NAME not in headers["dlq_reason"]


@pytest.mark.parametrize("runtime", ["refuse"], indirect=True)
async def test_unsealed_phi_is_refused_naming_the_fields_when_the_edge_must_seal(
        runtime: ServiceRuntime[UnitOfWork], namespace: str, endpoints: Endpoints) -> None:
    plain = new_event(ENCOUNTER_COMPLETED, _encounter("E-PLAIN-1"), source="rcm/test", correlation_id="E-PLAIN-1")
    topic = topic_name(Topic.ENCOUNTERS, namespace)
    await produce(endpoints.kafka_bootstrap, topic, [plain.to_kafka()])
    [dead] = await read_topic(endpoints.kafka_bootstrap, topic_name(Topic.DLQ_ELIGIBILITY, namespace), expect=1)
    headers = {n: v.decode() for n, v in dead.headers}
    assert headers["dlq_error_type"] == "PlaintextPhi"
    assert "coverage.member_id" in headers["dlq_reason"] and "patient" in headers["dlq_reason"]
    assert NAME not in headers["dlq_reason"] and "E-PLAIN-1" not in SEEN


async def _true(value: bool) -> bool:
    return value


async def test_a_dead_letter_that_may_hold_unsealed_phi_is_sealed_with_its_encounters_key(
        runtime: ServiceRuntime[UnitOfWork], namespace: str, endpoints: Endpoints) -> None:
    plain = new_event(ENCOUNTER_COMPLETED, _encounter("E-DLQ-1"), source="rcm/test", correlation_id="E-DLQ-1")
    key, value, headers = plain.to_kafka()
    broken = value.replace(b'"date_of_service":"', b'"date_of_service":"not-a-date-')  # fails validation
    sealed_event = await _sealed_event(runtime, "E-DLQ-2")
    k2, v2, h2 = sealed_event.to_kafka()
    v2 = v2.replace(b'"place_of_service":"11"', b'"place_of_service":"1"')  # invalid, but its PHI is sealed
    await produce(endpoints.kafka_bootstrap, topic_name(Topic.ENCOUNTERS, namespace),
                  [(key, broken, headers), (k2, v2, h2)])
    dead = await read_topic(endpoints.kafka_bootstrap, topic_name(Topic.DLQ_ELIGIBILITY, namespace), expect=2)
    by_key = {r.key: r for r in dead}
    first, second = by_key[b"E-DLQ-1"], by_key[b"E-DLQ-2"]
    assert dict(first.headers)["dlq_value_sealed"] == b"A256GCM.v1"
    assert NAME.encode() not in first.value and MEMBER.encode() not in first.value
    assert await runtime.phi.open_bytes(first.value, aad=DEAD_LETTER_VALUE_AAD) == broken
    assert "dlq_value_sealed" not in dict(second.headers) and second.value == v2, "already sealed: kept as it was"
    # The dead letter is sealed with the encounter's (so the patient's) key: a shred reaches it.
    await runtime.phi.keyring.shred("encounter:E-DLQ-1")
    with pytest.raises(PhiKeyShreddedError):
        await runtime.phi.open_bytes(first.value, aad=DEAD_LETTER_VALUE_AAD)


async def test_services_starting_together_create_the_development_keyring_database_once(
        endpoints: Endpoints) -> None:
    from rcm_shared.db.admin import drop_database, ensure_database

    name = f"keys_race_{os.getpid()}"
    try:
        urls = await asyncio.gather(*(ensure_database(endpoints.database_url, name) for _ in range(8)))
        assert len(set(urls)) == 1
    finally:
        await drop_database(endpoints.database_url, name)


async def test_a_key_the_kek_cannot_unwrap_pauses_the_consumer_instead_of_dead_lettering(
        runtime: ServiceRuntime[UnitOfWork], namespace: str, endpoints: Endpoints,
        keyring_db: tuple[str, Database]) -> None:
    # Sealed by an edge holding another PHI_KEK: a deployment fault, not the message's.
    model = _encounter("E-KEK-1", "MRN-KEK-1")
    event = new_event(ENCOUNTER_COMPLETED, model, source="rcm/ehr-integration", correlation_id="E-KEK-1")
    foreign = PhiCipher(_ring(keyring_db[1], kek=b"q" * 32))
    event = event.model_copy(update={"payload": await foreign.seal_payload(model, event.payload)})
    await produce_events(endpoints.kafka_bootstrap, topic_name(Topic.ENCOUNTERS, namespace), [event])
    runner = runtime.consumers[0]
    await wait_for(lambda: _true(runner.paused is not None and "keyring" in runner.paused.reason),
                   what="the consumer pausing on the keyring", timeout_s=30)
    assert "E-KEK-1" not in SEEN
    assert await read_topic(endpoints.kafka_bootstrap, topic_name(Topic.DLQ_ELIGIBILITY, namespace), expect=1,
                            timeout_s=3) == [], "no dead letter for a misconfigured keyring"
    readiness = await runtime.readiness()
    assert readiness["consumer:sealed"].startswith("paused"), readiness


async def test_services_starting_together_migrate_a_fresh_keyring_database_once(
        endpoints: Endpoints, make_database: Callable[[str], Awaitable[str]]) -> None:
    import sys

    url = await make_database("keys_migrate")
    # Separate processes, as the services are (Alembic's context is process-global, not thread-safe).
    code = ("from rcm_shared.phi.setup import prepare_keyring; from rcm_shared.settings import ServiceSettings; "
            f"prepare_keyring(ServiceSettings(kafka_bootstrap_servers='k:1', database_url={url!r}, "
            f"keyring_database_url={url!r}))")
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", code) for _ in range(6)]
    assert [await p.wait() for p in procs] == [0] * 6
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            version = (await conn.execute(text("SELECT version_num FROM alembic_version_keyring"))).scalars().all()
    finally:
        await db.dispose()
    assert version == ["k0002"]
