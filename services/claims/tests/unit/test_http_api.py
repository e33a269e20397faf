"""The claims HTTP API: typed OpenAPI, and the routes answering from the fake unit of work
(no lifespan, no database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from rcm_claims.adapters.memory import ClaimsStore, FakeClaimsUnitOfWork
from rcm_claims.adapters.translate import record_coding, record_coverage, record_encounter
from rcm_claims.bootstrap import create_app
from rcm_claims.config import ClaimsSettings
from rcm_claims.domain.commands import SendNextSubmission
from rcm_claims.service import handlers
from rcm_claims.testing import (
    ACCEPTED_999,
    PRICES,
    FakeClearinghouse,
    StubClaimWriter,
    StubReplyReader,
    eligibility_checked,
    encounter_coded,
    encounter_completed,
)
from rcm_shared.auth import ROLE_PERMISSIONS, Permission, Role
from rcm_shared.testing.auth import bearer

SETTINGS = ClaimsSettings(sandbox_url="http://sandbox.test", kafka_bootstrap_servers="localhost:9092",
                          database_url="postgresql://claims:pw@localhost:5432/claims")


def app_on(store: ClaimsStore) -> FastAPI:
    app = create_app(SETTINGS)
    app.state.uow_factory = lambda: FakeClaimsUnitOfWork(store)
    return app


@pytest_asyncio.fixture()
async def store() -> ClaimsStore:
    return ClaimsStore()


@pytest_asyncio.fixture()
async def http(store: ClaimsStore) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_on(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://claims.test", headers=bearer()) as client:
        yield client


async def intake(store: ClaimsStore, encounter_id: str, *parts: str, status: str = "active",
                 send: bool = False) -> None:
    kw: dict[str, Any] = {"cause": None, "chargemaster": PRICES, "writer": StubClaimWriter()}
    async with FakeClaimsUnitOfWork(store) as uow:
        if "encounter" in parts:
            await handlers.record_encounter(record_encounter(encounter_completed(encounter_id)), uow, **kw)
        if "coverage" in parts:
            await handlers.record_coverage(record_coverage(eligibility_checked(encounter_id, status)), uow, **kw)
        if "coding" in parts:
            await handlers.record_coding(record_coding(encounter_coded(encounter_id)), uow, **kw)
        if send:
            await handlers.send_next_submission(SendNextSubmission(), uow, clearinghouse=FakeClearinghouse(),
                                                replies=StubReplyReader(ACCEPTED_999))
        await uow.commit()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    resolved: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return resolved


def _is_typed(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(spec, schema)
    variants = schema.get("oneOf") or schema.get("anyOf")
    if variants:
        return all(_is_typed(spec, v) for v in variants)
    return bool(schema.get("properties")) or schema.get("type") not in (None, "object")


def test_every_route_documents_a_typed_success_response() -> None:
    spec = create_app(SETTINGS).openapi()
    checked = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            ok = op["responses"].get("200") or op["responses"].get("201")
            assert ok is not None, f"{method} {path} documents no success response"
            content = ok.get("content", {})
            assert content, f"{method} {path}: no response body documented"
            for media in content.values():
                assert _is_typed(spec, media["schema"]), f"{method} {path}: success response is an untyped object"
            checked.append(path)
    assert {"/v1/claims/summary", "/v1/claims/by-encounter/{encounter_id}"} <= set(checked)


def test_the_by_encounter_route_documents_its_404_as_problem_details() -> None:
    spec = create_app(SETTINGS).openapi()
    not_found = spec["paths"]["/v1/claims/by-encounter/{encounter_id}"]["get"]["responses"]["404"]
    assert not_found["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


async def test_the_summary_counts_claims_by_status_and_held_encounters(http: httpx.AsyncClient,
                                                                       store: ClaimsStore) -> None:
    await intake(store, "E-1", "encounter", "coverage", "coding", send=True)
    await intake(store, "E-2", "encounter", "coverage", "coding")
    await intake(store, "E-3", "encounter", "coverage", "coding", status="inactive")
    await intake(store, "E-4", "encounter")
    response = await http.get("/v1/claims/summary")
    assert response.status_code == 200
    assert response.json() == {"built": 1, "submitted": 1, "accepted": 0, "rejected": 0, "held": 1}


async def test_an_encounter_with_a_claim_shows_the_claim_and_its_submissions(http: httpx.AsyncClient,
                                                                             store: ClaimsStore) -> None:
    await intake(store, "E-1", "encounter", "coverage", "coding", send=True)
    body = (await http.get("/v1/claims/by-encounter/E-1")).json()
    [claim] = [s.claim for s in store.claims.values()]
    assert body["claim_id"] == claim.claim_id and body["encounter_id"] == "E-1"
    assert body["status"] == "submitted" and body["total_charge"] == "185.00"
    assert body["claim"] == {
        "claim_id": claim.claim_id, "encounter_id": "E-1", "frequency_code": "1", "diagnoses": ["I10"],
        "total_charge": "185.00",
        "lines": [{"line_number": 1, "code": "99213", "code_system": "CPT", "modifiers": [], "units": "1",
                   "unit_price": "185.00", "charge": "185.00", "diagnosis_pointers": [1],
                   "date_of_service": "2026-10-14"}]}
    [submission] = body["submissions"]
    assert {k: submission[k] for k in ("interchange_control_number", "status", "reply_result", "attempts")} == {
        "interchange_control_number": "000000001", "status": "sent", "reply_result": "accepted", "attempts": 1}
    assert submission["sent_at"] is not None and isinstance(submission["id"], int)


async def test_an_encounter_without_a_claim_says_what_it_waits_for(http: httpx.AsyncClient,
                                                                   store: ClaimsStore) -> None:
    await intake(store, "E-1", "coverage")
    body = (await http.get("/v1/claims/by-encounter/E-1")).json()
    assert body == {"encounter_id": "E-1", "status": "waiting", "held_reasons": [],
                    "waiting_for": ["encounter", "coding"]}


async def test_a_held_encounter_says_why(http: httpx.AsyncClient, store: ClaimsStore) -> None:
    await intake(store, "E-1", "encounter", "coverage", "coding", status="rejected")
    body = (await http.get("/v1/claims/by-encounter/E-1")).json()
    assert body["status"] == "held" and body["waiting_for"] == []
    assert len(body["held_reasons"]) == 1 and "coverage is rejected" in body["held_reasons"][0]


async def test_an_encounter_claims_never_saw_is_a_404_problem(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/claims/by-encounter/E-NOPE")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["type"] == "urn:rcm:problem:encounter-not-found"
    assert problem["detail"] == "encounter E-NOPE not seen by claims"


async def test_the_by_encounter_route_answers_401_without_a_token_and_403_to_a_role_without_claims_read(
        store: ClaimsStore) -> None:
    await intake(store, "E-1", "encounter", "coverage", "coding", send=True)
    assert Permission.CLAIMS_READ not in ROLE_PERMISSIONS[Role.CODER]
    transport = httpx.ASGITransport(app=app_on(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://claims.test") as anonymous:
        unauthorized = await anonymous.get("/v1/claims/by-encounter/E-1")
        forbidden = await anonymous.get("/v1/claims/by-encounter/E-1", headers=bearer(Role.CODER))
    assert unauthorized.status_code == 401
    assert unauthorized.headers["content-type"] == "application/problem+json"
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    assert unauthorized.json()["type"] == "urn:rcm:problem:unauthorized"
    assert "claim_id" not in unauthorized.text
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert forbidden.json()["type"] == "urn:rcm:problem:forbidden"
    assert forbidden.json()["permission"] == Permission.CLAIMS_READ.value
    assert "claim_id" not in forbidden.text
