"""Unit of work: one database transaction holding the inbox record, the state change and
the outbox rows of the events it emits.

Never write to the database and to Kafka as two steps: events leave through the outbox,
and the relay publishes them after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_shared.db.database import Database
from rcm_shared.db.tables import MessagingTables
from rcm_shared.envelope import Envelope
from rcm_shared.topics import Topic, topic_name


class UnitOfWork:
    """``async with uow:`` opens a transaction; ``await uow.commit()`` ends it.

    Leaving the block without ``commit`` rolls back, so an exception never half-applies.
    """

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        namespace: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self.tables = tables
        self.namespace = namespace
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self._published = 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._db.sessionmaker()
        await self._session.begin()
        self._published = 0
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            if self._session.in_transaction():
                await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None

    async def commit(self) -> None:
        """Commit the transaction and wake the outbox relay if events were written."""
        await self.session.commit()
        if self._published and self._on_commit is not None:
            self._on_commit()

    async def claim_message(
        self, consumer: str, message_id: str, *, event_type: str | None, topic: str, partition: int,
        offset: int, outcome: str = "processed",
    ) -> bool:
        """Record ``message_id`` as handled by ``consumer``; False when it already was (a duplicate)."""
        stmt = (
            pg_insert(self.tables.inbox)
            .values(
                consumer=consumer, message_id=message_id, event_type=event_type, topic=topic,
                partition=partition, offset=offset, outcome=outcome,
            )
            .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def publish(self, topic: Topic | str, event: Envelope) -> None:
        """Queue ``event`` for ``topic`` (a :class:`Topic` or a physical name) in this transaction."""
        name = topic_name(topic, self.namespace) if isinstance(topic, Topic) else topic
        key, value, headers = event.to_kafka()
        await self.publish_raw(name, event_id=str(event.id), event_type=event.type, key=key,
                               value=value, headers=headers)

    async def publish_raw(
        self, topic: str, *, event_id: str, event_type: str, key: bytes, value: bytes,
        headers: list[tuple[str, bytes]],
    ) -> None:
        """Queue an already-encoded record (dead letters keep the original bytes)."""
        stored_headers: list[list[Any]] = [[n, v.decode("utf-8", "replace")] for n, v in headers]
        await self.session.execute(
            insert(self.tables.outbox).values(
                event_id=event_id, event_type=event_type, topic=topic,
                key=key.decode("utf-8", "replace"), headers=stored_headers, value=value,
            )
        )
        self._published += 1
