"""Bad input on a running platform: over a thousand malformed records of every kind of
:mod:`malformed`, interleaved with clean encounters, on the real topics.

Every bad record must end as exactly one dead letter (with a reason and an error type, naming
its topic, partition and offset) in the dead-letter topic of each service that consumes its
topic, and as one ``dead_lettered`` inbox row in that service's database; every good
encounter must end paid, exactly once; no consumer may crash, restart or stall.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import malformed  # tests/chaos is on pytest's pythonpath (pyproject.toml)
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from malformed import CONSUMERS, Inputs, Kind, Record
from pydantic import BaseModel, ValidationError
from rcm_cli.processes import SERVICES, Platform
from rcm_cli.publish import encounter_events
from rcm_cli.synthetic import encounters, latest_codable_date
from rcm_shared.contracts import EVENT_TYPES
from rcm_shared.contracts.claims import ClaimSubmitted
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.envelope import Envelope, EnvelopeError
from rcm_shared.testing.auth import clearinghouse_headers
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.topics import DEAD_LETTER_TOPIC, Topic, topic_name

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

SEED = 20_261_201
GOOD_ENCOUNTERS = 60
MIN_BAD_RECORDS = 1_000
HEAVY_REPEATS = 3  # kinds of ~100 KiB to 1 MiB, or refused only after the handler's retries
BASE_PROCESSED_TIMEOUT_S = 90.0
SETTLE_TIMEOUT_S = 180.0
QUIET_S = 6.0  # nothing left to consume and no new dead letter for this long: the run has settled
STALLED_S = 30.0  # records left to consume, yet no progress at all for this long: a consumer is stuck
# ServiceRuntime._spawn logs "<service>/<task> crashed; restarting" (with the traceback) for a restarted loop.
RESTART_LOG = re.compile(r"crashed; restarting|Traceback \(most recent call last\)")
# ConsumerRunner._dead_letter logs this when a dead letter cannot be stored with the original record.
UNSTORABLE_LOG = re.compile(r"dead letter of (\S+)\[(\d+)\]@(\d+) could not be stored as it was \((.*)\); writing")

Origin = tuple[str, str, int, int]  # consumer group, topic, partition, offset


@dataclass(frozen=True)
class Sent:
    """A produced bad record and where the broker put it."""

    kind: Kind
    serial: int
    topic: str
    partition: int
    offset: int

    @property
    def where(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    service: str
    reason: str
    error_type: str


@dataclass
class Observed:
    """Dead letters read back, by the (group, topic, partition, offset) of the record they name."""

    by_origin: defaultdict[Origin, list[DeadLetter]] = field(default_factory=lambda: defaultdict(list))
    unparseable: list[str] = field(default_factory=list)
    total: int = 0
    last_new_at: float = field(default_factory=time.monotonic)


class Findings:
    """What went wrong, per kind (by category, with examples) and for the run as a whole."""

    def __init__(self) -> None:
        self.by_kind: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.run: list[str] = []

    def kind(self, name: str, category: str, example: str) -> None:
        self.by_kind[name][category].append(example)

    def lines(self, kinds: Sequence[Kind], probe: Inputs) -> list[str]:
        out = []
        if self.by_kind:
            out.append(f"{len(self.by_kind)} kind(s) not dead-lettered as they must be: {sorted(self.by_kind)}")
        by_name = {k.name: k for k in kinds}
        for name, categories in sorted(self.by_kind.items()):
            k = by_name.get(name)
            head = (f"kind {name} ({k.topic.value}, {k.layer}; offline: {offline_verdict(k.build(probe))})"
                    if k else f"kind {name}")
            out.append(head + ": " + "; ".join(f"{cat} x{len(ex)} (e.g. {ex[0]})"
                                               for cat, ex in sorted(categories.items())))
        return self.run + out


def group_id(namespace: str, service: str, subscription: str) -> str:
    return f"{namespace}.{service}.{subscription}"


def repeats_for(kinds: Sequence[Kind]) -> int:
    """Repeats of each light kind so that the catalogue sends at least MIN_BAD_RECORDS records."""
    heavy = sum(1 for k in kinds if k.heavy)
    light = len(kinds) - heavy
    return max(1, math.ceil((MIN_BAD_RECORDS - heavy * HEAVY_REPEATS) / light))


def offline_verdict(record: Record) -> str:
    """What the shared decode path makes of a record without a broker: why it should be refused."""
    key, value, headers = record
    try:
        envelope = Envelope.from_kafka(key, value, headers)
    except EnvelopeError as exc:
        return f"EnvelopeError: {exc.reason[:120]}"
    model = EVENT_TYPES.get(envelope.type)
    if model is None:
        return "unknown event type"
    if envelope.schema_version != 1:
        return f"schema version {envelope.schema_version}"
    try:
        model.model_validate(envelope.payload)
    except ValidationError as exc:
        return f"ValidationError ({exc.error_count()} error(s))"
    return "decodes and validates"


TEMPLATE_MODELS: dict[str, type[BaseModel]] = {
    "eligibility_checked": EligibilityChecked, "encounter_coded": EncounterCoded,
    "claim_submitted": ClaimSubmitted, "clearinghouse_file": ClearinghouseFileReceived,
}


def bad_template() -> dict[str, Any]:
    """A clean encounter dated before every good one: a bad record processed by mistake then
    cannot make the payer deny a good claim as its duplicate."""
    latest = latest_codable_date() - timedelta(days=40)
    return next(encounters(1, seed=SEED + 1, clean=True, latest=latest, prefix="XBAD"))


def build_bad_records(kinds: Sequence[Kind], processed_event_id: uuid.UUID,
                      rng: random.Random) -> list[tuple[Kind, int, Record]]:
    """Every kind, repeated (heavy kinds fewer times), each record with its own serial and event id."""
    template = bad_template()
    light = repeats_for(kinds)
    out: list[tuple[Kind, int, Record]] = []
    serial = 0
    for k in kinds:
        for _ in range(HEAVY_REPEATS if k.heavy else light):
            serial += 1
            inputs = Inputs(serial=serial, event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                            encounter=template, processed_event_id=processed_event_id)
            out.append((k, serial, k.build(inputs)))
    return out


def test_every_contract_kind_starts_from_a_valid_payload_and_breaks_its_contract() -> None:
    """The harness only uses kinds the contracts really forbid: each template is valid, each
    contract kind is refused by the shared decode path (envelope limits or contract model)."""
    inputs = Inputs(serial=1, event_id=uuid.uuid4(), encounter=bad_template(), processed_event_id=uuid.uuid4())
    EncounterCompleted.model_validate(malformed.encounter(inputs))
    for name, model in TEMPLATE_MODELS.items():
        builder = getattr(malformed, name)
        model.model_validate(builder(inputs, "835") if name == "clearinghouse_file" else builder(inputs))
    kinds = malformed.catalogue()
    assert len(kinds) >= 40 and len({k.name for k in kinds}) == len(kinds)
    assert sum(HEAVY_REPEATS if k.heavy else repeats_for(kinds) for k in kinds) >= MIN_BAD_RECORDS
    accepted = [k.name for k in kinds if k.layer == "contract"
                and offline_verdict(k.build(inputs)) == "decodes and validates"]
    assert not accepted, f"contract kinds the contract accepts: {accepted}"


async def produce_all(bootstrap: str, items: Sequence[tuple[str, Record]]) -> list[tuple[str, int, int]]:
    """Send ``(topic, record)`` in order; return each record's (topic, partition, offset)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, key=key, value=value, headers=headers)
                   for topic, (key, value, headers) in items]
        metadata = await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return [(m.topic, m.partition, m.offset) for m in metadata]


async def fetch_rows(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def read_dead_letters(consumer: AIOKafkaConsumer, observed: Observed, timeout_ms: int = 500) -> None:
    """Index the dead letters that arrived by the record they name (dlq_consumer_group, dlq_original_*)."""
    batch = await consumer.getmany(timeout_ms=timeout_ms, max_records=2_000)
    for records in batch.values():
        for r in records:
            observed.total += 1
            observed.last_new_at = time.monotonic()
            h = {n: bytes(v or b"") for n, v in (r.headers or ())}
            try:
                origin = (h["dlq_consumer_group"].decode(), h["dlq_original_topic"].decode(),
                          int(h["dlq_original_partition"]), int(h["dlq_original_offset"]))
            except (KeyError, ValueError) as exc:
                observed.unparseable.append(f"{r.topic}[{r.partition}]@{r.offset}: {type(exc).__name__} {exc}")
                continue
            observed.by_origin[origin].append(DeadLetter(
                dlq_topic=r.topic, service=h.get("dlq_service", b"").decode(errors="replace"),
                reason=h.get("dlq_reason", b"").decode(errors="replace"),
                error_type=h.get("dlq_error_type", b"").decode(errors="replace")))


async def total_lag(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer,
                    group_topics: dict[str, set[str]]) -> int:
    """Records the platform's consumer groups have not committed yet, over the topics each reads."""
    topics = sorted({t for ts in group_topics.values() for t in ts})
    tps = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or ())]
    ends = await consumer.end_offsets(tps)
    lag = 0
    for g, reads in group_topics.items():
        committed = await admin.list_consumer_group_offsets(g)
        lag += sum(max(0, ends[tp] - (committed[tp].offset if tp in committed else 0))
                   for tp in tps if tp.topic in reads)
    return lag


def assert_alive(plat: Platform) -> None:
    dead = {n: p.exit_code() for n, p in plat.processes.items() if not p.alive()}
    assert not dead, f"process(es) exited during the run (exit codes): {dead}"


def test_malformed_records_are_dead_lettered_once_and_good_encounters_paid_once(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    plat, namespace = platform
    started = time.monotonic()
    failures, summary = asyncio.run(Harness(plat, endpoints, namespace).run())
    print(f"{summary}\nbad-input harness: {time.monotonic() - started:.0f}s once the platform was up")
    assert not failures, "\n".join([*failures, summary])


class Harness:
    """One run: publish, wait for the platform to settle, then check Kafka, the databases and the services."""

    def __init__(self, plat: Platform, endpoints: Endpoints, namespace: str) -> None:
        self.plat = plat
        self.ns = namespace
        self.bootstrap = endpoints.kafka_bootstrap
        self.rng = random.Random(SEED)
        self.db = {s: plat[s].env["DATABASE_URL"] for s in SERVICES}
        self.service_of: dict[str, str] = {}
        self.group_topics: defaultdict[str, set[str]] = defaultdict(set)
        for topic, consumers in CONSUMERS.items():
            for svc, sub in consumers:
                self.service_of[group_id(namespace, svc, sub)] = svc
                self.group_topics[group_id(namespace, svc, sub)].add(topic_name(topic, namespace))
        self.kinds = malformed.catalogue()
        self.findings = Findings()
        self.observed = Observed()
        self.sent: list[Sent] = []
        self.expected: dict[Origin, Sent] = {}
        self.good_ids: list[str] = []
        self.paid: set[str] = set()
        self.lag = -1
        self.timings: dict[str, float] = {}

    async def run(self) -> tuple[list[str], str]:
        good_events = encounter_events(encounters(GOOD_ENCOUNTERS, seed=SEED, clean=True, prefix="GOOD"))
        self.good_ids = [e.key for e in good_events]
        base = good_events[0]
        await self.publish_base(base)
        await self.publish_mix(base.id, good_events[1:])
        await self.settle()
        await self.check_dead_letters()
        await self.check_inboxes()
        await self.check_good_encounters()
        await self.check_services()
        probe = Inputs(serial=0, event_id=uuid.uuid4(), encounter=bad_template(), processed_event_id=base.id)
        return self.findings.lines(self.kinds, probe), self.summary()

    async def publish_base(self, base: Envelope) -> None:
        """A good encounter first, processed by every encounters consumer, so later records can reuse its id."""
        await produce_all(self.bootstrap, [(topic_name(Topic.ENCOUNTERS, self.ns), base.to_kafka())])
        deadline = time.monotonic() + BASE_PROCESSED_TIMEOUT_S
        waiting = {group_id(self.ns, svc, sub): svc for svc, sub in CONSUMERS[Topic.ENCOUNTERS]}
        while waiting:
            for g, svc in list(waiting.items()):
                rows = await fetch_rows(self.db[svc], "SELECT outcome FROM inbox WHERE consumer = $1 "
                                        "AND message_id = $2", g, str(base.id))
                if rows:
                    assert rows[0]["outcome"] == "processed", f"{g}: the first good encounter: {rows[0]['outcome']}"
                    del waiting[g]
            assert_alive(self.plat)
            assert time.monotonic() < deadline, f"the first good encounter was not processed by {sorted(waiting)}"
            await asyncio.sleep(0.3)

    async def publish_mix(self, base_id: uuid.UUID, good: Sequence[Envelope]) -> None:
        """Every bad record and the other good encounters, interleaved at random (fixed seed)."""
        bad = build_bad_records(self.kinds, base_id, self.rng)
        items: list[tuple[tuple[Kind, int] | None, str, Record]] = [
            ((k, serial), topic_name(k.topic, self.ns), record) for k, serial, record in bad]
        items += [(None, topic_name(Topic.ENCOUNTERS, self.ns), e.to_kafka()) for e in good]
        self.rng.shuffle(items)
        started = time.monotonic()
        placed = await produce_all(self.bootstrap, [(topic, record) for _, topic, record in items])
        self.timings["publish"] = time.monotonic() - started
        self.sent = [Sent(origin[0], origin[1], *where)
                     for (origin, _, _), where in zip(items, placed, strict=True) if origin is not None]
        for s in self.sent:
            for svc, sub in CONSUMERS[s.kind.topic]:
                self.expected[(group_id(self.ns, svc, sub), s.topic, s.partition, s.offset)] = s

    async def settle(self) -> None:
        """Until every expected dead letter is in and every good encounter paid, the platform has
        consumed everything and gone quiet, it has stalled, or time is up."""
        dlq_topics = [topic_name(t, self.ns) for t in DEAD_LETTER_TOPIC.values()]
        read_topics = sorted({t for ts in self.group_topics.values() for t in ts})
        reader = AIOKafkaConsumer(*dlq_topics, bootstrap_servers=self.bootstrap, group_id=None,
                                  auto_offset_reset="earliest", enable_auto_commit=False)
        lag_reader = AIOKafkaConsumer(*read_topics, bootstrap_servers=self.bootstrap, group_id=None)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await reader.start()
        await lag_reader.start()
        await admin.start()
        started = time.monotonic()
        try:
            deadline = started + SETTLE_TIMEOUT_S
            next_poll = 0.0
            progress = (-1, -1, -1)
            progress_at = time.monotonic()
            while time.monotonic() < deadline:
                await read_dead_letters(reader, self.observed)
                assert_alive(self.plat)
                if time.monotonic() < next_poll:
                    continue
                next_poll = time.monotonic() + 2.0
                rows = await fetch_rows(self.db["payments"], "SELECT encounter_id FROM claim_accounts "
                                        "WHERE status = 'paid' AND encounter_id = ANY($1)", self.good_ids)
                self.paid = {r["encounter_id"] for r in rows}
                all_paid = len(self.paid) == len(self.good_ids)
                if all_paid and self.expected.keys() <= self.observed.by_origin.keys():
                    break
                self.lag = await total_lag(admin, lag_reader, self.group_topics)
                quiet = time.monotonic() - self.observed.last_new_at
                if self.lag == 0 and all_paid and quiet > QUIET_S:
                    break  # everything consumed and nothing more coming: what is missing will not arrive
                if (self.lag, self.observed.total, len(self.paid)) != progress:
                    progress, progress_at = (self.lag, self.observed.total, len(self.paid)), time.monotonic()
                elif time.monotonic() - progress_at > STALLED_S:
                    self.findings.run.append(f"no progress for {STALLED_S:.0f}s with {self.lag} record(s) "
                                             "left to consume: a consumer is stuck")
                    break
            await asyncio.sleep(1.0)  # a late duplicate dead letter would show up here
            await read_dead_letters(reader, self.observed, timeout_ms=1_000)
            self.lag = await total_lag(admin, lag_reader, self.group_topics)
        finally:
            await reader.stop()
            await lag_reader.stop()
            await admin.close()
        self.timings["settle"] = time.monotonic() - started
        if self.lag:
            self.findings.run.append(f"consumer groups left {self.lag} record(s) unconsumed")

    async def check_dead_letters(self) -> None:
        """Once per consuming group, in its service's DLQ, with a reason and an error type."""
        for origin, s in self.expected.items():
            g = origin[0]
            svc = self.service_of[g]
            letters = self.observed.by_origin.get(origin, [])
            if not letters:
                self.findings.kind(s.kind.name, f"no dead letter from {g.removeprefix(self.ns + '.')}", s.where)
            elif len(letters) > 1:
                self.findings.kind(s.kind.name, "dead-lettered more than once", f"{len(letters)}x by {g} {s.where}")
            want_dlq = topic_name(DEAD_LETTER_TOPIC[svc], self.ns)
            for d in letters:
                if not d.reason.strip() or not d.error_type.strip():
                    self.findings.kind(s.kind.name, "empty dlq_reason or dlq_error_type", f"{g} {s.where}")
                if d.dlq_topic != want_dlq or d.service != svc:
                    self.findings.kind(s.kind.name, "dead letter in the wrong topic",
                                       f"{d.dlq_topic} (service {d.service!r}), not {want_dlq}")
        if self.observed.unparseable:
            self.findings.run.append(f"dead letters without dlq_original_* headers: {self.observed.unparseable[:5]}")
        unexpected = [(o, ls) for o, ls in self.observed.by_origin.items() if o not in self.expected]
        if unexpected:
            self.findings.run.append(f"{len(unexpected)} dead letter(s) of records that are not bad records; e.g. "
                                     + "; ".join(f"{o[0]} {o[1]}[{o[2]}]@{o[3]}: {ls[0].error_type}: "
                                                 f"{ls[0].reason[:200]}" for o, ls in unexpected[:5]))

    async def check_inboxes(self) -> None:
        """One inbox row per bad record and consuming group, dead_lettered; no bad encounter became a claim."""
        topics = sorted({s.topic for s in self.sent})
        inbox: defaultdict[Origin, list[str]] = defaultdict(list)
        for svc in SERVICES:
            for r in await fetch_rows(self.db[svc], 'SELECT consumer, topic, partition, "offset", outcome '
                                      "FROM inbox WHERE topic = ANY($1)", topics):
                inbox[(r["consumer"], r["topic"], r["partition"], r["offset"])].append(r["outcome"])
        for origin, s in self.expected.items():
            outcomes = inbox.get(origin, [])
            if outcomes != ["dead_lettered"]:
                self.findings.kind(s.kind.name, f"inbox of {origin[0].removeprefix(self.ns + '.')}: "
                                   f"{'/'.join(sorted(outcomes)) or 'no row'}", s.where)
        by_serial = {s.serial: s for s in self.sent}
        for r in await fetch_rows(self.db["claims"], "SELECT encounter_id, status FROM claims "
                                  "WHERE encounter_id LIKE $1", f"{malformed.BAD_ENCOUNTER_PREFIX}%"):
            serial = r["encounter_id"].removeprefix(malformed.BAD_ENCOUNTER_PREFIX)
            culprit = by_serial.get(int(serial)) if serial.isdigit() else None
            self.findings.kind(culprit.kind.name if culprit else "?", "became a claim",
                               f"{r['encounter_id']} ({r['status']}) from {culprit.where if culprit else '?'}")

    async def check_good_encounters(self) -> None:
        """Paid, one claim, one submission, one account, one posting; adjudicated once at the payer."""
        claims = {r["encounter_id"]: r for r in await fetch_rows(
            self.db["claims"], "SELECT c.encounter_id, c.claim_id, (SELECT count(*) FROM claim_submissions s "
            "WHERE s.claim_id = c.claim_id) AS submissions FROM claims c")}
        accounts = Counter(r["encounter_id"] for r in await fetch_rows(
            self.db["payments"], "SELECT encounter_id FROM claim_accounts WHERE encounter_id = ANY($1)",
            self.good_ids))
        postings = Counter(r["claim_id"] for r in await fetch_rows(self.db["payments"],
                                                                   "SELECT claim_id FROM postings"))
        async with httpx.AsyncClient(timeout=10, headers=clearinghouse_headers()) as http:
            stats = (await http.get(self.plat["sandbox"].url + "/v1/stats")).raise_for_status().json()
            at_payer = (await http.get(self.plat["sandbox"].url + "/v1/claims")).raise_for_status().json()
        received = Counter(c["patient_control_number"] for c in at_payer)
        times = {c["patient_control_number"]: c["times_received"] for c in at_payer}
        unpaid = [e for e in self.good_ids if e not in self.paid]
        if unpaid:
            no_claim = [e for e in unpaid if e not in claims]
            self.findings.run.append(f"{len(unpaid)} of {len(self.good_ids)} good encounters not paid "
                                     f"({len(no_claim)} without a claim): {unpaid[:8]}")
        for e in self.good_ids:
            c = claims.get(e)
            if c is None:
                continue
            pcn = c["claim_id"]
            if (c["submissions"], accounts[e], postings[pcn], received[pcn], times.get(pcn)) != (1, 1, 1, 1, 1) \
                    and e in self.paid:
                self.findings.run.append(
                    f"good encounter {e} not exactly once: {c['submissions']} submission(s), {accounts[e]} "
                    f"account(s), {postings[pcn]} posting(s), {received[pcn]} claim(s) at the payer received "
                    f"{times.get(pcn)} time(s)")
        more_than_once = {pcn: t for pcn, t in times.items() if t != 1}
        if more_than_once:
            self.findings.run.append(f"claims received more than once by the payer: {more_than_once}")
        if stats.get("claims_received") != len(claims):
            self.findings.run.append(f"the payer received {stats.get('claims_received')} claims; the claims "
                                     f"service holds {len(claims)}")

    async def check_services(self) -> None:
        """No process exited, no task restarted (readiness, metrics, logs), no consumer left paused."""
        async with httpx.AsyncClient(timeout=10) as http:
            readiness = {s: (await http.get(self.plat[s].url + "/readyz")).json() for s in SERVICES}
            metrics = {s: (await http.get(self.plat[s].url + "/metrics")).text for s in SERVICES}
        for svc in SERVICES:
            checks = readiness[svc].get("checks", {})
            bad = {n: v for n, v in checks.items()
                   if (n in ("restarts", "tasks") or n.startswith("consumer:")) and v != "ok"}
            if bad:
                self.findings.run.append(f"{svc} /readyz: {bad}")
            restarted = [ln for ln in metrics[svc].splitlines()
                         if ln.startswith("rcm_task_restarts_total{") and float(ln.rsplit(" ", 1)[1]) > 0]
            if restarted:
                self.findings.run.append(f"{svc} restarted tasks: {restarted}")
            lines = self.plat[svc].log_path.read_text(errors="replace").splitlines()
            by_place = {(s.topic, s.partition, s.offset): s for s in self.sent}
            for ln in lines:
                if (m := UNSTORABLE_LOG.search(ln)) and (s := by_place.get((m[1], int(m[2]), int(m[3])))):
                    self.findings.kind(s.kind.name, f"{svc} log: dead letter could not be stored ({m[4]})", s.where)
            hits = [i for i, ln in enumerate(lines) if RESTART_LOG.search(ln)]
            if hits:
                context = "\n    ".join(ln[:300] for ln in lines[max(0, hits[0] - 1):hits[0] + 12])
                self.findings.run.append(f"{svc} log: {len(hits)} restart/traceback line(s); first:\n    {context}")
        dead = {n: p.exit_code() for n, p in self.plat.processes.items() if not p.alive()}
        if dead:
            self.findings.run.append(f"process(es) exited (exit codes): {dead}")

    def summary(self) -> str:
        sent = Counter(s.kind.name for s in self.sent)
        expected = Counter(s.kind.name for s in self.expected.values())
        got: Counter[str] = Counter()
        error_types: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for origin, s in self.expected.items():
            letters = self.observed.by_origin.get(origin, [])
            got[s.kind.name] += bool(letters)
            for d in letters:
                error_types[s.kind.name][d.error_type or "<empty>"] += 1
        lines = [f"bad-input harness: {len(self.sent)} bad records of {len(self.kinds)} kinds, "
                 f"{len(self.good_ids)} good encounters ({len(self.paid)} paid); published in "
                 f"{self.timings.get('publish', 0):.1f}s, settled in {self.timings.get('settle', 0):.1f}s; "
                 f"{self.observed.total} dead letters read; consumer lag at the end {self.lag}",
                 f"{'kind':40} {'topic':21} {'layer':8} {'sent':>4} {'dead-lettered':>13}  error types"]
        for k in self.kinds:
            lines.append(f"{k.name:40} {k.topic.value:21} {k.layer:8} {sent[k.name]:>4} "
                         f"{got[k.name]:>6}/{expected[k.name]:<6}  {dict(error_types[k.name]) or '-'}")
        return "\n".join(lines)
