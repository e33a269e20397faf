"""The ports the coding handlers depend on: repositories (speaking the domain's value types,
never rows, contracts or sessions) and the coding engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rcm_shared.envelope import Cause

from rcm_coding.domain.model import AuditEntry, CodingResult, CodingStatus, EncounterCoding, EncounterDocumentation
from rcm_coding.domain.review import ReviewCase, ReviewQueueEntry


class Coder(Protocol):
    """The coding engine, as the handlers see it."""

    def code_encounter(self, doc: EncounterDocumentation) -> CodingResult:
        """Propose codes for one encounter's documentation."""
        ...


@dataclass(frozen=True)
class QueuedReview:
    """An encounter's review case, its date of service (the edits need it) and the event it
    continues (None for cases queued before causes were kept)."""

    case: ReviewCase
    date_of_service: date
    cause: Cause | None


class CodingResultRepository(Protocol):
    """The coding of each encounter: proposal, status and the codes sent on."""

    async def save(self, coding: EncounterCoding) -> None:
        """Store the coding of ``coding.encounter_id``.

        A new coding of an encounter already coded replaces the old one, review case included.
        """
        ...

    async def get(self, encounter_id: str) -> EncounterCoding | None:
        """The encounter's coding, or None when it was never coded."""
        ...

    async def count_by_status(self) -> dict[CodingStatus, int]:
        """How many encounters are in each status (statuses without any are left out)."""
        ...


class ReviewCaseRepository(Protocol):
    """Review cases of encounters queued for a coder, and their audit log."""

    async def add(self, case: ReviewCase, *, cause: Cause | None) -> None:
        """Attach a newly opened case to its encounter's coding (saved before), with its cause."""
        ...

    async def get(self, encounter_id: str, *, for_update: bool = False) -> QueuedReview | None:
        """The encounter's case; ``for_update`` holds it for this transaction (a decision on it is made next)."""
        ...

    async def save(self, case: ReviewCase) -> None:
        """Store a new version of the case and append its latest trail entry to the audit log.

        The encounter's status and final codes follow the case: open is ``review``, completed
        is ``coded`` with the case's final codes, rejected is ``rejected``.
        """
        ...

    async def queue(self, *, limit: int, offset: int = 0) -> list[ReviewQueueEntry]:
        """Encounters waiting for a coder, oldest first."""
        ...

    async def audit_trail(self, encounter_id: str) -> list[AuditEntry]:
        """The audit log of the encounter's review decisions, oldest first."""
        ...
