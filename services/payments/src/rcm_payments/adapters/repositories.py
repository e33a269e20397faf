"""SQL repositories of the payments service: rows of its own tables <-> the domain's value types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from rcm_shared.envelope import Cause
from sqlalchemy import RowMapping, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_payments.adapters.tables import claim_accounts, postings, remittances
from rcm_payments.domain.model import (
    ACCOUNT_STATUSES,
    AccountChange,
    AccountStatus,
    ClaimAccount,
    PostedAdjustment,
    Posting,
    PostingTotals,
    RemittanceOutcome,
    RemittanceStatus,
)

_ACCOUNT_COLUMNS = (claim_accounts.c.claim_id, claim_accounts.c.status, claim_accounts.c.encounter_id,
                    claim_accounts.c.payer_id, claim_accounts.c.total_charge, claim_accounts.c.paid_total,
                    claim_accounts.c.patient_responsibility)


def _status(value: str) -> AccountStatus:
    if value not in ACCOUNT_STATUSES:
        raise ValueError(f"claim_accounts.status {value!r} is not one of {', '.join(ACCOUNT_STATUSES)}")
    return value


def _account(row: RowMapping) -> ClaimAccount:
    return ClaimAccount(claim_id=row["claim_id"], status=_status(row["status"]), encounter_id=row["encounter_id"],
                        payer_id=row["payer_id"], total_charge=row["total_charge"], paid_total=row["paid_total"],
                        patient_responsibility=row["patient_responsibility"])


def _adjustment_json(a: PostedAdjustment) -> dict[str, Any]:
    return {"group_code": a.group_code, "reason_code": a.reason_code, "amount": str(a.amount),
            "line_number": a.line_number}


def _adjustment(data: dict[str, Any]) -> PostedAdjustment:
    return PostedAdjustment(group_code=data["group_code"], reason_code=data["reason_code"],
                            amount=Decimal(data["amount"]), line_number=data.get("line_number"))


def _posting(row: RowMapping) -> Posting:
    return Posting(key=row["posting_key"], claim_id=row["claim_id"], file_id=row["file_id"],
                   trace_number=row["trace_number"], status_code=row["status_code"], charge=row["charge"],
                   paid=row["paid"], patient_responsibility=row["patient_responsibility"],
                   posted_at=row["posted_at"], adjustments=tuple(_adjustment(a) for a in row["adjustments"]))


class SqlClaimAccountRepository:
    """Claim accounts in ``claim_accounts``; postings move them with one atomic upsert."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(self, account: ClaimAccount, *, cause: Cause | None) -> None:
        """Create the claim's account, or fill in its details (and cause) if a remittance came first."""
        stored_cause = cause.to_json() if cause is not None else None
        stmt = pg_insert(claim_accounts).values(
            claim_id=account.claim_id, encounter_id=account.encounter_id, payer_id=account.payer_id,
            total_charge=account.total_charge, status=account.status, cause=stored_cause,
        )
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["claim_id"],
            set_={"encounter_id": account.encounter_id, "payer_id": account.payer_id,
                  "total_charge": account.total_charge, "cause": stored_cause},
        ))

    async def apply_posting(self, change: AccountChange) -> ClaimAccount:
        """Move the account in one statement (concurrent postings of one claim add up)."""
        stmt = pg_insert(claim_accounts).values(
            claim_id=change.claim_id, status=change.status, paid_total=change.paid,
            patient_responsibility=change.patient_responsibility,
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["claim_id"],
            set_={
                "status": change.status,
                "paid_total": claim_accounts.c.paid_total + change.paid,
                "patient_responsibility": claim_accounts.c.patient_responsibility + change.patient_responsibility,
                "updated_at": func.now(),
            },
        ).returning(*_ACCOUNT_COLUMNS)
        return _account((await self.session.execute(upsert)).mappings().one())

    async def get(self, claim_id: str) -> ClaimAccount | None:
        query = select(*_ACCOUNT_COLUMNS).where(claim_accounts.c.claim_id == claim_id)
        row = (await self.session.execute(query)).mappings().first()
        return _account(row) if row is not None else None

    async def cause_of(self, claim_id: str) -> Cause | None:
        query = select(claim_accounts.c.cause).where(claim_accounts.c.claim_id == claim_id)
        stored = (await self.session.execute(query)).scalar()
        return Cause.from_json(stored) if stored else None

    async def summary(self) -> dict[AccountStatus, int]:
        query = select(claim_accounts.c.status, func.count()).group_by(claim_accounts.c.status)
        return {_status(status): int(n) for status, n in await self.session.execute(query)}


class SqlPostingRepository:
    """Postings in ``postings``, unique by posting key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, posting: Posting) -> bool:
        stmt = pg_insert(postings).values(
            posting_key=posting.key, claim_id=posting.claim_id, file_id=posting.file_id,
            trace_number=posting.trace_number, status_code=posting.status_code, charge=posting.charge,
            paid=posting.paid, patient_responsibility=posting.patient_responsibility, posted_at=posting.posted_at,
            adjustments=[_adjustment_json(a) for a in posting.adjustments],
        ).on_conflict_do_nothing(index_elements=["posting_key"])
        result = await self.session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]  # CursorResult of an INSERT

    async def for_claim(self, claim_id: str) -> list[Posting]:
        query = select(postings).where(postings.c.claim_id == claim_id).order_by(postings.c.id)
        return [_posting(row) for row in (await self.session.execute(query)).mappings()]

    async def totals(self) -> PostingTotals:
        query = select(func.count(), func.coalesce(func.sum(postings.c.paid), 0),
                       func.coalesce(func.sum(postings.c.patient_responsibility), 0))
        count, paid, owed = (await self.session.execute(query)).one()
        return PostingTotals(count=int(count), paid=Decimal(paid), patient_responsibility=Decimal(owed))


class SqlRemittanceRepository:
    """File outcomes in ``remittances``, one per file id."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, outcome: RemittanceOutcome) -> None:
        stmt = pg_insert(remittances).values(
            file_id=outcome.file_id, trace_number=outcome.trace_number, payment_amount=outcome.payment_amount,
            status=outcome.status, reasons=list(outcome.reasons) or None,
        )
        await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["file_id"]))

    async def get(self, file_id: str) -> RemittanceOutcome | None:
        query = select(remittances).where(remittances.c.file_id == file_id)
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            return None
        status = cast(RemittanceStatus, row["status"])
        return RemittanceOutcome(file_id=row["file_id"], status=status, trace_number=row["trace_number"],
                                 payment_amount=row["payment_amount"], reasons=tuple(row["reasons"] or ()))

    async def count_held(self) -> int:
        query = select(func.count()).select_from(remittances).where(remittances.c.status == "held")
        return int((await self.session.execute(query)).scalar_one())
