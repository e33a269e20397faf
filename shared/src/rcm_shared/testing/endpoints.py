"""What the integration fixtures need of a real broker and database server.

Where they come from (environment, testcontainers or the local stack) is the dev stack's
business: ``rcm_devstack.pytest_plugin`` provides the session fixture ``endpoints``; the
fixtures here ask for it by name, so ``rcm_shared`` never imports the dev stack.
"""

from __future__ import annotations

from typing import Protocol


class Endpoints(Protocol):
    """A Kafka bootstrap address and a server-level PostgreSQL URL."""

    @property
    def kafka_bootstrap(self) -> str: ...

    @property
    def database_url(self) -> str: ...
