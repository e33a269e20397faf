"""The claims service's unit of work: its repositories plus the messaging operations."""

from __future__ import annotations

from typing import Protocol

from rcm_shared.db.uow import MessagingUnitOfWork

from rcm_claims.service.ports import (
    ClaimRepository,
    ControlNumbers,
    IntakeRepository,
    SubmissionRepository,
)


class ClaimsUnitOfWork(MessagingUnitOfWork, Protocol):
    """One transaction over the claims database: what handlers may read, change and publish."""

    intakes: IntakeRepository
    claims: ClaimRepository
    submissions: SubmissionRepository
    control_numbers: ControlNumbers
