"""The coding service's SQL unit of work: its repositories on the transaction's session."""

from __future__ import annotations

from rcm_shared.db.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_coding.adapters.repositories import SqlCodingResultRepository, SqlReviewCaseRepository
from rcm_coding.service.ports import CodingResultRepository, ReviewCaseRepository


class SqlCodingUnitOfWork(UnitOfWork):
    """One PostgreSQL transaction over coding results, review cases, the inbox and the outbox."""

    results: CodingResultRepository
    reviews: ReviewCaseRepository

    def _open_repositories(self, session: AsyncSession) -> None:
        self.results = SqlCodingResultRepository(session, self.phi)
        self.reviews = SqlReviewCaseRepository(session, self.phi)
