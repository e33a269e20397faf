"""FastAPI entrypoint: thin routes over the X12 gateway and the service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from rcm_sandbox.config import load_config
from rcm_sandbox.service import Clock, SandboxService, shifted_clock
from rcm_sandbox.settings import SandboxSettings
from rcm_sandbox.storage import Store
from rcm_sandbox.x12_gateway import EDI_MEDIA_TYPE, X12Gateway

log = logging.getLogger("rcm_sandbox")


class MailboxKind(StrEnum):
    """Files the mailbox holds."""

    ACK_999 = "999"
    ACK_277CA = "277CA"
    REMITTANCE_835 = "835"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(settings: SandboxSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app; the store is opened in the lifespan, never at import.

    ``clock`` (UTC) lets tests pin "today" so timely filing and output dates are stable.
    """
    settings = settings or SandboxSettings()
    config = load_config(settings.config)
    if clock is None and settings.business_date is not None:
        clock = shifted_clock(settings.business_date, _utcnow)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.database_path())
        service = SandboxService(
            config,
            store,
            settings.seed,
            timedelta(seconds=settings.remit_delay_seconds),
            clock or _utcnow,
        )
        gateway = X12Gateway(service)
        app.state.service = service
        app.state.gateway = gateway

        async def release_loop() -> None:
            while True:
                await asyncio.sleep(settings.remit_batch_seconds)
                try:
                    await asyncio.to_thread(gateway.release_remittances, False)
                except Exception:  # the loop must survive one bad batch; the batch stays queued
                    log.exception("remittance batch failed")

        task = asyncio.create_task(release_loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            store.close()

    app = FastAPI(title="RCM payer sandbox", version="0.1.0", lifespan=lifespan)

    def gateway_of(request: Request) -> X12Gateway:
        gw: X12Gateway = request.app.state.gateway
        return gw

    @app.post("/v1/x12")
    async def post_x12(request: Request) -> Response:
        body = await request.body()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "body is not UTF-8 text", "issues": []}, status_code=400)
        # SQLite work is blocking: keep it off the event loop.
        answer = await asyncio.to_thread(gateway_of(request).handle, text)
        headers = dict(answer.headers)
        if answer.result is not None:
            headers["X-Sandbox-Result"] = answer.result
        if isinstance(answer.body, dict):
            return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
        return PlainTextResponse(
            answer.body, status_code=answer.status_code, headers=headers, media_type=EDI_MEDIA_TYPE
        )

    @app.get("/v1/mailbox")
    def mailbox(
        request: Request,
        kind: MailboxKind | None = None,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        rows = gateway_of(request).service.store.files(kind.value if kind else None, after, limit)
        return {
            "files": [
                {
                    "seq": r.seq,
                    "file_id": r.file_id,
                    "kind": r.kind,
                    "created_at": r.created_at,
                    "content": r.content,
                }
                for r in rows
            ],
            "next_after": rows[-1].seq if rows else after,
        }

    @app.post("/v1/remittances/flush")
    def flush(request: Request) -> dict[str, Any]:
        released = gateway_of(request).release_remittances(force=True)
        return {"released": released}

    @app.get("/v1/stats")
    def stats(request: Request) -> dict[str, Any]:
        return gateway_of(request).service.stats()

    @app.get("/v1/claims")
    def claims(request: Request) -> list[dict[str, Any]]:
        return gateway_of(request).service.claims_view()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
