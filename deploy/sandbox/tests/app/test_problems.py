"""Errors are problem details (application/problem+json); a refused interchange keeps its
X12 members (error, issues, acknowledgement) and the X-Sandbox-Result header."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.config import load_config
from rcm_sandbox.settings import SandboxSettings
from rcm_sandbox.testing import claim_837, make_claim, pick_member
from rcm_shared.testing.auth import clearinghouse_headers

NOW = datetime(2026, 11, 10, 15, 30, tzinfo=UTC)
EDI = {"content-type": "application/edi-x12"}
PROBLEM = "application/problem+json"


@asynccontextmanager
async def sandbox(data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SandboxSettings(data_dir=data_dir, remit_batch_seconds=3600), clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://x",
                                                                   headers=clearinghouse_headers()) as client:
        yield client


async def test_an_interchange_with_envelope_errors_is_a_400_problem_with_its_ta1(tmp_path: Path) -> None:
    m = pick_member(load_config(), "SBXMCD01")
    broken = claim_837([make_claim(m, [("99214", "150.00")])], 7).replace("IEA*1*000000007", "IEA*1*000000008")
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=broken, headers=EDI)
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
    assert r.headers["x-sandbox-result"] == "rejected"
    body = r.json()
    assert (body["type"], body["title"], body["status"]) == ("urn:rcm:problem:envelope-errors", "Bad Request", 400)
    assert body["detail"] == body["error"] == "interchange envelope errors"
    assert set(body["issues"][0]) == {"segment_position", "segment_id", "element", "reason", "code", "level"}
    assert body["acknowledgement"].startswith("ISA*")


async def test_a_body_that_is_not_utf8_is_a_400_problem_without_acknowledgement(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=b"\xff\xfe", headers=EDI)
    assert r.status_code == 400 and r.headers["content-type"] == PROBLEM
    assert "x-sandbox-result" not in r.headers
    body = r.json()
    assert (body["type"], body["error"], body["issues"]) == ("urn:rcm:problem:not-utf8", "body is not UTF-8 text", [])
    assert "acknowledgement" not in body


async def test_an_invalid_query_is_a_422_problem_naming_the_field(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as client:
        r = await client.get("/v1/mailbox", params={"kind": "bogus", "limit": 0})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert sorted(e["field"] for e in r.json()["errors"]) == ["query.kind", "query.limit"]
    assert "bogus" not in r.text  # the input is never echoed
