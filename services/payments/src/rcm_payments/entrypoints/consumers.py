"""Kafka subscriptions of the payments service: payload -> command -> handler."""

from __future__ import annotations

from typing import TypeVar

from rcm_shared.contracts.claims import CLAIM_SUBMITTED, ClaimSubmitted
from rcm_shared.contracts.clearinghouse import CLEARINGHOUSE_FILE_RECEIVED, ClearinghouseFileReceived
from rcm_shared.messaging import Event, Subscription
from rcm_shared.topics import Topic

from rcm_payments.adapters.translate import open_claim_account_command, post_remittance_command
from rcm_payments.service import handlers
from rcm_payments.service.ports import RemittanceReader
from rcm_payments.service.unit_of_work import PaymentsUnitOfWork

U = TypeVar("U", bound=PaymentsUnitOfWork)


def subscriptions(reader: RemittanceReader) -> list[Subscription[U]]:
    """The claims-events and remittance-file consumers, on any payments unit of work."""

    async def on_claim_submitted(event: Event[ClaimSubmitted], uow: U) -> None:
        await handlers.open_claim_account(open_claim_account_command(event.payload), uow,
                                          cause=event.envelope.as_cause())

    async def on_remittance(event: Event[ClearinghouseFileReceived], uow: U) -> None:
        if event.payload.kind == "835":
            await handlers.post_remittance_file(post_remittance_command(event.payload), uow,
                                                cause=event.envelope.as_cause(), reader=reader)

    return [
        Subscription(name="claims", topics=(Topic.CLAIMS_EVENTS,), handlers={CLAIM_SUBMITTED: on_claim_submitted}),
        Subscription(name="remittances", topics=(Topic.PAYMENTS_REMITTANCES,),
                     handlers={CLEARINGHOUSE_FILE_RECEIVED: on_remittance}),
    ]
