"""SQL repositories of the claims service: the ports of ``service/ports.py`` on the
transaction's session, translating rows to the domain's value types and back."""

from __future__ import annotations

import logging
from typing import Any, cast

from rcm_shared.db.control_numbers import next_control_number
from rcm_shared.envelope import Cause
from rcm_shared.phi.codec import PhiCipher
from rcm_shared.phi.keyring import PhiKeyShreddedError
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rcm_claims.adapters.documents import (
    cause_document,
    cause_from,
    claim_document,
    claim_from,
    coding_from,
    coverage_from,
    encounter_from,
    intake_column,
    part_document,
)
from rcm_claims.adapters.tables import claim_acks, claim_intake, claim_submissions, claims
from rcm_claims.domain.acknowledgements import AckLevel, Acknowledgement, SubmissionOutcome
from rcm_claims.domain.model import (
    CLAIM_STATUSES,
    Claim,
    ClaimStatus,
    Intake,
    IntakePart,
    ReplyResult,
    Submission,
    SubmissionStatus,
)
from rcm_claims.service.ports import ClaimCauses

log = logging.getLogger(__name__)

# PHI columns are sealed with the patient's data key (rcm_shared.phi), bound to their column.
_ENCOUNTER_AAD = "claims.claim_intake.encounter"
_COVERAGE_AAD = "claims.claim_intake.coverage"
_X12_AAD = "claims.claim_submissions.x12"
_REPLY_AAD = "claims.claim_submissions.reply"


def _subjects(encounter_id: str) -> tuple[str]:
    return (f"encounter:{encounter_id}",)


async def _intake(row: Row[Any], phi: PhiCipher) -> Intake:
    return Intake(
        encounter_id=row.encounter_id,
        encounter=encounter_from(await phi.open_document(row.encounter, aad=_ENCOUNTER_AAD)),
        coverage=coverage_from(await phi.open_document(row.coverage, aad=_COVERAGE_AAD)),
        coding=coding_from(row.coding), claim_id=row.claim_id,
        held_reasons=None if row.held_reasons is None else tuple(row.held_reasons),
    )


def _claim(row: Row[Any]) -> Claim:
    return claim_from(row.claim, payer_id=row.payer_id, status=row.status)


async def _submission(row: Row[Any], phi: PhiCipher) -> Submission:
    return Submission(
        id=int(row.id), claim_id=row.claim_id, interchange_control_number=row.interchange_control_number,
        x12=await phi.open_text(row.x12, aad=_X12_AAD) or "", status=cast(SubmissionStatus, row.status),
        attempts=int(row.attempts), reply_result=cast(ReplyResult | None, row.reply_result),
        reply=await phi.open_text(row.reply, aad=_REPLY_AAD), sent_at=row.sent_at,
    )


class SqlIntakeRepository:
    def __init__(self, session: AsyncSession, phi: PhiCipher) -> None:
        self.session = session
        self.phi = phi

    async def merge(self, part: IntakePart) -> Intake:
        # The upsert locks the row until commit: a second part arriving at the same moment
        # waits, then sees the first, so the claim is built exactly once.
        column = intake_column(part)
        document: Any = part_document(part)
        if column in ("encounter", "coverage"):
            document = await self.phi.seal_document(document, subjects=_subjects(part.encounter_id),
                                                    aad=_ENCOUNTER_AAD if column == "encounter" else _COVERAGE_AAD)
        stmt = pg_insert(claim_intake).values(encounter_id=part.encounter_id, **{column: document})
        upsert = stmt.on_conflict_do_update(
            index_elements=["encounter_id"], set_={column: stmt.excluded[column], "updated_at": func.now()}
        ).returning(*claim_intake.c)
        return await _intake((await self.session.execute(upsert)).one(), self.phi)

    async def get(self, encounter_id: str) -> Intake | None:
        row = (await self.session.execute(
            select(claim_intake).where(claim_intake.c.encounter_id == encounter_id))).first()
        return None if row is None else await _intake(row, self.phi)

    async def set_outcome(self, encounter_id: str, *, claim_id: str | None,
                          held_reasons: tuple[str, ...] | None) -> None:
        await self.session.execute(
            update(claim_intake)
            .where(claim_intake.c.encounter_id == encounter_id)
            .values(claim_id=claim_id, held_reasons=None if held_reasons is None else list(held_reasons),
                    updated_at=func.now())
        )

    async def count_held(self) -> int:
        held = await self.session.execute(
            select(func.count()).select_from(claim_intake).where(claim_intake.c.held_reasons.is_not(None)))
        return int(held.scalar_one())


class SqlClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, claim: Claim, *, cause: Cause | None) -> None:
        await self.session.execute(
            insert(claims).values(
                claim_id=claim.claim_id, encounter_id=claim.encounter_id, payer_id=claim.payer_id,
                frequency_code=claim.frequency_code, status=claim.status, total_charge=claim.total_charge,
                claim=claim_document(claim), cause=cause_document(cause),
            )
        )

    async def get(self, claim_id: str) -> Claim | None:
        row = (await self.session.execute(select(claims).where(claims.c.claim_id == claim_id))).first()
        return None if row is None else _claim(row)

    async def get_by_encounter(self, encounter_id: str) -> Claim | None:
        row = (await self.session.execute(select(claims).where(claims.c.encounter_id == encounter_id))).first()
        return None if row is None else _claim(row)

    async def set_status(self, claim_id: str, status: ClaimStatus) -> None:
        await self.session.execute(
            update(claims).where(claims.c.claim_id == claim_id).values(status=status, updated_at=func.now()))

    async def causes(self, claim_id: str) -> ClaimCauses:
        row = (await self.session.execute(
            select(claims.c.cause, claims.c.submitted_cause).where(claims.c.claim_id == claim_id))).first()
        if row is None:
            return ClaimCauses(built_by=None, submitted_by=None)
        return ClaimCauses(built_by=cause_from(row.cause), submitted_by=cause_from(row.submitted_cause))

    async def set_submitted_cause(self, claim_id: str, cause: Cause) -> None:
        await self.session.execute(
            update(claims).where(claims.c.claim_id == claim_id).values(submitted_cause=cause_document(cause)))

    async def add_ack(self, claim_id: str, ack: Acknowledgement) -> None:
        await self.session.execute(
            insert(claim_acks).values(claim_id=claim_id, file_id=ack.file_id, level=ack.level, accepted=ack.accepted,
                                      status_codes=list(ack.status_codes)))

    async def acks(self, claim_id: str) -> list[Acknowledgement]:
        rows = await self.session.execute(
            select(claim_acks).where(claim_acks.c.claim_id == claim_id).order_by(claim_acks.c.id))
        return [Acknowledgement(file_id=r.file_id, level=cast(AckLevel, r.level), accepted=r.accepted,
                                status_codes=tuple(r.status_codes))
                for r in rows]

    async def count_by_status(self) -> dict[ClaimStatus, int]:
        rows = await self.session.execute(select(claims.c.status, func.count()).group_by(claims.c.status))
        counts = {str(status): int(n) for status, n in rows}
        return {status: counts[status] for status in CLAIM_STATUSES if status in counts}


class SqlSubmissionRepository:
    def __init__(self, session: AsyncSession, phi: PhiCipher) -> None:
        self.session = session
        self.phi = phi

    async def _encounter_of(self, claim_id: str) -> str:
        # The 837 names the patient: it is sealed with the key of the claim's encounter.
        encounter_id = (await self.session.execute(
            select(claims.c.encounter_id).where(claims.c.claim_id == claim_id))).scalar()
        if encounter_id is None:
            raise LookupError(f"claim {claim_id} is not stored: a submission needs its claim first")
        return str(encounter_id)

    async def add(self, claim_id: str, *, interchange_control_number: str, x12: str) -> Submission:
        # The claim id (CLM01, the patient control number) becomes a name of the patient's key, so
        # the 277CA and 835 files that name it are linked to the patient (rcm_shared.phi).
        subjects = (*_subjects(await self._encounter_of(claim_id)), f"claim:{claim_id}")
        sealed = await self.phi.seal_text(x12, subjects=subjects, aad=_X12_AAD)
        row = (await self.session.execute(
            insert(claim_submissions)
            .values(claim_id=claim_id, interchange_control_number=interchange_control_number, x12=sealed,
                    status="pending")
            .returning(*claim_submissions.c)
        )).one()
        return await _submission(row, self.phi)

    async def next_pending(self) -> Submission | None:
        # SKIP LOCKED: a row another dispatcher holds is passed over, never sent twice at once.
        while True:
            row = (await self.session.execute(
                select(claim_submissions)
                .where(claim_submissions.c.status == "pending")
                .order_by(claim_submissions.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )).first()
            if row is None:
                return None
            try:
                return await _submission(row, self.phi)
            except PhiKeyShreddedError:
                # The patient was forgotten before the 837 went out: it can never be sent, and it
                # must not hold the queue (the dispatcher would retry it forever).
                await self.session.execute(update(claim_submissions).where(claim_submissions.c.id == row.id)
                                           .values(status="withdrawn"))
                log.info("claims: submission %d withdrawn (its patient's data key was shredded)", row.id)

    async def finish(self, submission_id: int, *, outcome: SubmissionOutcome, reply: str) -> None:
        claim_id = (await self.session.execute(
            select(claim_submissions.c.claim_id).where(claim_submissions.c.id == submission_id))).scalar_one()
        # A 999 may copy a bad element (IK404) of the 837: sealed like the 837 itself.
        sealed = await self.phi.seal_text(reply, subjects=_subjects(await self._encounter_of(claim_id)),
                                          aad=_REPLY_AAD)
        await self.session.execute(
            update(claim_submissions)
            .where(claim_submissions.c.id == submission_id)
            .values(status=outcome.submission_status, reply_result=outcome.result, reply=sealed, sent_at=func.now(),
                    attempts=claim_submissions.c.attempts + 1)
        )

    async def for_claim(self, claim_id: str) -> list[Submission]:
        rows = await self.session.execute(
            select(claim_submissions).where(claim_submissions.c.claim_id == claim_id).order_by(claim_submissions.c.id))
        return [await _submission(r, self.phi) for r in rows]


class SqlControlNumbers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_value(self) -> int:
        return await next_control_number(self.session)
