"""Bad HTTP input is a 422 problem naming the field, never a 5xx (issue 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.bootstrap import create_app
from rcm_claims.config import ClaimsSettings
from rcm_shared.testing.auth import bearer
from rcm_shared.web import PROBLEM_MEDIA_TYPE

SETTINGS = ClaimsSettings(sandbox_url="http://sandbox.test", kafka_bootstrap_servers="localhost:9092",
                          database_url="postgresql://claims:pw@localhost:5432/claims")


@pytest_asyncio.fixture()
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SETTINGS)
    store = ClaimsStore()
    app.state.uow_factory = lambda: FakeClaimsUnitOfWork(store)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://claims", headers=bearer()) as client:
        yield client


@pytest.mark.parametrize("encounter_id", ["%00", "E-1%00", "E%091", "E" * 39])
async def test_an_encounter_id_the_table_cannot_hold_is_a_422_naming_the_path_field(
        http: httpx.AsyncClient, encounter_id: str) -> None:
    response = await http.get(f"/v1/claims/by-encounter/{encounter_id}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert [e["field"] for e in response.json()["errors"]] == ["path.encounter_id"]


async def test_a_well_formed_unknown_encounter_is_still_a_404(http: httpx.AsyncClient) -> None:
    assert (await http.get(f"/v1/claims/by-encounter/{'E' * 38}")).status_code == 404
