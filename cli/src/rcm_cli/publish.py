"""Publish EncounterCompleted events the way hospital IT does: validated, keyed by encounter."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.messaging.admin import ensure_topics
from rcm_shared.topics import Topic, topic_name

from rcm_cli.kafka_client import kafka_options

SOURCE = "rcm/ehr-integration"


def encounter_events(payloads: Iterable[dict[str, Any]]) -> list[Envelope]:
    """Validate payloads against the contract (raises pydantic.ValidationError) and wrap them."""
    events = []
    for raw in payloads:
        e = EncounterCompleted.model_validate(raw)
        events.append(new_event(ENCOUNTER_COMPLETED, e, source=SOURCE, correlation_id=e.encounter_id))
    return events


async def publish_encounters(
    bootstrap: str, namespace: str, events: Sequence[Envelope], *, raw: Sequence[tuple[bytes, bytes]] = (),
    partitions: int = 6, keyring_url: str | None = None,
) -> None:
    """Send events (and optional raw, deliberately malformed records) to the encounters topic.

    With ``keyring_url`` the edge seals each event's PHI with the patient's data key first (what
    an integration should do: the topic keeps events forever); without it the PHI goes in plain
    text and the services seal it from their first hop on (PHI_PLAINTEXT_INPUT=accept).
    """
    if keyring_url is not None:
        from rcm_cli.phi import seal_encounters

        events = await seal_encounters(events, keyring_url)
    kafka = kafka_options()
    await ensure_topics(bootstrap, namespace, partitions=partitions, replication_factor=1, client_options=kafka)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5,
                                **kafka)
    await producer.start()
    try:
        topic = topic_name(Topic.ENCOUNTERS, namespace)
        futures = []
        for event in events:
            key, value, headers = event.to_kafka()
            futures.append(await producer.send(topic, value=value, key=key, headers=headers))
        for key, value in raw:
            futures.append(await producer.send(topic, value=value, key=key))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
