"""The one place that wires the eligibility service and builds its app.

Database, clearinghouse client, X12 gateway, SQL unit of work, consumers and routers are
put together here, inside the app's lifespan (nothing is built at import time).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.database import Database
from rcm_shared.messaging import ServiceRuntime
from rcm_shared.web import create_service_app

from rcm_eligibility.adapters.tables import MIGRATIONS, messaging
from rcm_eligibility.adapters.unit_of_work import SqlEligibilityUnitOfWork
from rcm_eligibility.adapters.x12_gateway import X12EligibilityGateway
from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.entrypoints.consumers import subscriptions
from rcm_eligibility.entrypoints.routers import routers

__all__ = ["MIGRATIONS", "bootstrap", "create_app"]

Runtime = ServiceRuntime[SqlEligibilityUnitOfWork]


async def bootstrap(settings: EligibilitySettings, app: FastAPI) -> tuple[Runtime, Callable[[], Awaitable[None]]]:
    """Build the service's runtime and put its gateway on ``app.state``; return it and its closer."""
    db = Database(settings.database_url, pool_size=settings.db_pool_size, tls=settings.database_tls)
    client = ClearinghouseClient(settings.sandbox_url, token=settings.clearinghouse_token.get_secret_value(),
                                 cafile=settings.clearinghouse_cafile)
    gateway = X12EligibilityGateway(
        client, db, submitter_id=settings.submitter_id, receiver_id=settings.receiver_id,
        trace_originator=settings.trace_originator,
    )
    runtime: Runtime = ServiceRuntime(
        service="eligibility", settings=settings, db=db, tables=messaging, unit_of_work=SqlEligibilityUnitOfWork,
        subscriptions=subscriptions(gateway),
    )
    app.state.gateway = gateway

    async def close() -> None:
        await client.aclose()
        await db.dispose()

    return runtime, close


def create_app(settings: EligibilitySettings) -> FastAPI:
    """The eligibility service's app; everything is built in its lifespan."""

    async def boot(app: FastAPI) -> tuple[Runtime, Callable[[], Awaitable[None]]]:
        return await bootstrap(settings, app)

    return create_service_app(
        service="eligibility",
        title="RCM eligibility service",
        description="Coverage and benefits checks (X12 270/271) for encounters.",
        bootstrap=boot,
        authenticator=settings.token_verifier(),
        routers=routers(),
    )
