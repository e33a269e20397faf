"""The one place that wires the coding service and builds its app.

The lifespan builds the database, the coding engine (code sets read once from the code-set
store's prebuilt indexes, off the event loop) and the messaging runtime; nothing is built at
import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any

from fastapi import FastAPI
from rcm_shared.db.database import Database
from rcm_shared.messaging import ServiceRuntime, Subscription
from rcm_shared.web import create_service_app

from rcm_coding.adapters.codeset_store import CodeSetStore, LoadedCodeSets, load_service_code_sets
from rcm_coding.adapters.reference_data import load_engine
from rcm_coding.adapters.tables import messaging
from rcm_coding.adapters.unit_of_work import SqlCodingUnitOfWork
from rcm_coding.config import CodingSettings
from rcm_coding.entrypoints.consumers import subscriptions
from rcm_coding.entrypoints.routers import codesets, encounters, reviews, summary

SERVICE = "coding"
log = logging.getLogger(__name__)


async def bootstrap(settings: CodingSettings, app: FastAPI, today: Callable[[], date] = date.today,
                    ) -> tuple[ServiceRuntime[SqlCodingUnitOfWork], Callable[[], Awaitable[None]]]:
    """Build the service: database, engine, runtime; the engine's code sets go on ``app.state``."""
    db = Database(settings.database_url, pool_size=settings.db_pool_size, tls=settings.database_tls)
    store = CodeSetStore(settings.codesets_dir)
    releases = [r.to_reference_data() for r in settings.icd10cm_releases]
    # Prebuilt indexes (the first start builds the packaged one); ICD10CM_RELEASES imported once.
    loaded = await asyncio.to_thread(load_service_code_sets, store, today(), releases)
    engine = await asyncio.to_thread(load_engine, loaded.registry)
    # The release's title index is built off the start path: /readyz does not wait for it, the first
    # note of the day does not pay for it.
    warming = asyncio.create_task(asyncio.to_thread(engine.warm, today()))
    consumers: list[Subscription[SqlCodingUnitOfWork]] = subscriptions(engine)
    runtime = ServiceRuntime(unit_of_work=SqlCodingUnitOfWork, service=SERVICE, settings=settings, db=db,
                             tables=messaging, subscriptions=consumers)
    app.state.reference = engine.registry
    app.state.codesets = loaded
    app.state.today = today
    for note in loaded.notes:
        log.info(note)
    for warning in loaded.status(today()).warnings:
        log.warning("code sets: %s", warning.message)

    async def close() -> None:
        with contextlib.suppress(Exception):
            await warming
        await db.dispose()

    return runtime, close


def codeset_readiness(app: FastAPI) -> Mapping[str, str]:
    """/readyz stays ready but says so when today's dates of service have no ICD-10-CM release."""
    loaded: LoadedCodeSets | None = getattr(app.state, "codesets", None)
    if loaded is None:
        return {}
    warning = loaded.status(app.state.today()).icd10cm_warning()
    return {"codesets": warning.message} if warning else {}


def create_app(settings: CodingSettings, today: Callable[[], date] = date.today) -> FastAPI:
    """The coding service's app; the engine and everything else is built in its lifespan.

    ``today`` is the date of service /readyz and the code-set status check (tests pin it)."""

    async def boot(app: FastAPI) -> tuple[ServiceRuntime[Any], Callable[[], Awaitable[None]]]:
        return await bootstrap(settings, app, today)

    return create_service_app(
        service=SERVICE,
        title="RCM coding service",
        description="Computer-assisted coding (ICD-10-CM, CPT, HCPCS) with edits and a human review queue.",
        bootstrap=boot,
        authenticator=settings.token_verifier(),
        routers=[summary.router, codesets.router, encounters.router, reviews.router],
        readiness_warnings=[codeset_readiness],
    )
