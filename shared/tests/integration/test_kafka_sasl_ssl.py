"""A service authenticates to Kafka over SASL_SSL: a private broker (a local stack in a temporary
home on free ports, never the shared one) whose only client listener is SASL_SSL with SCRAM-SHA-512
and a certificate from a CA made here. The service's runtime consumes an event and publishes one
through it; a wrong password, a CA the client does not trust and a PLAINTEXT client are refused."""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaConnectionError
from rcm_devstack import LocalStack, StackPorts
from rcm_devstack.kafka import KafkaSecurity as BrokerSecurity
from rcm_devstack.kafka import ScramUser
from rcm_devstack.layout import StackLayout, default_home
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.database import Database
from rcm_shared.db.tables import messaging_tables
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import new_event
from rcm_shared.messaging import Event, ServiceRuntime, Subscription
from rcm_shared.messaging.kafka_security import KafkaSecurity, kafka_client_options
from rcm_shared.settings import ServiceSettings
from rcm_shared.testing.kafka import wait_for
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.testing.tls import CertificateAuthority
from rcm_shared.topics import Topic, topic_name
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

BROKER_USER = ScramUser("broker", f"broker-{secrets.token_hex(12)}")
SERVICE_USER = ScramUser("rcm-coding", f"coding-{secrets.token_hex(12)}")
ECHO = "rcm.test.echo"

metadata = MetaData()
messaging = messaging_tables(metadata)
effects = Table("effects", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("encounter_id", String(40), nullable=False))


@dataclass(frozen=True)
class SecureBroker:
    bootstrap: str
    ca: Path  # the CA that signed the broker's certificate
    stranger_ca: Path  # a CA that signed nothing the broker shows


def _share_kafka_jars(home: Path) -> None:
    # The private home uses the default home's jar cache: one Maven resolve serves every run.
    theirs = StackLayout(default_home()).kafka_libs_root
    theirs.mkdir(parents=True, exist_ok=True)
    ours = StackLayout(home).kafka_libs_root
    ours.parent.mkdir(parents=True, exist_ok=True)
    ours.symlink_to(theirs, target_is_directory=True)


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory,
                  free_ports: Callable[[int], list[int]]) -> Iterator[SecureBroker]:
    home = tmp_path_factory.mktemp("rcm-sasl-ssl")
    pki = home / "pki"
    ca = CertificateAuthority.create(pki)
    stranger = CertificateAuthority.create(pki, "stranger CA")
    certificate = ca.issue(pki, "broker")  # for 127.0.0.1 and localhost
    _share_kafka_jars(home)
    kafka, controller, postgres = free_ports(3)
    security = BrokerSecurity("SASL_SSL", keystore=certificate.keystore, truststore=ca.certificate,
                              mechanism="SCRAM-SHA-512", users=(BROKER_USER, SERVICE_USER))
    stack = LocalStack(home, ports=StackPorts(kafka=kafka, kafka_controller=controller, postgres=postgres),
                       kafka_security=security)
    try:
        endpoints = stack.up(timeout=240)
        yield SecureBroker(endpoints.kafka_bootstrap, ca.certificate, stranger.certificate)
    finally:
        stack.down()


def _settings(broker: SecureBroker, database_url: str, namespace: str, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": broker.bootstrap, "database_url": database_url, "topic_namespace": namespace,
        "topic_partitions": 1, "kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": SERVICE_USER.name, "kafka_sasl_password": SERVICE_USER.password,
        "kafka_ssl_cafile": str(broker.ca), **overrides,
    }
    return ServiceSettings(**values)


async def on_encounter(event: Event[EncounterCompleted], uow: UnitOfWork) -> None:
    await uow.session.execute(insert(effects).values(encounter_id=event.payload.encounter_id))
    echo = event.envelope.caused(ECHO, {"encounter_id": event.payload.encounter_id}, source="rcm/test")
    await uow.publish_envelope(Topic.CODING_EVENTS, echo)


@dataclass
class Secured:
    runtime: ServiceRuntime[UnitOfWork]
    db: Database
    settings: ServiceSettings


@pytest_asyncio.fixture()
async def secured_runtime(secure_broker: SecureBroker, namespace: str,
                          make_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[Secured]:
    url = await make_database("sasl")
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    settings = _settings(secure_broker, url, namespace)
    sub = Subscription(name="tls", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter})
    runtime: ServiceRuntime[UnitOfWork] = ServiceRuntime(unit_of_work=UnitOfWork, service="coding",
                                                         settings=settings, db=db, tables=messaging,
                                                         subscriptions=[sub])
    await runtime.start()
    try:
        yield Secured(runtime, db, settings)
    finally:
        await runtime.stop()
        await db.dispose()


async def _effects(db: Database, encounter_id: str) -> int:
    async with db.session() as s:
        q = select(func.count()).select_from(effects).where(effects.c.encounter_id == encounter_id)
        return int((await s.execute(q)).scalar_one())


async def _read(bootstrap: str, topic: str, options: dict[str, Any], timeout_s: float = 20) -> list[
        ConsumerRecord[Any, Any]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"reader-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest", enable_auto_commit=False, **options)
    await consumer.start()
    out: list[ConsumerRecord[Any, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not out and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                out.extend(records)
    finally:
        await consumer.stop()
    return out


async def test_a_service_runtime_authenticates_over_sasl_ssl_consumes_an_event_and_publishes_one(
        secured_runtime: Secured, secure_broker: SecureBroker) -> None:
    settings = secured_runtime.settings
    options = kafka_client_options(settings.kafka_security)
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "SCRAM-SHA-512"
    payload = EncounterCompleted.model_validate(encounter_payload("E-TLS-1"))
    key, value, headers = new_event(ENCOUNTER_COMPLETED, payload, source="rcm/test",
                                    correlation_id="E-TLS-1").to_kafka()
    producer = AIOKafkaProducer(bootstrap_servers=secure_broker.bootstrap, acks="all", **options)
    await producer.start()
    try:
        await producer.send_and_wait(topic_name(Topic.ENCOUNTERS, settings.topic_namespace), value=value, key=key,
                                     headers=headers)
    finally:
        await producer.stop()

    async def consumed() -> bool:
        return await _effects(secured_runtime.db, "E-TLS-1") == 1

    await wait_for(consumed, timeout_s=60, what="the runtime's consumer to process the event over SASL_SSL")
    echoes = await _read(secure_broker.bootstrap, topic_name(Topic.CODING_EVENTS, settings.topic_namespace),
                         options)
    assert [r.key for r in echoes] == [b"E-TLS-1"], "the relay published the caused event over SASL_SSL"
    assert (await secured_runtime.runtime.readiness())["kafka"] == "ok"


async def _connects(broker: SecureBroker, security: KafkaSecurity) -> bool:
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=10_000,
                                **kafka_client_options(security))
    try:
        await producer.start()
        return True
    except KafkaConnectionError:
        return False
    finally:
        await producer.stop()


async def test_a_wrong_scram_password_is_refused(secure_broker: SecureBroker, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(secure_broker, "postgresql://rcm@db/rcm", "refused",
                         kafka_sasl_password=f"{SERVICE_USER.password}-wrong")
    with caplog.at_level(logging.ERROR, logger="aiokafka"):
        assert not await _connects(secure_broker, settings.kafka_security)
    assert "SaslAuthenticationFailed" in caplog.text


async def test_a_broker_certificate_from_a_ca_the_client_does_not_trust_is_refused(
        secure_broker: SecureBroker, caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(secure_broker, "postgresql://rcm@db/rcm", "refused",
                         kafka_ssl_cafile=str(secure_broker.stranger_ca))
    with caplog.at_level(logging.ERROR, logger="aiokafka"):
        assert not await _connects(secure_broker, settings.kafka_security)
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text


async def test_a_plaintext_client_cannot_use_the_sasl_ssl_listener(secure_broker: SecureBroker) -> None:
    assert not await _connects(secure_broker, KafkaSecurity(protocol="PLAINTEXT"))
    # Nor TLS without SASL: the listener wants both.
    assert not await _connects(secure_broker, KafkaSecurity(protocol="SSL", ssl_cafile=str(secure_broker.ca)))
