"""The process entrypoint every service uses: ``rcm-<service> [serve|migrate]``.

``serve`` is the prestart-then-run sequence: wait for the database, apply the service's
Alembic migrations, then serve HTTP with the messaging runtime in the app's lifespan.
Settings are read first, so a bad environment stops the process with a message that
names the variable, before anything connects anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import asyncpg
from fastapi import FastAPI
from pydantic import ValidationError

from rcm_shared.db.database import asyncpg_connect_args
from rcm_shared.db.migrations import upgrade_to_head
from rcm_shared.logs import configure_logging
from rcm_shared.settings import DatabaseTLS, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def load_settings(settings_cls: type[S]) -> S:
    """Read settings from the environment or exit with status 2 naming each bad variable."""
    try:
        return settings_cls()
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_input=False, include_url=False):
            var = "_".join(str(p) for p in err["loc"]).upper() or "<settings>"
            lines.append(f"  {var}: {err['msg']}")
        print(f"{settings_cls.__name__}: invalid environment:\n" + "\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None


def wait_for_database(url: str, timeout_s: float = 60.0, *, tls: DatabaseTLS | None = None) -> None:
    """Block until PostgreSQL accepts a connection (prestart), or raise after ``timeout_s``;
    with the service's TLS (``settings.database_tls``), as the engine and the migrations connect."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    deadline = time.monotonic() + timeout_s
    connect_args = asyncpg_connect_args(tls)

    async def attempt() -> None:
        conn = await asyncpg.connect(plain, timeout=5, **connect_args)
        await conn.close()

    while True:
        try:
            asyncio.run(attempt())
            return
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"database not reachable after {timeout_s:.0f}s: {exc}") from exc
            time.sleep(1)


def service_main(
    *,
    service: str,
    settings_cls: type[S],
    app_factory: Callable[[S], FastAPI],
    migrations: Path,
    argv: Sequence[str] | None = None,
) -> None:
    """Parse ``serve|migrate`` and run it."""
    parser = argparse.ArgumentParser(prog=f"rcm-{service}", description=f"The {service} service")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    args = parser.parse_args(argv)
    settings = load_settings(settings_cls)
    configure_logging(settings.log_level, service=service, json_lines=settings.log_format == "json")
    if args.command == "migrate" or settings.run_migrations:
        wait_for_database(settings.database_url, tls=settings.database_tls)
        upgrade_to_head(migrations, settings.database_url, tls=settings.database_tls)
    if args.command == "migrate":
        return
    import uvicorn

    uvicorn.run(
        app_factory(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep the redacting handlers configure_logging installed
        access_log=False,
        timeout_graceful_shutdown=30,
    )
