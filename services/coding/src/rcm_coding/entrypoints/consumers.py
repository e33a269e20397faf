"""Kafka subscriptions of the coding service."""

from __future__ import annotations

from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_coding.entrypoints.translate import code_command
from rcm_coding.service import handlers


def subscriptions(coder: handlers.Coder) -> list[Subscription]:
    async def on_encounter(event: Event[EncounterCompleted], uow: UnitOfWork) -> None:
        await handlers.code_encounter(code_command(event.payload), uow, coder, event.envelope)

    return [Subscription(name="encounters", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter})]
