"""The sandbox's unit of work: one storage transaction holding every repository.

The sandbox has no Kafka, so this is not a :class:`rcm_shared.db.uow.MessagingUnitOfWork`:
nothing is published, the X12 it writes goes into its own mailbox in the same transaction.
Its storage is SQLite (blocking), so the unit of work and the handlers are synchronous; the
HTTP layer runs them in a worker thread.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from rcm_sandbox.service.ports import (
    AccumulatorRepository,
    ClaimRepository,
    CounterRepository,
    InterchangeRepository,
    Mailbox,
    RemittanceLedger,
    RemittanceQueue,
)


class SandboxUnitOfWork(Protocol):
    """``with uow:`` opens a transaction; ``uow.commit()`` makes it durable; leaving the block
    without committing rolls back whatever was not committed."""

    counters: CounterRepository
    interchanges: InterchangeRepository
    claims: ClaimRepository
    accumulators: AccumulatorRepository
    remittance_queue: RemittanceQueue
    remittances: RemittanceLedger
    mailbox: Mailbox

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None:
        """Make the transaction's changes durable (the block may go on in a new transaction)."""
        ...
