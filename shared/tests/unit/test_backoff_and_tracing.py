"""Retry backoff and W3C trace context."""

from __future__ import annotations

import random

from rcm_shared.messaging.backoff import backoff_delay
from rcm_shared.tracing import child_traceparent, new_traceparent, trace_id


def test_backoff_grows_and_is_capped() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(a, initial_ms=100, max_ms=1_000, rng=rng) for a in range(1, 8)]
    assert 0.05 <= delays[0] <= 0.1
    assert all(d <= 1.0 for d in delays)
    assert delays[-1] >= 0.5


def test_a_child_span_keeps_the_trace_and_a_bad_parent_starts_a_new_trace() -> None:
    parent = new_traceparent()
    child = child_traceparent(parent)
    assert trace_id(child) == trace_id(parent) and child != parent
    assert trace_id(child_traceparent("garbage")) is not None
