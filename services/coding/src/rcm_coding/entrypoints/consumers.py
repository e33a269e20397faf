"""Kafka subscriptions of the coding service: EncounterCompleted -> CodeEncounter -> handler."""

from __future__ import annotations

from typing import TypeVar

from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_coding.adapters.translate import code_command
from rcm_coding.service import handlers
from rcm_coding.service.ports import Coder
from rcm_coding.service.unit_of_work import CodingUnitOfWork

U = TypeVar("U", bound=CodingUnitOfWork)


def subscriptions(coder: Coder) -> list[Subscription[U]]:
    """The coding consumers, for any coding unit of work (the SQL one, or the fake in tests)."""

    async def on_encounter(event: Event[EncounterCompleted], uow: U) -> None:
        await handlers.code_encounter(code_command(event.payload), uow, cause=event.envelope.as_cause(), coder=coder)

    return [Subscription(name="encounters", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter})]
