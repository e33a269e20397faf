"""Pytest fixtures of the cross-service tests (end-to-end, bad input): the whole platform as
separate processes on the real broker and database. A pytest plugin (the workspace's root
conftest.py lists it), so no test imports a conftest file."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rcm_shared.db.admin import create_database, drop_database
from rcm_shared.testing.endpoints import Endpoints

from rcm_cli.processes import DATABASES, SERVICES, Platform, build_platform
from rcm_cli.synthetic import payer_business_date


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def platform(endpoints: Endpoints, tmp_path: Path) -> Iterator[tuple[Platform, str]]:
    """Sandbox + four services, fresh databases and topic namespace; yields (platform, namespace)."""
    run = uuid.uuid4().hex[:8]
    namespace = f"e2e{run}"
    names = {s: f"e2e_{run}_{s}" for s in DATABASES}

    async def create() -> dict[str, str]:
        return {s: await create_database(endpoints.database_url, n) for s, n in names.items()}

    urls = asyncio.run(create())
    ports = {name: free_port() for name in ("sandbox", *SERVICES)}
    plat = build_platform(kafka_bootstrap=endpoints.kafka_bootstrap, database_urls=urls, namespace=namespace,
                          logs_dir=tmp_path / "logs", sandbox_data_dir=tmp_path / "sandbox", ports=ports,
                          remit_delay_s=0.5, payer_date=payer_business_date(),
                          # A shred is seen by every service within a second (keys are cached that long).
                          extra_env={"TOPIC_PARTITIONS": "6", "PHI_KEY_CACHE_TTL_S": "1"})
    try:
        plat.start(timeout_s=180)
        yield plat, namespace
    finally:
        plat.stop()
        for p in plat.processes.values():
            if p.log_path.exists():
                print(f"----- {p.name} log tail -----\n{p.log_tail(15)}")

        async def drop() -> None:
            for n in names.values():
                await drop_database(endpoints.database_url, n)

        asyncio.run(drop())
