"""The payments HTTP API: typed OpenAPI, the JSON the CLI and the bench read, problem+json errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rcm_payments.adapters.memory import FakePaymentsUnitOfWork, PaymentsStore
from rcm_payments.bootstrap import create_app
from rcm_payments.config import PaymentsSettings
from rcm_payments.domain.model import ClaimAccount, PostedAdjustment, Posting, RemittanceOutcome
from rcm_payments.entrypoints.dependencies import unit_of_work
from rcm_payments.service.unit_of_work import PaymentsUnitOfWork
from rcm_shared.auth import ROLE_PERMISSIONS, Permission, Role
from rcm_shared.testing.auth import bearer

POSTED_AT = datetime(2026, 10, 21, 9, 30, tzinfo=UTC)


def settings() -> PaymentsSettings:
    return PaymentsSettings(kafka_bootstrap_servers="localhost:9092", sandbox_url="http://localhost:8005",
                            database_url="postgresql://rcm:rcm@localhost:5432/rcm_payments")


def app_on(store: PaymentsStore) -> FastAPI:
    """The real app with its unit of work swapped for the in-memory one (no lifespan, no database)."""
    app = create_app(settings())

    async def fake_unit_of_work() -> AsyncIterator[PaymentsUnitOfWork]:
        async with FakePaymentsUnitOfWork(store) as uow:
            yield uow

    app.dependency_overrides[unit_of_work] = fake_unit_of_work
    return app


def client_on(store: PaymentsStore) -> TestClient:
    """A client of :func:`app_on` with a token of every role."""
    return TestClient(app_on(store), headers=bearer())


def seeded() -> PaymentsStore:
    store = PaymentsStore()
    store.accounts["C1"] = ClaimAccount("C1", "paid", "E1", "SANDBOX-PPO", D("185.00"), D("80.00"), D("20.00"))
    store.accounts["C2"] = ClaimAccount("C2", "denied", "E2", "SANDBOX-PPO", D("90.00"))
    store.accounts["C3"] = ClaimAccount("C3", "submitted", "E3", "SANDBOX-PPO", D("50.00"))
    store.postings["k1"] = Posting("k1", "C1", "F1", "TRN1", "1", D("185.00"), D("80.00"), D("20.00"), POSTED_AT,
                                   (PostedAdjustment("CO", "45", D("85.00"), 1),
                                    PostedAdjustment("PR", "3", D("20.00"), 1)))
    store.postings["k2"] = Posting("k2", "C2", "F1", "TRN1", "4", D("90.00"), D("0.00"), D("0.00"), POSTED_AT)
    store.remittances["F2"] = RemittanceOutcome("F2", "held", reasons=("why",))
    return store


def test_the_summary_keeps_the_fields_the_cli_and_the_bench_read() -> None:
    body = client_on(seeded()).get("/v1/payments/summary").json()
    assert body == {"submitted": 1, "paid": 1, "denied": 1, "reversed": 0, "other": 0, "remittances_held": 1,
                    "postings": 2, "paid_amount": "80.00", "patient_responsibility": "20.00"}


def test_an_empty_service_sums_to_zero() -> None:
    body = client_on(PaymentsStore()).get("/v1/payments/summary").json()
    assert (body["paid"], body["postings"], body["paid_amount"], body["patient_responsibility"]) == (0, 0, "0", "0")


def test_a_claim_account_shows_its_postings() -> None:
    response = client_on(seeded()).get("/v1/payments/claims/C1")
    assert response.status_code == 200
    assert response.json() == {
        "claim_id": "C1", "encounter_id": "E1", "status": "paid", "total_charge": "185.00", "paid_total": "80.00",
        "patient_responsibility": "20.00",
        "postings": [{"trace_number": "TRN1", "status_code": "1", "charge": "185.00", "paid": "80.00",
                      "patient_responsibility": "20.00", "posted_at": "2026-10-21T09:30:00Z",
                      "adjustments": [{"group_code": "CO", "reason_code": "45", "amount": "85.00", "line_number": 1},
                                      {"group_code": "PR", "reason_code": "3", "amount": "20.00", "line_number": 1}]}],
    }


def test_an_unknown_claim_is_a_404_problem() -> None:
    response = client_on(seeded()).get("/v1/payments/claims/C404")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["type"], problem["status"], problem["detail"]) == (
        "urn:rcm:problem:claim-account-not-found", 404, "no account for claim C404")


def test_a_claim_account_answers_401_without_a_token_and_403_to_a_role_without_payments_read() -> None:
    assert Permission.PAYMENTS_READ not in ROLE_PERMISSIONS[Role.CODER]
    anonymous = TestClient(app_on(seeded()))
    unauthorized = anonymous.get("/v1/payments/claims/C1")
    forbidden = anonymous.get("/v1/payments/claims/C1", headers=bearer(Role.CODER))
    assert unauthorized.status_code == 401
    assert unauthorized.headers["content-type"] == "application/problem+json"
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    assert unauthorized.json()["type"] == "urn:rcm:problem:unauthorized"
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert (forbidden.json()["type"], forbidden.json()["permission"]) == (
        "urn:rcm:problem:forbidden", Permission.PAYMENTS_READ.value)
    for refused in (unauthorized, forbidden):
        assert "185.00" not in refused.text and "TRN1" not in refused.text  # nothing of the account leaks


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_typed(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    schema = _resolve(schema, components)
    if not schema:
        return False  # {}: anything
    if schema.get("type") == "object" or "properties" in schema or "additionalProperties" in schema:
        return bool(schema.get("properties"))  # a bare object/dict documents nothing
    return True


def test_every_route_documents_a_typed_success_response() -> None:
    spec = create_app(settings()).openapi()
    components = spec.get("components", {}).get("schemas", {})
    routes = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]
    assert {path for path, _, _ in routes} >= {"/v1/payments/summary", "/v1/payments/claims/{claim_id}"}
    for path, method, op in routes:
        ok = op["responses"].get("200") or op["responses"].get("201")
        assert ok is not None, f"{method.upper()} {path}: no 200/201 response"
        schemas = [c.get("schema", {}) for c in ok.get("content", {}).values()]
        assert schemas and all(_is_typed(s, components) for s in schemas), f"{method.upper()} {path}: {schemas}"


@pytest.mark.parametrize("path", ["/v1/payments/claims/{claim_id}"])
def test_error_answers_are_documented_as_problems(path: str) -> None:
    spec = create_app(settings()).openapi()
    not_found = spec["paths"][path]["get"]["responses"]["404"]
    assert not_found["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
