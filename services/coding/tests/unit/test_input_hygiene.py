"""Bad HTTP input is a 422 problem naming the field, never a 5xx (issue 9): NUL and other control
characters, ids longer than the tables hold, and limits/offsets outside what PostgreSQL takes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from rcm_coding.adapters.memory import CodingStore, FakeCodingUnitOfWork
from rcm_coding.bootstrap import create_app
from rcm_coding.config import CodingSettings
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.entrypoints.dependencies import get_reference, get_uow
from rcm_shared.auth import Role
from rcm_shared.testing.auth import bearer
from rcm_shared.web import PROBLEM_MEDIA_TYPE

SETTINGS = CodingSettings(kafka_bootstrap_servers="127.0.0.1:9092", database_url="postgresql://u:p@db:5432/coding")


@pytest_asyncio.fixture()
async def http(reference: CodeSetRegistry) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SETTINGS)
    store = CodingStore()
    app.dependency_overrides[get_uow] = lambda: FakeCodingUnitOfWork(store)
    app.dependency_overrides[get_reference] = lambda: reference
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = bearer(Role.CODER, subject="coder1")
    async with httpx.AsyncClient(transport=transport, base_url="http://coding", headers=headers) as client:
        yield client


def assert_invalid(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["type"] == "urn:rcm:problem:invalid-input"
    assert field in [e["field"] for e in problem["errors"]]
    assert "\\u0000" not in response.text  # the value is never echoed


@pytest.mark.parametrize("encounter_id", ["%00", "E-1%00", "E%0A1", "E" * 39])
async def test_an_encounter_id_the_table_cannot_hold_is_a_422_naming_the_path_field(
        http: httpx.AsyncClient, encounter_id: str) -> None:
    assert_invalid(await http.get(f"/v1/coding/encounters/{encounter_id}"), "path.encounter_id")


async def test_a_decision_for_a_nul_encounter_id_is_a_422(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/coding/reviews/%00/decisions", json={"action": "accept"})
    assert_invalid(response, "path.encounter_id")


@pytest.mark.parametrize(("query", "field"), [
    ("limit=-21344", "query.limit"),
    ("limit=99999999999999999999", "query.limit"),
    ("offset=-1", "query.offset"),
    ("offset=99999999999999999999", "query.offset"),  # beyond BIGINT: PostgreSQL's OFFSET would overflow
])
async def test_a_review_page_outside_the_database_range_is_a_422(http: httpx.AsyncClient, query: str,
                                                                  field: str) -> None:
    assert_invalid(await http.get(f"/v1/coding/reviews?{query}"), field)


async def test_the_largest_bigint_offset_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/v1/coding/reviews?offset={2**63 - 1}")
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"action": "accept", "note": "looks \x00 fine"}, "body.note"),
    ({"action": "reject", "reason": "bell \x07"}, "body.reason"),
    ({"action": "edit", "reason": "r", "changes": [{"op": "add_diagnosis", "code": "R0\x00"}]},
     "body.changes.0.code"),
    ({"action": "edit", "reason": "r", "changes": [{"op": "remove_line", "line_number": -1}]},
     "body.changes.0.line_number"),
    ({"action": "edit", "reason": "r",
      "changes": [{"op": "set_pointers", "line_number": 1, "diagnosis_pointers": [2**40]}]},
     "body.changes.0.diagnosis_pointers.0"),
])
async def test_a_decision_with_control_characters_or_out_of_range_numbers_is_a_422(
        http: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    assert_invalid(await http.post("/v1/coding/reviews/E-1/decisions", json=body), field)


async def test_free_text_keeps_its_newlines_and_tabs(http: httpx.AsyncClient) -> None:
    # Valid input reaches the handler: no review is queued, so it is a 404, not a 422.
    response = await http.post("/v1/coding/reviews/E-1/decisions",
                               json={"action": "accept", "note": "line one\n\tline two"})
    assert response.status_code == 404, response.text
