"""PostgreSQL TLS is used by every connection a service opens: the engine, the migrations and the
start-up wait. The test server speaks no TLS, so with DATABASE_SSLMODE=require each of them is
refused, and with ``disable`` each of them connects."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import upgrade_to_head
from rcm_shared.entrypoint import wait_for_database
from rcm_shared.settings import DatabaseTLS

pytestmark = pytest.mark.integration

ENV_PY = """\
import sqlalchemy as sa
from alembic import context
from rcm_shared.db.migrations import run_env

run_env(context, sa.MetaData())
"""
REVISION = """\
revision = "0001"
down_revision = None


def upgrade() -> None:
    from alembic import op
    op.execute("CREATE TABLE tls_probe (id integer)")


def downgrade() -> None:
    pass
"""


@pytest.fixture()
def migrations(tmp_path: Path) -> Path:
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(ENV_PY)
    (tmp_path / "versions" / "0001_probe.py").write_text(REVISION)
    return tmp_path


async def test_database_tls_reaches_the_engine_the_migrations_and_the_start_up_wait(
        make_database: Callable[[str], Awaitable[str]], migrations: Path) -> None:
    url = await make_database("tls")
    require = DatabaseTLS(sslmode="require")

    db = Database(url, tls=require)
    try:
        assert db.engine.sync_engine.hide_parameters
        with pytest.raises(ConnectionError, match="SSL"):
            await db.ping()
    finally:
        await db.dispose()
    with pytest.raises(RuntimeError, match="SSL"):
        await asyncio.to_thread(wait_for_database, url, 0.5, tls=require)
    with pytest.raises(ConnectionError, match="SSL"):
        await asyncio.to_thread(upgrade_to_head, migrations, url, tls=require)

    disable = DatabaseTLS(sslmode="disable")
    await asyncio.to_thread(wait_for_database, url, 5, tls=disable)
    await asyncio.to_thread(upgrade_to_head, migrations, url, tls=disable)
    db = Database(url, tls=disable)
    try:
        await db.ping()
    finally:
        await db.dispose()
