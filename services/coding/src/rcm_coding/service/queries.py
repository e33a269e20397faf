"""Read-side queries of the coding service (the HTTP routes' reads), on the same ports."""

from __future__ import annotations

from dataclasses import dataclass

from rcm_coding.domain.model import AuditEntry, CodingStatus, EncounterCoding
from rcm_coding.domain.review import ReviewCase, ReviewQueueEntry
from rcm_coding.service.unit_of_work import CodingUnitOfWork


@dataclass(frozen=True)
class EncounterCodingView:
    """Everything a coder sees of one encounter: its coding, its review case and the audit log."""

    coding: EncounterCoding
    case: ReviewCase | None
    audit: tuple[AuditEntry, ...]


async def encounter_coding(uow: CodingUnitOfWork, encounter_id: str) -> EncounterCodingView | None:
    """The encounter's coding with its review case and audit log, or None when it was never coded."""
    async with uow:
        coding = await uow.results.get(encounter_id)
        if coding is None:
            return None
        queued = await uow.reviews.get(encounter_id)
        audit = await uow.reviews.audit_trail(encounter_id)
    return EncounterCodingView(coding, queued.case if queued else None, tuple(audit))


async def review_queue(uow: CodingUnitOfWork, *, limit: int, offset: int = 0) -> list[ReviewQueueEntry]:
    """Encounters waiting for a coder, oldest first."""
    async with uow:
        return await uow.reviews.queue(limit=limit, offset=offset)


async def coding_summary(uow: CodingUnitOfWork) -> dict[CodingStatus, int]:
    """How many encounters are in each coding status (every status listed, zero when none)."""
    async with uow:
        counts = await uow.results.count_by_status()
    return {status: counts.get(status, 0) for status in CodingStatus}
