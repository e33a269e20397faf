"""The one place that wires the coding service and builds its app.

The lifespan builds the database, the coding engine (code sets loaded once, off the event
loop) and the messaging runtime; nothing is built at import time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from rcm_shared.db.database import Database
from rcm_shared.messaging import ServiceRuntime, Subscription
from rcm_shared.web import create_service_app

from rcm_coding.adapters.reference_data import load_engine
from rcm_coding.adapters.tables import messaging
from rcm_coding.adapters.unit_of_work import SqlCodingUnitOfWork
from rcm_coding.config import CodingSettings
from rcm_coding.entrypoints.consumers import subscriptions
from rcm_coding.entrypoints.routers import encounters, reviews, summary

SERVICE = "coding"


async def bootstrap(settings: CodingSettings, app: FastAPI
                    ) -> tuple[ServiceRuntime[SqlCodingUnitOfWork], Callable[[], Awaitable[None]]]:
    """Build the service: database, engine, runtime; the engine's code sets go on ``app.state``."""
    db = Database(settings.database_url, pool_size=settings.db_pool_size, tls=settings.database_tls)
    # Parses the full ICD-10-CM once, and each configured further release.
    releases = [r.to_reference_data() for r in settings.icd10cm_releases]
    engine = await asyncio.to_thread(load_engine, None, releases)
    consumers: list[Subscription[SqlCodingUnitOfWork]] = subscriptions(engine)
    runtime = ServiceRuntime(unit_of_work=SqlCodingUnitOfWork, service=SERVICE, settings=settings, db=db,
                             tables=messaging, subscriptions=consumers)
    app.state.reference = engine.registry

    async def close() -> None:
        await db.dispose()

    return runtime, close


def create_app(settings: CodingSettings) -> FastAPI:
    """The coding service's app; the engine and everything else is built in its lifespan."""

    async def boot(app: FastAPI) -> tuple[ServiceRuntime[Any], Callable[[], Awaitable[None]]]:
        return await bootstrap(settings, app)

    return create_service_app(
        service=SERVICE,
        title="RCM coding service",
        description="Computer-assisted coding (ICD-10-CM, CPT, HCPCS) with edits and a human review queue.",
        bootstrap=boot,
        authenticator=settings.token_verifier(),
        routers=[summary.router, encounters.router, reviews.router],
    )
