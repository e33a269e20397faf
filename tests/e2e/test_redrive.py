"""End to end: an encounter dead-lettered by eligibility is listed by ``rcm status``,
redriven once, and reaches paid exactly once; a second redrive is refused.

Two ways to get the dead letter: written by hand exactly as eligibility's runtime writes it
(always available), and a real clearinghouse outage (while eligibility dead-letters
outages; once it waits them out as infrastructure, that test checks the encounter is paid
once with no dead letter at all)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from rcm_cli.history import encounter_history
from rcm_cli.observe import pipeline_counts
from rcm_cli.processes import Platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.redrive import read_dead_letters, redrive
from rcm_cli.status import dead_letter_status
from rcm_cli.synthetic import encounters
from rcm_shared.contracts.claims import CLAIM_SUBMITTED
from rcm_shared.contracts.payments import PAYMENT_POSTED
from rcm_shared.envelope import Envelope
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.topics import Topic, topic_name

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _waiting(bootstrap: str, namespace: str) -> list[str]:
    status = asyncio.run(dead_letter_status(bootstrap, namespace))
    return next(s.waiting for s in status if s.service == "eligibility")


async def _write_eligibility_dead_letter(bootstrap: str, namespace: str, event: Envelope) -> None:
    """The dead letter eligibility's consumer writes after 5 failed attempts (headers as in
    ``ConsumerRunner._dead_letter``); the original itself was never on the encounters topic."""
    from aiokafka import AIOKafkaProducer

    key, value, headers = event.to_kafka()
    headers += [("dlq_reason", b"handler failed 5 times: TransientError: clearinghouse unreachable"),
                ("dlq_error_type", b"TransientError"),
                ("dlq_original_topic", topic_name(Topic.ENCOUNTERS, namespace).encode()),
                ("dlq_original_partition", b"0"), ("dlq_original_offset", b"0"),
                ("dlq_service", b"eligibility"), ("dlq_consumer_group", f"{namespace}.eligibility.encounters".encode()),
                ("dlq_attempts", b"5"), ("dlq_failed_at", datetime.now(UTC).isoformat().encode())]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic_name(Topic.DLQ_ELIGIBILITY, namespace), value=value, key=key,
                                     headers=headers)
    finally:
        await producer.stop()


def _redrive_and_expect_paid_once(plat: Platform, bootstrap: str, namespace: str, event: Envelope) -> None:
    encounter_id = event.correlation_id
    assert _waiting(bootstrap, namespace) == [encounter_id]
    report = asyncio.run(redrive(bootstrap, namespace, "eligibility", ids=frozenset({str(event.id)})))
    assert [o.status for o in report.outcomes] == ["redriven"], [o.why for o in report.outcomes]

    urls = {name: p.url for name, p in plat.processes.items()}
    deadline = time.monotonic() + 300
    while asyncio.run(pipeline_counts(urls, bootstrap, namespace)).paid < 1:
        assert time.monotonic() < deadline, "the redriven encounter was not paid in time"
        time.sleep(1)
    again = asyncio.run(redrive(bootstrap, namespace, "eligibility"))
    assert [o.status for o in again.outcomes] == ["refused"]
    assert again.outcomes[0].why.startswith("already redriven")

    time.sleep(5)  # let any duplicate work surface before counting
    entries = asyncio.run(encounter_history(bootstrap, namespace, encounter_id))
    types = [e.type for e in entries if "dlq_reason" not in e.headers]
    assert types.count(PAYMENT_POSTED) == 1, types
    assert types.count(CLAIM_SUBMITTED) == 1, types
    assert asyncio.run(pipeline_counts(urls, bootstrap, namespace)).paid == 1
    assert _waiting(bootstrap, namespace) == []


def test_a_dead_lettered_encounter_is_redriven_and_paid_exactly_once(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    plat, namespace = platform
    [event] = encounter_events(list(encounters(1, seed=53, clean=True, prefix="REDRIVE")))
    asyncio.run(_write_eligibility_dead_letter(endpoints.kafka_bootstrap, namespace, event))
    _redrive_and_expect_paid_once(plat, endpoints.kafka_bootstrap, namespace, event)


def test_an_encounter_published_during_a_clearinghouse_outage_is_paid_exactly_once(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    """Either eligibility dead-letters it (then a redrive brings it to paid) or it waits out
    the outage as infrastructure (then it is paid with no dead letter); never lost, never twice."""
    plat, namespace = platform
    bootstrap = endpoints.kafka_bootstrap
    [event] = encounter_events(list(encounters(1, seed=47, clean=True, prefix="OUTAGE")))
    plat["sandbox"].kill()
    asyncio.run(publish_encounters(bootstrap, namespace, [event]))
    deadline = time.monotonic() + 30
    dead_lettered = False
    while time.monotonic() < deadline and not dead_lettered:
        dead_lettered = bool(asyncio.run(read_dead_letters(bootstrap, namespace, "eligibility")))
        time.sleep(1)
    plat["sandbox"].start()
    plat["sandbox"].wait_ready(60)
    if dead_lettered:
        _redrive_and_expect_paid_once(plat, bootstrap, namespace, event)
        return
    urls = {name: p.url for name, p in plat.processes.items()}
    deadline = time.monotonic() + 300
    while asyncio.run(pipeline_counts(urls, bootstrap, namespace)).paid < 1:
        assert time.monotonic() < deadline, "the encounter was not paid after the outage"
        time.sleep(1)
    time.sleep(5)
    entries = asyncio.run(encounter_history(bootstrap, namespace, event.correlation_id))
    assert [e.type for e in entries].count(PAYMENT_POSTED) == 1
    assert not any("dlq_reason" in e.headers for e in entries)
    assert _waiting(bootstrap, namespace) == []
