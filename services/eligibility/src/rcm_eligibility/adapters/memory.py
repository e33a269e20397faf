"""In-memory eligibility adapters for fast tests: the store, its repository, the fake unit of
work, and a payer gateway that answers from a script."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rcm_shared.db.memory import InMemoryStore, InMemoryUnitOfWork

from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.model import CoverageAnswer, CoverageCheck, CoverageStatus
from rcm_eligibility.service.ports import CoverageCheckRepository


@dataclass
class EligibilityStore(InMemoryStore):
    """The eligibility database in memory: its checks in the order they were recorded."""

    checks: list[CoverageCheck] = field(default_factory=list)


class InMemoryCoverageCheckRepository:
    """:class:`~rcm_eligibility.service.ports.CoverageCheckRepository` over a list."""

    def __init__(self, checks: list[CoverageCheck]) -> None:
        self._checks = checks

    async def add(self, check: CoverageCheck) -> None:
        """Append ``check``."""
        self._checks.append(check)

    async def for_encounter(self, encounter_id: str) -> list[CoverageCheck]:
        """The checks of ``encounter_id``, oldest first."""
        return [c for c in self._checks if c.encounter_id == encounter_id]

    async def count_by_status(self) -> dict[CoverageStatus, int]:
        """Checks per coverage status (only statuses that have one)."""
        return dict(Counter(c.status for c in self._checks))


class FakeEligibilityUnitOfWork(InMemoryUnitOfWork[EligibilityStore]):
    """The eligibility unit of work over an :class:`EligibilityStore`."""

    checks: CoverageCheckRepository

    def _open_repositories(self, state: EligibilityStore) -> None:
        self.checks = InMemoryCoverageCheckRepository(state.checks)


class ScriptedEligibilityGateway:
    """A payer that answers every check with ``answer(command)`` and remembers what it was asked.

    ``answer`` may raise, as the real gateway does (``TransientError``,
    ``EligibilityRequestRejectedError``).
    """

    def __init__(self, answer: CoverageAnswer | Callable[[CheckEligibility], CoverageAnswer]) -> None:
        self._answer = answer
        self.asked: list[CheckEligibility] = []

    async def check(self, command: CheckEligibility) -> CoverageAnswer:
        """Record ``command`` and answer it."""
        self.asked.append(command)
        return self._answer if isinstance(self._answer, CoverageAnswer) else self._answer(command)
