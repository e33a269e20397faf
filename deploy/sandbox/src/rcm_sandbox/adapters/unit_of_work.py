"""The SQLite unit of work: one ``BEGIN IMMEDIATE`` transaction over the storage's connection,
holding its lock, with the SQL repositories of :mod:`.repositories` on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rcm_sandbox.adapters.repositories import (
    SqlAccumulatorRepository,
    SqlClaimRepository,
    SqlCounterRepository,
    SqlInterchangeRepository,
    SqlMailbox,
    SqlRemittanceLedger,
    SqlRemittanceQueue,
)
from rcm_sandbox.adapters.storage import SqliteStorage
from rcm_sandbox.service.ports import (
    AccumulatorRepository,
    ClaimRepository,
    CounterRepository,
    InterchangeRepository,
    Mailbox,
    RemittanceLedger,
    RemittanceQueue,
)


class SqliteUnitOfWork:
    """``with uow:`` begins; :meth:`commit` commits (and begins again); leaving the block rolls
    back what was not committed and releases the lock."""

    def __init__(self, storage: SqliteStorage) -> None:
        self._storage = storage
        self._open = False
        conn = storage.connection
        self.counters: CounterRepository = SqlCounterRepository(conn)
        self.interchanges: InterchangeRepository = SqlInterchangeRepository(conn)
        self.claims: ClaimRepository = SqlClaimRepository(conn)
        self.accumulators: AccumulatorRepository = SqlAccumulatorRepository(conn)
        self.remittance_queue: RemittanceQueue = SqlRemittanceQueue(conn)
        self.remittances: RemittanceLedger = SqlRemittanceLedger(conn)
        self.mailbox: Mailbox = SqlMailbox(conn)

    def __enter__(self) -> Self:
        self._storage.lock.acquire()
        try:
            self._storage.connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._storage.lock.release()
            raise
        self._open = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._open:
                self._storage.connection.execute("ROLLBACK")
        finally:
            self._open = False
            self._storage.lock.release()

    def commit(self) -> None:
        """Commit, then begin a new transaction for whatever the block still does."""
        if not self._open:
            raise RuntimeError("SqliteUnitOfWork.commit outside 'with'")
        conn = self._storage.connection
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
