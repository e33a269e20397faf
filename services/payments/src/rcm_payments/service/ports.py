"""Ports the payments handlers need: repositories over the domain's value types, and the 835 reader."""

from __future__ import annotations

from typing import Protocol

from rcm_shared.envelope import Cause

from rcm_payments.domain.model import (
    AccountChange,
    AccountStatus,
    ClaimAccount,
    Posting,
    PostingTotals,
    Remittance,
    RemittanceOutcome,
)


class ClaimAccountRepository(Protocol):
    """Claim accounts receivable, one per claim id."""

    async def open(self, account: ClaimAccount, *, cause: Cause | None) -> None:
        """Add a submitted claim's account with what caused it (its ``ClaimSubmitted``).

        If the account exists already (a remittance came first, or the claim was sent
        again), only its claim details and cause are replaced; status and totals stay.
        """
        ...

    async def apply_posting(self, change: AccountChange) -> ClaimAccount:
        """Post ``change`` to its account (created if the claim was never seen); return the account after."""
        ...

    async def get(self, claim_id: str) -> ClaimAccount | None:
        """The account of ``claim_id``, None when there is none."""
        ...

    async def cause_of(self, claim_id: str) -> Cause | None:
        """What opened the account (the claim's submission), None when unknown."""
        ...

    async def summary(self) -> dict[AccountStatus, int]:
        """How many accounts are in each status (statuses with none are left out)."""
        ...


class PostingRepository(Protocol):
    """Claim postings, each recorded once by its posting key."""

    async def add(self, posting: Posting) -> bool:
        """Record ``posting``; False (and nothing changes) when its key was posted before."""
        ...

    async def for_claim(self, claim_id: str) -> list[Posting]:
        """The postings of ``claim_id`` in the order they were made."""
        ...

    async def totals(self) -> PostingTotals:
        """How many postings there are, and their paid and patient-responsibility sums."""
        ...


class RemittanceRepository(Protocol):
    """What became of each 835 file."""

    async def record(self, outcome: RemittanceOutcome) -> None:
        """Record a file's outcome; the first outcome recorded for a file id stays."""
        ...

    async def get(self, file_id: str) -> RemittanceOutcome | None:
        """The outcome of ``file_id``, None when it was never recorded."""
        ...

    async def count_held(self) -> int:
        """How many files are held for review."""
        ...


class RemittanceReader(Protocol):
    """Reads an 835 interchange into the domain's remittances."""

    def read(self, content: str) -> list[Remittance]:
        """One :class:`Remittance` per 835 transaction set; raise ``RemittanceFormatError`` when unreadable."""
        ...
