"""End to end: one encounter is one causation chain and one trace, from the hospital's
``EncounterCompleted`` through coding, eligibility, the claim's build and submission, the
acknowledgements and the 835 posting, and ``rcm history`` says so."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest
from rcm_cli.history import HistoryEntry, causation_report, encounter_history
from rcm_cli.main import app
from rcm_cli.observe import pipeline_counts
from rcm_cli.processes import Platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters
from rcm_shared.contracts.claims import CLAIM_ACKNOWLEDGED, CLAIM_SUBMITTED
from rcm_shared.contracts.coding import ENCOUNTER_CODED
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED
from rcm_shared.contracts.payments import PAYMENT_POSTED
from rcm_shared.envelope import Envelope
from rcm_shared.testing.endpoints import Endpoints
from typer.testing import CliRunner

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _untraced(event: Envelope) -> Envelope:
    """The same event as a hospital system that sends no traceparent would publish it."""
    return event.model_copy(update={"traceparent": None})


def _history(endpoints: Endpoints, namespace: str, encounter_id: str, *, want: set[str],
             timeout_s: float = 60) -> list[HistoryEntry]:
    deadline = time.monotonic() + timeout_s
    entries: list[HistoryEntry] = []
    while time.monotonic() < deadline:
        entries = asyncio.run(encounter_history(endpoints.kafka_bootstrap, namespace, encounter_id))
        if want <= {e.type for e in entries}:
            return entries
        time.sleep(1)
    raise AssertionError(f"{encounter_id}: history lacks {want - {e.type for e in entries}}")


def test_each_encounter_is_one_causation_chain_and_one_trace_to_payment(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    plat, namespace = platform
    payloads = list(encounters(6, seed=31, clean=True, prefix="CHAIN"))
    events = encounter_events(payloads)
    # Half come with a W3C traceparent, half without one (as many hospital systems send them).
    events = [e if i % 2 else _untraced(e) for i, e in enumerate(events)]
    asyncio.run(publish_encounters(endpoints.kafka_bootstrap, namespace, events))
    urls = {name: p.url for name, p in plat.processes.items()}
    deadline = time.monotonic() + 600
    while asyncio.run(pipeline_counts(urls, endpoints.kafka_bootstrap, namespace)).paid < len(events):
        assert time.monotonic() < deadline, "encounters were not paid in time"
        time.sleep(1)

    want = {ENCOUNTER_COMPLETED, ELIGIBILITY_CHECKED, ENCOUNTER_CODED, CLAIM_SUBMITTED, CLAIM_ACKNOWLEDGED,
            PAYMENT_POSTED}
    for event in events:
        eid = event.correlation_id
        entries = _history(endpoints, namespace, eid, want=want)
        report = causation_report(entries)
        assert [r.type for r in report.roots] == [ENCOUNTER_COMPLETED], f"{eid}: roots {report.roots}"
        assert not report.broken, f"{eid}: causes missing for {[(e.type, e.causation_id) for e in report.broken]}"
        assert len(report.trace_ids) == 1, f"{eid}: {len(report.trace_ids)} traces"
        if event.traceparent is not None:
            assert report.trace_ids == {event.traceparent.split("-")[1]}
        else:
            assert report.trace_ids == {event.id.hex}
        [posted] = [e for e in entries if e.type == PAYMENT_POSTED]
        path = [e.type for e in report.path_to_root(posted, entries)]
        assert path[0] == PAYMENT_POSTED and path[-1] == ENCOUNTER_COMPLETED, path
        assert CLAIM_SUBMITTED in path, f"{eid}: the posting does not descend from the submission: {path}"
        for ack in (e for e in entries if e.type == CLAIM_ACKNOWLEDGED):  # the 999 and the 277CA
            assert CLAIM_SUBMITTED in [e.type for e in report.path_to_root(ack, entries)], f"{eid}: {ack.headers}"

    # The auditor's view: `rcm history` prints the chain as unbroken with its one trace.
    runner = CliRunner()
    env: dict[str, Any] = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap,
                           "DATABASE_URL": endpoints.database_url, "COLUMNS": "250"}
    result = runner.invoke(app, ["history", events[0].correlation_id, "--namespace", namespace], env=env)
    assert result.exit_code == 0, result.output
    assert f"causation chain: unbroken from {ENCOUNTER_COMPLETED}" in result.output, result.output
