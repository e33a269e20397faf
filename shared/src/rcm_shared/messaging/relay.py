"""The outbox relay: publishes committed outbox rows to Kafka with an idempotent producer.

One relay at a time per database publishes (a transaction-scoped advisory lock), in
outbox id order, so per-key order survives several replicas. A crash between the send
and the ``published_at`` update re-sends those rows; consumers drop them by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError
from sqlalchemy import func, select, update

from rcm_shared.db.database import Database
from rcm_shared.db.tables import MessagingTables
from rcm_shared.db.uow import decode_headers
from rcm_shared.messaging.backoff import backoff_delay
from rcm_shared.messaging.failures import safe_reason
from rcm_shared.messaging.metrics import MessagingMetrics

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 7_235_002


class OutboxRelay:
    """Drains the outbox; woken right after a commit that wrote events, else polls."""

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        producer: AIOKafkaProducer,
        *,
        service: str,
        metrics: MessagingMetrics,
        batch_size: int = 500,
        poll_interval_s: float = 0.2,
    ) -> None:
        self.db = db
        self.outbox = tables.outbox
        self.producer = producer
        self.service = service
        self.metrics = metrics
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self.failures = 0  # consecutive failed passes
        self.last_error: str | None = None

    def wake(self) -> None:
        """Ask for a pass now (called after a commit that queued events)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set, then drain what is left."""
        while True:
            try:
                published = await self.publish_batch()
                self.failures = 0
                self.last_error = None
            except Exception as exc:  # broker or database down: keep rows, try again later
                self.failures += 1
                self.last_error = type(exc).__name__
                self.metrics.relay_failures.labels(self.service).inc()
                log.warning("outbox relay pass failed (%s)", safe_reason(exc)[:200])
                if stop.is_set() and self.failures > 3:
                    return
                await asyncio.sleep(backoff_delay(self.failures, initial_ms=200, max_ms=5_000))
                continue
            if published >= self.batch_size:
                continue
            if stop.is_set():
                if published == 0:
                    return
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval_s)
            if stop.is_set():
                continue

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` rows in id order; return how many were published.

        A row Kafka refuses for good (over the size limit) is marked with its error and left
        out of later passes, so it cannot block the outbox; it is counted and shown by /readyz.
        """
        o = self.outbox
        async with self.db.session() as session, session.begin():
            locked = (await session.execute(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))).scalar()
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(o.c.id, o.c.topic, o.c.key, o.c.headers, o.c.value)
                    .where(o.c.published_at.is_(None), o.c.publish_error.is_(None))
                    .order_by(o.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            self.metrics.outbox_pending.labels(self.service).set(len(rows))
            if not rows:
                return 0
            futures = []
            sent: list[int] = []
            refused: list[tuple[int, str]] = []
            for row in rows:
                try:
                    futures.append(await self.producer.send(row.topic, value=bytes(row.value), key=bytes(row.key),
                                                            headers=decode_headers(row.headers)))
                    sent.append(row.id)
                except (MessageSizeTooLargeError, RecordTooLargeError) as exc:
                    refused.append((row.id, f"{type(exc).__name__}: {len(bytes(row.value))} bytes"))
            await asyncio.gather(*futures)
            if sent:
                await session.execute(update(o).where(o.c.id.in_(sent)).values(published_at=func.now()))
            for row_id, error in refused:
                log.error("outbox row %d refused by Kafka for good (%s); kept with its error", row_id, error)
                await session.execute(update(o).where(o.c.id == row_id).values(publish_error=error))
        self.metrics.outbox_published.labels(self.service).inc(len(sent))
        if refused:
            self.metrics.outbox_refused.labels(self.service).inc(len(refused))
        return len(rows)

    async def health(self, *, max_age_s: float) -> dict[str, str]:
        """``relay``, ``outbox`` and ``outbox_refused`` checks for /readyz ('ok' or why not)."""
        o = self.outbox
        checks = {"relay": "ok" if self.failures < 3 else f"failing: {self.failures} passes in a row "
                                                          f"({self.last_error or 'unknown'})"}
        async with self.db.session() as session:
            oldest = (await session.execute(
                select(func.extract("epoch", func.now() - func.min(o.c.created_at)))
                .where(o.c.published_at.is_(None), o.c.publish_error.is_(None))
            )).scalar()
            refused = (await session.execute(
                select(func.count()).select_from(o).where(o.c.published_at.is_(None), o.c.publish_error.is_not(None))
            )).scalar_one()
        age = float(oldest or 0)
        self.metrics.outbox_oldest_age.labels(self.service).set(age)
        checks["outbox"] = "ok" if age <= max_age_s else f"stale: oldest unpublished row is {age:.0f}s old"
        checks["outbox_refused"] = "ok" if not refused else f"{refused} row(s) refused by Kafka for good"
        return checks
