"""The coding service's unit of work, as handlers see it."""

from __future__ import annotations

from typing import Protocol

from rcm_shared.db.uow import MessagingUnitOfWork

from rcm_coding.service.ports import CodingResultRepository, ReviewCaseRepository


class CodingUnitOfWork(MessagingUnitOfWork, Protocol):
    """One transaction over the coding repositories and the outbox."""

    results: CodingResultRepository
    reviews: ReviewCaseRepository
