"""Reads and writes of the claims service's tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_claims.adapters.tables import claim_acks, claim_intake, claim_submissions, claims


@dataclass(frozen=True)
class Intake:
    encounter_id: str
    encounter: dict[str, Any] | None
    coverage: dict[str, Any] | None
    coding: dict[str, Any] | None
    claim_id: str | None
    held_reasons: list[str] | None


async def merge_intake(session: AsyncSession, encounter_id: str, part: str, value: dict[str, Any]) -> Intake:
    """Store one part (encounter, coverage or coding) and return the whole row.

    The upsert locks the row, so two parts arriving at once (in two consumers or two
    replicas) are serialised and the second one sees the first: the claim is built once.
    """
    stmt = pg_insert(claim_intake).values(encounter_id=encounter_id, **{part: value})
    stmt = stmt.on_conflict_do_update(
        index_elements=["encounter_id"], set_={part: stmt.excluded[part], "updated_at": func.now()}
    ).returning(*claim_intake.c)
    row = (await session.execute(stmt)).one()
    return Intake(row.encounter_id, row.encounter, row.coverage, row.coding, row.claim_id, row.held_reasons)


async def set_intake_outcome(
    session: AsyncSession, encounter_id: str, *, claim_id: str | None, held_reasons: list[str] | None
) -> None:
    await session.execute(
        update(claim_intake)
        .where(claim_intake.c.encounter_id == encounter_id)
        .values(claim_id=claim_id, held_reasons=held_reasons, updated_at=func.now())
    )


async def add_claim(session: AsyncSession, *, claim_id: str, encounter_id: str, payer_id: str,
                    frequency_code: str, total_charge: Any, document: dict[str, Any]) -> None:
    await session.execute(
        insert(claims).values(
            claim_id=claim_id, encounter_id=encounter_id, payer_id=payer_id, frequency_code=frequency_code,
            status="built", total_charge=total_charge, claim=document,
        )
    )


async def add_submission(session: AsyncSession, *, claim_id: str, control_number: str, x12: str) -> None:
    await session.execute(
        insert(claim_submissions).values(
            claim_id=claim_id, interchange_control_number=control_number, x12=x12, status="pending"
        )
    )


async def next_pending_submission(session: AsyncSession) -> Any:
    """Lock the oldest pending submission (skipping rows another dispatcher holds)."""
    return (
        await session.execute(
            select(claim_submissions, claims.c.encounter_id, claims.c.payer_id, claims.c.claim)
            .join(claims, claims.c.claim_id == claim_submissions.c.claim_id)
            .where(claim_submissions.c.status == "pending")
            .order_by(claim_submissions.c.id)
            .limit(1)
            .with_for_update(of=claim_submissions, skip_locked=True)
        )
    ).first()


async def finish_submission(session: AsyncSession, submission_id: int, *, status: str, reply_result: str,
                            reply: str) -> None:
    await session.execute(
        update(claim_submissions)
        .where(claim_submissions.c.id == submission_id)
        .values(status=status, reply_result=reply_result, reply=reply, sent_at=func.now(),
                attempts=claim_submissions.c.attempts + 1)
    )


async def set_claim_status(session: AsyncSession, claim_id: str, status: str) -> None:
    await session.execute(
        update(claims).where(claims.c.claim_id == claim_id).values(status=status, updated_at=func.now())
    )


async def claim_row(session: AsyncSession, claim_id: str) -> Any:
    return (await session.execute(select(claims).where(claims.c.claim_id == claim_id))).first()


async def add_ack(session: AsyncSession, *, claim_id: str, file_id: str, level: str, accepted: bool,
                  status_codes: list[str]) -> None:
    await session.execute(
        insert(claim_acks).values(claim_id=claim_id, file_id=file_id, level=level, accepted=accepted,
                                  status_codes=status_codes)
    )


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(claims.c.status, func.count()).group_by(claims.c.status))
    out = {str(s): int(n) for s, n in rows}
    held = (await session.execute(
        select(func.count()).select_from(claim_intake).where(claim_intake.c.held_reasons.is_not(None))
    )).scalar_one()
    out["held"] = int(held)
    return out


async def claim_by_encounter(session: AsyncSession, encounter_id: str) -> Any:
    return (await session.execute(select(claims).where(claims.c.encounter_id == encounter_id))).first()


async def intake_row(session: AsyncSession, encounter_id: str) -> Any:
    return (await session.execute(select(claim_intake).where(claim_intake.c.encounter_id == encounter_id))).first()


async def submissions_for(session: AsyncSession, claim_id: str) -> list[Any]:
    return list(
        await session.execute(
            select(claim_submissions.c.id, claim_submissions.c.interchange_control_number,
                   claim_submissions.c.status, claim_submissions.c.reply_result, claim_submissions.c.attempts,
                   claim_submissions.c.sent_at)
            .where(claim_submissions.c.claim_id == claim_id)
            .order_by(claim_submissions.c.id)
        )
    )
