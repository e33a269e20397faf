"""pytest plugin: per-test namespaces and databases on the real endpoints (load with ``pytest_plugins``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from rcm_shared.db.admin import create_database, drop_database
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import upgrade_to_head
from rcm_shared.testing.endpoints import Endpoints

# ``endpoints`` (the session's broker and database server) comes from rcm_devstack.pytest_plugin.

@pytest.fixture()
def namespace() -> str:
    """A fresh topic namespace: each test gets its own topics on the shared broker."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest_asyncio.fixture()
async def make_database(endpoints: Endpoints) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """``await make_database("claims")`` -> URL of a new empty database, dropped after the test."""
    created: list[str] = []

    async def make(label: str) -> str:
        name = f"{label}_{uuid.uuid4().hex[:10]}"
        created.append(name)
        return await create_database(endpoints.database_url, name)

    yield make
    for name in created:
        await drop_database(endpoints.database_url, name)


@pytest_asyncio.fixture()
async def migrated_database(
    make_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Callable[[str, Path], Awaitable[Database]]]:
    """``await migrated_database("claims", migrations_dir)`` -> a :class:`Database` on a new
    database brought to the service's Alembic head; disposed and dropped after the test."""
    opened: list[Database] = []

    async def make(label: str, migrations: Path) -> Database:
        url = await make_database(label)
        await asyncio.to_thread(upgrade_to_head, migrations, url)
        opened.append(Database(url))
        return opened[-1]

    yield make
    for db in opened:
        await db.dispose()
