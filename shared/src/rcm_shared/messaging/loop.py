"""The polling loop shape shared by background workers: work while there is work, back
off on failure, sleep when idle, and leave promptly when asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from rcm_shared.messaging.backoff import backoff_delay
from rcm_shared.messaging.failures import safe_reason

log = logging.getLogger(__name__)


async def poll_until_stopped(
    stop: asyncio.Event,
    step: Callable[[], Awaitable[bool]],
    *,
    name: str,
    idle_s: float,
    wake: asyncio.Event | None = None,
) -> None:
    """Call ``step`` until ``stop``; ``step`` returns True when it did work (call again now)."""
    failures = 0
    while not stop.is_set():
        try:
            busy = await step()
            failures = 0
        except Exception as exc:
            failures += 1
            # Never the exception's text: a validation or driver error quotes the values it refused.
            log.warning("%s failed (%s); backing off", name, safe_reason(exc)[:300])
            busy = False
            await asyncio.sleep(backoff_delay(failures, initial_ms=200, max_ms=5_000))
        if busy:
            continue
        waiter = wake if wake is not None else stop
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout=idle_s)
        if wake is not None:
            wake.clear()
