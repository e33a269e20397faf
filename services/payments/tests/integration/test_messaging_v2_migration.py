"""Messaging tables v2: rows written under v1 (text keys and headers) read back unchanged as bytes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
import rcm_payments
from alembic import command
from alembic.config import Config
from rcm_shared.db.uow import decode_headers

pytestmark = pytest.mark.integration

MIGRATIONS = Path(rcm_payments.__file__).resolve().parent / "migrations"


def _upgrade(url: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, revision)


async def test_an_unpublished_v1_outbox_row_survives_the_upgrade_byte_for_byte(
    make_database: Callable[[str], Awaitable[str]],
) -> None:
    url = await make_database("v2mig")
    await asyncio.to_thread(_upgrade, url, "0002")
    headers = [["ce_id", "6f1c9f7e-7d41-4f7e-9a55-1c3e2b0b9a10"], ["ce_type", "rcm.payments.payment_posted"],
               ["note", "caf\u00e9 " + "x" * 200]]
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO outbox (event_id, event_type, topic, key, headers, value) VALUES ($1, $2, $3, $4, $5, $6)",
            "e1", "rcm.payments.payment_posted", "rcm.payments.events", "E-1", json.dumps(headers), b"{}",
        )
    finally:
        await conn.close()
    await asyncio.to_thread(_upgrade, url, "head")
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT key, headers FROM outbox WHERE event_id = 'e1'")
    finally:
        await conn.close()
    assert bytes(row["key"]) == b"E-1"
    assert decode_headers(json.loads(row["headers"])) == [(n, v.encode()) for n, v in headers]
