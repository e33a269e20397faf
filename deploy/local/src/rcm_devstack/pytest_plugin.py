"""pytest plugin: the session's real Kafka broker and PostgreSQL server (fixture ``endpoints``).

Loaded by the root ``conftest.py`` beside ``rcm_shared.testing.fixtures``, whose database and
namespace fixtures ask for ``endpoints`` by name.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rcm_devstack.endpoints import Endpoints, real_endpoints


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    """The real broker and database server for this test session."""
    with real_endpoints() as eps:
        yield eps
