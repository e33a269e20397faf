"""Schemathesis over the OpenAPI of every service and of the payer sandbox: no input, valid or not,
gets a 5xx, and every answer matches the schema the OpenAPI documents (issue 9).

Each service runs as bootstrap wires it (its lifespan: the runtime on the session's Kafka and a
migrated database of its own); eligibility asks a real sandbox served in-process on a free port, so
its documented 502/503 (clearinghouse outage) never fires and any 5xx is a real defect.

Random generation rarely hits the values that broke the services before (a NUL in an id, a limit or
cursor outside 64 bits), so each operation also gets a fixed sweep of such values (``HOSTILE``) in
every path and query parameter, and a NUL in each string of a valid JSON body.

Kept small for CI (about 75 s on 2 cores): ``SCHEMATHESIS_MAX_EXAMPLES`` examples per operation and generation mode
(default 30), derandomized (fixed seed). A deeper run by hand::

    SCHEMATHESIS_MAX_EXAMPLES=500 uv run pytest tests/api -q -p no:cacheprovider
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import rcm_claims
import rcm_coding
import rcm_eligibility
import rcm_payments
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase
from hypothesis.errors import Unsatisfiable
from rcm_claims.bootstrap import create_app as claims_app
from rcm_claims.config import ClaimsSettings
from rcm_coding.bootstrap import create_app as coding_app
from rcm_coding.config import CodingSettings
from rcm_eligibility.bootstrap import create_app as eligibility_app
from rcm_eligibility.config import EligibilitySettings
from rcm_payments.bootstrap import create_app as payments_app
from rcm_payments.config import PaymentsSettings
from rcm_sandbox.bootstrap import create_app as sandbox_app
from rcm_sandbox.settings import SandboxSettings
from rcm_shared.db.database import Database
from rcm_shared.testing.auth import bearer, clearinghouse_headers
from rcm_shared.testing.endpoints import Endpoints
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core import NOT_SET
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))
CHECKS = [not_a_server_error, response_schema_conformance]
# /metrics is Prometheus text (documented as a string): schema conformance has nothing to check there.
NOT_CONFORMANCE_CHECKED = {"GET /metrics"}
# The sandbox takes an X12 interchange as text: generated strings go on the wire as they are.
schemathesis.serializer.alias("application/edi-x12", "text/plain")
MIGRATIONS = {name: Path(str(module.__file__)).resolve().parent / "migrations"
              for name, module in (("claims", rcm_claims), ("coding", rcm_coding), ("eligibility", rcm_eligibility),
                                   ("payments", rcm_payments))}


def _examine(operation: Any, mode: GenerationMode, checks: list[Any], headers: dict[str, str]) -> None:
    """Up to ``MAX_EXAMPLES`` cases of ``operation`` in ``mode``; raises the first failure (shrunk)."""

    @hypothesis.settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate, Phase.shrink],
                         suppress_health_check=list(HealthCheck), print_blob=False)
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(checks=checks, headers=headers)

    run()


# Values random generation rarely hits, each sent alone in every path and query parameter and in every
# string of a valid body: control characters (PostgreSQL text cannot hold NUL), an id longer than any
# column, and integers just outside 64 bits (the 500s: NUL ids, limit=-21344, a huge cursor).
HOSTILE: tuple[Any, ...] = ("\x00", "E-1\x00", "\x1f", "\x7f", "E" * 300, "-21344", "99999999999999999999",
                            "9553483526887618560", "-9223372036854775809")
_PROBE = hypothesis.settings(database=None, derandomize=True, max_examples=50, deadline=None,
                             suppress_health_check=list(HealthCheck))


def _with_each_string_poisoned(value: Any) -> Iterator[Any]:
    """Copies of a JSON value, each with one of its strings given a NUL (nested objects too)."""
    if isinstance(value, str):
        yield value + "\x00"
    elif isinstance(value, dict):
        for key, item in value.items():
            for poisoned in _with_each_string_poisoned(item):
                yield {**value, key: poisoned}


def hostile_sweep(operation: Any, checks: list[Any], headers: dict[str, str]) -> list[str]:
    """Every HOSTILE value in each parameter, and a NUL in each string of a valid body; the failures."""
    body: Any = NOT_SET
    media_type: str | None = None
    if operation.body:
        valid = hypothesis.find(operation.as_strategy(), lambda case: True, settings=_PROBE)
        body, media_type = valid.body, valid.media_type
    path_ids = {p.name: "E-1" for p in operation.path_parameters}
    variants: list[tuple[str, dict[str, Any], dict[str, Any], Any]] = []
    for parameter in [*operation.path_parameters, *operation.query]:
        for value in HOSTILE:
            where = str(parameter.location.value)
            path = {**path_ids, parameter.name: value} if where == "path" else path_ids
            query = {parameter.name: value} if where == "query" else {}
            variants.append((f"{where}.{parameter.name}={value[:24]!r}", path, query, body))
    if media_type == "application/json":
        variants += [("body string with NUL", path_ids, {}, poisoned) for poisoned in _with_each_string_poisoned(body)]
    failures = []
    for label, path, query, payload in variants:
        case = operation.Case(path_parameters=path, query=query, body=payload, media_type=media_type)
        try:
            case.call_and_validate(checks=checks, headers=headers)
        except Exception as exc:
            failures.append(f"{operation.label} [hostile {label}]: {exc}")
    return failures


def fuzz(app: FastAPI, headers: dict[str, str]) -> list[str]:
    """Run every operation of ``app``'s OpenAPI with valid and invalid data, authorized by
    ``headers`` (a token every route accepts); the failures found."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)  # starts the lifespan once
    failures: list[str] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"an operation the OpenAPI cannot describe: {result.err()}")
            continue
        operation = result.ok()
        checks = [not_a_server_error] if operation.label in NOT_CONFORMANCE_CHECKED else list(CHECKS)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _examine(operation, mode, checks, headers)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # an operation without inputs has no invalid ones
            except Exception as exc:  # one report per operation and mode, every one listed at the end
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
        failures += hostile_sweep(operation, checks, headers)
    return failures


@contextmanager
def lifespans() -> Iterator[None]:
    """Stop the apps schemathesis started (before their databases are dropped)."""
    try:
        yield
    finally:
        asgi.shutdown_lifespans()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def served_sandbox(data_dir: Path) -> Iterator[str]:
    """The payer sandbox on a free local port (eligibility's clearinghouse), for the block."""
    port = _free_port()
    app = sandbox_app(SandboxSettings(data_dir=data_dir, seed=42, remit_batch_seconds=3600))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("sandbox did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _settings(name: str, db: Database, endpoints: Endpoints, namespace: str, sandbox_url: str) -> Any:
    common: dict[str, Any] = {"database_url": db.url, "kafka_bootstrap_servers": endpoints.kafka_bootstrap,
                              "topic_namespace": namespace, "topic_partitions": 1, "run_migrations": False}
    if name == "coding":
        return CodingSettings(**common)
    settings_class = {"claims": ClaimsSettings, "eligibility": EligibilitySettings,
                      "payments": PaymentsSettings}[name]
    return settings_class(**common, sandbox_url=sandbox_url)


APPS: dict[str, Callable[[Any], FastAPI]] = {"claims": claims_app, "coding": coding_app,
                                             "eligibility": eligibility_app, "payments": payments_app}


@pytest.mark.parametrize("name", sorted(APPS))
async def test_no_input_gives_a_service_a_5xx_and_every_answer_matches_its_openapi(
    name: str, endpoints: Endpoints, namespace: str, tmp_path: Path,
    migrated_database: Callable[[str, Path], Awaitable[Database]],
) -> None:
    import asyncio

    db = await migrated_database(name, MIGRATIONS[name])
    with served_sandbox(tmp_path) as sandbox_url:
        app = APPS[name](_settings(name, db, endpoints, namespace, sandbox_url))

        def run() -> list[str]:
            with lifespans():
                return fuzz(app, bearer())

        # Schemathesis runs the app in its own event loop thread; keep this test's loop free meanwhile.
        failures = await asyncio.to_thread(run)
    assert not failures, "\n\n".join(failures)


def test_no_input_gives_the_sandbox_a_5xx_and_every_answer_matches_its_openapi(tmp_path: Path) -> None:
    app = sandbox_app(SandboxSettings(data_dir=tmp_path, seed=42, remit_batch_seconds=3600))
    with lifespans():
        failures = fuzz(app, clearinghouse_headers())
    assert not failures, "\n\n".join(failures)
