"""Reads and writes of eligibility checks."""

from __future__ import annotations

from typing import Any

from rcm_shared.contracts.eligibility import EligibilityChecked
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_eligibility.adapters.tables import eligibility_checks


async def add_check(session: AsyncSession, checked: EligibilityChecked) -> None:
    await session.execute(
        insert(eligibility_checks).values(
            encounter_id=checked.encounter_id,
            payer_id=checked.payer_id,
            member_id=checked.member_id,
            date_of_service=checked.date_of_service,
            status=checked.status,
            answer=checked.model_dump(mode="json"),
            checked_at=checked.checked_at,
        )
    )


async def checks_for_encounter(session: AsyncSession, encounter_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(eligibility_checks.c.answer)
        .where(eligibility_checks.c.encounter_id == encounter_id)
        .order_by(eligibility_checks.c.id)
    )
    return [dict(r.answer) for r in rows]


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    from sqlalchemy import func

    rows = await session.execute(
        select(eligibility_checks.c.status, func.count()).group_by(eligibility_checks.c.status)
    )
    return {str(s): int(n) for s, n in rows}
