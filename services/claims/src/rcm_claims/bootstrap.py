"""The one place that wires the claims service and builds its app.

Everything with a connection (database, clearinghouse client, Kafka runtime) is built in
the app's lifespan, never at import time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.database import Database
from rcm_shared.messaging import ServiceRuntime
from rcm_shared.messaging.mailbox import MailboxPoller
from rcm_shared.topics import Topic
from rcm_shared.web import create_service_app

from rcm_claims.adapters.reference_data import load_chargemaster
from rcm_claims.adapters.tables import messaging
from rcm_claims.adapters.unit_of_work import SqlClaimsUnitOfWork
from rcm_claims.adapters.x12 import X12AckReader, X12ClaimWriter, X12ReplyReader
from rcm_claims.config import ClaimsSettings
from rcm_claims.entrypoints.consumers import subscriptions
from rcm_claims.entrypoints.routers import routers
from rcm_claims.entrypoints.workers import submission_dispatcher


async def bootstrap(
    settings: ClaimsSettings, app: FastAPI
) -> tuple[ServiceRuntime[SqlClaimsUnitOfWork], Callable[[], Awaitable[None]]]:
    """Build the claims runtime (consumers, dispatcher, 277CA mailbox) and what closes it."""
    chargemaster = load_chargemaster(settings.chargemaster_path)
    db = Database(settings.database_url, pool_size=settings.db_pool_size, tls=settings.database_tls)
    client = ClearinghouseClient(settings.sandbox_url, token=settings.clearinghouse_token.get_secret_value(),
                                 cafile=settings.clearinghouse_cafile)
    writer = X12ClaimWriter(submitter_id=settings.submitter_id, receiver_id=settings.receiver_id,
                            submitter_name=settings.submitter_name)
    runtime: ServiceRuntime[SqlClaimsUnitOfWork] = ServiceRuntime(
        unit_of_work=SqlClaimsUnitOfWork, service="claims", settings=settings, db=db, tables=messaging,
        subscriptions=subscriptions(chargemaster=chargemaster, writer=writer, acks=X12AckReader()),
    )
    runtime.add_worker("dispatcher", submission_dispatcher(runtime.uow, client, X12ReplyReader()))
    poller = MailboxPoller(kind="277CA", topic=Topic.CLAIMS_ACKS, client=client, uow_factory=runtime.uow,
                           interval_s=settings.mailbox_poll_interval_ms / 1000)
    runtime.add_worker("mailbox-277ca", poller.run)
    app.state.uow_factory = runtime.uow

    async def close() -> None:
        await client.aclose()
        await db.dispose()

    return runtime, close


def create_app(settings: ClaimsSettings) -> FastAPI:
    """The claims service's app; everything is built in its lifespan."""

    async def boot(app: FastAPI) -> tuple[ServiceRuntime[Any], Callable[[], Awaitable[None]]]:
        return await bootstrap(settings, app)

    return create_service_app(
        service="claims",
        title="RCM claims service",
        description="Claim assembly from encounter, coverage and codes; 837 submission; acknowledgements.",
        bootstrap=boot,
        authenticator=settings.token_verifier(),
        routers=routers(),
    )
