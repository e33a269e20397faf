"""The envelope's CloudEvents Kafka binary binding."""

from __future__ import annotations

import uuid

import pytest
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.envelope import Envelope, EnvelopeError, new_event
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.tracing import trace_id


def sample() -> Envelope:
    payload = EncounterCompleted.model_validate(encounter_payload("E-1"))
    return new_event(ENCOUNTER_COMPLETED, payload, source="rcm/test", correlation_id="E-1")


def test_an_envelope_survives_the_kafka_round_trip() -> None:
    event = sample()
    key, value, headers = event.to_kafka()
    back = Envelope.from_kafka(key, value, headers)
    assert back == event
    assert key == b"E-1"
    names = [n for n, _ in headers]
    for required in ("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_correlationid",
                     "ce_traceparent", "traceparent", "content-type"):
        assert required in names


def test_money_travels_as_strings_and_comes_back_as_decimal() -> None:
    event = sample()
    _, value, _ = event.to_kafka()
    assert b'"units":"1"' in value
    payload = Envelope.from_kafka(*event.to_kafka()).payload_as(EncounterCompleted)
    assert str(payload.documentation.procedures[0].units) == "1"


def test_a_caused_event_keeps_correlation_and_trace_and_names_its_cause() -> None:
    event = sample()
    child = event.caused("rcm.test.child", {"x": 1}, source="rcm/child")
    assert child.causation_id == event.id
    assert child.correlation_id == event.correlation_id
    assert child.key == event.key
    assert trace_id(child.traceparent) == trace_id(event.traceparent)
    assert child.traceparent != event.traceparent


def _ce(**overrides: bytes | None) -> list[tuple[str, bytes]]:
    """Valid CloudEvents headers with ``overrides`` (None drops a header)."""
    headers = {"ce_specversion": b"1.0", "ce_id": str(uuid.uuid4()).encode(), "ce_type": b"t", "ce_source": b"s",
               "ce_correlationid": b"c"}
    headers.update(overrides)  # type: ignore[arg-type]
    return [(k, v) for k, v in headers.items() if v is not None]


@pytest.mark.parametrize(
    ("headers", "value", "reason"),
    [
        ([], b"{}", "missing CloudEvents header"),
        (_ce(ce_specversion=None), b"{}", "missing CloudEvents header(s): ce_specversion"),
        (_ce(ce_id=b"not-a-uuid"), b"{}", "header ce_id is not a UUID"),
        (_ce(), b"[1, 2]", "payload must be a JSON object"),
        (_ce(), b"{nope", "payload is not JSON"),
        (_ce(ce_specversion=b"0.3"), b"{}", "unsupported ce_specversion"),
        (_ce(), None, "tombstone"),
        (_ce(ce_type=b"t" * 4096), b"{}", "ce_type longer than 200 characters"),
        (_ce(ce_source=b"s" * 201), b"{}", "ce_source longer than 200"),
    ],
)
def test_a_bad_record_gives_an_error_that_names_what_is_wrong(
    headers: list[tuple[str, bytes]], value: bytes | None, reason: str
) -> None:
    with pytest.raises(EnvelopeError) as err:
        Envelope.from_kafka(b"k", value, headers)
    assert reason in err.value.reason


@pytest.mark.parametrize(("key", "reason"), [(b"E-1\x00", "record key holds a control character"),
                                             (b"E" * 201, "record key is longer than 200")])
def test_a_record_key_is_held_to_the_rules_of_the_partition_key_header(key: bytes, reason: str) -> None:
    # A NUL in ce_partitionkey was refused while the same NUL in the record key went through.
    with pytest.raises(EnvelopeError) as err:
        Envelope.from_kafka(key, b"{}", _ce())
    assert reason in err.value.reason
