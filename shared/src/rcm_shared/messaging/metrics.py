"""Prometheus metrics of the messaging runtime, one registry per service instance.

A registry per instance (rather than the library's global one) keeps several services in
one test process from mixing their numbers and keeps import free of side effects.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class MessagingMetrics:
    """Counters, gauges and histograms the runtime updates; exposed at ``/metrics``."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.service = service
        self.registry = registry or CollectorRegistry()
        labels = ["service", "topic", "event_type"]
        self.processed = Counter(
            "rcm_messages_processed_total", "messages handled and committed", labels, registry=self.registry
        )
        self.duplicates = Counter(
            "rcm_messages_duplicate_total", "messages skipped as already processed", labels,
            registry=self.registry,
        )
        self.ignored = Counter(
            "rcm_messages_ignored_total", "messages of types this consumer does not handle", labels,
            registry=self.registry,
        )
        self.failures = Counter(
            "rcm_handler_failures_total", "handler attempts that raised", labels + ["error"],
            registry=self.registry,
        )
        self.dead_lettered = Counter(
            "rcm_messages_dead_lettered_total", "messages sent to the dead-letter topic", labels,
            registry=self.registry,
        )
        self.phi_plaintext_input = Counter(
            "rcm_phi_plaintext_input_total", "input events whose PHI fields arrived unsealed (the edge did not "
            "seal them)", labels, registry=self.registry,
        )
        self.shredded = Counter(
            "rcm_messages_shredded_total", "messages skipped because their patient's PHI key was shredded", labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "rcm_handler_latency_seconds", "handler time including the database commit", labels,
            registry=self.registry, buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.lag = Gauge(
            "rcm_consumer_lag", "records behind the partition's high watermark",
            ["service", "topic", "partition"], registry=self.registry,
        )
        self.outbox_published = Counter(
            "rcm_outbox_published_total", "outbox rows published to Kafka", ["service"], registry=self.registry
        )
        self.consumer_paused = Gauge(
            "rcm_consumer_paused", "1 while a consumer waits on an unavailable dependency (database, broker, "
            "clearinghouse)", ["service", "subscription"], registry=self.registry,
        )
        self.dead_letter_fallbacks = Counter(
            "rcm_dead_letter_fallbacks_total", "dead letters written without the original headers or value "
            "(they could not be stored as they were)", ["service"], registry=self.registry,
        )
        self.outbox_refused = Counter(
            "rcm_outbox_refused_total", "outbox rows Kafka refused for good (kept with their error)", ["service"],
            registry=self.registry,
        )
        self.outbox_oldest_age = Gauge(
            "rcm_outbox_oldest_unpublished_age_seconds", "age of the oldest outbox row not yet published",
            ["service"], registry=self.registry,
        )
        self.relay_failures = Counter(
            "rcm_relay_failures_total", "outbox relay passes that failed", ["service"], registry=self.registry,
        )
        self.task_restarts = Counter(
            "rcm_task_restarts_total", "background loops (consumers, relay, workers) restarted after a crash",
            ["service", "task"], registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "rcm_outbox_pending", "outbox rows seen unpublished by the last relay pass", ["service"],
            registry=self.registry,
        )
