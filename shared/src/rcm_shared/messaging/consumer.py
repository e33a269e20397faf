"""The one consumer loop every service uses.

Per record: decode the CloudEvents envelope, validate the payload against its contract,
then in ONE database transaction record the message in the inbox (a duplicate is skipped),
run the handler (state change + outbox rows) and commit. Offsets are committed to Kafka
only after the transactions of the batch, so a crash at any moment redelivers, and the
inbox turns the redelivery into a no-op.

Failures: bad envelopes and payloads that fail validation, and handlers raising
:class:`PermanentError`, are dead-lettered at once; other handler errors are retried
with backoff up to ``handler_max_attempts`` and then dead-lettered. A dead letter is an
outbox row (same transaction as its inbox record), so it too is sent exactly once. When
the database itself is unreachable nothing can be recorded, so the loop waits and retries
without committing the offset: the partition pauses, nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from rcm_shared.contracts import EVENT_TYPES
from rcm_shared.db.uow import MessagingUnitOfWork
from rcm_shared.envelope import Envelope, EnvelopeError
from rcm_shared.messaging.backoff import backoff_delay
from rcm_shared.messaging.errors import PermanentError
from rcm_shared.messaging.metrics import MessagingMetrics
from rcm_shared.topics import Topic, topic_name

log = logging.getLogger(__name__)

P = TypeVar("P", bound=BaseModel)
U = TypeVar("U", bound=MessagingUnitOfWork)
# A subscription written against a service's unit-of-work Protocol serves the SQL unit of
# work that implements it: handlers only take the unit of work, so U is contravariant there.
U_contra = TypeVar("U_contra", bound=MessagingUnitOfWork, contravariant=True)
DEAD_LETTER_EVENT_TYPE = "rcm.deadletter"


@dataclass(frozen=True)
class Event(Generic[P]):
    """What a handler receives: the envelope, its validated payload and where it came from."""

    envelope: Envelope
    payload: P
    topic: str
    partition: int
    offset: int


Handler = Callable[[Event[Any], U_contra], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[U_contra]):
    """Topics a service consumes in one consumer group, and a handler per event type.

    Event types without a handler are skipped (counted as ignored): topics carry several
    types and each consumer takes the ones it needs.
    """

    name: str
    topics: tuple[Topic, ...]
    handlers: Mapping[str, Handler[U_contra]]
    payload_models: Mapping[str, type[BaseModel]] = field(default_factory=lambda: EVENT_TYPES)


class _Stopping(Exception):
    """Shutdown was asked for while a record was waiting on an unavailable dependency."""


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when the database connection itself failed (not the message's fault)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, ConnectionError | OSError | asyncio.TimeoutError)


def validation_reason(exc: ValidationError) -> str:
    """Field paths and messages only: the input values may hold patient data."""
    parts = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ())) or "<root>"
        parts.append(f"{loc}: {err.get('msg')}")
    return f"payload failed validation ({exc.error_count()} error(s)): " + "; ".join(parts)


class ConsumerRunner(Generic[U]):
    """Runs one :class:`Subscription` until asked to stop."""

    def __init__(
        self,
        subscription: Subscription[U],
        *,
        service: str,
        namespace: str,
        bootstrap_servers: str,
        uow_factory: Callable[[], U],
        dead_letter_topic: str,
        metrics: MessagingMetrics,
        batch_size: int = 200,
        max_attempts: int = 5,
        backoff_initial_ms: int = 100,
        backoff_max_ms: int = 5_000,
    ) -> None:
        self.sub = subscription
        self.service = service
        self.group_id = f"{namespace}.{service}.{subscription.name}"
        self.topics = [topic_name(t, namespace) for t in subscription.topics]
        self.bootstrap_servers = bootstrap_servers
        self.uow_factory = uow_factory
        self.dead_letter_topic = dead_letter_topic
        self.metrics = metrics
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff_initial_ms = backoff_initial_ms
        self.backoff_max_ms = backoff_max_ms
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self.assigned: set[TopicPartition] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; the in-flight batch is finished and committed first."""
        self._stop = stop
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=f"{self.group_id}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.batch_size,
            isolation_level="read_committed",
        )
        consumer.subscribe(self.topics, listener=_RebalanceListener(self))
        await consumer.start()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=300, max_records=self.batch_size)
                if batch:
                    async with self._lock:
                        await self._process_batch(consumer, batch)
        finally:
            await consumer.stop()

    async def _process_batch(
        self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[ConsumerRecord[Any, Any]]]
    ) -> None:
        offsets: dict[TopicPartition, int] = {}
        try:
            for tp, records in batch.items():
                for record in records:
                    await self.handle_record(record)
                    offsets[tp] = record.offset + 1
        except _Stopping:
            log.info("%s: stopping with a record unprocessed; it will be redelivered", self.group_id)
        finally:
            if offsets:
                try:
                    await consumer.commit(offsets)
                except (CommitFailedError, IllegalStateError, KafkaError) as exc:
                    # The group rebalanced under us: the new owner redelivers, the inbox dedupes.
                    log.warning("%s: offset commit failed (%s); records will be redelivered", self.group_id, exc)
            for tp in batch:
                hw = consumer.highwater(tp)
                if hw is not None and tp in offsets:
                    self.metrics.lag.labels(self.service, tp.topic, str(tp.partition)).set(max(0, hw - offsets[tp]))

    async def handle_record(self, record: ConsumerRecord[Any, Any]) -> None:
        """Process one record to its end state: processed, duplicate, ignored or dead-lettered."""
        try:
            envelope = Envelope.from_kafka(record.key, record.value, record.headers)
        except EnvelopeError as exc:
            await self._dead_letter(record, None, exc.reason, "EnvelopeError", attempts=0)
            return
        labels = (self.service, record.topic, envelope.type)
        handler = self.sub.handlers.get(envelope.type)
        if handler is None:
            self.metrics.ignored.labels(*labels).inc()
            return
        model = self.sub.payload_models.get(envelope.type)
        if model is None:
            await self._dead_letter(record, envelope, f"no contract for event type {envelope.type!r}",
                                    "UnknownEventType", attempts=0)
            return
        try:
            payload = model.model_validate(envelope.payload)
        except ValidationError as exc:
            await self._dead_letter(record, envelope, validation_reason(exc), "ValidationError", attempts=0)
            return
        event: Event[Any] = Event(envelope, payload, record.topic, record.partition, record.offset)

        attempt = 0
        infra_attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                async with self.uow_factory() as uow:
                    fresh = await uow.claim_message(
                        self.group_id, str(envelope.id), event_type=envelope.type, topic=record.topic,
                        partition=record.partition, offset=record.offset,
                    )
                    if not fresh:
                        self.metrics.duplicates.labels(*labels).inc()
                        return
                    await handler(event, uow)
                    await uow.commit()
                self.metrics.processed.labels(*labels).inc()
                self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)
                return
            except PermanentError as exc:
                self.metrics.failures.labels(*labels, type(exc).__name__).inc()
                await self._dead_letter(record, envelope, str(exc) or type(exc).__name__,
                                        type(exc).__name__, attempts=attempt)
                return
            except ValidationError as exc:
                # The handler built an invalid contract from this input: retrying cannot fix it.
                self.metrics.failures.labels(*labels, "ValidationError").inc()
                await self._dead_letter(record, envelope, validation_reason(exc), "ValidationError",
                                        attempts=attempt)
                return
            except Exception as exc:
                self.metrics.failures.labels(*labels, type(exc).__name__).inc()
                if is_infrastructure_error(exc):
                    infra_attempt += 1
                    attempt -= 1  # the message is not at fault; do not spend its retries
                    log.warning("%s: database unavailable (%s); retrying", self.group_id, type(exc).__name__)
                    await self._sleep(infra_attempt)
                    continue
                if attempt >= self.max_attempts:
                    log.exception("%s: handler failed %d times; dead-lettering %s", self.group_id, attempt,
                                  envelope.id)
                    await self._dead_letter(record, envelope, f"{type(exc).__name__}: {exc}",
                                            type(exc).__name__, attempts=attempt)
                    return
                log.warning("%s: handler attempt %d failed (%s); retrying", self.group_id, attempt,
                            type(exc).__name__)
                await self._sleep(attempt)

    async def _dead_letter(
        self,
        record: ConsumerRecord[Any, Any],
        envelope: Envelope | None,
        reason: str,
        error_type: str,
        *,
        attempts: int,
    ) -> None:
        message_id = str(envelope.id) if envelope else f"{record.topic}:{record.partition}:{record.offset}"
        headers = list(record.headers or ()) + [
            ("dlq_reason", reason[:4000].encode()),
            ("dlq_error_type", error_type.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_service", self.service.encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        infra_attempt = 0
        while True:
            try:
                async with self.uow_factory() as uow:
                    fresh = await uow.claim_message(
                        self.group_id, message_id, event_type=envelope.type if envelope else None,
                        topic=record.topic, partition=record.partition, offset=record.offset,
                        outcome="dead_lettered",
                    )
                    if fresh:
                        await uow.publish_raw(
                            self.dead_letter_topic, event_id=f"dlq:{self.group_id}:{message_id}",
                            event_type=DEAD_LETTER_EVENT_TYPE, key=record.key or b"",
                            value=record.value or b"", headers=headers,
                        )
                    await uow.commit()
                break
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    raise
                infra_attempt += 1
                await self._sleep(infra_attempt)
        self.metrics.dead_lettered.labels(self.service, record.topic,
                                          envelope.type if envelope else "<undecodable>").inc()
        log.warning("%s: dead-lettered %s[%d]@%d to %s: %s", self.group_id, record.topic, record.partition,
                    record.offset, self.dead_letter_topic, reason[:300])

    async def _sleep(self, attempt: int) -> None:
        delay = backoff_delay(attempt, initial_ms=self.backoff_initial_ms, max_ms=self.backoff_max_ms)
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
        except TimeoutError:
            return
        raise _Stopping()


class _RebalanceListener(ConsumerRebalanceListener):
    """Lets the in-flight batch finish and commit before partitions are taken away."""

    def __init__(self, runner: ConsumerRunner[Any]) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self.runner._lock:
            self.runner.assigned -= set(revoked)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.runner.assigned |= set(assigned)
