"""Kafka subscriptions of the eligibility service: each event -> a command -> its handler."""

from __future__ import annotations

from typing import TypeVar

from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_eligibility.adapters.translate import check_for_encounter
from rcm_eligibility.service import handlers
from rcm_eligibility.service.ports import EligibilityGateway
from rcm_eligibility.service.unit_of_work import EligibilityUnitOfWork

U = TypeVar("U", bound=EligibilityUnitOfWork)


def subscriptions(gateway: EligibilityGateway) -> list[Subscription[U]]:
    """The consumer groups of the service, for any unit of work (SQL in production, fake in tests)."""

    async def on_encounter_completed(event: Event[EncounterCompleted], uow: U) -> None:
        await handlers.check_eligibility(check_for_encounter(event.payload), uow, cause=event.envelope,
                                         gateway=gateway)

    return [
        Subscription(
            name="encounters",
            topics=(Topic.ENCOUNTERS,),
            handlers={ENCOUNTER_COMPLETED: on_encounter_completed},
        )
    ]
