"""Kafka subscriptions of the eligibility service."""

from __future__ import annotations

from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_eligibility.entrypoints.translate import check_for_encounter
from rcm_eligibility.service import handlers


def subscriptions(gateway: handlers.EligibilityGateway) -> list[Subscription]:
    async def on_encounter_completed(event: Event[EncounterCompleted], uow: UnitOfWork) -> None:
        await handlers.check_eligibility(check_for_encounter(event.payload), uow, gateway, cause=event.envelope)

    return [
        Subscription(
            name="encounters",
            topics=(Topic.ENCOUNTERS,),
            handlers={ENCOUNTER_COMPLETED: on_encounter_completed},
        )
    ]
