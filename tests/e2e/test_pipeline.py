"""End to end: encounters flow eligibility -> coding -> claims -> payer sandbox -> payments,
every hop a real Kafka topic, every service a separate process with its own database."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest
from rcm_cli.observe import PipelineCounts, pipeline_counts
from rcm_cli.processes import Platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters
from rcm_shared.contracts.payments import PAYMENT_POSTED
from rcm_shared.testing.auth import clearinghouse_headers
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import read_topic
from rcm_shared.topics import Topic, topic_name

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def urls(plat: Platform) -> dict[str, str]:
    return {name: p.url for name, p in plat.processes.items()}


def counts(plat: Platform, endpoints: Endpoints, namespace: str) -> PipelineCounts:
    return asyncio.run(pipeline_counts(urls(plat), endpoints.kafka_bootstrap, namespace))


def wait_until(plat: Platform, endpoints: Endpoints, namespace: str, done: Any, timeout_s: float,
               what: str) -> PipelineCounts:
    deadline = time.monotonic() + timeout_s
    c = PipelineCounts()
    while time.monotonic() < deadline:
        c = counts(plat, endpoints, namespace)
        if done(c):
            return c
        dead = [n for n, p in plat.processes.items() if not p.alive()]
        assert not dead, f"process(es) exited: {dead}"
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last counts: {c}")


def db_count(url: str, sql: str) -> int:
    async def q() -> int:
        conn = await asyncpg.connect(url)
        try:
            return int(await conn.fetchval(sql))
        finally:
            await conn.close()

    return asyncio.run(q())


def payment_events(endpoints: Endpoints, namespace: str, expect: int) -> list[Any]:
    records = asyncio.run(read_topic(endpoints.kafka_bootstrap, topic_name(Topic.PAYMENTS_EVENTS, namespace),
                                     expect=expect, timeout_s=20))
    return [r for r in records if dict(r.headers).get("ce_type") == PAYMENT_POSTED.encode()]


def publish(endpoints: Endpoints, namespace: str, n: int, seed: int) -> list[str]:
    payloads = list(encounters(n, seed=seed, clean=True, prefix="E2E"))
    asyncio.run(publish_encounters(endpoints.kafka_bootstrap, namespace, encounter_events(payloads)))
    return [p["encounter_id"] for p in payloads]


def assert_exactly_once(plat: Platform, endpoints: Endpoints, namespace: str, n: int) -> None:
    claims_db = plat["claims"].env["DATABASE_URL"]
    payments_db = plat["payments"].env["DATABASE_URL"]
    assert db_count(claims_db, "SELECT count(*) FROM claims") == n
    assert db_count(claims_db, "SELECT count(*) FROM claim_submissions") == n
    assert db_count(payments_db, "SELECT count(*) FROM postings") == n
    assert db_count(payments_db, "SELECT count(*) FROM claim_accounts WHERE status = 'paid'") == n
    assert db_count(payments_db, "SELECT count(DISTINCT encounter_id) FROM claim_accounts") == n
    stats = httpx.get(plat["sandbox"].url + "/v1/stats", timeout=5, headers=clearinghouse_headers()).json()
    assert stats["claims_received"] == n, stats
    received = httpx.get(plat["sandbox"].url + "/v1/claims", timeout=5, headers=clearinghouse_headers()).json()
    times = Counter(c["times_received"] for c in received)
    assert times == Counter({1: n}), f"a claim was adjudicated more than once: {times}"
    posted = payment_events(endpoints, namespace, expect=n)
    by_id = {dict(r.headers)["ce_id"] for r in posted}
    claims_posted = Counter(r.key for r in posted if dict(r.headers)["ce_id"] in by_id)
    assert len(by_id) == n, "one PaymentPosted per claim (the relay may resend a record, never a new event)"
    assert len(claims_posted) == n


def test_200_encounters_each_reach_the_paid_state_exactly_once(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    plat, namespace = platform
    publish(endpoints, namespace, 200, seed=11)
    c = wait_until(plat, endpoints, namespace, lambda c: c.paid >= 200 or c.settled(200) >= 200, 900,
                   "200 encounters paid")
    assert c.paid == 200, f"not all paid: {c}"
    assert c.dead_lettered == 0, c.dead_letters
    assert_exactly_once(plat, endpoints, namespace, 200)


def test_services_killed_with_sigkill_mid_batch_lose_nothing_and_duplicate_nothing(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    plat, namespace = platform
    n = 150
    publish(endpoints, namespace, n, seed=23)
    # Kill claims while it is submitting (some claims sent, not all), then payments while posting.
    at_kill = wait_until(plat, endpoints, namespace, lambda c: c.claimed >= 10, 600, "claims to start submitting")
    plat["claims"].kill()
    assert at_kill.claimed < n, "the kill must land mid-run to mean anything"
    plat["claims"].start()
    plat["claims"].wait_ready(180)
    wait_until(plat, endpoints, namespace, lambda c: c.adjudicated >= 10, 600, "payments to start posting")
    plat["payments"].kill()
    plat["coding"].kill()
    plat["payments"].start()
    plat["coding"].start()
    plat["payments"].wait_ready(180)
    plat["coding"].wait_ready(180)
    c = wait_until(plat, endpoints, namespace, lambda c: c.paid >= n or c.settled(n) >= n, 900, f"{n} paid")
    assert c.paid == n, f"not all paid after the kills: {c}"
    assert_exactly_once(plat, endpoints, namespace, n)
