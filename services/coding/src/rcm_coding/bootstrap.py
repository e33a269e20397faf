"""Wires the coding service: database, the coding engine (code sets loaded once), runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from rcm_shared.db.database import Database
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import ServiceRuntime

from rcm_coding.adapters.tables import messaging
from rcm_coding.config import CodingSettings
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.entrypoints.consumers import subscriptions


async def bootstrap(settings: CodingSettings, app: FastAPI) -> tuple[ServiceRuntime, Callable[[], Awaitable[None]]]:
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    # Parses the full ICD-10-CM once, and each configured further release.
    releases = [r.to_domain() for r in settings.icd10cm_releases]
    engine = await asyncio.to_thread(CodingEngine.load, None, releases)
    runtime = ServiceRuntime(unit_of_work=UnitOfWork, service="coding", settings=settings, db=db, tables=messaging,
                             subscriptions=subscriptions(engine))
    app.state.engine = engine

    async def close() -> None:
        await db.dispose()

    return runtime, close
