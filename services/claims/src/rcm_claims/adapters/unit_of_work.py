"""The claims service's SQL unit of work: its repositories on the transaction's session."""

from __future__ import annotations

from rcm_shared.db.uow import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_claims.adapters.repositories import (
    SqlClaimRepository,
    SqlControlNumbers,
    SqlIntakeRepository,
    SqlSubmissionRepository,
)
from rcm_claims.service.ports import ClaimRepository, ControlNumbers, IntakeRepository, SubmissionRepository


class SqlClaimsUnitOfWork(UnitOfWork):
    """``async with SqlClaimsUnitOfWork(db, messaging, namespace, source=...) as uow:``."""

    # Typed as the ports: mypy checks here that each SQL repository implements its port.
    intakes: IntakeRepository
    claims: ClaimRepository
    submissions: SubmissionRepository
    control_numbers: ControlNumbers

    def _open_repositories(self, session: AsyncSession) -> None:
        self.intakes = SqlIntakeRepository(session, self.phi)
        self.claims = SqlClaimRepository(session)
        self.submissions = SqlSubmissionRepository(session, self.phi)
        self.control_numbers = SqlControlNumbers(session)
