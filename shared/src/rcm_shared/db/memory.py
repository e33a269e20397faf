"""The in-memory unit of work: a service's state in dicts, with database semantics.

Used by every service's fast handler tests (see :mod:`rcm_shared.testing.fakes`) and
usable wherever a service runs without PostgreSQL.

It keeps the guarantees handlers rely on, so a unit test can catch what the SQL one would:
changes made inside ``async with uow:`` are applied to the store only by ``commit()``
(leaving the block without it rolls everything back, events included), the inbox drops a
repeated message id, and published events are built by the same :func:`build_event` as
the SQL unit of work.

A service's fake is a subclass whose ``_open_repositories`` builds its in-memory
repositories on the transaction's working copy of the store::

    @dataclass
    class ClaimsStore(InMemoryStore):
        claims: dict[str, Claim] = field(default_factory=dict)

    class FakeClaimsUnitOfWork(InMemoryUnitOfWork[ClaimsStore]):
        def _open_repositories(self, state: ClaimsStore) -> None:
            self.claims = InMemoryClaimRepository(state.claims)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Generic, Self, TypeVar

from rcm_shared.db.uow import Claimed, EventPublisher
from rcm_shared.envelope import Envelope
from rcm_shared.topics import Topic, topic_name


@dataclass(frozen=True)
class OutboxRecord:
    """One queued record: the envelope for events built by ``publish``, else None (raw)."""

    topic: str
    event_id: str
    event_type: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    envelope: Envelope | None


@dataclass
class InMemoryStore:
    """The messaging part of a service's state; services extend it with their own tables."""

    inbox: dict[tuple[str, str], str] = field(default_factory=dict)
    inbox_hashes: dict[tuple[str, str], str] = field(default_factory=dict)
    outbox: list[OutboxRecord] = field(default_factory=list)
    mailbox_cursors: dict[str, int] = field(default_factory=dict)
    commits: int = 0

    def events(self, event_type: str | None = None) -> list[Envelope]:
        """Committed events built by ``publish`` (of one type when given), in order."""
        return [r.envelope for r in self.outbox
                if r.envelope is not None and (event_type is None or r.envelope.type == event_type)]

    def raw(self, topic: str | None = None) -> list[OutboxRecord]:
        """Committed raw records (dead letters), of one physical topic when given."""
        return [r for r in self.outbox if r.envelope is None and (topic is None or r.topic == topic)]


S = TypeVar("S", bound=InMemoryStore)


class InMemoryUnitOfWork(EventPublisher, Generic[S]):
    """A unit of work over an :class:`InMemoryStore` with commit/rollback semantics."""

    def __init__(self, store: S, *, source: str = "rcm/test", namespace: str = "rcm") -> None:
        self.store = store
        self.source = source
        self.namespace = namespace
        self._state: S | None = None

    @property
    def state(self) -> S:
        """The transaction's working copy of the store."""
        if self._state is None:
            raise RuntimeError("InMemoryUnitOfWork used outside 'async with'")
        return self._state

    def _open_repositories(self, state: S) -> None:
        """Build the service's in-memory repositories on ``state`` (subclasses override)."""

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self.store)
        self._open_repositories(self._state)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._state = None

    async def commit(self) -> None:
        """Apply the working copy to the store."""
        state = self.state
        state.commits += 1
        self.store.__dict__.update(copy.deepcopy(state).__dict__)

    async def claim_message(
        self, consumer: str, message_id: str, *, event_type: str | None, topic: str, partition: int,
        offset: int, outcome: str = "processed", content_hash: str | None = None,
    ) -> Claimed:
        """FRESH the first time; DUPLICATE, or CONFLICT when the stored content hash differs."""
        key = (consumer, message_id)
        if key in self.state.inbox:
            stored = self.state.inbox_hashes.get(key)
            conflict = content_hash is not None and stored is not None and stored != content_hash
            return Claimed.CONFLICT if conflict else Claimed.DUPLICATE
        self.state.inbox[key] = outcome
        if content_hash is not None:
            self.state.inbox_hashes[key] = content_hash
        return Claimed.FRESH

    async def publish_envelope(self, topic: Topic, event: Envelope) -> None:
        """Queue an envelope built elsewhere."""
        key, value, headers = event.to_kafka()
        self.state.outbox.append(OutboxRecord(topic_name(topic, self.namespace), str(event.id), event.type, key,
                                              value, tuple(headers), event))

    async def publish_raw(
        self, topic: str, *, event_id: str, event_type: str, key: bytes, value: bytes,
        headers: list[tuple[str, bytes]],
    ) -> None:
        """Queue an already-encoded record."""
        if any(r.event_id == event_id for r in self.state.outbox):
            raise ValueError(f"outbox already holds event id {event_id}")  # the SQL outbox's unique key
        self.state.outbox.append(OutboxRecord(topic, event_id, event_type, key, value, tuple(headers), None))

    async def mailbox_cursor(self, mailbox: str) -> int:
        """The last mailbox sequence number taken (0 when none)."""
        return self.state.mailbox_cursors.get(mailbox, 0)

    async def advance_mailbox(self, mailbox: str, seq: int) -> None:
        """Store ``seq`` as the last mailbox sequence number taken."""
        self.state.mailbox_cursors[mailbox] = seq

