"""Wires the payments service: database, 835 reader, consumers, mailbox intake, runtime and app.

The one place that knows every layer; nothing imports it but ``main``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.database import Database
from rcm_shared.messaging import ServiceRuntime, Subscription
from rcm_shared.messaging.mailbox import MailboxPoller
from rcm_shared.topics import Topic
from rcm_shared.web import create_service_app

from rcm_payments.adapters.tables import messaging
from rcm_payments.adapters.unit_of_work import SqlPaymentsUnitOfWork
from rcm_payments.adapters.x12_835 import X12RemittanceReader
from rcm_payments.config import PaymentsSettings
from rcm_payments.entrypoints.consumers import subscriptions
from rcm_payments.entrypoints.routers import claim_accounts, summary


async def bootstrap(
    settings: PaymentsSettings, app: FastAPI
) -> tuple[ServiceRuntime[SqlPaymentsUnitOfWork], Callable[[], Awaitable[None]]]:
    """Build the runtime (consumers and the 835 mailbox poller) and what closes it."""
    db = Database(settings.database_url, pool_size=settings.db_pool_size, tls=settings.database_tls)
    client = ClearinghouseClient(settings.sandbox_url, token=settings.clearinghouse_token.get_secret_value(),
                                 cafile=settings.clearinghouse_cafile)
    subs: list[Subscription[SqlPaymentsUnitOfWork]] = subscriptions(X12RemittanceReader())
    runtime = ServiceRuntime(unit_of_work=SqlPaymentsUnitOfWork, service="payments", settings=settings, db=db,
                             tables=messaging, subscriptions=subs)
    poller = MailboxPoller(kind="835", topic=Topic.PAYMENTS_REMITTANCES, client=client, uow_factory=runtime.uow,
                           interval_s=settings.mailbox_poll_interval_ms / 1000)
    runtime.add_worker("mailbox-835", poller.run)

    async def close() -> None:
        await client.aclose()
        await db.dispose()

    return runtime, close


def create_app(settings: PaymentsSettings) -> FastAPI:
    """The payments service's app; everything is built in its lifespan."""

    async def boot(app: FastAPI) -> tuple[ServiceRuntime[SqlPaymentsUnitOfWork], Callable[[], Awaitable[None]]]:
        return await bootstrap(settings, app)

    return create_service_app(
        service="payments",
        title="RCM payments service",
        description="835 remittance posting, claim accounts and patient balances.",
        bootstrap=boot,
        authenticator=settings.token_verifier(),
        routers=[summary.router, claim_accounts.router],
    )
