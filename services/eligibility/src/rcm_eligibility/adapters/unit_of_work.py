"""The SQL unit of work of the eligibility service."""

from __future__ import annotations

from rcm_shared.db.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_eligibility.adapters.repositories import SqlCoverageCheckRepository
from rcm_eligibility.service.ports import CoverageCheckRepository


class SqlEligibilityUnitOfWork(UnitOfWork):
    """One transaction of the eligibility database: its checks, inbox and outbox."""

    checks: CoverageCheckRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.checks = SqlCoverageCheckRepository(session, self.phi)
