"""Read the pipeline's progress back from the services (their summary endpoints), the
sandbox's counters and the dead-letter topics' end offsets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from rcm_shared.topics import DEAD_LETTER_TOPIC, topic_name

from rcm_cli.credentials import clearinghouse_headers, service_headers
from rcm_cli.kafka_client import kafka_options


@dataclass
class PipelineCounts:
    eligibility: dict[str, int] = field(default_factory=dict)
    coding: dict[str, int] = field(default_factory=dict)
    claims: dict[str, int] = field(default_factory=dict)
    payments: dict[str, Any] = field(default_factory=dict)
    sandbox: dict[str, Any] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)

    @property
    def checked(self) -> int:
        return sum(self.eligibility.values())

    @property
    def coded(self) -> int:
        return int(self.coding.get("coded", 0))

    @property
    def in_review(self) -> int:
        return int(self.coding.get("review", 0))

    @property
    def claimed(self) -> int:
        return sum(v for k, v in self.claims.items() if k in {"submitted", "accepted", "rejected"})

    @property
    def held(self) -> int:
        return int(self.claims.get("held", 0))

    @property
    def paid(self) -> int:
        return int(self.payments.get("paid", 0))

    @property
    def adjudicated(self) -> int:
        return sum(int(self.payments.get(k, 0)) for k in ("paid", "denied", "reversed"))

    @property
    def dead_lettered(self) -> int:
        return sum(self.dead_letters.values())

    def settled(self, expected: int) -> int:
        """Encounters at an end state for now: adjudicated, held, awaiting a coder, rejected."""
        rejected = int(self.claims.get("rejected", 0))
        return self.adjudicated + self.held + self.in_review + rejected


SUMMARY_PATHS = {"eligibility": "/v1/eligibility/summary", "coding": "/v1/coding/summary",
                 "claims": "/v1/claims/summary", "payments": "/v1/payments/summary"}


async def dead_letter_counts(bootstrap: str, namespace: str) -> dict[str, int]:
    """Records in each service's dead-letter topic (end offset minus beginning)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                client_id=f"observer-{uuid.uuid4().hex[:6]}", **kafka_options())
    await consumer.start()
    try:
        out: dict[str, int] = {}
        for service, topic in DEAD_LETTER_TOPIC.items():
            name = topic_name(topic, namespace)
            parts = consumer.partitions_for_topic(name) or set()
            if not parts:
                await consumer._client.force_metadata_update()  # topics created after start
                parts = consumer.partitions_for_topic(name) or set()
            tps = [TopicPartition(name, p) for p in parts]
            if not tps:
                out[service] = 0
                continue
            end = await consumer.end_offsets(tps)
            begin = await consumer.beginning_offsets(tps)
            out[service] = sum(end[tp] - begin[tp] for tp in tps)
        return out
    finally:
        await consumer.stop()


async def pipeline_counts(urls: dict[str, str], bootstrap: str, namespace: str) -> PipelineCounts:
    """Ask every service for its summary; a service that does not answer reports nothing."""
    counts = PipelineCounts()
    services, clearinghouse = service_headers(), clearinghouse_headers()
    async with httpx.AsyncClient(timeout=5) as http:
        for service, path in SUMMARY_PATHS.items():
            try:
                response = await http.get(urls[service] + path, headers=services)
                if response.status_code == 200:
                    setattr(counts, service, response.json())
            except httpx.HTTPError:
                pass
        try:
            response = await http.get(urls["sandbox"] + "/v1/stats", headers=clearinghouse)
            if response.status_code == 200:
                counts.sandbox = response.json()
        except httpx.HTTPError:
            pass
    counts.dead_letters = await dead_letter_counts(bootstrap, namespace)
    return counts
