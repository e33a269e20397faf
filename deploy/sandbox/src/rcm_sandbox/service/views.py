"""Read side: what the HTTP API shows of the payers' books (no handler, no change)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rcm_sandbox.domain.model import AckCategory, ClaimStatusCode
from rcm_sandbox.domain.records import ClaimRecord, MailboxFile, MailboxKind
from rcm_sandbox.service.unit_of_work import SandboxUnitOfWork


@dataclass(frozen=True, kw_only=True)
class SandboxStats:
    """Counters for tests and dashboards.

    ``claims_received`` counts unique (patient control number, frequency) pairs; a resend
    raises that claim's ``times_received`` instead. ``claims_paid`` / ``claims_denied`` split
    the adjudicated claims by CLP02 (1 processed, including $0 applied to the deductible;
    4 denied). ``total_paid`` is the sum of CLP04 over the 835s sent (reversals negative).
    """

    interchanges_received: int
    duplicate_interchanges: int
    claims_received: int
    claims_accepted: int
    claims_rejected: int
    claims_adjudicated: int
    claims_paid: int
    claims_denied: int
    remittances_sent: int
    remittances_pending: int
    total_paid: Decimal
    eligibility_requests: int


def stats(uow: SandboxUnitOfWork) -> SandboxStats:
    """The counters now."""
    with uow:
        records = uow.claims.all()
        remittances_sent, total_paid = uow.remittances.totals()
        adjudicated = [r for r in records if r.claim_status is not None]
        return SandboxStats(
            interchanges_received=uow.counters.value("interchanges_received"),
            duplicate_interchanges=uow.counters.value("duplicate_interchanges"),
            claims_received=len(records),
            claims_accepted=sum(1 for r in records if r.ack_category is AckCategory.ACCEPTED),
            claims_rejected=sum(1 for r in records if r.ack_category is not AckCategory.ACCEPTED),
            claims_adjudicated=len(adjudicated),
            claims_paid=sum(1 for r in adjudicated if r.claim_status is ClaimStatusCode.PROCESSED_PRIMARY),
            claims_denied=sum(1 for r in adjudicated if r.claim_status is ClaimStatusCode.DENIED),
            remittances_sent=remittances_sent,
            remittances_pending=uow.remittance_queue.pending_count(),
            total_paid=total_paid,
            eligibility_requests=uow.counters.value("eligibility_requests"),
        )


def claims(uow: SandboxUnitOfWork) -> list[ClaimRecord]:
    """Every received claim with its current state, in arrival order."""
    with uow:
        return uow.claims.all()


def mailbox_files(uow: SandboxUnitOfWork, kind: MailboxKind | None, after: int, limit: int) -> list[MailboxFile]:
    """Mailbox files after a cursor, oldest first; files are never consumed."""
    with uow:
        return uow.mailbox.files(kind, after, limit)
