"""SQL repositories of the coding service: rows of ``adapters/tables.py`` <-> domain value types."""

from __future__ import annotations

from typing import Any

from rcm_shared.envelope import Cause
from rcm_shared.phi.codec import PhiCipher
from sqlalchemy import CursorResult, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select, update

from rcm_coding.adapters.review_codec import (
    case_from_json,
    case_to_json,
    final_codes_from_json,
    final_codes_to_json,
    result_from_json,
    result_to_json,
)
from rcm_coding.adapters.tables import CodingResultRow, ReviewAuditRow
from rcm_coding.domain.model import AuditEntry, CodingStatus, EncounterCoding
from rcm_coding.domain.review import ReviewCase, ReviewQueueEntry
from rcm_coding.service.ports import QueuedReview

# The note and the evidence spans quoting it are sealed with the patient's data key (rcm_shared.phi);
# codes, reasons and statuses stay plain so queues and counts need no key.
_NOTE_AAD = "coding.coding_results.note_text"
_EVIDENCE_AAD = "coding.coding_results.proposal.evidence"


def _subjects(encounter_id: str) -> tuple[str]:
    return (f"encounter:{encounter_id}",)


async def _seal_proposal(phi: PhiCipher, encounter_id: str, proposal: dict[str, Any]) -> dict[str, Any]:
    sealed = dict(proposal)
    for kind in ("diagnoses", "procedures"):
        sealed[kind] = [{**item, "evidence": await phi.seal_document(item["evidence"], subjects=_subjects(encounter_id),
                                                                      aad=_EVIDENCE_AAD)}
                        for item in proposal[kind]]
    return sealed


async def _open_proposal(phi: PhiCipher, proposal: dict[str, Any]) -> dict[str, Any]:
    opened = dict(proposal)
    for kind in ("diagnoses", "procedures"):
        opened[kind] = [{**item, "evidence": await phi.open_document(item["evidence"], aad=_EVIDENCE_AAD)}
                        for item in proposal[kind]]
    return opened


async def _coding_from_row(row: CodingResultRow, phi: PhiCipher) -> EncounterCoding:
    return EncounterCoding(
        encounter_id=row.encounter_id, date_of_service=row.date_of_service, status=CodingStatus(row.status),
        proposal=result_from_json(await _open_proposal(phi, row.proposal)),
        note_text=await phi.open_text(row.note_text, aad=_NOTE_AAD) or "",
        final_codes=final_codes_from_json(row.final_codes) if row.final_codes else None,
    )


class SqlCodingResultRepository:
    """The ``coding_results`` table (all but the review case, which :class:`SqlReviewCaseRepository` keeps)."""

    def __init__(self, session: AsyncSession, phi: PhiCipher) -> None:
        self.session = session
        self.phi = phi

    async def save(self, coding: EncounterCoding) -> None:
        """Insert or replace the encounter's coding; a replaced coding loses its review case."""
        final = (final_codes_to_json(coding.encounter_id, coding.date_of_service, coding.final_codes)
                 if coding.final_codes else None)
        subjects = _subjects(coding.encounter_id)
        values: dict[str, Any] = {
            "date_of_service": coding.date_of_service, "status": coding.status.value,
            "proposal": await _seal_proposal(self.phi, coding.encounter_id, result_to_json(coding.proposal)),
            "final_codes": final, "note_text": await self.phi.seal_text(coding.note_text, subjects=subjects,
                                                                         aad=_NOTE_AAD),
            "coded_by": coding.coded_by, "review_case": None, "cause": None,
        }
        stmt = pg_insert(CodingResultRow).values(encounter_id=coding.encounter_id, **values)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=["encounter_id"], set_={**values, "updated_at": func.now()}))

    async def get(self, encounter_id: str) -> EncounterCoding | None:
        row = await self.session.get(CodingResultRow, encounter_id, populate_existing=True)
        return await _coding_from_row(row, self.phi) if row is not None else None

    async def count_by_status(self) -> dict[CodingStatus, int]:
        rows = await self.session.execute(
            select(col(CodingResultRow.status), func.count()).group_by(col(CodingResultRow.status)))
        return {CodingStatus(status): int(n) for status, n in rows}


class SqlReviewCaseRepository:
    """Review cases (the ``review_case`` and ``cause`` columns of ``coding_results``) and ``review_audit``."""

    def __init__(self, session: AsyncSession, phi: PhiCipher) -> None:
        self.session = session
        self.phi = phi

    async def add(self, case: ReviewCase, *, cause: Cause | None) -> None:
        result = await self.session.execute(
            update(CodingResultRow).where(col(CodingResultRow.encounter_id) == case.encounter_id)
            .values(review_case=case_to_json(case), cause=cause.to_json() if cause else None, updated_at=func.now()))
        assert isinstance(result, CursorResult)  # an UPDATE's result
        if not result.rowcount:
            raise LookupError(f"no coding of encounter {case.encounter_id} to attach a review case to")

    async def get(self, encounter_id: str, *, for_update: bool = False) -> QueuedReview | None:
        row = await self.session.get(CodingResultRow, encounter_id, populate_existing=True, with_for_update=for_update)
        if row is None or row.review_case is None:
            return None
        return QueuedReview(case_from_json(row.review_case, await _open_proposal(self.phi, row.proposal)),
                            row.date_of_service,
                            Cause.from_json(row.cause) if row.cause else None)

    async def save(self, case: ReviewCase) -> None:
        row = await self.session.get(CodingResultRow, case.encounter_id, populate_existing=True)
        if row is None:
            raise LookupError(f"no coding of encounter {case.encounter_id}")
        final = case.final_codes()
        await self.session.execute(
            update(CodingResultRow).where(col(CodingResultRow.encounter_id) == case.encounter_id).values(
                status=case.status.coding_status().value, review_case=case_to_json(case),
                final_codes=final_codes_to_json(case.encounter_id, row.date_of_service, final) if final else None,
                coded_by=final.coded_by if final else None, updated_at=func.now()))
        last = case.audit[-1]
        self.session.add(ReviewAuditRow(encounter_id=case.encounter_id, action=last.action, coder=last.user,
                                        reason=last.reason, changes={"detail": last.detail}, at=last.at))
        await self.session.flush()

    async def queue(self, *, limit: int, offset: int = 0) -> list[ReviewQueueEntry]:
        rows = await self.session.execute(
            select(col(CodingResultRow.encounter_id), col(CodingResultRow.date_of_service),
                   col(CodingResultRow.proposal), col(CodingResultRow.created_at))
            .where(col(CodingResultRow.status) == CodingStatus.REVIEW.value)
            .order_by(col(CodingResultRow.created_at), col(CodingResultRow.encounter_id))
            .limit(limit).offset(offset))
        out: list[ReviewQueueEntry] = []
        for encounter_id, date_of_service, proposal, created_at in rows:
            assert created_at is not None  # server default
            out.append(ReviewQueueEntry(encounter_id, date_of_service, tuple(proposal.get("review_reasons", [])),
                                        created_at))
        return out

    async def audit_trail(self, encounter_id: str) -> list[AuditEntry]:
        rows = await self.session.execute(
            select(ReviewAuditRow).where(col(ReviewAuditRow.encounter_id) == encounter_id)
            .order_by(col(ReviewAuditRow.id)))
        out: list[AuditEntry] = []
        for row in rows.scalars():
            assert row.at is not None  # server default
            out.append(AuditEntry(row.at, row.coder, row.action, str(row.changes.get("detail", "")), row.reason))
        return out
