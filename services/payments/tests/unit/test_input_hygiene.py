"""Bad HTTP input is a 422 problem naming the field, never a 5xx (issue 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi.testclient import TestClient
from rcm_payments.adapters.memory import FakePaymentsUnitOfWork, PaymentsStore
from rcm_payments.bootstrap import create_app
from rcm_payments.config import PaymentsSettings
from rcm_payments.entrypoints.dependencies import unit_of_work
from rcm_payments.service.unit_of_work import PaymentsUnitOfWork
from rcm_shared.testing.auth import bearer
from rcm_shared.web import PROBLEM_MEDIA_TYPE

SETTINGS = PaymentsSettings(kafka_bootstrap_servers="localhost:9092", sandbox_url="http://localhost:8005",
                            database_url="postgresql://rcm:rcm@localhost:5432/rcm_payments")


def client() -> TestClient:
    app = create_app(SETTINGS)
    store = PaymentsStore()

    async def fake_unit_of_work() -> AsyncIterator[PaymentsUnitOfWork]:
        async with FakePaymentsUnitOfWork(store) as uow:
            yield uow

    app.dependency_overrides[unit_of_work] = fake_unit_of_work
    return TestClient(app, raise_server_exceptions=False, headers=bearer())


@pytest.mark.parametrize("claim_id", ["%00", "C1%00", "C%1F1", "C" * 21])
def test_a_claim_id_the_table_cannot_hold_is_a_422_naming_the_path_field(claim_id: str) -> None:
    response = client().get(f"/v1/payments/claims/{claim_id}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert [e["field"] for e in response.json()["errors"]] == ["path.claim_id"]


def test_a_well_formed_unknown_claim_is_still_a_404() -> None:
    assert client().get(f"/v1/payments/claims/{'C' * 20}").status_code == 404
