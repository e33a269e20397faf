"""The event envelope and its Kafka wire form.

On the wire an event is a Kafka record in the CloudEvents Kafka *binary* binding: the
value is the JSON payload, the attributes are ``ce_*`` headers, and the record key is the
partition key (the encounter or the claim), so one encounter's events stay in order.
Extension attributes (``correlationid``, ``causationid``, ``schemaversion``,
``partitionkey``, ``traceparent``) follow the CloudEvents naming rules (lower-case
alphanumerics), so generic CloudEvents tooling can read every record.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from rcm_shared.tracing import child_traceparent, new_traceparent

SPEC_VERSION = "1.0"
# Limits on what a record may hold (documented in the README): over them the record is
# dead-lettered with the limit named, before anything parses or stores it.
MAX_PAYLOAD_BYTES = 1_000_000
MAX_PAYLOAD_DEPTH = 32
# The identifying attributes (type, source, correlation id, partition key) are stored in
# length-limited columns and shown in logs: a longer one is the record's fault.
MAX_ATTRIBUTE_CHARS = 200
_IDENTIFYING = ("ce_type", "ce_source", "ce_correlationid", "ce_partitionkey")
CONTENT_TYPE = "application/json"

P = TypeVar("P", bound=BaseModel)


class EnvelopeError(ValueError):
    """A record is not a valid event envelope; ``reason`` names what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Cause:
    """What an event was caused by: enough to continue its causation chain and trace.

    Work started later from stored state (a dispatcher sending a built claim, an 835 posted
    against a submitted claim) keeps the ``Cause`` of the event it acts on, so the chain from
    ``EncounterCompleted`` to ``PaymentPosted`` is never broken by a timer or a mailbox.
    """

    event_id: uuid.UUID
    correlation_id: str
    traceparent: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """A JSON-able form for a database column."""
        return {"event_id": str(self.event_id), "correlation_id": self.correlation_id,
                "traceparent": self.traceparent}

    @classmethod
    def from_json(cls, data: Mapping[str, str | None]) -> Cause:
        """The inverse of :meth:`to_json`."""
        event_id, correlation_id = data.get("event_id"), data.get("correlation_id")
        if not event_id or not correlation_id:
            raise ValueError("a stored cause needs event_id and correlation_id")
        return cls(uuid.UUID(event_id), correlation_id, data.get("traceparent"))


class Envelope(BaseModel):
    """Metadata every event carries, plus its JSON payload."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    schema_version: int = 1
    source: str
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str
    causation_id: uuid.UUID | None = None
    key: str
    traceparent: str | None = None
    payload: dict[str, Any]

    def payload_as(self, model: builtins.type[P]) -> P:
        """Validate the payload against its contract model."""
        return model.model_validate(self.payload)

    def to_kafka(self) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """Return ``(key, value, headers)`` in the CloudEvents Kafka binary binding."""
        headers: list[tuple[str, bytes]] = [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", str(self.id).encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.occurred_at.isoformat().encode()),
            ("ce_schemaversion", str(self.schema_version).encode()),
            ("ce_correlationid", self.correlation_id.encode()),
            ("ce_partitionkey", self.key.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if self.causation_id is not None:
            headers.append(("ce_causationid", str(self.causation_id).encode()))
        if self.traceparent:
            headers.append(("ce_traceparent", self.traceparent.encode()))
            # Plain W3C header too, for tracers that only look there.
            headers.append(("traceparent", self.traceparent.encode()))
        value = json.dumps(self.payload, separators=(",", ":"), default=str).encode()
        return self.key.encode(), value, headers

    @classmethod
    def from_kafka(
        cls, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
    ) -> Envelope:
        """Decode a Kafka record; raise :class:`EnvelopeError` naming the faulty part."""
        h = _headers_dict(headers)
        missing = [n for n in ("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_correlationid") if n not in h]
        if missing:
            raise EnvelopeError(f"missing CloudEvents header(s): {', '.join(missing)}")
        if h["ce_specversion"] != SPEC_VERSION:
            raise EnvelopeError(f"unsupported ce_specversion (only {SPEC_VERSION} is)")
        too_long = [n for n in _IDENTIFYING if len(h.get(n, "")) > MAX_ATTRIBUTE_CHARS]
        if too_long:
            raise EnvelopeError(f"header(s) {', '.join(too_long)} longer than {MAX_ATTRIBUTE_CHARS} characters")
        if value is None:
            raise EnvelopeError("record has no value (tombstone) where an event payload is required")
        if len(value) > MAX_PAYLOAD_BYTES:
            raise EnvelopeError(f"payload is {len(value)} bytes, over the limit of {MAX_PAYLOAD_BYTES}")
        try:
            payload = json.loads(value)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"payload is not JSON: {type(exc).__name__} at position "
                                f"{getattr(exc, 'pos', getattr(exc, 'start', '?'))}") from None
        except RecursionError:
            raise EnvelopeError(f"payload nests deeper than {MAX_PAYLOAD_DEPTH} levels") from None
        if not isinstance(payload, dict):
            raise EnvelopeError("payload must be a JSON object")
        _check_payload_shape(payload)
        for name in ("ce_id", "ce_type", "ce_source", "ce_correlationid", "ce_partitionkey"):
            if any(ord(c) < 32 or ord(c) == 127 for c in h.get(name, "")):
                raise EnvelopeError(f"header {name} holds a control character")
        event_id = _parse(uuid.UUID, h, "ce_id", "a UUID")
        causation_id = _parse(uuid.UUID, h, "ce_causationid", "a UUID") if h.get("ce_causationid") else None
        version = _parse(int, h, "ce_schemaversion", "an integer") if "ce_schemaversion" in h else 1
        occurred_at = (_parse(datetime.fromisoformat, h, "ce_time", "an RFC 3339 time") if "ce_time" in h
                       else datetime.now(UTC))
        try:
            partition_key = h.get("ce_partitionkey") or (key.decode() if key else h["ce_correlationid"])
        except UnicodeDecodeError:
            raise EnvelopeError("record key is not UTF-8 and no ce_partitionkey header names the key") from None
        if any(ord(c) < 32 or ord(c) == 127 for c in partition_key):
            raise EnvelopeError("record key holds a control character")
        if len(partition_key) > MAX_ATTRIBUTE_CHARS:
            raise EnvelopeError(f"record key is longer than {MAX_ATTRIBUTE_CHARS} characters")
        try:
            return cls(
                id=event_id, type=h["ce_type"], schema_version=version, source=h["ce_source"],
                occurred_at=occurred_at, correlation_id=h["ce_correlationid"], causation_id=causation_id,
                key=partition_key, traceparent=h.get("ce_traceparent") or h.get("traceparent"), payload=payload,
            )
        except ValueError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in getattr(exc, "errors", lambda: [])())
            raise EnvelopeError(f"bad CloudEvents attribute(s): {fields or type(exc).__name__}") from None

    def as_cause(self) -> Cause:
        """This event as the cause of others."""
        return Cause(self.id, self.correlation_id, self.traceparent)

    def caused(
        self,
        event_type: str,
        payload: BaseModel | Mapping[str, Any],
        *,
        source: str,
        key: str | None = None,
        schema_version: int = 1,
    ) -> Envelope:
        """A new event caused by this one: same correlation and trace, causation = this id."""
        return caused_by(self.as_cause(), event_type, payload, source=source, key=key or self.key,
                         schema_version=schema_version)


def caused_by(
    cause: Cause,
    event_type: str,
    payload: BaseModel | Mapping[str, Any],
    *,
    source: str,
    key: str | None = None,
    schema_version: int = 1,
) -> Envelope:
    """A new event caused by ``cause``: its correlation, a child span of its trace, causation = its id.

    An untraced cause gives the trace id of its own event id (see :func:`child_traceparent`),
    so one encounter stays one trace across services.
    """
    return new_event(
        event_type,
        payload,
        source=source,
        correlation_id=cause.correlation_id,
        key=key or cause.correlation_id,
        causation_id=cause.event_id,
        traceparent=child_traceparent(cause.traceparent, root=cause.event_id),
        schema_version=schema_version,
    )


def new_event(
    event_type: str,
    payload: BaseModel | Mapping[str, Any],
    *,
    source: str,
    correlation_id: str,
    key: str | None = None,
    causation_id: uuid.UUID | None = None,
    traceparent: str | None = None,
    schema_version: int = 1,
) -> Envelope:
    """Build an envelope around a contract payload (serialised in JSON mode: Decimals as strings)."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else dict(payload)
    return Envelope(
        type=event_type,
        schema_version=schema_version,
        source=source,
        correlation_id=correlation_id,
        causation_id=causation_id,
        key=key or correlation_id,
        traceparent=traceparent or new_traceparent(),
        payload=data,
    )


T = TypeVar("T")


def _parse(parse: Callable[[str], T], headers: Mapping[str, str], name: str, what: str) -> T:
    """Parse one header, naming it (never its value) when it is not ``what``."""
    try:
        return parse(headers[name])
    except (ValueError, TypeError, OverflowError):
        raise EnvelopeError(f"header {name} is not {what}") from None


def _check_payload_shape(payload: dict[str, Any]) -> None:
    """Nesting depth and NUL characters (PostgreSQL's text and JSONB cannot hold U+0000)."""
    stack: list[tuple[Any, str, int]] = [(payload, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_PAYLOAD_DEPTH:
            raise EnvelopeError(f"payload nests deeper than {MAX_PAYLOAD_DEPTH} levels (at {path or '<root>'})")
        if isinstance(node, dict):
            for k, v in node.items():
                if "\x00" in k:
                    raise EnvelopeError(f"payload has a NUL character in a field name under {path or '<root>'}")
                stack.append((v, f"{path}.{k}" if path else k, depth + 1))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            raise EnvelopeError(f"payload field {path} holds a NUL character")


def _headers_dict(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, raw in headers or ():
        try:
            out[name] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as exc:
            raise EnvelopeError(f"header {name!r} is not UTF-8") from exc
    return out

