"""Redrive against the real broker: a hand-written dead letter goes back to its original
topic under a new id, once; a second redrive is refused by the ledger."""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer
from rcm_cli.main import app
from rcm_cli.redrive import LEDGER_TOPIC, read_ledger, read_topic, redrive, redrive_event_id
from rcm_shared.envelope import new_event
from rcm_shared.messaging.admin import ensure_topics
from rcm_shared.testing.endpoints import Endpoints
from typer.testing import CliRunner

pytestmark = pytest.mark.integration


async def test_dead_letter_is_redriven_once_with_new_id_causation_and_identical_bytes(
    endpoints: Endpoints, namespace: str,
) -> None:
    bootstrap = endpoints.kafka_bootstrap
    await ensure_topics(bootstrap, namespace, partitions=3, replication_factor=1)
    event = new_event("rcm.encounter.completed", {"encounter_id": "E-77", "note": "x"}, source="test",
                      correlation_id="E-77")
    key, value, headers = event.to_kafka()
    headers = [*headers, ("x-opaque", b"caf\xc3\xa9\x00")]
    dlq_topic, original_topic = f"{namespace}.eligibility.dlq", f"{namespace}.encounters"
    dlq_headers = [*headers, ("dlq_reason", b"TransientError: clearinghouse unreachable"),
                   ("dlq_error_type", b"TransientError"), ("dlq_original_topic", original_topic.encode()),
                   ("dlq_original_partition", b"2"), ("dlq_original_offset", b"0"),
                   ("dlq_service", b"eligibility"), ("dlq_consumer_group", b"eligibility-encounters"),
                   ("dlq_attempts", b"5"), ("dlq_failed_at", b"2026-12-01T00:00:00+00:00")]
    undecodable = [("dlq_reason", b"envelope: missing CloudEvents header(s)"), ("dlq_service", b"eligibility"),
                   ("dlq_original_topic", original_topic.encode()), ("dlq_original_partition", b"0")]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        meta = await producer.send_and_wait(dlq_topic, value=value, key=key, headers=dlq_headers, partition=0)
        await producer.send_and_wait(dlq_topic, value=b"garbage", key=b"k", headers=undecodable, partition=0)
    finally:
        await producer.stop()

    dry = await redrive(bootstrap, namespace, "eligibility", dry_run=True)
    assert [o.status for o in dry.outcomes] == ["refused", "would redrive"], [o.why for o in dry.outcomes]
    assert await read_topic(bootstrap, original_topic) == []

    report = await redrive(bootstrap, namespace, "eligibility", reason="clearinghouse")
    assert [o.status for o in report.outcomes] == ["redriven"] and report.not_matched == 1
    (record,) = await read_topic(bootstrap, original_topic)
    new_id = redrive_event_id(dlq_topic, 0, meta.offset)
    assert report.outcomes[0].event_id == new_id
    assert record.partition == 2 and record.key == key and record.value == value
    got = list(record.headers)
    assert not any(n.startswith("dlq_") for n, _ in got)
    h = dict(got)
    assert h["ce_id"] == str(new_id).encode() and h["ce_causationid"] == str(event.id).encode()
    assert h["rcm_redrive_of"] == f"{dlq_topic}:0:{meta.offset}".encode()
    assert h["x-opaque"] == b"caf\xc3\xa9\x00" and h["ce_correlationid"] == b"E-77"
    assert [n for n, _ in got] == [n for n, _ in headers if n != "ce_causationid"] + [
        "ce_causationid", "rcm_redrive_of", "rcm_redrive_for"]
    assert h["rcm_redrive_for"] == b"eligibility-encounters"
    assert f"{dlq_topic}:0:{meta.offset}" in await read_ledger(bootstrap, namespace)

    again = await redrive(bootstrap, namespace, "eligibility", ids=frozenset({str(event.id)}))
    assert [o.status for o in again.outcomes] == ["refused"]
    assert again.outcomes[0].why.startswith(f"already redriven (as {str(new_id)[:8]}")
    assert len(await read_topic(bootstrap, original_topic)) == 1
    assert len(await read_topic(bootstrap, f"{namespace}.{LEDGER_TOPIC}")) == 1
    assert uuid.UUID(h["ce_id"].decode()) != event.id


def test_the_command_prints_what_it_refused_and_why(endpoints: Endpoints, namespace: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", endpoints.kafka_bootstrap)
    monkeypatch.setenv("DATABASE_URL", endpoints.database_url)
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["dead-letters", "redrive", "--service", "claims", "--namespace", namespace])
    assert result.exit_code == 0, result.output
    assert "claims: nothing to redrive" in result.output
    result = CliRunner().invoke(app, ["dead-letters", "redrive", "--service", "nobody", "--namespace", namespace])
    assert result.exit_code == 2 and "unknown service" in result.output
