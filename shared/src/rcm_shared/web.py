"""The HTTP shell every service shares: lifespan, /healthz, /readyz, /metrics.

Routes live in each service; this only builds the app around a runtime that the
service's bootstrap creates inside the lifespan (nothing is built at import time).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from rcm_shared.messaging.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    """The running service's runtime (set by the lifespan)."""
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]

Bootstrap = Callable[[FastAPI], Awaitable[tuple[ServiceRuntime, Callable[[], Awaitable[None]]]]]


def create_service_app(
    *, title: str, description: str, bootstrap: Bootstrap, routers: Sequence[APIRouter] = ()
) -> FastAPI:
    """A FastAPI app whose lifespan runs ``bootstrap(app)``.

    ``bootstrap`` builds the service (it may put its ports on ``app.state``) and returns the
    runtime and a coroutine that closes what it opened.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime, close = await bootstrap(app)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await close()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)

    @app.get("/healthz", tags=["ops"], summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Readiness: Kafka and the database are reachable")
    async def readyz(request: Request) -> JSONResponse:
        runtime: ServiceRuntime = request.app.state.runtime
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        body: dict[str, Any] = {"status": "ok" if ok else "unavailable", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        runtime: ServiceRuntime = request.app.state.runtime
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    return app
