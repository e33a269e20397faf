"""/readyz carries warnings a service adds (``create_service_app(readiness_warnings=...)``) and stays ready."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from fastapi import FastAPI
from rcm_shared.auth import DEFAULT_AUDIENCE, DEVELOPMENT_ISSUER, DEVELOPMENT_SIGNING_KEY, TokenVerifier
from rcm_shared.web import create_service_app


class ReadyRuntime:
    """The part of ServiceRuntime the app's lifespan and /readyz use."""

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def readiness(self) -> dict[str, str]:
        return {"database": "ok", "kafka": "ok"}


async def boot(app: FastAPI) -> tuple[Any, Callable[[], Awaitable[None]]]:
    app.state.warning = "no code set for today"

    async def close() -> None:
        pass

    return ReadyRuntime(), close


def readyz(app: FastAPI) -> httpx.Response:
    async def go() -> httpx.Response:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            return await http.get("/readyz")

    return asyncio.run(go())


def app_with(*warnings: Callable[[FastAPI], dict[str, str]]) -> FastAPI:
    return create_service_app(service="t", title="t", description="t", bootstrap=boot,
                              authenticator=TokenVerifier(issuer=DEVELOPMENT_ISSUER, audience=DEFAULT_AUDIENCE,
                                                            development_key=DEVELOPMENT_SIGNING_KEY),
                               readiness_warnings=warnings)


def test_a_warning_is_carried_by_readyz_which_stays_ready() -> None:
    response = readyz(app_with(lambda app: {"codesets": app.state.warning}, lambda app: {}))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "kafka": "ok"},
                               "warnings": {"codesets": "no code set for today"}}


def test_without_warnings_readyz_answers_as_before_with_an_empty_warnings_map() -> None:
    response = readyz(app_with())
    assert response.status_code == 200 and response.json()["warnings"] == {}
