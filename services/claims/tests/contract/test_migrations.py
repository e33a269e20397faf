"""The Alembic migrations create exactly the tables the SQLModel models declare."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import rcm_claims
from rcm_claims.adapters.tables import metadata
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import migration_drift

pytestmark = pytest.mark.integration
MIGRATIONS = Path(rcm_claims.__file__).resolve().parent / "migrations"


async def test_the_migrated_database_matches_the_table_models(
    migrated_database: Callable[[str, Path], Awaitable[Database]],
) -> None:
    db = await migrated_database("claims", MIGRATIONS)
    assert await migration_drift(db.url, metadata) == []
