"""Kafka subscriptions of the payments service."""

from __future__ import annotations

from rcm_shared.contracts.claims import CLAIM_SUBMITTED, ClaimSubmitted
from rcm_shared.contracts.clearinghouse import (
    CLEARINGHOUSE_FILE_RECEIVED,
    ClearinghouseFileReceived,
)
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_payments.service import handlers


def subscriptions(reader: handlers.RemittanceReader) -> list[Subscription]:
    async def on_claim_submitted(event: Event[ClaimSubmitted], uow: UnitOfWork) -> None:
        await handlers.open_claim_account(event.payload, uow)

    async def on_remittance(event: Event[ClearinghouseFileReceived], uow: UnitOfWork) -> None:
        if event.payload.kind == "835":
            await handlers.post_remittance_file(event.payload, uow, reader, event.envelope)

    return [
        Subscription(name="claims", topics=(Topic.CLAIMS_EVENTS,), handlers={CLAIM_SUBMITTED: on_claim_submitted}),
        Subscription(name="remittances", topics=(Topic.PAYMENTS_REMITTANCES,),
                     handlers={CLEARINGHOUSE_FILE_RECEIVED: on_remittance}),
    ]
