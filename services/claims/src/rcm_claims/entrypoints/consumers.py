"""Kafka subscriptions of the claims service: each event becomes a command for a handler."""

from __future__ import annotations

from typing import TypeVar

from rcm_shared.contracts.clearinghouse import CLEARINGHOUSE_FILE_RECEIVED, ClearinghouseFileReceived
from rcm_shared.contracts.coding import ENCOUNTER_CODED, EncounterCoded
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED, EligibilityChecked
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_claims.adapters import translate
from rcm_claims.domain.model import Chargemaster
from rcm_claims.service import handlers
from rcm_claims.service.ports import AckReader, ClaimWriter
from rcm_claims.service.unit_of_work import ClaimsUnitOfWork

U = TypeVar("U", bound=ClaimsUnitOfWork)


def subscriptions(*, chargemaster: Chargemaster, writer: ClaimWriter, acks: AckReader) -> list[Subscription[U]]:
    """The intake join (encounters, eligibility, coding) and the 277CA acknowledgements."""

    async def on_encounter(event: Event[EncounterCompleted], uow: U) -> None:
        await handlers.record_encounter(translate.record_encounter(event.payload), uow,
                                        cause=event.envelope.as_cause(), chargemaster=chargemaster, writer=writer)

    async def on_coverage(event: Event[EligibilityChecked], uow: U) -> None:
        await handlers.record_coverage(translate.record_coverage(event.payload), uow,
                                       cause=event.envelope.as_cause(), chargemaster=chargemaster, writer=writer)

    async def on_coded(event: Event[EncounterCoded], uow: U) -> None:
        await handlers.record_coding(translate.record_coding(event.payload), uow,
                                     cause=event.envelope.as_cause(), chargemaster=chargemaster, writer=writer)

    async def on_file(event: Event[ClearinghouseFileReceived], uow: U) -> None:
        if event.payload.kind == "277CA":  # other mailbox kinds are other services' business
            await handlers.apply_claim_status_report(translate.apply_claim_status_report(event.payload), uow,
                                                     cause=event.envelope.as_cause(), acks=acks)

    return [
        Subscription(
            name="intake",
            topics=(Topic.ENCOUNTERS, Topic.ELIGIBILITY_EVENTS, Topic.CODING_EVENTS),
            handlers={ENCOUNTER_COMPLETED: on_encounter, ELIGIBILITY_CHECKED: on_coverage, ENCOUNTER_CODED: on_coded},
        ),
        Subscription(name="acks", topics=(Topic.CLAIMS_ACKS,), handlers={CLEARINGHOUSE_FILE_RECEIVED: on_file}),
    ]
