"""Chaos harness: encounters flow while every process of the platform is killed under them.

A run starts a stack of its own (Kafka and PostgreSQL in a temporary home, on free ports, so
the broker and the database can be killed without touching anyone else's), the payer sandbox
and the four services as separate processes, and publishes N synthetic encounters (a realistic
mix by default: terminated coverage, payer scenarios, preventive visits; ``--clean`` for clean
ones only). About a third go in first; once at least 20 % of all N have settled, the faults of
the seed's schedule land one after another, spread over the run (the i-th once 20 % + 70 % * i/F
have settled), each followed by the next slice of encounters, and never before at least
max(10, N/20) of what was published is still in flight, so every fault hits work under way:

- every service and the sandbox SIGKILLed (and started again at once) ``--kills`` times each
  (default 3);
- the sandbox SIGKILLed and kept down for ``--outage-s`` seconds (default 30) once;
- the broker SIGKILLed and started again once; PostgreSQL SIGKILLed with all its backends and
  started again once (crash recovery).

Then it waits until every encounter has settled (or nothing moved for ``--quiet-s``) and
audits the databases and the sandbox:

- lost: published encounters no service has any record of;
- stuck: encounters not at an end state: paid, denied, reversed or otherwise adjudicated,
  held with a reason, a rejected claim (the claims work list), or awaiting a coder (the
  review queue);
- duplicate claims at the payer (received more than once, or one claim id twice);
- duplicate postings (one payment of a claim posted twice);
- unbalanced: a posting whose charge minus payment is not its adjustments to the cent, an
  account whose paid total is not the sum of its postings, a charge that differs between the
  claim, the account and the payer, or a paid amount that differs from the payer's;
- dead letters (none is expected: every record is valid) and services that exited on their own.

Small size (CI, ``tests/chaos/test_chaos.py``): 300 encounters, seed 1. Full size, by hand::

    uv run python tests/chaos/chaos.py --encounters 10000 --seeds 10

(``--seeds 10`` runs seeds 1..10; ``--seed-list 3,7`` picks them.) Each run prints its fault
log and its audit; the exit code is 0 only if every run's audit is clean.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import shutil
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import asyncpg
import httpx
from rcm_cli.credentials import clearinghouse_headers
from rcm_cli.observe import dead_letter_counts
from rcm_cli.processes import DATABASES, SERVICES, Platform, build_platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters, payer_business_date
from rcm_devstack import LocalStack
from rcm_devstack.layout import StackLayout, StackPorts, default_home
from rcm_shared.db.admin import create_database

PROCESSES = ("sandbox", *SERVICES)
ADJUDICATED = ("paid", "denied", "reversed", "other")


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


# ----------------------------------------------------------------------------- schedule
@dataclass(frozen=True)
class Fault:
    """``kill``: SIGKILL a platform process and start it again; ``outage``: SIGKILL it and keep it
    down ``down_s``; ``crash``: SIGKILL the broker or PostgreSQL (``target`` kafka/postgres)."""

    kind: Literal["kill", "outage", "crash"]
    target: str
    down_s: float = 0.0

    def __str__(self) -> str:
        down = f", down {self.down_s:g}s" if self.down_s else ""
        return f"{self.kind} {self.target}{down}"


def schedule(seed: int, *, kills: int = 3, outage_s: float = 30.0) -> list[Fault]:
    """The faults of one run, in the seed's order: ``kills`` SIGKILLs of each process (one of the
    sandbox's is the long outage, so it is killed ``kills`` times in all), one broker crash and
    one PostgreSQL crash; each down for a moment (0.5-4 s) before it starts again."""
    rng = random.Random(seed)
    faults: list[Fault] = []
    for name in PROCESSES:
        for i in range(kills):
            if name == "sandbox" and i == 0 and outage_s > 0:
                faults.append(Fault("outage", name, outage_s))
            else:
                faults.append(Fault("kill", name, round(rng.uniform(0, 2), 1)))
    faults += [Fault("crash", "kafka", round(rng.uniform(0.5, 4), 1)),
               Fault("crash", "postgres", round(rng.uniform(0.5, 4), 1))]
    rng.shuffle(faults)
    return faults


def slices(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """``items`` cut into ``parts`` consecutive slices of nearly equal size (some may be empty)."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


# ----------------------------------------------------------------------------- audit
@dataclass
class Audit:
    published: int
    outcomes: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    stuck: dict[str, str] = field(default_factory=dict)
    duplicate_claims_at_payer: list[str] = field(default_factory=list)
    duplicate_postings: list[str] = field(default_factory=list)
    unbalanced: list[str] = field(default_factory=list)
    dead_letters: dict[str, int] = field(default_factory=dict)
    unexpected_exits: list[str] = field(default_factory=list)
    claims_at_payer: int = 0
    postings: int = 0

    @property
    def settled(self) -> int:
        return sum(self.outcomes.values())

    @property
    def clean(self) -> bool:
        return not (self.lost or self.stuck or self.duplicate_claims_at_payer or self.duplicate_postings
                    or self.unbalanced or any(self.dead_letters.values()) or self.unexpected_exits)

    def summary(self) -> str:
        def some(items: Sequence[str] | dict[str, str]) -> str:
            shown = list(items.items() if isinstance(items, dict) else items)[:10]
            return f"{len(items)}" + (f" e.g. {shown}" if shown else "")

        stuck_by_stage = Counter(self.stuck.values())
        return "\n".join([
            f"published {self.published}; settled {self.settled}: {dict(sorted(self.outcomes.items()))}",
            f"lost {some(self.lost)}",
            f"stuck {len(self.stuck)}" + (f" by stage {dict(stuck_by_stage)} e.g. {list(self.stuck)[:10]}"
                                          if self.stuck else ""),
            f"duplicate claims at the payer {some(self.duplicate_claims_at_payer)} "
            f"(claims received: {self.claims_at_payer})",
            f"duplicate postings {some(self.duplicate_postings)} (postings: {self.postings})",
            f"unbalanced {some(self.unbalanced)}",
            f"dead letters {sum(self.dead_letters.values())} {self.dead_letters or ''}",
            f"services that exited on their own {some(self.unexpected_exits)}",
        ])


async def _rows(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def outcomes(urls: dict[str, str], encounter_ids: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(end state by encounter, stage by encounter not at one) read from the four databases;
    an encounter in neither map is unknown to every service."""
    accounts = {r["encounter_id"]: r["status"]
                for r in await _rows(urls["payments"], "SELECT encounter_id, status FROM claim_accounts")}
    intake = {r["encounter_id"]: r for r in await _rows(
        urls["claims"], "SELECT encounter_id, held_reasons, encounter IS NOT NULL AS has_encounter, "
        "coverage IS NOT NULL AS has_coverage, coding IS NOT NULL AS has_coding FROM claim_intake")}
    claims = {r["encounter_id"]: r["status"]
              for r in await _rows(urls["claims"], "SELECT encounter_id, status FROM claims")}
    coding = {r["encounter_id"]: r["status"]
              for r in await _rows(urls["coding"], "SELECT encounter_id, status FROM coding_results")}
    checked = {r["encounter_id"] for r in await _rows(urls["eligibility"],
                                                        "SELECT DISTINCT encounter_id FROM eligibility_checks")}
    ended: dict[str, str] = {}
    waiting: dict[str, str] = {}
    for eid in encounter_ids:
        account = accounts.get(eid)
        row = intake.get(eid)
        held = json.loads(row["held_reasons"]) if row is not None and isinstance(row["held_reasons"], str) \
            else (row["held_reasons"] if row is not None else None)
        if account in ADJUDICATED:
            ended[eid] = str(account)
        elif held:
            ended[eid] = "held"
        elif claims.get(eid) == "rejected":
            ended[eid] = "claim rejected (work list)"
        elif coding.get(eid) == "review":
            ended[eid] = "awaiting a coder"
        elif coding.get(eid) == "rejected":
            ended[eid] = "coding rejected"
        elif account is not None:
            waiting[eid] = f"claim {account} at the payer, not adjudicated"
        elif eid in claims:
            waiting[eid] = f"claim {claims[eid]}, not submitted to payments"
        elif row is not None:
            missing = [part for part, has in (("encounter", row["has_encounter"]), ("coverage", row["has_coverage"]),
                                              ("coding", row["has_coding"])) if not has]
            waiting[eid] = f"claim intake waiting for {', '.join(missing) or 'assembly'}"
        elif eid in coding or eid in checked:
            waiting[eid] = "seen by " + ", ".join(s for s, seen in (("eligibility", eid in checked),
                                                                   ("coding", eid in coding)) if seen)
    return ended, waiting


async def audit(urls: dict[str, str], sandbox_url: str, bootstrap: str, namespace: str,
                encounter_ids: Sequence[str]) -> Audit:
    """Check the run's end state in the databases, the sandbox and the dead-letter topics."""
    result = Audit(published=len(encounter_ids))
    ended, waiting = await outcomes(urls, encounter_ids)
    result.outcomes = Counter(ended.values())
    result.stuck = waiting
    result.lost = [e for e in encounter_ids if e not in ended and e not in waiting]

    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30, headers=clearinghouse_headers()) as http:
        received = (await http.get("/v1/claims")).raise_for_status().json()
    result.claims_at_payer = len(received)
    seen = Counter(c["patient_control_number"] for c in received)
    result.duplicate_claims_at_payer = sorted(
        {c["patient_control_number"] for c in received if c["times_received"] != 1}
        | {pcn for pcn, n in seen.items() if n > 1})
    at_payer = {c["patient_control_number"]: c for c in received}

    postings = await _rows(urls["payments"], "SELECT claim_id, file_id, trace_number, status_code, charge, paid, "
                                             "adjustments FROM postings")
    result.postings = len(postings)
    same = Counter((p["claim_id"], p["trace_number"], p["status_code"], p["paid"]) for p in postings)
    result.duplicate_postings = sorted({f"{k[0]} (trace {k[1]})" for k, n in same.items() if n > 1})
    posted_sum: dict[str, Decimal] = {}
    for p in postings:
        adjustments = p["adjustments"] if isinstance(p["adjustments"], list) else json.loads(p["adjustments"])
        adjusted = sum((Decimal(a["amount"]) for a in adjustments), Decimal("0"))
        if p["charge"] - p["paid"] != adjusted:
            result.unbalanced.append(f"{p['claim_id']}: charge {p['charge']} - paid {p['paid']} != adjustments "
                                     f"{adjusted}")
        posted_sum[p["claim_id"]] = posted_sum.get(p["claim_id"], Decimal("0")) + p["paid"]
    charges = {r["claim_id"]: r["total_charge"]
               for r in await _rows(urls["claims"], "SELECT claim_id, total_charge FROM claims")}
    for a in await _rows(urls["payments"], "SELECT claim_id, status, total_charge, paid_total FROM claim_accounts"):
        cid = a["claim_id"]
        if a["paid_total"] != posted_sum.get(cid, Decimal("0.00")):
            result.unbalanced.append(f"{cid}: paid total {a['paid_total']} != postings {posted_sum.get(cid)}")
        if a["total_charge"] is not None and charges.get(cid) != a["total_charge"]:
            result.unbalanced.append(f"{cid}: account charge {a['total_charge']} != claim {charges.get(cid)}")
        payer = at_payer.get(cid)
        if payer is not None and charges.get(cid) is not None and Decimal(str(payer["charge"])) != charges[cid]:
            result.unbalanced.append(f"{cid}: payer charge {payer['charge']} != claim {charges[cid]}")
        if a["status"] == "paid" and payer is not None and Decimal(str(payer["paid"])) != a["paid_total"]:
            result.unbalanced.append(f"{cid}: payer paid {payer['paid']} != posted {a['paid_total']}")
    result.dead_letters = {k: v for k, v in (await dead_letter_counts(bootstrap, namespace)).items() if v}
    # Also what never reached a topic: dead letters still in an outbox, or refused by Kafka for good.
    for service in SERVICES:  # the keyring's database has no inbox or outbox
        [row] = await _rows(urls[service],
                            "SELECT (SELECT count(*) FROM inbox WHERE outcome = 'dead_lettered') AS dead, "
                            "(SELECT count(*) FROM outbox WHERE publish_error IS NOT NULL) AS refused")
        if row["dead"] > result.dead_letters.get(service, 0):
            result.dead_letters[service] = int(row["dead"])
        if row["refused"]:
            result.dead_letters[f"{service} (refused by Kafka)"] = int(row["refused"])
    return result


# ----------------------------------------------------------------------------- the run
@dataclass
class RunConfig:
    encounters: int = 300
    seed: int = 1
    clean: bool = False
    kills: int = 3
    outage_s: float = 30.0
    quiet_s: float = 240.0
    timeout_s: float = 3600.0
    first_share: float = 0.3  # published before the first fault
    progress_before_faults: float = 0.2
    keep: bool = False  # keep the run's home (logs, data) afterwards


@dataclass
class Run:
    config: RunConfig
    home: Path
    stack: LocalStack
    platform: Platform
    urls: dict[str, str]
    namespace: str
    bootstrap: str
    faults_done: list[str] = field(default_factory=list)
    unexpected_exits: list[str] = field(default_factory=list)


def _seed_kafka_jars(home: Path) -> None:
    """Reuse the jars of the default stack's home when it has them (saves a Maven resolve)."""
    ours = StackLayout(home).kafka_libs_root
    theirs = StackLayout(default_home()).kafka_libs_root
    if theirs.is_dir() and not ours.exists():
        ours.parent.mkdir(parents=True, exist_ok=True)
        ours.symlink_to(theirs, target_is_directory=True)


@contextmanager
def running_platform(config: RunConfig, home: Path) -> Iterator[Run]:
    """A private stack, fresh databases and the platform on free ports; all stopped afterwards."""
    kafka_port, controller_port, pg_port, *service_ports = free_ports(3 + len(PROCESSES))
    _seed_kafka_jars(home)
    stack = LocalStack(home, ports=StackPorts(kafka=kafka_port, kafka_controller=controller_port, postgres=pg_port))
    log(f"private stack in {home}: Kafka {kafka_port}, PostgreSQL {pg_port}")
    endpoints = stack.up(timeout=180)
    platform: Platform | None = None
    try:
        run_id = uuid.uuid4().hex[:6]

        async def create() -> dict[str, str]:
            # The keyring too: services seal PHI from their first hop (the encounters go in unsealed,
            # as from an integration that does not seal; sealing at the edge needs PostgreSQL, which
            # the faults kill).
            return {s: await create_database(endpoints.database_url, f"chaos_{run_id}_{s}") for s in DATABASES}

        urls = asyncio.run(create())
        platform = build_platform(
            kafka_bootstrap=endpoints.kafka_bootstrap, database_urls=urls, namespace=f"chaos{run_id}",
            logs_dir=home / "platform-logs", sandbox_data_dir=home / "sandbox",
            ports=dict(zip(PROCESSES, service_ports, strict=True)),
            remit_delay_s=0.5, extra_env={"TOPIC_PARTITIONS": "6"}, payer_date=payer_business_date())
        platform.start(timeout_s=240)
        yield Run(config, home, stack, platform, urls, f"chaos{run_id}", endpoints.kafka_bootstrap)
    finally:
        if platform is not None:
            platform.stop()
        stack.down()


def _publish(run: Run, payloads: Sequence[dict[str, Any]]) -> None:
    if payloads:
        asyncio.run(publish_encounters(run.bootstrap, run.namespace, encounter_events(payloads)))


def _wait_alive(run: Run, name: str, timeout_s: float = 240) -> None:
    """Until ``name`` answers /healthz (alive and serving; /readyz may still report a backlog)."""
    process = run.platform[name]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{name} exited while starting:\n{process.log_tail()}")
        try:
            if httpx.get(process.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer /healthz within {timeout_s:.0f}s:\n{process.log_tail()}")


def _restart_exited(run: Run) -> None:
    """A process that exited without being killed is a finding; it is started again (as the
    supervisor would) so the run can go on and show what else it breaks."""
    for name, process in run.platform.processes.items():
        if not process.alive():
            run.unexpected_exits.append(f"{name} (exit {process.exit_code()}): {process.log_tail(3)}")
            log(f"!! {name} exited on its own with {process.exit_code()}; starting it again")
            process.start()
            _wait_alive(run, name)


def apply(run: Run, fault: Fault) -> None:
    if fault.kind == "crash":
        run.stack.crash(fault.target)
        time.sleep(fault.down_s)
        run.stack.up(timeout=240)
    else:
        process = run.platform[fault.target]
        process.kill()
        time.sleep(fault.down_s)
        process.start()
        _wait_alive(run, fault.target)
    run.faults_done.append(str(fault))


def _progress(run: Run, ids: Sequence[str]) -> tuple[int, dict[str, str]]:
    """(settled, waiting) now; (-1, {}) while the database cannot be read (it may be down)."""
    try:
        ended, waiting = asyncio.run(outcomes(run.urls, ids))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
        return -1, {}
    return len(ended), waiting


def wait_for(run: Run, ids: Sequence[str], goal: int, *, quiet_s: float, deadline: float,
             on_poll: Callable[[], None] = lambda: None) -> int:
    """Poll until ``goal`` encounters have settled, nothing moved for ``quiet_s`` or the deadline."""
    best, last_move = -1, time.monotonic()
    while time.monotonic() < deadline:
        on_poll()
        settled, _ = _progress(run, ids)
        if settled > best:
            best, last_move = settled, time.monotonic()
        if settled >= goal or time.monotonic() - last_move > quiet_s:
            return best
        time.sleep(1.0)
    return best


def run_once(config: RunConfig, home: Path) -> Audit:
    """One chaos run in ``home``; returns its audit (never raises for a finding, only for a
    harness that cannot run: a stack or a process that cannot start)."""
    started = time.monotonic()
    deadline = started + config.timeout_s
    payloads = list(encounters(config.encounters, seed=config.seed, clean=config.clean, prefix=f"CH{config.seed}"))
    ids = [p["encounter_id"] for p in payloads]
    faults = schedule(config.seed, kills=config.kills, outage_s=config.outage_s)
    rng = random.Random(config.seed * 7919)
    with running_platform(config, home) as run:
        first = max(1, math.ceil(len(payloads) * config.first_share))
        _publish(run, payloads[:first])
        goal = math.ceil(config.encounters * config.progress_before_faults)
        log(f"seed {config.seed}: {len(payloads)} encounters, {len(faults)} faults; published {first}, "
            f"waiting for {goal} to settle")
        reached = wait_for(run, ids[:first], goal, quiet_s=config.quiet_s, deadline=deadline,
                           on_poll=lambda: _restart_exited(run))
        log(f"{reached} settled ({reached / config.encounters:.0%}); faults begin")
        published = first
        # Faults spread over the run: the i-th waits for 20 % + 70 % * i / F of all encounters to
        # settle, but always leaves some of what was published in flight (never a quiet pipeline).
        in_flight = max(10, config.encounters // 20)
        for i, (fault, chunk) in enumerate(zip(faults, slices(payloads[first:], len(faults)), strict=True)):
            goal = math.ceil(config.encounters * (config.progress_before_faults + 0.7 * i / len(faults)))
            wait_for(run, ids[:published], min(goal, published - in_flight), quiet_s=config.quiet_s,
                     deadline=deadline, on_poll=lambda: _restart_exited(run))
            settled, _ = _progress(run, ids)
            log(f"fault {len(run.faults_done) + 1}/{len(faults)}: {fault} (settled {settled}/{len(ids)}, "
                f"published {published})")
            apply(run, fault)
            _restart_exited(run)
            _publish(run, chunk)
            published += len(chunk)
            time.sleep(rng.uniform(0.5, 3.0))
        log(f"faults done after {time.monotonic() - started:.0f}s; waiting for the rest to settle")
        wait_for(run, ids, len(ids), quiet_s=config.quiet_s, deadline=deadline, on_poll=lambda: _restart_exited(run))
        result = asyncio.run(audit(run.urls, run.platform["sandbox"].url, run.bootstrap, run.namespace, ids))
        result.unexpected_exits = list(run.unexpected_exits)
        log(f"seed {config.seed} done in {time.monotonic() - started:.0f}s:\n{result.summary()}")
        if not result.clean:
            for name, process in run.platform.processes.items():
                print(f"----- {name} log tail -----\n{process.log_tail(20)}")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--encounters", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=1, help="run seeds 1..N")
    parser.add_argument("--seed-list", default="", help="comma-separated seeds (overrides --seeds)")
    parser.add_argument("--clean", action="store_true", help="clean encounters only (all should end paid)")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--outage-s", type=float, default=30.0)
    parser.add_argument("--quiet-s", type=float, default=240.0)
    parser.add_argument("--keep", action="store_true", help="keep each run's home (logs and data)")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seed_list.split(",") if s.strip()] or list(range(1, args.seeds + 1))
    results: dict[int, Audit] = {}
    for seed in seeds:
        config = RunConfig(encounters=args.encounters, seed=seed, clean=args.clean, kills=args.kills,
                           outage_s=args.outage_s, quiet_s=args.quiet_s, timeout_s=max(3600.0, args.encounters * 2.0))
        home = Path(tempfile.mkdtemp(prefix=f"rcm-chaos-{seed}-"))
        try:
            results[seed] = run_once(config, home)
        finally:
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
    print("\nseed  published  settled  lost  stuck  dup-claims  dup-postings  unbalanced  dead-letters  exits")
    for seed, r in results.items():
        print(f"{seed:>4}  {r.published:>9}  {r.settled:>7}  {len(r.lost):>4}  {len(r.stuck):>5}  "
              f"{len(r.duplicate_claims_at_payer):>10}  {len(r.duplicate_postings):>12}  {len(r.unbalanced):>10}  "
              f"{sum(r.dead_letters.values()):>12}  {len(r.unexpected_exits):>5}")
    return 0 if all(r.clean for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
