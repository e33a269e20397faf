"""Unit of work: one database transaction holding the inbox record, the state change and
the outbox rows of the events it emits.

Never write to the database and to Kafka as two steps: events leave through the outbox,
and the relay publishes them after commit.

Every service has its own unit of work: a subclass of :class:`UnitOfWork` that builds the
service's SQL repositories on the transaction's session (``_open_repositories``), and an
in-memory twin for unit tests (:mod:`rcm_shared.testing.fakes`). Handlers see only the
service's Protocol of it: its repositories, :meth:`UnitOfWork.publish` and ``commit``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from enum import Enum
from types import TracebackType
from typing import Protocol, Self

from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_shared.contracts import event_type_of
from rcm_shared.db.database import Database
from rcm_shared.db.tables import MessagingTables
from rcm_shared.envelope import Cause, Envelope, caused_by, new_event
from rcm_shared.phi.codec import PhiCipher
from rcm_shared.phi.keyring import MemoryKeyring
from rcm_shared.topics import Topic, topic_name

# The cipher of a SQL unit of work built without one (repository and contract tests): keys live
# in this process only. The runtime always passes the service's keyring (rcm_shared.phi.setup).
_PROCESS_LOCAL_CIPHER = PhiCipher(MemoryKeyring())


def encode_headers(headers: list[tuple[str, bytes]]) -> list[list[str]]:
    """Record headers as stored in the outbox: base64 of the name's UTF-8 and of the value, lossless."""
    return [[base64.b64encode(n.encode("utf-8", "surrogateescape")).decode(), base64.b64encode(v).decode()]
            for n, v in headers]


def decode_headers(stored: list[list[str]]) -> list[tuple[str, bytes]]:
    """The inverse of :func:`encode_headers`."""
    return [(base64.b64decode(n).decode("utf-8", "surrogateescape"), base64.b64decode(v)) for n, v in stored]


def build_event(
    payload: BaseModel,
    *,
    source: str,
    cause: Cause | Envelope | None,
    key: str,
    correlation_id: str | None = None,
    schema_version: int = 1,
) -> Envelope:
    """The envelope of an outgoing contract payload (the one way events are made).

    With a cause: its correlation id, causation = its event id, a child span of its trace.
    Without one (work hospital IT or an operator started): ``correlation_id`` (default
    ``key``) and a new trace. The event type comes from the contract registry.
    """
    event_type = event_type_of(payload)
    if cause is not None:
        as_cause = cause.as_cause() if isinstance(cause, Envelope) else cause
        return caused_by(as_cause, event_type, payload, source=source, key=key, schema_version=schema_version)
    return new_event(event_type, payload, source=source, correlation_id=correlation_id or key, key=key,
                     schema_version=schema_version)


class Claimed(Enum):
    """What recording a message in the inbox found; true only when the message is new."""

    FRESH = "fresh"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"

    def __bool__(self) -> bool:
        return self is Claimed.FRESH


class MessagingUnitOfWork(Protocol):
    """What the messaging runtime and every handler may do with a unit of work."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def commit(self) -> None:
        """Make the transaction's changes and queued events durable."""
        ...

    async def publish(
        self,
        topic: Topic,
        payload: BaseModel,
        *,
        cause: Cause | Envelope | None,
        key: str,
        correlation_id: str | None = None,
        schema_version: int = 1,
    ) -> Envelope:
        """Queue a contract payload as an event on ``topic`` in this transaction."""
        ...

    async def publish_raw(
        self, topic: str, *, event_id: str, event_type: str, key: bytes, value: bytes,
        headers: list[tuple[str, bytes]],
    ) -> None:
        """Queue an already-encoded record (dead letters keep the original bytes)."""
        ...

    async def claim_message(
        self, consumer: str, message_id: str, *, event_type: str | None, topic: str, partition: int,
        offset: int, outcome: str = "processed", content_hash: str | None = None,
    ) -> Claimed:
        """Record ``message_id`` as handled by ``consumer``: FRESH, DUPLICATE or CONFLICT (falsy unless FRESH)."""
        ...

    async def mailbox_cursor(self, mailbox: str) -> int:
        """The last mailbox sequence number taken (0 when none)."""
        ...

    async def advance_mailbox(self, mailbox: str, seq: int) -> None:
        """Store ``seq`` as the last mailbox sequence number taken."""
        ...


class EventPublisher:
    """``publish``, written once for the SQL and the in-memory units of work."""

    source: str
    # Seals the PHI fields of outgoing payloads (None: the in-memory twin of handler unit tests).
    phi: PhiCipher | None = None

    async def publish(
        self,
        topic: Topic,
        payload: BaseModel,
        *,
        cause: Cause | Envelope | None,
        key: str,
        correlation_id: str | None = None,
        schema_version: int = 1,
    ) -> Envelope:
        """Queue ``payload`` as an event on ``topic``; return the envelope written.

        The one way a service emits an event: see :func:`build_event` for causation,
        correlation and trace.
        """
        event = build_event(payload, source=self.source, cause=cause, key=key, correlation_id=correlation_id,
                            schema_version=schema_version)
        if self.phi is not None:
            # PHI never reaches the outbox (or the topic, kept forever) in plain text.
            sealed = await self.phi.seal_payload(payload, event.payload)
            if sealed is not event.payload:
                event = event.model_copy(update={"payload": sealed})
        await self.publish_envelope(topic, event)
        return event

    async def publish_envelope(self, topic: Topic, event: Envelope) -> None:
        """Queue an envelope built elsewhere (the ``rcm publish`` tool, tests)."""
        raise NotImplementedError


class UnitOfWork(EventPublisher):
    """The SQL unit of work: ``async with uow:`` opens a transaction; ``await uow.commit()`` ends it.

    Leaving the block without ``commit`` rolls back, so an exception never half-applies.
    ``phi`` seals PHI in outgoing payloads and in the service's PHI columns.
    """

    phi: PhiCipher

    def __init__(
        self,
        db: Database,
        tables: MessagingTables,
        namespace: str,
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
        phi: PhiCipher | None = None,
    ) -> None:
        self.phi = phi or _PROCESS_LOCAL_CIPHER
        self._db = db
        self.tables = tables
        self.namespace = namespace
        self.source = source
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self._published = 0

    @property
    def session(self) -> AsyncSession:
        """The transaction's session: for SQL repositories only, never for handlers."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._session

    def _open_repositories(self, session: AsyncSession) -> None:
        """Build the service's SQL repositories on ``session`` (subclasses override)."""

    async def __aenter__(self) -> Self:
        self._session = self._db.sessionmaker()
        await self._session.begin()
        self._published = 0
        self._open_repositories(self._session)
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
        offset: int, outcome: str = "processed", content_hash: str | None = None,
    ) -> Claimed:
        """Record ``message_id`` as handled by ``consumer``.

        DUPLICATE when it already was with the same content (or an unknown one), CONFLICT when
        the id was recorded with another ``content_hash``: a different event reusing an id.
        """
        inbox = self.tables.inbox
        stmt = (
            pg_insert(inbox)
            .values(
                consumer=consumer, message_id=message_id, event_type=event_type, topic=topic,
                partition=partition, offset=offset, outcome=outcome, content_hash=content_hash,
            )
            .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        )
        result = await self.session.execute(stmt)
        if result.rowcount:  # type: ignore[attr-defined]  # CursorResult of an INSERT
            return Claimed.FRESH
        if content_hash is None:
            return Claimed.DUPLICATE
        stored = (await self.session.execute(
            select(inbox.c.content_hash).where(inbox.c.consumer == consumer, inbox.c.message_id == message_id)
        )).scalar()
        return Claimed.CONFLICT if stored is not None and stored != content_hash else Claimed.DUPLICATE

    async def publish_envelope(self, topic: Topic, event: Envelope) -> None:
        """Queue an envelope built elsewhere (the ``rcm publish`` tool, tests)."""
        key, value, headers = event.to_kafka()
        await self.publish_raw(topic_name(topic, self.namespace), event_id=str(event.id), event_type=event.type,
                               key=key, value=value, headers=headers)

    async def publish_raw(
        self, topic: str, *, event_id: str, event_type: str, key: bytes, value: bytes,
        headers: list[tuple[str, bytes]],
    ) -> None:
        """Queue an already-encoded record (dead letters keep the original bytes)."""
        await self.session.execute(
            insert(self.tables.outbox).values(
                event_id=event_id, event_type=event_type, topic=topic, key=key, headers=encode_headers(headers),
                value=value,
            )
        )
        self._published += 1

    async def mailbox_cursor(self, mailbox: str) -> int:
        """The last mailbox sequence number taken (0 when none)."""
        cursor = self.tables.mailbox_cursor
        after = (await self.session.execute(select(cursor.c.after_seq).where(cursor.c.mailbox == mailbox))).scalar()
        return int(after or 0)

    async def advance_mailbox(self, mailbox: str, seq: int) -> None:
        """Store ``seq`` as the last mailbox sequence number taken."""
        stmt = pg_insert(self.tables.mailbox_cursor).values(mailbox=mailbox, after_seq=seq)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=["mailbox"], set_={"after_seq": seq}))
