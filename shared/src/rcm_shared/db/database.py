"""The one async engine of a service, built in bootstrap (never at import time)."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from rcm_shared.settings import DatabaseTLS, to_async_database_url


def database_ssl_context(tls: DatabaseTLS) -> ssl.SSLContext | None:
    """The ``ssl.SSLContext`` of DATABASE_SSLMODE: None for ``disable``; ``require`` encrypts without
    checking the server; ``verify-ca`` checks its certificate against DATABASE_SSLROOTCERT (the system
    store when unset); ``verify-full`` also checks that it names the host connected to."""
    if tls.sslmode == "disable":
        return None
    if tls.sslmode == "require":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        try:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=tls.sslrootcert)
        except (ssl.SSLError, OSError) as exc:
            raise ValueError(f"DATABASE_SSLROOTCERT {tls.sslrootcert} holds no usable CA certificate "
                             f"({type(exc).__name__})") from None
        context.check_hostname = tls.sslmode == "verify-full"
        context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def asyncpg_connect_args(tls: DatabaseTLS | None) -> dict[str, Any]:
    """asyncpg's ``ssl`` argument for ``tls`` (nothing for None: asyncpg's own default).

    For ``create_async_engine(connect_args=...)`` and ``asyncpg.connect(**...)`` alike, so the engine,
    the migrations and the start-up wait use the same TLS.
    """
    if tls is None:
        return {}
    context = database_ssl_context(tls)
    return {"ssl": context if context is not None else False}


class Database:
    """Owns the engine and session factory of one service's database.

    ``tls`` is the settings' ``database_tls`` (DATABASE_SSLMODE, DATABASE_SSLROOTCERT).
    """

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False, tls: DatabaseTLS | None = None) -> None:
        self.url = to_async_database_url(url)
        self.engine: AsyncEngine = create_async_engine(
            self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, echo=echo,
            # Statement parameters are patient data: never in an error's text or a log line.
            hide_parameters=True,
            connect_args=asyncpg_connect_args(tls),
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller opens transactions with ``session.begin()``."""
        async with self.sessionmaker() as session:
            yield session

    async def ping(self) -> None:
        """Raise if the database does not answer ``SELECT 1``."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
