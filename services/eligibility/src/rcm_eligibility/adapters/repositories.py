"""SQL repositories of the eligibility service: rows <-> domain value types."""

from __future__ import annotations

from rcm_shared.phi.codec import PhiCipher
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from rcm_eligibility.adapters.tables import CoverageCheckRow, StoredAnswer
from rcm_eligibility.domain.model import COVERAGE_STATUSES, CoverageAnswer, CoverageCheck, CoverageStatus

_MEMBER_AAD = "eligibility.eligibility_checks.member_id"
_ANSWER_AAD = "eligibility.eligibility_checks.answer"


class SqlCoverageCheckRepository:
    """:class:`~rcm_eligibility.service.ports.CoverageCheckRepository` on the unit of work's session."""

    def __init__(self, session: AsyncSession, phi: PhiCipher) -> None:
        self._session = session
        self._phi = phi

    async def add(self, check: CoverageCheck) -> None:
        """Insert ``check`` (flushed with the transaction); the member id and the answer (plan and
        benefits) are sealed with the patient's data key."""
        subjects = (f"encounter:{check.encounter_id}",)
        member_id = await self._phi.seal_text(check.member_id, subjects=subjects, aad=_MEMBER_AAD)
        assert member_id is not None  # a str in, a sealed str out
        self._session.add(CoverageCheckRow(
            encounter_id=check.encounter_id,
            payer_id=check.payer_id,
            member_id=member_id,
            date_of_service=check.date_of_service,
            status=check.status,
            answer=await self._phi.seal_document(stored_answer(check).model_dump(mode="json"), subjects=subjects,
                                                 aad=_ANSWER_AAD),
            checked_at=check.checked_at,
        ))

    async def for_encounter(self, encounter_id: str) -> list[CoverageCheck]:
        """The checks of ``encounter_id`` in the order they were recorded."""
        rows = await self._session.execute(
            select(CoverageCheckRow.answer)
            .where(col(CoverageCheckRow.encounter_id) == encounter_id)
            .order_by(col(CoverageCheckRow.id))
        )
        return [coverage_check(StoredAnswer.model_validate(await self._phi.open_document(answer, aad=_ANSWER_AAD)))
                for answer in rows.scalars()]

    async def count_by_status(self) -> dict[CoverageStatus, int]:
        """Checks per coverage status (only statuses that have one)."""
        status = col(CoverageCheckRow.status)
        rows = await self._session.execute(select(status, func.count()).group_by(status))
        return {_coverage_status(s): int(n) for s, n in rows}


def stored_answer(check: CoverageCheck) -> StoredAnswer:
    """The ``answer`` document of ``check``."""
    a = check.answer
    return StoredAnswer(
        encounter_id=check.encounter_id, payer_id=check.payer_id, member_id=check.member_id,
        date_of_service=check.date_of_service, status=a.status, rejection_codes=list(a.rejection_codes),
        plan_name=a.plan_name, copay=a.copay, coinsurance_percent=a.coinsurance_percent,
        deductible_remaining=a.deductible_remaining, out_of_pocket_remaining=a.out_of_pocket_remaining,
        checked_at=check.checked_at, notes=list(a.notes),
    )


def coverage_check(stored: StoredAnswer) -> CoverageCheck:
    """The domain check an ``answer`` document records."""
    return CoverageCheck(
        encounter_id=stored.encounter_id,
        payer_id=stored.payer_id,
        member_id=stored.member_id,
        date_of_service=stored.date_of_service,
        answer=CoverageAnswer(
            status=stored.status,
            rejection_codes=tuple(stored.rejection_codes),
            plan_name=stored.plan_name,
            copay=stored.copay,
            coinsurance_percent=stored.coinsurance_percent,
            deductible_remaining=stored.deductible_remaining,
            out_of_pocket_remaining=stored.out_of_pocket_remaining,
            notes=tuple(stored.notes),
        ),
        checked_at=stored.checked_at,
    )


def _coverage_status(value: str) -> CoverageStatus:
    for status in COVERAGE_STATUSES:
        if value == status:
            return status
    raise ValueError(f"eligibility_checks.status holds {value!r}, not one of {', '.join(COVERAGE_STATUSES)}")
