"""Eligibility use cases, called the same way by the Kafka consumer and the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime

from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.envelope import Cause, Envelope
from rcm_shared.topics import Topic

from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.model import COVERAGE_STATUSES, CoverageCheck, CoverageStatus
from rcm_eligibility.service.ports import EligibilityGateway
from rcm_eligibility.service.unit_of_work import EligibilityUnitOfWork


async def check_eligibility(
    cmd: CheckEligibility,
    uow: EligibilityUnitOfWork,
    *,
    cause: Cause | Envelope | None,
    gateway: EligibilityGateway,
) -> CoverageCheck:
    """Ask the payer, record the answer and emit ``EligibilityChecked``.

    ``cause`` is the ``EncounterCompleted`` that raised the question, or None for an
    operator's ad-hoc check (the event then correlates to the encounter id). The 270 is a
    query with no effect at the payer, so a redelivery that repeats it before our commit is
    harmless; the inbox makes sure only one answer is recorded.
    """
    answer = await gateway.check(cmd)
    check = CoverageCheck(
        encounter_id=cmd.encounter_id,
        payer_id=cmd.payer_id,
        member_id=cmd.member_id,
        date_of_service=cmd.date_of_service,
        answer=answer,
        checked_at=datetime.now(UTC),
    )
    checked = _eligibility_checked(check)  # validates the contract before anything is written
    await uow.checks.add(check)
    await uow.publish(Topic.ELIGIBILITY_EVENTS, checked, cause=cause, key=cmd.encounter_id)
    return check


async def coverage_checks_of_encounter(encounter_id: str, uow: EligibilityUnitOfWork) -> list[CoverageCheck]:
    """The coverage answers recorded for an encounter, oldest first."""
    return await uow.checks.for_encounter(encounter_id)


async def coverage_summary(uow: EligibilityUnitOfWork) -> dict[CoverageStatus, int]:
    """How many checks ended in each coverage status (every status, zero when none)."""
    counts = await uow.checks.count_by_status()
    return {status: counts.get(status, 0) for status in COVERAGE_STATUSES}


def _eligibility_checked(check: CoverageCheck) -> EligibilityChecked:
    answer = check.answer
    return EligibilityChecked(
        encounter_id=check.encounter_id,
        payer_id=check.payer_id,
        member_id=check.member_id,
        date_of_service=check.date_of_service,
        status=answer.status,
        rejection_codes=list(answer.rejection_codes),
        plan_name=answer.plan_name,
        copay=answer.copay,
        coinsurance_percent=answer.coinsurance_percent,
        deductible_remaining=answer.deductible_remaining,
        out_of_pocket_remaining=answer.out_of_pocket_remaining,
        checked_at=check.checked_at,
    )
