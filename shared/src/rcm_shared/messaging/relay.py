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
from sqlalchemy import func, select, update

from rcm_shared.db.database import Database
from rcm_shared.db.tables import MessagingTables
from rcm_shared.messaging.backoff import backoff_delay
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

    def wake(self) -> None:
        """Ask for a pass now (called after a commit that queued events)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set, then drain what is left."""
        failures = 0
        while True:
            try:
                published = await self.publish_batch()
                failures = 0
            except Exception as exc:  # broker or database down: keep rows, try again later
                failures += 1
                log.warning("outbox relay pass failed (%s: %s)", type(exc).__name__, exc)
                if stop.is_set() and failures > 3:
                    return
                await asyncio.sleep(backoff_delay(failures, initial_ms=200, max_ms=5_000))
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
        """Publish up to ``batch_size`` rows in id order; return how many were published."""
        o = self.outbox
        async with self.db.session() as session, session.begin():
            locked = (await session.execute(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))).scalar()
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(o.c.id, o.c.topic, o.c.key, o.c.headers, o.c.value)
                    .where(o.c.published_at.is_(None))
                    .order_by(o.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            self.metrics.outbox_pending.labels(self.service).set(len(rows))
            if not rows:
                return 0
            futures = []
            for row in rows:
                headers = [(str(n), str(v).encode()) for n, v in row.headers]
                futures.append(
                    await self.producer.send(row.topic, value=bytes(row.value), key=row.key.encode(), headers=headers)
                )
            await asyncio.gather(*futures)
            await session.execute(
                update(o).where(o.c.id.in_([r.id for r in rows])).values(published_at=func.now())
            )
        self.metrics.outbox_published.labels(self.service).inc(len(rows))
        return len(rows)
