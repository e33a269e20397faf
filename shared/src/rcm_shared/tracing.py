"""W3C Trace Context (``traceparent``) helpers for propagating traces through events."""

from __future__ import annotations

import re
import secrets
import uuid

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def new_traceparent() -> str:
    """Start a new sampled trace."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None, *, root: uuid.UUID | None = None) -> str:
    """A new span in ``parent``'s trace.

    When ``parent`` is missing or invalid and ``root`` (the causing event's id) is given, the
    trace id is that event's id: every service that reacts to an untraced event (hospital
    systems often send none) then lands in one trace without coordinating. With neither, a
    new trace starts.
    """
    match = _TRACEPARENT.match(parent or "")
    if match:
        return f"00-{match.group(1)}-{secrets.token_hex(8)}-{match.group(3)}"
    if root is not None and root.int != 0:
        return f"00-{root.hex}-{secrets.token_hex(8)}-01"
    return new_traceparent()


def trace_id(traceparent: str | None) -> str | None:
    """The trace id of a valid ``traceparent``."""
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None
