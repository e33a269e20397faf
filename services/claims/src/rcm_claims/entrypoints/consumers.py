"""Kafka subscriptions of the claims service."""

from __future__ import annotations

from rcm_shared.contracts.clearinghouse import (
    CLEARINGHOUSE_FILE_RECEIVED,
    ClearinghouseFileReceived,
)
from rcm_shared.contracts.coding import ENCOUNTER_CODED, EncounterCoded
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED, EligibilityChecked
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_claims.service import handlers
from rcm_claims.service.ports import AckReader


def subscriptions(deps: handlers.ClaimDeps, acks: AckReader) -> list[Subscription]:
    async def on_encounter(event: Event[EncounterCompleted], uow: UnitOfWork) -> None:
        await handlers.record_encounter(event.payload, uow, deps, event.envelope)

    async def on_coverage(event: Event[EligibilityChecked], uow: UnitOfWork) -> None:
        await handlers.record_coverage(event.payload, uow, deps, event.envelope)

    async def on_coded(event: Event[EncounterCoded], uow: UnitOfWork) -> None:
        await handlers.record_coding(event.payload, uow, deps, event.envelope)

    async def on_file(event: Event[ClearinghouseFileReceived], uow: UnitOfWork) -> None:
        if event.payload.kind == "277CA":
            await handlers.apply_claim_acknowledgements(event.payload, uow, acks, event.envelope)

    return [
        Subscription(
            name="intake",
            topics=(Topic.ENCOUNTERS, Topic.ELIGIBILITY_EVENTS, Topic.CODING_EVENTS),
            handlers={ENCOUNTER_COMPLETED: on_encounter, ELIGIBILITY_CHECKED: on_coverage, ENCOUNTER_CODED: on_coded},
        ),
        Subscription(name="acks", topics=(Topic.CLAIMS_ACKS,), handlers={CLEARINGHOUSE_FILE_RECEIVED: on_file}),
    ]
