"""The payments unit of work: its repositories on one transaction, plus the messaging outbox."""

from __future__ import annotations

from typing import Protocol

from rcm_shared.db.uow import MessagingUnitOfWork

from rcm_payments.service.ports import ClaimAccountRepository, PostingRepository, RemittanceRepository


class PaymentsUnitOfWork(MessagingUnitOfWork, Protocol):
    """What a payments handler may use: the repositories, ``publish`` and ``commit``."""

    accounts: ClaimAccountRepository
    postings: PostingRepository
    remittances: RemittanceRepository
