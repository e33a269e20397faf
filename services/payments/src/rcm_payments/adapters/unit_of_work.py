"""The SQL unit of work of the payments service: its repositories on the transaction's session."""

from __future__ import annotations

from rcm_shared.db.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_payments.adapters.repositories import (
    SqlClaimAccountRepository,
    SqlPostingRepository,
    SqlRemittanceRepository,
)
from rcm_payments.service.ports import ClaimAccountRepository, PostingRepository, RemittanceRepository


class SqlPaymentsUnitOfWork(UnitOfWork):
    """One transaction on the payments database: accounts, postings, remittances, inbox and outbox."""

    accounts: ClaimAccountRepository
    postings: PostingRepository
    remittances: RemittanceRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.accounts = SqlClaimAccountRepository(session)
        self.postings = SqlPostingRepository(session)
        self.remittances = SqlRemittanceRepository(session)
