"""Small Kafka helpers for tests: produce raw records, read a topic, wait for a condition."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from rcm_shared.envelope import Envelope


async def produce(
    bootstrap: str,
    topic: str,
    records: Sequence[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]],
) -> None:
    """Send ``(key, value, headers)`` records and wait for the broker's acks."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k, headers=h) for k, v, h in records]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def produce_events(bootstrap: str, topic: str, events: Sequence[Envelope]) -> None:
    """Send envelopes in the CloudEvents binary binding."""
    await produce(bootstrap, topic, [e.to_kafka() for e in events])


async def read_topic(
    bootstrap: str, topic: str, *, expect: int, timeout_s: float = 30.0
) -> list[ConsumerRecord[Any, Any]]:
    """Read a topic from the beginning until ``expect`` records arrived or time runs out."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"reader-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    out: list[ConsumerRecord[Any, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(out) < expect and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                out.extend(records)
    finally:
        await consumer.stop()
    return out


async def wait_for(
    condition: Callable[[], Awaitable[bool]], *, timeout_s: float = 60.0, what: str = "condition"
) -> None:
    """Poll ``condition`` until true; fail with ``what`` after ``timeout_s`` (a bound, not a speed test)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
