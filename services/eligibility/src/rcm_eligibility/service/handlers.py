"""Eligibility use cases. Called the same way by the Kafka consumer and the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED, EligibilityChecked
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.topics import Topic

from rcm_eligibility.adapters import repository
from rcm_eligibility.domain.model import CheckEligibility, CoverageAnswer

SOURCE = "rcm/eligibility"


class EligibilityGateway(Protocol):
    """Port to the payer: a real-time 270/271 exchange."""

    async def check(self, command: CheckEligibility) -> CoverageAnswer: ...


async def check_eligibility(
    command: CheckEligibility,
    uow: UnitOfWork,
    gateway: EligibilityGateway,
    *,
    cause: Envelope | None = None,
) -> EligibilityChecked:
    """Ask the payer, record the answer and emit ``EligibilityChecked``.

    The 270 is a query with no effect at the payer, so a redelivery that repeats it
    before our commit is harmless; the inbox makes sure only one answer is recorded.
    """
    answer = await gateway.check(command)
    checked = EligibilityChecked(
        encounter_id=command.encounter_id,
        payer_id=command.payer_id,
        member_id=command.member_id,
        date_of_service=command.date_of_service,
        status=answer.status,
        rejection_codes=list(answer.rejection_codes),
        plan_name=answer.plan_name,
        copay=answer.copay,
        coinsurance_percent=answer.coinsurance_percent,
        deductible_remaining=answer.deductible_remaining,
        out_of_pocket_remaining=answer.out_of_pocket_remaining,
        checked_at=datetime.now(UTC),
    )
    await repository.add_check(uow.session, checked)
    if cause is not None:
        event = cause.caused(ELIGIBILITY_CHECKED, checked, source=SOURCE)
    else:
        event = new_event(ELIGIBILITY_CHECKED, checked, source=SOURCE, correlation_id=command.encounter_id)
    await uow.publish_envelope(Topic.ELIGIBILITY_EVENTS, event)
    return checked
