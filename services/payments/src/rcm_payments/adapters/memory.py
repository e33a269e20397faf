"""In-memory payments repositories and unit of work: the fakes fast tests run handlers on.

They pass the same repository contract suite as the SQL ones (tests/contract/), so a
handler test on them speaks for the real database too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rcm_shared.db.memory import InMemoryStore, InMemoryUnitOfWork
from rcm_shared.envelope import Cause

from rcm_payments.domain.model import (
    AccountChange,
    AccountStatus,
    ClaimAccount,
    Posting,
    PostingTotals,
    RemittanceOutcome,
)
from rcm_payments.service.ports import ClaimAccountRepository, PostingRepository, RemittanceRepository


@dataclass
class PaymentsStore(InMemoryStore):
    """The payments tables as dicts (postings keyed by posting key, in insertion order)."""

    accounts: dict[str, ClaimAccount] = field(default_factory=dict)
    account_causes: dict[str, Cause] = field(default_factory=dict)
    postings: dict[str, Posting] = field(default_factory=dict)
    remittances: dict[str, RemittanceOutcome] = field(default_factory=dict)


class InMemoryClaimAccountRepository:
    def __init__(self, state: PaymentsStore) -> None:
        self.state = state

    async def open(self, account: ClaimAccount, *, cause: Cause | None) -> None:
        existing = self.state.accounts.get(account.claim_id)
        self.state.accounts[account.claim_id] = (
            existing.with_claim_details_of(account) if existing is not None else account
        )
        if cause is not None:
            self.state.account_causes[account.claim_id] = cause
        else:
            self.state.account_causes.pop(account.claim_id, None)

    async def apply_posting(self, change: AccountChange) -> ClaimAccount:
        account = self.state.accounts.get(change.claim_id) or ClaimAccount(change.claim_id, change.status)
        self.state.accounts[change.claim_id] = moved = account.after(change)
        return moved

    async def get(self, claim_id: str) -> ClaimAccount | None:
        return self.state.accounts.get(claim_id)

    async def cause_of(self, claim_id: str) -> Cause | None:
        return self.state.account_causes.get(claim_id)

    async def summary(self) -> dict[AccountStatus, int]:
        counts: dict[AccountStatus, int] = {}
        for account in self.state.accounts.values():
            counts[account.status] = counts.get(account.status, 0) + 1
        return counts


class InMemoryPostingRepository:
    def __init__(self, state: PaymentsStore) -> None:
        self.state = state

    async def add(self, posting: Posting) -> bool:
        if posting.key in self.state.postings:
            return False
        self.state.postings[posting.key] = posting
        return True

    async def for_claim(self, claim_id: str) -> list[Posting]:
        return [p for p in self.state.postings.values() if p.claim_id == claim_id]

    async def totals(self) -> PostingTotals:
        all_postings = list(self.state.postings.values())
        return PostingTotals(count=len(all_postings), paid=sum((p.paid for p in all_postings), Decimal(0)),
                             patient_responsibility=sum((p.patient_responsibility for p in all_postings), Decimal(0)))


class InMemoryRemittanceRepository:
    def __init__(self, state: PaymentsStore) -> None:
        self.state = state

    async def record(self, outcome: RemittanceOutcome) -> None:
        self.state.remittances.setdefault(outcome.file_id, outcome)

    async def get(self, file_id: str) -> RemittanceOutcome | None:
        return self.state.remittances.get(file_id)

    async def count_held(self) -> int:
        return sum(1 for r in self.state.remittances.values() if r.status == "held")


class FakePaymentsUnitOfWork(InMemoryUnitOfWork[PaymentsStore]):
    """The payments unit of work over a :class:`PaymentsStore` (commit applies, leaving rolls back)."""

    accounts: ClaimAccountRepository
    postings: PostingRepository
    remittances: RemittanceRepository

    def _open_repositories(self, state: PaymentsStore) -> None:
        self.accounts = InMemoryClaimAccountRepository(state)
        self.postings = InMemoryPostingRepository(state)
        self.remittances = InMemoryRemittanceRepository(state)
