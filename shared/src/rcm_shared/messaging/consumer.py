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
import hashlib
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

from rcm_shared.contracts import EVENT_TYPES
from rcm_shared.db.uow import Claimed, MessagingUnitOfWork
from rcm_shared.envelope import MAX_ATTRIBUTE_CHARS, Envelope, EnvelopeError
from rcm_shared.messaging.backoff import backoff_delay
from rcm_shared.messaging.failures import FailureClass, classify, safe_reason
from rcm_shared.messaging.metrics import MessagingMetrics
from rcm_shared.phi.codec import (
    DEAD_LETTER_VALUE_AAD,
    SEALED,
    PhiCipher,
    phi_paths,
    plaintext_phi,
    seal_bytes,
)
from rcm_shared.phi.keyring import PhiKeyShreddedError, PhiUnreadableError
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
    # Schema versions each event type's handler understands (``ce_schemaversion``); others are dead-lettered.
    accepted_versions: Mapping[str, frozenset[int]] = field(default_factory=dict)


DEFAULT_ACCEPTED_VERSIONS = frozenset({1})


@dataclass(frozen=True)
class Paused:
    """A consumer waiting on an unavailable dependency (shown by ``/readyz``)."""

    reason: str
    since: float  # time.monotonic()


REDRIVE_FOR_HEADER = "rcm_redrive_for"


def _header(record: ConsumerRecord[Any, Any], name: str) -> bytes | None:
    for n, v in record.headers or ():
        if n == name:
            return _as_bytes(v)
    return None


_HASHED_HEADERS = ("ce_type", "ce_source", "ce_correlationid", "ce_schemaversion", "ce_partitionkey")


def record_content_hash(record: ConsumerRecord[Any, Any]) -> str:
    """SHA-256 over what makes an event itself (value and identifying ce_* headers).

    The relay resending a record repeats it exactly; another event reusing the id does not.
    """
    digest = hashlib.sha256(_as_bytes(record.value))
    headers = {n: _as_bytes(v) for n, v in (record.headers or ()) if n in _HASHED_HEADERS}
    for name in _HASHED_HEADERS:
        digest.update(b"\0" + name.encode() + b"=" + headers.get(name, b""))
    return digest.hexdigest()


def _as_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else str(value).encode("utf-8")


def _free_of_plain_phi(value: bytes, envelope: Envelope | None, models: Mapping[str, type[BaseModel]]) -> bool:
    """Whether a record's value certainly holds no unsealed PHI: a decoded event of a known type
    whose PHI fields are all sealed or absent (anything else might hold some)."""
    model = models.get(envelope.type) if envelope is not None else None
    if envelope is None or model is None:
        return False
    return not plaintext_phi(envelope.payload, phi_paths(model))


class _Stopping(Exception):
    """Shutdown was asked for while a record was waiting on an unavailable dependency."""


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
        dead_letter_max_bytes: int = 900_000,
        infrastructure_wait_max_s: float = 0.0,
        client_options: Mapping[str, Any] | None = None,
        phi: PhiCipher | None = None,
        phi_plaintext_input: str = "accept",
    ) -> None:
        self.sub = subscription
        # Opens sealed PHI before validation (None: payloads are taken as they are, in tests).
        self.phi = phi
        self.phi_plaintext_input = phi_plaintext_input
        self.service = service
        self.group_id = f"{namespace}.{service}.{subscription.name}"
        self.topics = [topic_name(t, namespace) for t in subscription.topics]
        self.bootstrap_servers = bootstrap_servers
        # TLS/SASL arguments of the consumer (rcm_shared.messaging.kafka_security.kafka_client_options).
        self.client_options = dict(client_options or {})
        self.uow_factory = uow_factory
        self.dead_letter_topic = dead_letter_topic
        self.metrics = metrics
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff_initial_ms = backoff_initial_ms
        self.backoff_max_ms = backoff_max_ms
        self.dead_letter_max_bytes = dead_letter_max_bytes
        # How long one message may wait on an unavailable dependency before its waiting counts as
        # its own failure (spending attempts, then a dead letter that can be redriven); 0: forever.
        self.infrastructure_wait_max_s = infrastructure_wait_max_s
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self.assigned: set[TopicPartition] = set()
        self.paused: Paused | None = None

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
            **self.client_options,
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
                    log.warning("%s: offset commit failed (%s); records will be redelivered", self.group_id,
                                safe_reason(exc)[:200])
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
        # A dead letter redriven for another consumer group comes under a new id; for every other
        # group it is the original event (``ce_causationid``): one that processed the original
        # finds it in its inbox and skips it, one that never saw it processes it once.
        inbox_id = str(envelope.id)
        redrive_for = _header(record, REDRIVE_FOR_HEADER)
        if redrive_for is not None and redrive_for != self.group_id.encode() and envelope.causation_id is not None:
            inbox_id = str(envelope.causation_id)
        model = self.sub.payload_models.get(envelope.type)
        if model is None:
            # Not a type of the contract at all (a typo, a producer ahead of us): never drop it silently.
            known = ", ".join(sorted(self.sub.payload_models))
            await self._dead_letter(record, envelope, f"unknown event type {envelope.type!r} (the contract knows: "
                                    f"{known})", "UnknownEventType", attempts=0)
            return
        handler = self.sub.handlers.get(envelope.type)
        if handler is None:
            # A contract type this subscription does not take (topics carry several): counted and logged.
            self.metrics.ignored.labels(*labels).inc()
            log.debug("%s: ignored %s on %s (no handler in this subscription)", self.group_id, envelope.type,
                      record.topic)
            return
        accepted = self.sub.accepted_versions.get(envelope.type, DEFAULT_ACCEPTED_VERSIONS)
        if envelope.schema_version not in accepted:
            await self._dead_letter(
                record, envelope, f"schema version {envelope.schema_version} of {envelope.type} is not accepted "
                f"by {self.group_id} (accepted: {', '.join(str(v) for v in sorted(accepted))})",
                "UnsupportedSchemaVersion", attempts=0)
            return
        plain = plaintext_phi(envelope.payload, phi_paths(model))
        if plain:
            self.metrics.phi_plaintext_input.labels(*labels).inc()
            if self.phi_plaintext_input == "refuse":
                await self._dead_letter(
                    record, envelope, f"PHI field(s) {', '.join(plain)} arrived in plain text; the edge must seal "
                    "them with the patient's data key (PHI_PLAINTEXT_INPUT=refuse)", "PlaintextPhi", attempts=0)
                return
        try:
            opened = await self._open_phi(envelope)
        except PhiKeyShreddedError as exc:
            # The patient was forgotten on purpose: nothing of theirs is processed again (a redelivery
            # or a replay skips it the same way); money, codes and ids live in other events.
            self.metrics.shredded.labels(*labels).inc()
            log.info("%s: skipped %s (its PHI key %s was shredded)", self.group_id, envelope.id, exc.kid)
            return
        except PhiUnreadableError as exc:
            await self._dead_letter(record, envelope, str(exc), "PhiUnreadableError", attempts=0)
            return
        try:
            payload = model.model_validate(opened)
        except ValidationError as exc:
            await self._dead_letter(record, envelope, validation_reason(exc), "ValidationError", attempts=0)
            return
        event: Event[Any] = Event(envelope, payload, record.topic, record.partition, record.offset)
        content_hash = record_content_hash(record)
        conflict = False

        attempt = 0
        infra_attempt = 0
        waiting_since: float | None = None
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                async with self.uow_factory() as uow:
                    claimed = await uow.claim_message(
                        self.group_id, inbox_id, event_type=envelope.type, topic=record.topic,
                        partition=record.partition, offset=record.offset, content_hash=content_hash,
                    )
                    if claimed is Claimed.CONFLICT:
                        conflict = True
                    elif not claimed:
                        self.metrics.duplicates.labels(*labels).inc()
                        self._resume()
                        return
                    else:
                        await handler(event, uow)
                        await uow.commit()
                if conflict:
                    self._resume()
                    await self._dead_letter(
                        record, envelope, f"event id {envelope.id} was already processed with other content "
                        "(a different event reusing an id): not treated as a duplicate", "EventIdConflict",
                        attempts=0, message_id=f"{envelope.id}#conflict:{content_hash[:16]}")
                    return
                self.metrics.processed.labels(*labels).inc()
                self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)
                self._resume()
                return
            except PhiKeyShreddedError as exc:
                # The handler met a forgotten patient's data (stored or to be sealed): nothing to do.
                self.metrics.shredded.labels(*labels).inc()
                self._resume()
                log.info("%s: skipped %s (its PHI key %s was shredded)", self.group_id, envelope.id, exc.kid)
                return
            except PhiUnreadableError as exc:
                self.metrics.failures.labels(*labels, "PhiUnreadableError").inc()
                self._resume()
                await self._dead_letter(record, envelope, str(exc), "PhiUnreadableError", attempts=attempt)
                return
            except ValidationError as exc:
                # The handler built an invalid contract from this input: retrying cannot fix it.
                self.metrics.failures.labels(*labels, "ValidationError").inc()
                self._resume()
                await self._dead_letter(record, envelope, validation_reason(exc), "ValidationError",
                                        attempts=attempt)
                return
            except Exception as exc:
                self.metrics.failures.labels(*labels, type(exc).__name__).inc()
                kind = classify(exc)
                if kind is FailureClass.MESSAGE:
                    self._resume()
                    await self._dead_letter(record, envelope, safe_reason(exc), type(exc).__name__,
                                            attempts=attempt)
                    return
                reason = safe_reason(exc)
                if kind is FailureClass.INFRASTRUCTURE:
                    if waiting_since is None:
                        waiting_since = time.monotonic()
                    waited = time.monotonic() - waiting_since
                    if not self.infrastructure_wait_max_s or waited < self.infrastructure_wait_max_s:
                        infra_attempt += 1
                        attempt -= 1  # the message is not at fault; do not spend its retries
                        self._pause(reason)
                        log.warning("%s: dependency unavailable (%s); partition paused, retrying", self.group_id,
                                    reason[:200])
                        await self._sleep(infra_attempt)
                        continue
                    # Past the configured ceiling the wait counts against the message's attempts.
                    reason = f"dependency unavailable for more than {self.infrastructure_wait_max_s:g}s: {reason}"
                if attempt >= self.max_attempts:
                    self._resume()
                    log.error("%s: handler failed %d times (%s); dead-lettering %s", self.group_id, attempt,
                              type(exc).__name__, envelope.id)
                    await self._dead_letter(record, envelope, reason, type(exc).__name__, attempts=attempt)
                    return
                log.warning("%s: handler attempt %d failed (%s); retrying", self.group_id, attempt,
                            type(exc).__name__)
                await self._sleep(attempt)

    async def _open_phi(self, envelope: Envelope) -> dict[str, Any]:
        """The payload with its sealed PHI opened, waiting out an unavailable keyring like any
        other dependency (the partition pauses, nothing is dead-lettered for it)."""
        if self.phi is None:
            return envelope.payload
        attempt = 0
        while True:
            try:
                opened = await self.phi.open_payload(envelope.payload)
                self._resume()
                return opened
            except (PhiKeyShreddedError, PhiUnreadableError):
                raise
            except Exception as exc:
                if classify(exc) is not FailureClass.INFRASTRUCTURE:
                    raise
                attempt += 1
                self._pause(f"keyring: {safe_reason(exc)}")
                log.warning("%s: keyring unavailable (%s); partition paused, retrying", self.group_id,
                            safe_reason(exc)[:200])
                await self._sleep(attempt)

    def _pause(self, reason: str) -> None:
        if self.paused is None:
            self.paused = Paused(reason=reason, since=time.monotonic())
            self.metrics.consumer_paused.labels(self.service, self.sub.name).set(1)

    def _resume(self) -> None:
        if self.paused is not None:
            self.paused = None
            self.metrics.consumer_paused.labels(self.service, self.sub.name).set(0)

    async def _dead_letter(
        self,
        record: ConsumerRecord[Any, Any],
        envelope: Envelope | None,
        reason: str,
        error_type: str,
        *,
        attempts: int,
        message_id: str | None = None,
    ) -> None:
        """Write the dead letter; it is always written, whatever the record holds.

        The original key, value and headers are kept byte for byte (the outbox stores bytes).
        A value too large for the topic is left out, with its size and SHA-256 (the original
        stays at its topic, partition and offset); if the record still cannot be stored, a
        minimal dead letter without the original headers and value is written instead. An
        unavailable database is waited for, never a reason to drop or crash.
        """
        message_id = message_id or (str(envelope.id) if envelope
                                    else f"{record.topic}:{record.partition}:{record.offset}")
        key = _as_bytes(record.key)
        value = _as_bytes(record.value)
        original_headers = [(str(n), _as_bytes(v)) for n, v in (record.headers or ())]
        extra: list[tuple[str, bytes]] = []
        if value and self.phi is not None and not _free_of_plain_phi(value, envelope, self.sub.payload_models):
            # Dead-letter topics are kept (for redrive): a value that may hold unsealed PHI is sealed
            # whole, with the key of the record's encounter when it has one (so a patient's shred
            # reaches it too); `rcm dead-letters redrive` opens it again.
            sealed = await self._seal_dead_letter_value(value, key, message_id)
            if sealed is None:
                extra += [("dlq_value_omitted", b"true"), ("dlq_value_shredded", b"true")]
                reason = f"{reason} [value left out: its patient's data key was shredded]"
                value = b""
            else:
                extra.append(("dlq_value_sealed", SEALED.encode()))
                value = sealed
        if len(value) + len(key) + sum(len(n) + len(v) for n, v in original_headers) > self.dead_letter_max_bytes:
            extra += [("dlq_value_omitted", b"true"), ("dlq_value_size", str(len(value)).encode()),
                      ("dlq_value_sha256", hashlib.sha256(value).hexdigest().encode())]
            reason = f"{reason} [value of {len(value)} bytes left out: over the dead-letter limit of " \
                     f"{self.dead_letter_max_bytes}; the original is at its topic/partition/offset]"
            value = b""
            original_headers = [(n, v) for n, v in original_headers if len(v) <= 4096]
        trailer = [
            ("dlq_reason", reason[:4000].encode("utf-8", "replace")),
            ("dlq_error_type", error_type.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_service", self.service.encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
            *([("dlq_original_value_null", b"true")] if record.value is None else []),
            *extra,
        ]
        content_hash = record_content_hash(record)
        infra_attempt = 0
        fallback = 0
        written = False
        while True:
            # First the record as it was; after a failure to store it, a minimal dead letter.
            key_, value_, headers_ = (key, value, original_headers + trailer) if fallback == 0 else (b"", b"", trailer)
            try:
                async with self.uow_factory() as uow:
                    claimed = await uow.claim_message(
                        self.group_id, message_id, event_type=envelope.type if envelope else None,
                        topic=record.topic, partition=record.partition, offset=record.offset,
                        outcome="dead_lettered", content_hash=content_hash,
                    )
                    if claimed is Claimed.CONFLICT and "#conflict:" not in message_id:
                        # The id was already taken by another record (processed or dead-lettered with
                        # other content): this one is still dead-lettered, under an id of its own.
                        message_id = f"{message_id}#conflict:{content_hash[:16]}"
                        trailer.append(("dlq_event_id_conflict", b"true"))
                        raise _Retry()
                    if claimed:
                        await uow.publish_raw(
                            self.dead_letter_topic, event_id=f"dlq:{self.group_id}:{message_id}",
                            event_type=DEAD_LETTER_EVENT_TYPE, key=key_, value=value_, headers=headers_,
                        )
                    await uow.commit()
                written = bool(claimed)  # only once committed
                self._resume()
                break
            except _Retry:
                continue
            except Exception as exc:
                if classify(exc) is FailureClass.INFRASTRUCTURE:
                    infra_attempt += 1
                    self._pause(f"dead letter cannot be written: {safe_reason(exc)}")
                    await self._sleep(infra_attempt)
                    continue
                fallback += 1
                if fallback == 1:
                    self.metrics.dead_letter_fallbacks.labels(self.service).inc()
                    log.error("%s: dead letter of %s[%d]@%d could not be stored as it was (%s); writing it without"
                              " the original headers and value", self.group_id, record.topic, record.partition,
                              record.offset, safe_reason(exc)[:200])
                else:
                    # Even the minimal dead letter failed: a bug or a broken database. Wait and retry, and
                    # say so in /readyz, rather than crash-looping the consumer.
                    self._pause(f"dead letter cannot be written: {safe_reason(exc)}")
                    log.error("%s: minimal dead letter failed (%s); retrying", self.group_id, safe_reason(exc)[:200])
                    await self._sleep(fallback)
        if not written:
            log.info("%s: %s[%d]@%d was already dead-lettered (redelivered); not written twice", self.group_id,
                     record.topic, record.partition, record.offset)
            return
        self.metrics.dead_lettered.labels(self.service, record.topic,
                                          envelope.type if envelope else "<undecodable>").inc()
        log.warning("%s: dead-lettered %s[%d]@%d to %s: %s", self.group_id, record.topic, record.partition,
                    record.offset, self.dead_letter_topic, reason[:300])

    async def _seal_dead_letter_value(self, value: bytes, key: bytes, message_id: str) -> bytes | None:
        """``value`` sealed whole (None when the encounter's key was shredded), waiting out an
        unavailable keyring."""
        assert self.phi is not None
        partition_key = key.decode("utf-8", "replace")
        subjects = [f"deadletter:{self.group_id}:{message_id}"]
        if partition_key and len(partition_key) <= MAX_ATTRIBUTE_CHARS:
            subjects.insert(0, f"encounter:{partition_key}")
        attempt = 0
        while True:
            try:
                data_key = await self.phi.keyring.key_for(subjects)
            except PhiKeyShreddedError:
                return None
            except Exception as exc:
                if classify(exc) is not FailureClass.INFRASTRUCTURE:
                    raise
                attempt += 1
                self._pause(f"keyring: {safe_reason(exc)}")
                await self._sleep(attempt)
                continue
            self._resume()
            return seal_bytes(data_key, value, aad=DEAD_LETTER_VALUE_AAD)

    async def _sleep(self, attempt: int) -> None:
        delay = backoff_delay(attempt, initial_ms=self.backoff_initial_ms, max_ms=self.backoff_max_ms)
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
        except TimeoutError:
            return
        raise _Stopping()


class _Retry(Exception):
    """Write the dead letter again (under another id)."""


class _RebalanceListener(ConsumerRebalanceListener):
    """Lets the in-flight batch finish and commit before partitions are taken away."""

    def __init__(self, runner: ConsumerRunner[Any]) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self.runner._lock:
            self.runner.assigned -= set(revoked)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.runner.assigned |= set(assigned)
