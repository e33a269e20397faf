"""Ports of the eligibility handlers: the repository of checks and the payer gateway.

They speak the domain's value types only: never rows, contracts or sessions.
"""

from __future__ import annotations

from typing import Protocol

from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.model import CoverageAnswer, CoverageCheck, CoverageStatus


class CoverageCheckRepository(Protocol):
    """The coverage checks recorded by this service."""

    async def add(self, check: CoverageCheck) -> None:
        """Record ``check`` in the current transaction."""
        ...

    async def for_encounter(self, encounter_id: str) -> list[CoverageCheck]:
        """The checks of ``encounter_id``, oldest first (empty when there is none)."""
        ...

    async def count_by_status(self) -> dict[CoverageStatus, int]:
        """How many checks each coverage status has (statuses without a check are absent)."""
        ...


class EligibilityGateway(Protocol):
    """The payer, asked in real time (a 270/271 exchange through the clearinghouse).

    Raises ``TransientError`` when the clearinghouse is unreachable or answers 5xx, and
    :class:`~rcm_eligibility.domain.errors.EligibilityRequestRejectedError` when it refuses
    the request itself. A payer that cannot find the member answers (status ``rejected``).
    """

    async def check(self, command: CheckEligibility) -> CoverageAnswer:
        """The payer's coverage answer to ``command``."""
        ...
