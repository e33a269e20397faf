"""Bad HTTP input is a 422 problem naming the field, never a 5xx (issue 9): NUL and other control
characters (PostgreSQL text cannot hold NUL), X12 delimiters (the 270 writer refuses them) and ids
longer than the tables hold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from rcm_eligibility.adapters.memory import EligibilityStore, FakeEligibilityUnitOfWork, ScriptedEligibilityGateway
from rcm_eligibility.bootstrap import create_app
from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.model import CoverageAnswer
from rcm_eligibility.entrypoints.routers.deps import get_gateway, get_unit_of_work
from rcm_shared.contracts.common import npi_from
from rcm_shared.testing.auth import bearer
from rcm_shared.web import PROBLEM_MEDIA_TYPE

SETTINGS = EligibilitySettings(database_url="postgresql://rcm:synthetic@localhost:5432/rcm_eligibility",
                               kafka_bootstrap_servers="localhost:9092", sandbox_url="http://localhost:8088")


def _active(command: CheckEligibility) -> CoverageAnswer:
    return CoverageAnswer(status="active")


@pytest_asyncio.fixture()
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SETTINGS)
    store = EligibilityStore()
    gateway = ScriptedEligibilityGateway(_active)
    app.dependency_overrides[get_gateway] = lambda: gateway
    app.dependency_overrides[get_unit_of_work] = lambda: FakeEligibilityUnitOfWork(store)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://eligibility",
                                 headers=bearer()) as client:
        yield client


def _inquiry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payer_id": "SBXPPO01", "payer_name": "SANDBOX PPO", "member_id": "SBX0000003",
        "subscriber": {"first_name": "Alex", "last_name": "Testpatient3", "birth_date": "1970-05-17", "sex": "F"},
        "provider": {"npi": npi_from("198765432"), "last_name_or_org": "Synthetic Family Practice"},
        "date_of_service": "2026-10-14", "encounter_id": "E-200",
    }
    body.update(overrides)
    return body


def assert_invalid(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert field in [e["field"] for e in response.json()["errors"]]
    assert "SBX\\u0000" not in response.text and "Al\\u0000" not in response.text  # values are never echoed


@pytest.mark.parametrize("encounter_id", ["%00", "E-1%00", "E%0D1", "E" * 39])
async def test_an_encounter_id_the_table_cannot_hold_is_a_422_naming_the_path_field(
        http: httpx.AsyncClient, encounter_id: str) -> None:
    assert_invalid(await http.get(f"/v1/eligibility/encounters/{encounter_id}"), "path.encounter_id")


SUBSCRIBER = {"first_name": "Alex", "last_name": "Testpatient3", "birth_date": "1970-05-17", "sex": "F"}


@pytest.mark.parametrize(("overrides", "field"), [
    ({"member_id": "SBX\x000003"}, "body.member_id"),
    ({"member_id": "SBX*0003"}, "body.member_id"),  # an X12 element separator
    ({"payer_id": "SBX~PPO01"}, "body.payer_id"),  # an X12 segment terminator
    ({"payer_name": "SANDBOX\tPPO"}, "body.payer_name"),
    ({"payer_name": " "}, "body.payer_name"),
    ({"subscriber": {**SUBSCRIBER, "first_name": "Al\x00"}}, "body.subscriber.first_name"),
    ({"subscriber": {**SUBSCRIBER, "last_name": "Test:patient"}}, "body.subscriber.last_name"),
    ({"patient": {**SUBSCRIBER, "first_name": "Al^x"}}, "body.patient.first_name"),
    ({"subscriber": {**SUBSCRIBER, "address": {"line1": "1 Main\x00St", "city": "Springfield", "state": "IL",
                                                "postal_code": "62701"}}}, "body.subscriber.address.line1"),
    ({"provider": {"npi": npi_from("198765432"), "last_name_or_org": "Synthetic\x00Practice"}},
     "body.provider.last_name_or_org"),
    ({"encounter_id": "E\x00200"}, "body.encounter_id"),
])
async def test_a_check_with_a_value_the_270_or_the_table_cannot_hold_is_a_422_naming_the_field(
        http: httpx.AsyncClient, overrides: dict[str, Any], field: str) -> None:
    assert_invalid(await http.post("/v1/eligibility/checks", json=_inquiry(**overrides)), field)


async def test_a_check_with_ordinary_punctuation_is_accepted(http: httpx.AsyncClient) -> None:
    subscriber = {**SUBSCRIBER, "last_name": "O'Brien-Smith Jr.", "first_name": "Mary Ann"}
    response = await http.post("/v1/eligibility/checks", json=_inquiry(subscriber=subscriber, payer_name="SBX & CO."))
    assert response.status_code == 200, response.text
