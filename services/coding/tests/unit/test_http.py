"""The coding service's HTTP API on the in-memory unit of work (no lifespan, no database).

Routes answer typed JSON, errors are problem details (``application/problem+json``), and
the OpenAPI documents a response schema for every route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from rcm_coding.adapters.memory import CodingStore, FakeCodingUnitOfWork
from rcm_coding.bootstrap import create_app
from rcm_coding.config import CodingSettings
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.model import (
    CodingResult,
    CodingStatus,
    DiagnosisProposal,
    EncounterCoding,
    Evidence,
    ProcedureLine,
)
from rcm_coding.domain.review import ReviewCase
from rcm_coding.entrypoints.dependencies import get_reference, get_uow
from rcm_shared.auth import ROLE_PERMISSIONS, Permission, Role
from rcm_shared.envelope import Cause
from rcm_shared.testing.auth import bearer
from rcm_shared.web import PROBLEM_MEDIA_TYPE

DOS = date(2026, 10, 14)
REASON = "clinician-entered diagnosis J18.9 is not supported by the note"


def settings() -> CodingSettings:
    return CodingSettings(kafka_bootstrap_servers="127.0.0.1:9092", database_url="postgresql://u:p@db:5432/coding")


def result(reasons: tuple[str, ...] = (REASON,)) -> CodingResult:
    evidence = (Evidence(0, 5, "assessment", "cough"),)
    return CodingResult((DiagnosisProposal("R05.9", "Cough, unspecified", "dx.lexicon", 0.9, evidence),),
                        (ProcedureLine("99213", "office visit", "em.office", 0.9, (), Decimal(1), (1,), evidence),),
                        (), bool(reasons), reasons, {"icd10cm": "test"})


async def queue(store: CodingStore, encounter_id: str) -> None:
    async with FakeCodingUnitOfWork(store) as uow:
        await uow.results.save(EncounterCoding(encounter_id, DOS, CodingStatus.REVIEW, result(), "Assessment: cough."))
        await uow.reviews.add(ReviewCase.open(f"RC-{encounter_id}", encounter_id, result(),
                                              datetime(2026, 10, 14, 9, tzinfo=UTC), patient_age=56, patient_sex="F"),
                              cause=Cause.from_json({"event_id": "8a1f3c1e-0000-4000-8000-000000000001",
                                                     "correlation_id": encounter_id}))
        await uow.commit()


@pytest.fixture()
def store() -> CodingStore:
    return CodingStore()


def app_on(store: CodingStore, reference: CodeSetRegistry) -> FastAPI:
    app = create_app(settings())
    app.dependency_overrides[get_uow] = lambda: FakeCodingUnitOfWork(store)
    app.dependency_overrides[get_reference] = lambda: reference
    return app


def coder(subject: str) -> dict[str, str]:
    """The Authorization header of a coder named ``subject``."""
    return bearer(Role.CODER, subject=subject)


@pytest_asyncio.fixture()
async def client(store: CodingStore, reference: CodeSetRegistry) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_on(store, reference))
    async with httpx.AsyncClient(transport=transport, base_url="http://coding", headers=bearer()) as http:
        yield http


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"]
    return body


async def test_the_summary_counts_every_status(client: httpx.AsyncClient, store: CodingStore) -> None:
    assert (await client.get("/v1/coding/summary")).json() == {"coded": 0, "review": 0, "rejected": 0}
    await queue(store, "ENC-1")
    assert (await client.get("/v1/coding/summary")).json() == {"coded": 0, "review": 1, "rejected": 0}


async def test_the_review_queue_lists_waiting_encounters_with_their_reasons(
        client: httpx.AsyncClient, store: CodingStore) -> None:
    for encounter_id in ("ENC-1", "ENC-2", "ENC-3"):
        await queue(store, encounter_id)
    queue_page = (await client.get("/v1/coding/reviews", params={"limit": 2, "offset": 1})).json()
    assert [q["encounter_id"] for q in queue_page] == ["ENC-2", "ENC-3"]
    assert queue_page[0]["review_reasons"] == [REASON] and queue_page[0]["date_of_service"] == "2026-10-14"
    assert datetime.fromisoformat(queue_page[0]["queued_at"])
    assert_problem(await client.get("/v1/coding/reviews", params={"limit": -1}), 422)


async def test_a_coder_completes_a_case_over_rest_with_problem_answers_on_the_way(
        client: httpx.AsyncClient, store: CodingStore) -> None:
    await queue(store, "ENC-1")
    decisions = "/v1/coding/reviews/ENC-1/decisions"
    coder7 = coder("coder7")
    # An edit without a reason is refused with the reason named.
    body = assert_problem(await client.post(decisions, headers=coder7, json={"action": "edit", "changes": [
        {"op": "remove_diagnosis", "code": "R05.9"}]}), 422)
    assert "reason" in body["detail"]
    # A change missing what its op needs names the field.
    body = assert_problem(await client.post(decisions, headers=coder7, json={
        "action": "edit", "reason": "x", "changes": [{"op": "set_units", "line_number": 1}]}), 422)
    assert "'units'" in body["detail"]
    r = await client.post(decisions, headers=coder7, json={
        "action": "edit", "reason": "header code",
        "changes": [{"op": "replace_diagnosis", "old": "R05.9", "new": "R05"},
                    {"op": "set_units", "line_number": 1, "units": "2.75"}]})
    assert r.status_code == 200, r.text
    assert r.json()["final_lines"][0]["units"] == "2.75" and r.json()["status"] == "open"
    # Failed edits are the problem's extension member ``edit_failures``.
    body = assert_problem(await client.post(decisions, headers=coder7, json={"action": "complete"}), 422)
    assert [f["edit_id"] for f in body["edit_failures"]] == ["ICD_NOT_BILLABLE"]
    assert body["edit_failures"][0]["codes"] == ["R05"] and body["type"] == "urn:rcm:problem:edits-failed"
    r = await client.post(decisions, headers=coder7, json={
        "action": "edit", "reason": "billable code",
        "changes": [{"op": "replace_diagnosis", "old": "R05", "new": "R05.9"}]})
    assert r.status_code == 200, r.text
    r = await client.post(decisions, headers=coder7, json={"action": "complete", "note": "reviewed"})
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["status"] == "completed" and case["final_diagnoses"] == ["R05.9"] and case["closed_by"] == "coder7"
    assert [a["action"] for a in case["audit"]] == ["opened", "edited", "edited", "completed"]
    assert_problem(await client.post(decisions, headers=coder("coder8"), json={"action": "reject", "reason": "x"}),
                   409)
    assert_problem(await client.post("/v1/coding/reviews/NOPE/decisions", headers=coder7,
                                     json={"action": "complete"}), 404)
    assert store.codings["ENC-1"].status is CodingStatus.CODED and len(store.events("rcm.coding.encounter_coded")) == 1
    # Each answered decision (3 edits/completions that succeeded) is a recorded read of the case.
    assert [e.payload["subject"] for e in store.events("rcm.audit.phi_accessed")] == ["coder7"] * 3


async def test_an_encounter_shows_its_proposal_final_codes_case_and_audit(
        client: httpx.AsyncClient, store: CodingStore) -> None:
    await queue(store, "ENC-1")
    r = await client.post("/v1/coding/reviews/ENC-1/decisions", headers=coder("coder7"), json={"action": "accept"})
    assert r.status_code == 200, r.text
    shown = (await client.get("/v1/coding/encounters/ENC-1")).json()
    assert (shown["status"], shown["coded_by"], shown["date_of_service"]) == ("coded", "coder:coder7", "2026-10-14")
    assert shown["proposal"]["diagnoses"][0]["evidence"][0] == {"start": 0, "end": 5, "section": "assessment",
                                                                "text": "cough"}
    assert shown["proposal"]["review_reasons"] == [REASON]
    final = shown["final_codes"]
    assert final["lines"] == [{"code": "99213", "code_system": "CPT", "modifiers": [], "units": "1",
                               "diagnosis_pointers": [1]}]
    assert final["reviewed"] is True and [t["action"] for t in final["review_trail"]] == ["opened", "accepted"]
    assert shown["review_case"]["status"] == "completed"
    [audit] = shown["audit"]
    assert (audit["action"], audit["coder"], audit["changes"]) == ("accepted", "coder7",
                                                                    {"detail": "accepted all proposals"})
    assert_problem(await client.get("/v1/coding/encounters/NOPE"), 404)


async def test_a_decision_answers_401_without_a_token_and_403_to_a_role_that_cannot_review(
        store: CodingStore, reference: CodeSetRegistry) -> None:
    await queue(store, "ENC-1")
    # The auditor reads every coded encounter but decides nothing.
    assert Permission.CODING_READ in ROLE_PERMISSIONS[Role.AUDITOR]
    assert Permission.CODING_REVIEW not in ROLE_PERMISSIONS[Role.AUDITOR]
    decisions = "/v1/coding/reviews/ENC-1/decisions"
    transport = httpx.ASGITransport(app=app_on(store, reference))
    async with httpx.AsyncClient(transport=transport, base_url="http://coding") as anonymous:
        unauthorized = await anonymous.post(decisions, json={"action": "accept"})
        forbidden = await anonymous.post(decisions, headers=bearer(Role.AUDITOR, subject="auditor1"),
                                         json={"action": "accept"})
    assert assert_problem(unauthorized, 401)["type"] == "urn:rcm:problem:unauthorized"
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    problem = assert_problem(forbidden, 403)
    assert problem["type"] == "urn:rcm:problem:forbidden" and problem["permission"] == Permission.CODING_REVIEW.value
    # Neither answer decided anything.
    assert store.codings["ENC-1"].status is CodingStatus.REVIEW and store.events() == []


async def test_the_audit_trail_names_the_tokens_subject_never_a_user_field_of_the_body(
        client: httpx.AsyncClient, store: CodingStore) -> None:
    await queue(store, "ENC-1")
    r = await client.post("/v1/coding/reviews/ENC-1/decisions", headers=coder("dana.coder"),
                          json={"action": "reject", "reason": "not billable", "user": "someone-else"})
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["closed_by"] == "dana.coder"
    assert [(a["action"], a["user"]) for a in case["audit"]][-1] == ("rejected", "dana.coder")
    shown = (await client.get("/v1/coding/encounters/ENC-1")).json()
    assert [(a["action"], a["coder"]) for a in shown["audit"]] == [("rejected", "dana.coder")]
    assert "someone-else" not in r.text + str(shown)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_typed(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Not ``{}`` and not a bare object: a model with properties, an array of one, or a scalar."""
    schema = _resolve(spec, schema)
    if schema.get("type") == "array":
        return _is_typed(spec, schema.get("items", {}))
    if schema.get("type") == "object" or not schema:
        return bool(schema.get("properties"))
    return "type" in schema or "anyOf" in schema


def test_the_openapi_documents_a_typed_answer_for_every_route() -> None:
    app: FastAPI = create_app(settings())
    spec = app.openapi()
    seen = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            ok = {s: v for s, v in operation["responses"].items() if s in ("200", "201")}
            assert ok, f"{method} {path} documents no success answer"
            for answer in ok.values():
                [schema] = [c["schema"] for c in answer["content"].values()]
                assert _is_typed(spec, schema), f"{method} {path} answers an untyped {schema}"
            seen.append(f"{method.upper()} {path}")
    assert {"GET /v1/coding/summary", "GET /v1/coding/reviews", "GET /v1/coding/encounters/{encounter_id}",
            "POST /v1/coding/reviews/{encounter_id}/decisions"} <= set(seen)
    decision = spec["paths"]["/v1/coding/reviews/{encounter_id}/decisions"]["post"]["responses"]
    assert {"404", "409", "422"} <= set(decision)
    for status in ("404", "409", "422"):
        problem = _resolve(spec, decision[status]["content"][PROBLEM_MEDIA_TYPE]["schema"])
        assert {"type", "title", "status", "detail"} <= set(problem["properties"])
    # The failed edits of a close are documented as the problem's extension member.
    assert "edit_failures" in spec["components"]["schemas"]["EditsFailedProblem"]["properties"]


async def test_a_persons_read_of_note_evidence_or_the_queue_is_recorded_with_their_identity(
    store: CodingStore, reference: CodeSetRegistry,
) -> None:
    from rcm_shared.contracts.audit import PHI_ACCESSED

    await queue(store, "ENC-7")
    transport = httpx.ASGITransport(app=app_on(store, reference))
    async with httpx.AsyncClient(transport=transport, base_url="http://coding",
                                 headers=bearer(Role.AUDITOR, subject="auditor3")) as http:
        assert (await http.get("/v1/coding/encounters/ENC-7")).status_code == 200
        assert (await http.get("/v1/coding/reviews")).status_code == 200
        assert (await http.get("/v1/coding/summary")).status_code == 200  # counts only: not a PHI read
        assert (await http.get("/v1/coding/encounters/NOPE")).status_code == 404  # nothing disclosed
    reads = [e.payload for e in store.events(PHI_ACCESSED)]
    assert [(r["subject"], r["resource"], r["resource_id"], r["route"]) for r in reads] == [
        ("auditor3", "coding.encounter", "ENC-7", "GET /v1/coding/encounters/{encounter_id}"),
        ("auditor3", "coding.review", "ENC-7", "GET /v1/coding/reviews"),
    ]
    assert reads[0]["roles"] == ["auditor"] and reads[0]["service"] == "coding"
    assert all("Cough" not in str(r) and "cough" not in str(r) for r in reads)  # ids, never the PHI itself
