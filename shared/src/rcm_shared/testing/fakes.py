"""Fakes for fast handler tests: the in-memory unit of work and the real consumer loop without Kafka.

:class:`InMemoryUnitOfWork` lives in :mod:`rcm_shared.db.memory` (services build their
in-memory repositories on it); :func:`deliver` runs an event through a subscription's
consumer loop (decode, contract check, inbox, handler, commit, retries, dead letter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aiokafka import ConsumerRecord

from rcm_shared.db.memory import InMemoryStore, InMemoryUnitOfWork, OutboxRecord
from rcm_shared.db.uow import MessagingUnitOfWork
from rcm_shared.envelope import Envelope
from rcm_shared.messaging.consumer import ConsumerRunner, Subscription
from rcm_shared.messaging.metrics import MessagingMetrics
from rcm_shared.topics import Topic, topic_name

__all__ = ["InMemoryStore", "InMemoryUnitOfWork", "OutboxRecord", "deliver", "deliver_record", "kafka_record"]

U = TypeVar("U", bound=MessagingUnitOfWork)


def kafka_record(event: Envelope, *, topic: str, partition: int = 0, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    """``event`` as the consumer loop receives it from Kafka (the CloudEvents binary binding)."""
    key, value, headers = event.to_kafka()
    return ConsumerRecord(topic=topic, partition=partition, offset=offset, timestamp=0, timestamp_type=0, key=key,
                          value=value, checksum=None, serialized_key_size=len(key),
                          serialized_value_size=len(value), headers=tuple(headers))


async def deliver(
    subscription: Subscription[U],
    event: Envelope,
    uow_factory: Callable[[], U],
    *,
    topic: Topic,
    service: str = "test",
    namespace: str = "rcm",
    offset: int = 0,
    max_attempts: int = 2,
    infrastructure_wait_max_s: float = 0.0,
) -> None:
    """Run ``event`` through the real consumer loop of ``subscription`` (decode, contract check,
    inbox, handler, commit, retries, dead letter) on in-memory units of work, without Kafka."""
    record = kafka_record(event, topic=topic_name(topic, namespace), offset=offset)
    await deliver_record(subscription, record, uow_factory, service=service, namespace=namespace,
                         max_attempts=max_attempts, infrastructure_wait_max_s=infrastructure_wait_max_s)


async def deliver_record(
    subscription: Subscription[U],
    record: ConsumerRecord[Any, Any],
    uow_factory: Callable[[], U],
    *,
    service: str = "test",
    namespace: str = "rcm",
    max_attempts: int = 2,
    dead_letter_max_bytes: int = 900_000,
    infrastructure_wait_max_s: float = 0.0,
) -> ConsumerRunner[U]:
    """Run a raw record (malformed ones included) through the consumer loop; return the runner."""
    runner: ConsumerRunner[U] = ConsumerRunner(
        subscription, service=service, namespace=namespace, bootstrap_servers="unused:9092",
        uow_factory=uow_factory, dead_letter_topic=f"{namespace}.{service}.dlq", metrics=MessagingMetrics(service),
        max_attempts=max_attempts, backoff_initial_ms=1, backoff_max_ms=2, dead_letter_max_bytes=dead_letter_max_bytes,
        infrastructure_wait_max_s=infrastructure_wait_max_s,
    )
    await runner.handle_record(record)
    return runner
