"""Reads and writes of coding results and the review audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_coding.adapters.tables import coding_results, review_audit


async def save_result(session: AsyncSession, *, encounter_id: str, date_of_service: date, status: str,
                      proposal: dict[str, Any], final_codes: dict[str, Any] | None, note_text: str,
                      coded_by: str | None, review_case: dict[str, Any] | None) -> None:
    stmt = pg_insert(coding_results).values(
        encounter_id=encounter_id, date_of_service=date_of_service, status=status, proposal=proposal,
        final_codes=final_codes, note_text=note_text, coded_by=coded_by, review_case=review_case,
    )
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["encounter_id"],
        set_={"status": status, "proposal": proposal, "final_codes": final_codes, "note_text": note_text,
              "coded_by": coded_by, "review_case": review_case, "updated_at": func.now()},
    ))


async def get_result(session: AsyncSession, encounter_id: str, *, for_update: bool = False) -> Any:
    q = select(coding_results).where(coding_results.c.encounter_id == encounter_id)
    if for_update:
        q = q.with_for_update()
    return (await session.execute(q)).first()


async def save_review(session: AsyncSession, encounter_id: str, *, status: str, review_case: dict[str, Any],
                      final_codes: dict[str, Any] | None, coded_by: str | None) -> None:
    await session.execute(update(coding_results).where(coding_results.c.encounter_id == encounter_id).values(
        status=status, review_case=review_case, final_codes=final_codes, coded_by=coded_by, updated_at=func.now()))


async def add_audit(session: AsyncSession, *, encounter_id: str, action: str, coder: str, reason: str | None,
                    changes: dict[str, Any]) -> None:
    await session.execute(insert(review_audit).values(encounter_id=encounter_id, action=action, coder=coder,
                                                      reason=reason, changes=changes))


async def audit_trail(session: AsyncSession, encounter_id: str) -> list[dict[str, Any]]:
    rows = await session.execute(select(review_audit).where(review_audit.c.encounter_id == encounter_id)
                                 .order_by(review_audit.c.id))
    return [{"action": r.action, "coder": r.coder, "reason": r.reason, "changes": r.changes,
             "at": r.at.isoformat()} for r in rows]


async def review_queue(session: AsyncSession, limit: int = 100) -> list[Any]:
    return list(await session.execute(
        select(coding_results.c.encounter_id, coding_results.c.date_of_service, coding_results.c.proposal,
               coding_results.c.created_at)
        .where(coding_results.c.status == "review").order_by(coding_results.c.created_at).limit(limit)))


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(coding_results.c.status, func.count()).group_by(coding_results.c.status))
    return {str(s): int(n) for s, n in rows}
