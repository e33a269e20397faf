"""Read the event history back: an encounter's timeline across every topic, and the dead
letters with their reasons. This is what an auditor replays to explain a state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from rcm_shared.topics import DEAD_LETTER_TOPIC, TOPICS, topic_name
from rcm_shared.tracing import trace_id

from rcm_cli.kafka_client import kafka_options


@dataclass(frozen=True)
class HistoryEntry:
    time: str
    topic: str
    partition: int
    offset: int
    headers: dict[str, str]

    @property
    def type(self) -> str:
        return self.headers.get("ce_type", "?")

    @property
    def event_id(self) -> str:
        return self.headers.get("ce_id", "")

    @property
    def causation_id(self) -> str | None:
        return self.headers.get("ce_causationid") or None

    @property
    def trace_id(self) -> str | None:
        return trace_id(self.headers.get("ce_traceparent") or self.headers.get("traceparent"))


@dataclass(frozen=True)
class ChainReport:
    """How an encounter's events hang together: roots, broken links and traces."""

    roots: tuple[HistoryEntry, ...]  # events with no cause (the hospital's EncounterCompleted)
    broken: tuple[HistoryEntry, ...]  # events whose cause is not in the history
    trace_ids: frozenset[str]

    @property
    def unbroken(self) -> bool:
        """One root, every other event's cause present, one trace."""
        return len(self.roots) == 1 and not self.broken and len(self.trace_ids) == 1

    def path_to_root(self, entry: HistoryEntry, entries: list[HistoryEntry]) -> list[HistoryEntry]:
        """``entry`` and its causes back to the first event that has none (or a missing one)."""
        by_id = {e.event_id: e for e in entries}
        path = [entry]
        while path[-1].causation_id and path[-1].causation_id in by_id and len(path) <= len(entries):
            path.append(by_id[path[-1].causation_id])
        return path


def causation_report(entries: list[HistoryEntry]) -> ChainReport:
    """Check the causation chain and trace of one encounter's events (dead letters left out)."""
    events = [e for e in entries if "dlq_reason" not in e.headers]
    ids = {e.event_id for e in events}
    roots = tuple(e for e in events if e.causation_id is None)
    broken = tuple(e for e in events if e.causation_id is not None and e.causation_id not in ids)
    traces = frozenset(t for e in events if (t := e.trace_id) is not None)
    return ChainReport(roots, broken, traces)


async def read_records(bootstrap: str, topics: list[str]) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topics`` from the beginning to their current end, bytes untouched
    (a topic that does not exist gives none), ordered by topic, partition and offset."""
    # earliest: a fetch error right after a leader change must not reset the position to the end.
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", client_id=f"history-{uuid.uuid4().hex[:6]}",
                                **kafka_options())
    await consumer.start()
    try:
        # A consumer without a subscription knows no topic's partitions: ask for the whole
        # cluster's metadata (a bare metadata update may come back before it lists them).
        cluster = await consumer._client.fetch_all_metadata()
        tps = [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or ())]
        if not tps:
            return []
        consumer.assign(tps)
        end = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        remaining = {tp for tp in tps if end[tp] > 0}
        out: list[ConsumerRecord[bytes, bytes]] = []
        while remaining:
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                remaining = {tp for tp in remaining if await consumer.position(tp) < end[tp]}
                continue
            for tp, records in batch.items():
                out.extend(r for r in records if r.offset < end[tp])
                if records and records[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
        return sorted(out, key=lambda r: (r.topic, r.partition, r.offset))
    finally:
        await consumer.stop()


async def _scan(bootstrap: str, topics: list[str], keep: Any) -> list[HistoryEntry]:
    """Read ``topics`` from the beginning to their current end; keep records ``keep`` accepts."""
    out: list[HistoryEntry] = []
    for r in await read_records(bootstrap, topics):
        headers = {n: (v or b"").decode("utf-8", "replace") for n, v in r.headers}
        if keep(r, headers):
            out.append(HistoryEntry(headers.get("ce_time", str(r.timestamp)), r.topic, r.partition, r.offset,
                                    headers))
    return sorted(out, key=lambda e: e.time)


async def encounter_history(bootstrap: str, namespace: str, encounter_id: str) -> list[HistoryEntry]:
    """Every event correlated with ``encounter_id``, in time order (dead letters included)."""
    topics = [s.name(namespace) for s in TOPICS]
    return await _scan(bootstrap, topics, lambda r, h: h.get("ce_correlationid") == encounter_id
                       or (r.key or b"").decode("utf-8", "replace") == encounter_id)


async def dead_letters(bootstrap: str, namespace: str) -> list[HistoryEntry]:
    """Every dead letter of every service, with its reason headers."""
    topics = [topic_name(t, namespace) for t in DEAD_LETTER_TOPIC.values()]
    return await _scan(bootstrap, topics, lambda r, h: True)
