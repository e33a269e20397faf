"""Create and drop databases on a PostgreSQL server (test runs, the demo, the local stack)."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit, urlunsplit

import asyncpg


def with_database(server_url: str, name: str) -> str:
    """``server_url`` pointing at database ``name`` (plain postgresql:// scheme)."""
    parts = urlsplit(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _safe(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"unsafe database name {name!r}")
    return name


async def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` (dropping a leftover of the same name); return its URL."""
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_safe(name)}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{_safe(name)}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_safe(name)}" WITH (FORCE)')
    finally:
        await conn.close()


async def ensure_database(server_url: str, name: str) -> str:
    """Create database ``name`` unless it exists; return its URL. Safe when several processes do it
    at once (the services creating the development keyring database as they start)."""
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", _safe(name))
        if not exists:
            # Another process may create it between the check and the CREATE.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                await conn.execute(f'CREATE DATABASE "{_safe(name)}"')
    finally:
        await conn.close()
    return with_database(server_url, name)
