"""Wires the eligibility service: database, clearinghouse client, gateway, runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.database import Database
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import ServiceRuntime

from rcm_eligibility.adapters.tables import messaging
from rcm_eligibility.adapters.x12_gateway import X12EligibilityGateway
from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.entrypoints.consumers import subscriptions


async def bootstrap(
    settings: EligibilitySettings, app: FastAPI
) -> tuple[ServiceRuntime, Callable[[], Awaitable[None]]]:
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    client = ClearinghouseClient(settings.sandbox_url)
    gateway = X12EligibilityGateway(
        client, db, submitter_id=settings.submitter_id, receiver_id=settings.receiver_id,
        trace_originator=settings.trace_originator,
    )
    runtime = ServiceRuntime(unit_of_work=UnitOfWork, 
        service="eligibility", settings=settings, db=db, tables=messaging, subscriptions=subscriptions(gateway)
    )
    app.state.gateway = gateway

    async def close() -> None:
        await client.aclose()
        await db.dispose()

    return runtime, close
