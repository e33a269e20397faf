"""Reads and writes of the payments service's tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_payments.adapters.tables import claim_accounts, postings, remittances


async def open_account(session: AsyncSession, *, claim_id: str, encounter_id: str, payer_id: str,
                       total_charge: Decimal) -> None:
    """Create the claim's account, or fill in its details if a remittance came first."""
    stmt = pg_insert(claim_accounts).values(claim_id=claim_id, encounter_id=encounter_id, payer_id=payer_id,
                                            total_charge=total_charge, status="submitted")
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["claim_id"],
        set_={"encounter_id": encounter_id, "payer_id": payer_id, "total_charge": total_charge},
    ))


async def add_posting(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a posting; False when its key was posted before (the same 835 again)."""
    stmt = pg_insert(postings).values(**values).on_conflict_do_nothing(index_elements=["posting_key"])
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def apply_to_account(session: AsyncSession, *, claim_id: str, status: str, paid: Decimal,
                           patient_responsibility: Decimal) -> str | None:
    """Move the account; returns its encounter id (None if the claim was never seen as submitted)."""
    stmt = pg_insert(claim_accounts).values(claim_id=claim_id, status=status, paid_total=paid,
                                            patient_responsibility=patient_responsibility)
    stmt = stmt.on_conflict_do_update(
        index_elements=["claim_id"],
        set_={
            "status": status,
            "paid_total": claim_accounts.c.paid_total + paid,
            "patient_responsibility": claim_accounts.c.patient_responsibility + patient_responsibility,
            "updated_at": func.now(),
        },
    ).returning(claim_accounts.c.encounter_id)
    return (await session.execute(stmt)).scalar_one()


async def record_remittance(session: AsyncSession, *, file_id: str, trace_number: str | None,
                            payment_amount: Decimal | None, status: str, reasons: list[str] | None) -> None:
    stmt = pg_insert(remittances).values(file_id=file_id, trace_number=trace_number,
                                         payment_amount=payment_amount, status=status, reasons=reasons)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["file_id"]))


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(claim_accounts.c.status, func.count()).group_by(claim_accounts.c.status))
    out = {str(s): int(n) for s, n in rows}
    held = (await session.execute(
        select(func.count()).select_from(remittances).where(remittances.c.status == "held"))).scalar_one()
    out["remittances_held"] = int(held)
    out["postings"] = int((await session.execute(select(func.count()).select_from(postings))).scalar_one())
    return out


async def account(session: AsyncSession, claim_id: str) -> Any:
    return (await session.execute(select(claim_accounts).where(claim_accounts.c.claim_id == claim_id))).first()


async def account_by_encounter(session: AsyncSession, encounter_id: str) -> Any:
    return (await session.execute(
        select(claim_accounts).where(claim_accounts.c.encounter_id == encounter_id))).first()


async def postings_for(session: AsyncSession, claim_id: str) -> list[Any]:
    return list(await session.execute(select(postings).where(postings.c.claim_id == claim_id).order_by(postings.c.id)))


async def totals(session: AsyncSession) -> dict[str, Decimal]:
    row = (await session.execute(select(func.coalesce(func.sum(postings.c.paid), 0),
                                        func.coalesce(func.sum(postings.c.patient_responsibility), 0)))).one()
    return {"paid": Decimal(row[0]), "patient_responsibility": Decimal(row[1])}


