"""The eligibility unit of work: its repositories plus the messaging runtime's operations."""

from __future__ import annotations

from typing import Protocol

from rcm_shared.db.uow import MessagingUnitOfWork

from rcm_eligibility.service.ports import CoverageCheckRepository


class EligibilityUnitOfWork(MessagingUnitOfWork, Protocol):
    """What eligibility handlers see of a transaction."""

    checks: CoverageCheckRepository
