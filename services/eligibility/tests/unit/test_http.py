"""The eligibility HTTP API on the in-memory unit of work: typed answers and problem details."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal as D
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from rcm_eligibility.adapters.memory import EligibilityStore, FakeEligibilityUnitOfWork, ScriptedEligibilityGateway
from rcm_eligibility.bootstrap import create_app
from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.errors import EligibilityRequestRejectedError
from rcm_eligibility.domain.model import CoverageAnswer
from rcm_eligibility.entrypoints.routers.deps import get_gateway, get_unit_of_work
from rcm_shared.auth import ROLE_PERMISSIONS, Permission, Role
from rcm_shared.contracts.common import npi_from
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED
from rcm_shared.messaging import TransientError
from rcm_shared.testing.auth import bearer
from rcm_shared.web import PROBLEM_MEDIA_TYPE

ACTIVE = CoverageAnswer(status="active", plan_name="SANDBOX PPO GOLD", copay=D("25"), coinsurance_percent=D("20"),
                        deductible_remaining=D("1200"), out_of_pocket_remaining=D("4000"))
# No connection is opened without the lifespan: the settings only have to be valid.
SETTINGS = EligibilitySettings(database_url="postgresql://rcm:synthetic@localhost:5432/rcm_eligibility",
                               kafka_bootstrap_servers="localhost:9092", sandbox_url="http://localhost:8088")


class Api:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient, store: EligibilityStore) -> None:
        self.app, self.client, self.store = app, client, store
        self.gateway = ScriptedEligibilityGateway(self.answer)
        self.next_answer: CoverageAnswer | Exception = ACTIVE
        app.dependency_overrides[get_gateway] = lambda: self.gateway
        app.dependency_overrides[get_unit_of_work] = lambda: FakeEligibilityUnitOfWork(store)

    def answer(self, command: CheckEligibility) -> CoverageAnswer:
        if isinstance(self.next_answer, Exception):
            raise self.next_answer
        return self.next_answer


@pytest_asyncio.fixture()
async def api() -> AsyncIterator[Api]:
    app = create_app(SETTINGS)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://eligibility",
                                 headers=bearer()) as client:
        yield Api(app, client, EligibilityStore())


def _inquiry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payer_id": "SBXPPO01", "payer_name": "SANDBOX PPO", "member_id": "SBX0000003",
        "subscriber": {"first_name": "Alex", "last_name": "Testpatient3", "birth_date": "1970-05-17", "sex": "F"},
        "provider": {"npi": npi_from("198765432"), "last_name_or_org": "Synthetic Family Practice"},
        "date_of_service": "2026-10-14", "encounter_id": "E-200",
    }
    body.update(overrides)
    return body


async def test_a_check_answers_with_the_recorded_coverage_and_announces_it(api: Api) -> None:
    response = await api.client.post("/v1/eligibility/checks", json=_inquiry())
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: v for k, v in body.items() if k != "checked_at"} == {
        "encounter_id": "E-200", "payer_id": "SBXPPO01", "member_id": "SBX0000003",
        "date_of_service": "2026-10-14", "status": "active", "rejection_codes": [],
        "plan_name": "SANDBOX PPO GOLD", "copay": "25", "coinsurance_percent": "20",
        "deductible_remaining": "1200", "out_of_pocket_remaining": "4000",
    }
    [asked] = api.gateway.asked
    assert asked.subscriber.last_name == "Testpatient3" and asked.patient is None
    assert asked.provider_name == "Synthetic Family Practice"
    [event] = api.store.events(ELIGIBILITY_CHECKED)
    assert event.causation_id is None and event.correlation_id == "E-200"
    assert event.payload == body, "the answer is the event's payload"


async def test_a_check_without_an_encounter_gets_an_inquiry_id(api: Api) -> None:
    body = _inquiry()
    del body["encounter_id"]
    response = await api.client.post("/v1/eligibility/checks", json=body)
    assert response.status_code == 200
    assert response.json()["encounter_id"].startswith("INQ-")


async def test_an_unreachable_clearinghouse_answers_503_problem(api: Api) -> None:
    api.next_answer = TransientError("clearinghouse unreachable: ConnectError")
    response = await api.client.post("/v1/eligibility/checks", json=_inquiry())
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["detail"] == "clearinghouse unreachable: ConnectError"
    assert api.store.checks == [] and api.store.events() == []


async def test_a_refused_request_answers_502_problem(api: Api) -> None:
    api.next_answer = EligibilityRequestRejectedError("no 271 in the clearinghouse's answer: HTTP 400 without a 271")
    response = await api.client.post("/v1/eligibility/checks", json=_inquiry())
    assert response.status_code == 502
    problem = response.json()
    assert problem["type"] == "urn:rcm:problem:eligibility-request-rejected" and "no 271" in problem["detail"]
    assert api.store.checks == []


async def test_an_invalid_inquiry_answers_422_naming_the_field_without_its_value(api: Api) -> None:
    response = await api.client.post("/v1/eligibility/checks", json=_inquiry(member_id="X"))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    [error] = response.json()["errors"]
    assert error["field"] == "body.member_id" and "X" not in error["message"].split()
    assert api.gateway.asked == []


async def test_the_checks_of_an_encounter_are_listed_oldest_first(api: Api) -> None:
    await api.client.post("/v1/eligibility/checks", json=_inquiry())
    api.next_answer = CoverageAnswer(status="inactive")
    await api.client.post("/v1/eligibility/checks", json=_inquiry())
    await api.client.post("/v1/eligibility/checks", json=_inquiry(encounter_id="E-201"))
    response = await api.client.get("/v1/eligibility/encounters/E-200")
    assert response.status_code == 200
    assert [(c["encounter_id"], c["status"]) for c in response.json()] == [("E-200", "active"), ("E-200", "inactive")]
    assert response.json()[0] == api.store.events(ELIGIBILITY_CHECKED)[0].payload


async def test_an_encounter_without_a_check_answers_404_problem(api: Api) -> None:
    response = await api.client.get("/v1/eligibility/encounters/E-404")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["detail"] == "no eligibility check for encounter E-404"


async def test_the_summary_counts_checks_by_status(api: Api) -> None:
    assert (await api.client.get("/v1/eligibility/summary")).json() == {"active": 0, "inactive": 0, "rejected": 0}
    await api.client.post("/v1/eligibility/checks", json=_inquiry())
    api.next_answer = CoverageAnswer(status="rejected", rejection_codes=("72",))
    await api.client.post("/v1/eligibility/checks", json=_inquiry(encounter_id="E-202"))
    response = await api.client.get("/v1/eligibility/summary")
    assert response.status_code == 200
    assert response.json() == {"active": 1, "inactive": 0, "rejected": 1}


async def test_a_check_answers_401_without_a_token_and_403_to_a_role_that_cannot_ask_the_payer(api: Api) -> None:
    assert Permission.ELIGIBILITY_CHECK not in ROLE_PERMISSIONS[Role.CODER]
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://eligibility") as anonymous:
        unauthorized = await anonymous.post("/v1/eligibility/checks", json=_inquiry())
        forbidden = await anonymous.post("/v1/eligibility/checks", json=_inquiry(), headers=bearer(Role.CODER))
    assert unauthorized.status_code == 401 and unauthorized.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert unauthorized.json()["type"] == "urn:rcm:problem:unauthorized"
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    assert forbidden.status_code == 403 and forbidden.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert forbidden.json()["type"] == "urn:rcm:problem:forbidden"
    assert forbidden.json()["permission"] == Permission.ELIGIBILITY_CHECK.value
    # No 270 went to the payer and nothing was recorded or announced.
    assert api.gateway.asked == [] and api.store.checks == [] and api.store.events() == []
