"""The one place that wires the sandbox and builds its app.

``create_app`` reads the data file and builds the routes; the lifespan opens the SQLite
storage, builds the X12 desk on it and runs the remittance batcher (nothing is opened at
import or at app build).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from rcm_shared.auth import Permission
from rcm_shared.web import document_problems, install_api_docs, install_problem_handlers

from rcm_sandbox.adapters.clock import shifted_clock, system_clock
from rcm_sandbox.adapters.reference_data import load_config
from rcm_sandbox.adapters.storage import SqliteStorage
from rcm_sandbox.adapters.unit_of_work import SqliteUnitOfWork
from rcm_sandbox.adapters.x12_render import X12RemittanceWriter
from rcm_sandbox.entrypoints.interchanges import X12Desk
from rcm_sandbox.entrypoints.problems import install_x12_problems
from rcm_sandbox.entrypoints.routers import claims, health, interchanges, mailbox, remittances, stats
from rcm_sandbox.service.handlers import SandboxSetup
from rcm_sandbox.service.ports import Clock
from rcm_sandbox.settings import SandboxSettings

log = logging.getLogger("rcm_sandbox")

ROUTERS = (interchanges.router, mailbox.router, remittances.router, stats.router, claims.router, health.router)


def create_app(settings: SandboxSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app; the storage is opened in the lifespan, never at import.

    ``clock`` (UTC) lets tests pin "today" so timely filing and output dates are stable.
    """
    settings = settings or SandboxSettings()
    config = load_config(settings.config)
    if clock is None and settings.business_date is not None:
        clock = shifted_clock(settings.business_date, system_clock)
    setup = SandboxSetup(
        config=config,
        seed=settings.seed,
        remit_delay=timedelta(seconds=settings.remit_delay_seconds),
        clock=clock or system_clock,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        storage = SqliteStorage(settings.database_path())
        desk = X12Desk(lambda: SqliteUnitOfWork(storage), setup, X12RemittanceWriter())
        app.state.desk = desk

        async def release_loop() -> None:
            while True:
                await asyncio.sleep(settings.remit_batch_seconds)
                try:
                    await asyncio.to_thread(desk.release_remittances, False)
                except Exception:  # the loop must survive one bad batch; the batch stays queued
                    log.exception("remittance batch failed")

        task = asyncio.create_task(release_loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            storage.close()

    app = FastAPI(
        title="RCM payer sandbox",
        description="A clearinghouse and three synthetic payers speaking X12 5010 over HTTP.",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None, docs_url=None, redoc_url=None,
    )
    app.state.authenticator = settings.authenticator()
    install_problem_handlers(app)
    install_api_docs(app, permission=Permission.CLEARINGHOUSE_EXCHANGE)
    for router in ROUTERS:
        app.include_router(router)
    document_problems(app)
    install_x12_problems(app)
    return app
