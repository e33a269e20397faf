"""Exponential backoff with full jitter (AWS architecture blog's recommendation)."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, *, initial_ms: int, max_ms: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based)."""
    ceiling = min(max_ms, initial_ms * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(ceiling / 2, ceiling) / 1000.0
