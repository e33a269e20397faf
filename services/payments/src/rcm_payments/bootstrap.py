"""Wires the payments service: database, 835 reader, mailbox intake, runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.database import Database
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import ServiceRuntime
from rcm_shared.messaging.mailbox import MailboxPoller
from rcm_shared.topics import Topic

from rcm_payments.adapters.tables import messaging
from rcm_payments.adapters.x12_835 import X12RemittanceReader
from rcm_payments.config import PaymentsSettings
from rcm_payments.entrypoints.consumers import subscriptions


async def bootstrap(
    settings: PaymentsSettings, app: FastAPI
) -> tuple[ServiceRuntime, Callable[[], Awaitable[None]]]:
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    client = ClearinghouseClient(settings.sandbox_url)
    runtime = ServiceRuntime(unit_of_work=UnitOfWork, service="payments", settings=settings, db=db, tables=messaging,
                             subscriptions=subscriptions(X12RemittanceReader()))
    poller = MailboxPoller(kind="835", topic=Topic.PAYMENTS_REMITTANCES, client=client, uow_factory=runtime.uow,
                           interval_s=settings.mailbox_poll_interval_ms / 1000)
    runtime.add_worker("mailbox-835", poller.run)

    async def close() -> None:
        await client.aclose()
        await db.dispose()

    return runtime, close
