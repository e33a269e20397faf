"""Every Kafka topic of the platform, declared once.

Event-history topics keep everything (``retention.ms=-1``): auditors replay them to
rebuild and explain every state. Each topic names the one service that produces to it.
Names are ``<namespace>.<name>`` so several environments (or test runs) can share a broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Topic(StrEnum):
    """Logical topic names (without namespace)."""

    ENCOUNTERS = "encounters"
    ELIGIBILITY_EVENTS = "eligibility.events"
    CODING_EVENTS = "coding.events"
    CLAIMS_EVENTS = "claims.events"
    CLAIMS_ACKS = "claims.acks"
    PAYMENTS_REMITTANCES = "payments.remittances"
    PAYMENTS_EVENTS = "payments.events"
    AUDIT_PHI_ACCESS = "audit.phi-access"
    DLQ_ELIGIBILITY = "eligibility.dlq"
    DLQ_CODING = "coding.dlq"
    DLQ_CLAIMS = "claims.dlq"
    DLQ_PAYMENTS = "payments.dlq"


KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


@dataclass(frozen=True)
class TopicSpec:
    """How a topic is created: owner, partitions, replication and config."""

    topic: Topic
    owner: str
    description: str
    partitions: int | None = None  # None: the deployment's TOPIC_PARTITIONS
    config: dict[str, str] = field(default_factory=lambda: dict(KEEP_FOREVER))

    def name(self, namespace: str) -> str:
        """The physical topic name in ``namespace``."""
        return f"{namespace}.{self.topic.value}"


TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(Topic.ENCOUNTERS, "hospital IT (EHR integration)", "EncounterCompleted, keyed by encounter id"),
    TopicSpec(Topic.ELIGIBILITY_EVENTS, "eligibility", "coverage answers (271) per encounter"),
    TopicSpec(Topic.CODING_EVENTS, "coding", "coded encounters and review requests"),
    TopicSpec(Topic.CLAIMS_EVENTS, "claims", "claims built, submitted, accepted, rejected"),
    TopicSpec(Topic.CLAIMS_ACKS, "claims", "raw 999/277CA files fetched from the clearinghouse"),
    TopicSpec(Topic.PAYMENTS_REMITTANCES, "payments", "raw 835 files fetched from the clearinghouse"),
    TopicSpec(Topic.PAYMENTS_EVENTS, "payments", "payments posted, denials, balances"),
    TopicSpec(Topic.AUDIT_PHI_ACCESS, "every service (each records the reads of its own routes)",
              "PhiAccessed: who read which patient's record, when; keyed by the record's id"),
    TopicSpec(Topic.DLQ_ELIGIBILITY, "eligibility", "dead letters of the eligibility consumers"),
    TopicSpec(Topic.DLQ_CODING, "coding", "dead letters of the coding consumers"),
    TopicSpec(Topic.DLQ_CLAIMS, "claims", "dead letters of the claims consumers"),
    TopicSpec(Topic.DLQ_PAYMENTS, "payments", "dead letters of the payments consumers"),
)

DEAD_LETTER_TOPIC = {
    "eligibility": Topic.DLQ_ELIGIBILITY,
    "coding": Topic.DLQ_CODING,
    "claims": Topic.DLQ_CLAIMS,
    "payments": Topic.DLQ_PAYMENTS,
}


def topic_name(topic: Topic, namespace: str) -> str:
    """The physical name of ``topic`` in ``namespace``."""
    return f"{namespace}.{topic.value}"


def spec_for(topic: Topic) -> TopicSpec:
    """The declaration of ``topic``."""
    return next(s for s in TOPICS if s.topic is topic)
