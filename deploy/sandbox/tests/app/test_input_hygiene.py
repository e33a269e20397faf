"""Bad HTTP input is a 422 problem naming the field, never a 5xx (issue 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.settings import SandboxSettings
from rcm_shared.testing.auth import clearinghouse_headers
from rcm_shared.web import PROBLEM_MEDIA_TYPE

NOW = datetime(2026, 11, 10, 15, 30, tzinfo=UTC)


@asynccontextmanager
async def sandbox(data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SandboxSettings(data_dir=data_dir, seed=42, remit_delay_seconds=0.0, remit_batch_seconds=3600),
                     clock=lambda: NOW)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox",
                                     headers=clearinghouse_headers()) as client:
            yield client


@pytest.mark.parametrize(("query", "field"), [
    ("after=9553483526887618560", "query.after"),  # beyond SQLite's 64-bit integers: was an OverflowError
    ("after=-1", "query.after"),
    ("limit=0", "query.limit"),
    ("limit=99999999999999999999", "query.limit"),
    ("kind=%00", "query.kind"),
])
async def test_a_mailbox_cursor_outside_64_bits_or_a_bad_page_is_a_422(tmp_path: Path, query: str,
                                                                        field: str) -> None:
    async with sandbox(tmp_path) as client:
        response = await client.get(f"/v1/mailbox?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_the_largest_64_bit_cursor_reads_an_empty_page(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as client:
        response = await client.get(f"/v1/mailbox?after={2**63 - 1}")
    assert response.status_code == 200
    assert response.json() == {"files": [], "next_after": 2**63 - 1}
