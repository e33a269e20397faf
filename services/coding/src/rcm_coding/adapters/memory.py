"""In-memory repositories and unit of work of the coding service, for fast handler tests.

They pass the same contract suite as the SQL repositories (``tests/contract``), so a handler
test on them sees what it would see on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from rcm_shared.db.memory import InMemoryStore, InMemoryUnitOfWork
from rcm_shared.envelope import Cause

from rcm_coding.domain.model import AuditEntry, CodingStatus, EncounterCoding
from rcm_coding.domain.review import ReviewCase, ReviewQueueEntry
from rcm_coding.service.ports import CodingResultRepository, QueuedReview, ReviewCaseRepository


@dataclass(frozen=True)
class StoredCase:
    case: ReviewCase
    cause: Cause | None


@dataclass
class CodingStore(InMemoryStore):
    """The coding service's state: codings, review cases and the audit log, by encounter."""

    codings: dict[str, EncounterCoding] = field(default_factory=dict)
    created_at: dict[str, datetime] = field(default_factory=dict)
    cases: dict[str, StoredCase] = field(default_factory=dict)
    audit: dict[str, list[AuditEntry]] = field(default_factory=dict)


class InMemoryCodingResultRepository:
    """:class:`~rcm_coding.service.ports.CodingResultRepository` on a :class:`CodingStore`."""

    def __init__(self, state: CodingStore) -> None:
        self.state = state

    async def save(self, coding: EncounterCoding) -> None:
        self.state.codings[coding.encounter_id] = coding
        self.state.created_at.setdefault(coding.encounter_id, datetime.now(UTC))
        self.state.cases.pop(coding.encounter_id, None)  # a new coding starts over

    async def get(self, encounter_id: str) -> EncounterCoding | None:
        return self.state.codings.get(encounter_id)

    async def count_by_status(self) -> dict[CodingStatus, int]:
        counts: dict[CodingStatus, int] = {}
        for coding in self.state.codings.values():
            counts[coding.status] = counts.get(coding.status, 0) + 1
        return counts


class InMemoryReviewCaseRepository:
    """:class:`~rcm_coding.service.ports.ReviewCaseRepository` on a :class:`CodingStore`."""

    def __init__(self, state: CodingStore) -> None:
        self.state = state

    async def add(self, case: ReviewCase, *, cause: Cause | None) -> None:
        if case.encounter_id not in self.state.codings:
            raise LookupError(f"no coding of encounter {case.encounter_id} to attach a review case to")
        self.state.cases[case.encounter_id] = StoredCase(case, cause)

    async def get(self, encounter_id: str, *, for_update: bool = False) -> QueuedReview | None:
        stored = self.state.cases.get(encounter_id)
        if stored is None:
            return None
        return QueuedReview(stored.case, self.state.codings[encounter_id].date_of_service, stored.cause)

    async def save(self, case: ReviewCase) -> None:
        coding = self.state.codings.get(case.encounter_id)
        stored = self.state.cases.get(case.encounter_id)
        if coding is None or stored is None:
            raise LookupError(f"no review case of encounter {case.encounter_id}")
        self.state.cases[case.encounter_id] = replace(stored, case=case)
        self.state.codings[case.encounter_id] = replace(coding, status=case.status.coding_status(),
                                                        final_codes=case.final_codes())
        self.state.audit.setdefault(case.encounter_id, []).append(case.audit[-1])

    async def queue(self, *, limit: int, offset: int = 0) -> list[ReviewQueueEntry]:
        waiting = sorted((self.state.created_at[c.encounter_id], c.encounter_id, c)
                         for c in self.state.codings.values() if c.status is CodingStatus.REVIEW)
        return [ReviewQueueEntry(c.encounter_id, c.date_of_service, c.proposal.review_reasons, at)
                for at, _, c in waiting[offset:offset + limit]]

    async def audit_trail(self, encounter_id: str) -> list[AuditEntry]:
        return list(self.state.audit.get(encounter_id, []))


class FakeCodingUnitOfWork(InMemoryUnitOfWork[CodingStore]):
    """The coding unit of work on a :class:`CodingStore` (commit applies, leaving without it rolls back)."""

    results: CodingResultRepository
    reviews: ReviewCaseRepository

    def _open_repositories(self, state: CodingStore) -> None:
        self.results = InMemoryCodingResultRepository(state)
        self.reviews = InMemoryReviewCaseRepository(state)
