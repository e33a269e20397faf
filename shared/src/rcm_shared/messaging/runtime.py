"""ServiceRuntime: wires the producer, outbox relay, consumers and background workers of one
service, and starts and stops them together (graceful shutdown, supervised tasks)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from aiokafka import AIOKafkaProducer

from rcm_shared.db.database import Database
from rcm_shared.db.tables import MessagingTables
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging.admin import ensure_topics
from rcm_shared.messaging.backoff import backoff_delay
from rcm_shared.messaging.consumer import ConsumerRunner, Subscription
from rcm_shared.messaging.kafka_security import kafka_client_options
from rcm_shared.messaging.metrics import MessagingMetrics
from rcm_shared.messaging.relay import OutboxRelay
from rcm_shared.phi.codec import PhiCipher
from rcm_shared.phi.setup import keyring_database, phi_cipher, prepare_keyring
from rcm_shared.settings import ServiceSettings
from rcm_shared.topics import DEAD_LETTER_TOPIC, Topic, topic_name

log = logging.getLogger(__name__)

U = TypeVar("U", bound=UnitOfWork)
Worker = Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class NamedWorker:
    name: str
    run: Worker


class ServiceRuntime(Generic[U]):
    """Everything that moves messages for one service instance.

    ``unit_of_work`` is the service's SQL unit of work class (its repositories on top of the
    messaging tables); every consumer, worker and route gets its transactions from :meth:`uow`.
    """

    def __init__(
        self,
        *,
        service: str,
        settings: ServiceSettings,
        db: Database,
        tables: MessagingTables,
        unit_of_work: type[U],
        subscriptions: Sequence[Subscription[U]] = (),
        metrics: MessagingMetrics | None = None,
        dead_letter_topic: Topic | None = None,
        phi: PhiCipher | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.db = db
        self.tables = tables
        self.metrics = metrics or MessagingMetrics(service)
        self.unit_of_work = unit_of_work
        self.subscriptions = list(subscriptions)
        self.dead_letter_topic = dead_letter_topic or DEAD_LETTER_TOPIC[service]
        self.workers: list[NamedWorker] = []
        self._stop = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self.task_restarts: dict[str, int] = {}
        self._last_restart: dict[str, float] = {}
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumers: list[ConsumerRunner[U]] = []
        self.started = False
        # PHI is sealed with the patients' data keys of the shared keyring (rcm_shared.phi).
        self.keyring_db: Database | None = None
        if phi is None:
            self.keyring_db = keyring_database(settings)
            phi = phi_cipher(settings, self.keyring_db)
        self.phi = phi

    def uow(self) -> U:
        """A new unit of work on this service's database; commits wake the relay."""
        return self.unit_of_work(self.db, self.tables, self.settings.topic_namespace, source=f"rcm/{self.service}",
                                 on_commit=self.relay.wake if self.relay else None, phi=self.phi)

    def add_subscription(self, subscription: Subscription[U]) -> None:
        """A consumer group of this service (before :meth:`start`)."""
        self.subscriptions.append(subscription)

    def add_worker(self, name: str, run: Worker) -> None:
        """A background loop (mailbox poller, submission dispatcher) started with the runtime."""
        self.workers.append(NamedWorker(name, run))

    async def start(self) -> None:
        """Create missing topics, start the producer, the relay, consumers and workers."""
        s = self.settings
        # Every client of the runtime reaches the brokers the same way (TLS, SASL/SCRAM).
        kafka = kafka_client_options(s.kafka_security)
        if s.run_migrations and self.keyring_db is not None:
            await asyncio.to_thread(prepare_keyring, s)
        if s.create_topics:
            await ensure_topics(s.kafka_bootstrap_servers, s.topic_namespace,
                                partitions=s.topic_partitions, replication_factor=s.topic_replication_factor,
                                client_options=kafka)
        self.producer = AIOKafkaProducer(
            bootstrap_servers=s.kafka_bootstrap_servers,
            client_id=f"{s.topic_namespace}.{self.service}.relay",
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
            **kafka,
        )
        await self.producer.start()
        self.relay = OutboxRelay(self.db, self.tables, self.producer, service=self.service, metrics=self.metrics,
                                 batch_size=s.outbox_batch_size, poll_interval_s=s.outbox_poll_interval_ms / 1000)
        dlq = topic_name(self.dead_letter_topic, s.topic_namespace)
        self.consumers = [
            ConsumerRunner(
                sub, service=self.service, namespace=s.topic_namespace, bootstrap_servers=s.kafka_bootstrap_servers,
                uow_factory=self.uow, dead_letter_topic=dlq, metrics=self.metrics, batch_size=s.consumer_batch_size,
                max_attempts=s.handler_max_attempts, backoff_initial_ms=s.retry_backoff_initial_ms,
                backoff_max_ms=s.retry_backoff_max_ms, dead_letter_max_bytes=s.dead_letter_max_bytes,
                infrastructure_wait_max_s=s.infrastructure_wait_max_s, client_options=kafka,
                phi=self.phi, phi_plaintext_input=s.phi_plaintext_input,
            )
            for sub in self.subscriptions
        ]
        self._spawn("relay", self.relay.run)
        for runner in self.consumers:
            self._spawn(f"consumer:{runner.sub.name}", runner.run)
        for worker in self.workers:
            self._spawn(f"worker:{worker.name}", worker.run)
        self.started = True

    def _spawn(self, name: str, run: Worker) -> None:
        async def supervised() -> None:
            # A loop that dies from a bug is restarted with backoff instead of leaving the
            # service half-alive; restarts are counted and shown by /readyz.
            failures = 0
            while not self._stop.is_set():
                try:
                    await run(self._stop)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception:
                    failures += 1
                    self.task_restarts[name] = failures
                    self._last_restart[name] = time.monotonic()
                    self.metrics.task_restarts.labels(self.service, name).inc()
                    log.exception("%s/%s crashed; restarting", self.service, name)
                    await asyncio.sleep(backoff_delay(failures, initial_ms=500, max_ms=10_000))

        self._tasks[name] = asyncio.create_task(supervised(), name=f"{self.service}:{name}")

    async def stop(self, timeout_s: float = 20.0) -> None:
        """Finish in-flight batches, commit offsets, drain the outbox, close clients."""
        self._stop.set()
        workers = [t for n, t in self._tasks.items() if n != "relay"]
        if workers:
            _, pending = await asyncio.wait(workers, timeout=timeout_s)
            for task in pending:
                task.cancel()
        relay_task = self._tasks.get("relay")
        if relay_task is not None:
            if self.relay:
                self.relay.wake()
            try:
                await asyncio.wait_for(relay_task, timeout=timeout_s)
            except TimeoutError:
                relay_task.cancel()
        if self.producer is not None:
            await self.producer.stop()
        if self.keyring_db is not None:
            await self.keyring_db.dispose()
        self._tasks.clear()
        self.started = False

    async def readiness(self) -> dict[str, str]:
        """Check Kafka and the database; a value other than 'ok' means not ready."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.db.ping(), timeout=3)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        try:
            if self.producer is None:
                raise RuntimeError("producer not started")
            topic = topic_name(self.dead_letter_topic, self.settings.topic_namespace)
            await asyncio.wait_for(self.producer.partitions_for(topic), timeout=3)
            checks["kafka"] = "ok"
        except Exception as exc:
            checks["kafka"] = f"unavailable: {type(exc).__name__}"
        dead = [n for n, t in self._tasks.items() if t.done()]
        checks["tasks"] = "ok" if self.started and not dead else f"stopped: {', '.join(dead) or 'not started'}"
        # A loop that keeps crashing is restarted by _spawn; readiness says so while it happens.
        now = time.monotonic()
        recent = {n: c for n, c in self.task_restarts.items()
                  if now - self._last_restart.get(n, 0) < self.settings.readiness_restart_window_s}
        checks["restarts"] = "ok" if not recent else "crash-looping: " + ", ".join(
            f"{n} ({c} restarts)" for n, c in sorted(recent.items()))
        for runner in self.consumers:
            paused = runner.paused
            checks[f"consumer:{runner.sub.name}"] = "ok" if paused is None else (
                f"paused {now - paused.since:.0f}s: {paused.reason[:200]}")
        if self.relay is not None:
            try:
                checks.update(await asyncio.wait_for(
                    self.relay.health(max_age_s=self.settings.readiness_outbox_max_age_s), timeout=3))
            except Exception as exc:
                checks["outbox"] = f"unavailable: {type(exc).__name__}"
        return checks
