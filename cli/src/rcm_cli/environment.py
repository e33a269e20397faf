"""Where the CLI's broker and database come from: environment variables win, else the
local stack (started if needed)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Target:
    kafka_bootstrap: str
    database_url: str  # server-level URL
    home: Path
    origin: str


def resolve_target(start_stack: bool = True) -> Target:
    """Endpoints from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL, else from the local stack."""
    from rcm_devstack import LocalStack

    stack = LocalStack()
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    db = os.environ.get("DATABASE_URL")
    if kafka and db:
        return Target(kafka, db, stack.home, "environment")
    if not start_stack:
        eps = stack.endpoints()
        return Target(kafka or eps.kafka_bootstrap, db or eps.database_url, stack.home, "local stack")
    eps = stack.up()
    return Target(kafka or eps.kafka_bootstrap, db or eps.database_url, stack.home, "local stack")
