"""The read side of payments: what the HTTP API shows, read through the unit of work's repositories."""

from __future__ import annotations

from dataclasses import dataclass

from rcm_payments.domain.errors import ClaimAccountNotFoundError
from rcm_payments.domain.model import ClaimAccount, PaymentsSummary, Posting
from rcm_payments.service.unit_of_work import PaymentsUnitOfWork


@dataclass(frozen=True)
class ClaimAccountStatement:
    """A claim's account and every posting made to it, oldest first."""

    account: ClaimAccount
    postings: tuple[Posting, ...]


async def claim_account_statement(uow: PaymentsUnitOfWork, claim_id: str) -> ClaimAccountStatement:
    """The statement of ``claim_id``'s account; raise :class:`ClaimAccountNotFoundError` when it has none."""
    account = await uow.accounts.get(claim_id)
    if account is None:
        raise ClaimAccountNotFoundError(claim_id)
    return ClaimAccountStatement(account, tuple(await uow.postings.for_claim(claim_id)))


async def payments_summary(uow: PaymentsUnitOfWork) -> PaymentsSummary:
    """Claim accounts by status, postings and their totals, and held remittance files."""
    return PaymentsSummary(accounts_by_status=await uow.accounts.summary(), postings=await uow.postings.totals(),
                           remittances_held=await uow.remittances.count_held())
