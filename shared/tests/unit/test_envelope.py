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


@pytest.mark.parametrize(
    ("headers", "value", "reason"),
    [
        ([], b"{}", "missing CloudEvents header"),
        ([("ce_id", b"not-a-uuid"), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_correlationid", b"c")], b"{}",
         "header ce_id is not a UUID"),
        ([("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_correlationid", b"c")],
         b"[1, 2]", "payload must be a JSON object"),
        ([("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_correlationid", b"c")],
         b"{nope", "payload is not JSON"),
        ([("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_correlationid", b"c"),
          ("ce_specversion", b"0.3")], b"{}", "unsupported ce_specversion"),
        ([("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"t"), ("ce_source", b"s"), ("ce_correlationid", b"c")],
         None, "tombstone"),
    ],
)
def test_a_bad_record_gives_an_error_that_names_what_is_wrong(
    headers: list[tuple[str, bytes]], value: bytes | None, reason: str
) -> None:
    with pytest.raises(EnvelopeError) as err:
        Envelope.from_kafka(b"k", value, headers)
    assert reason in err.value.reason
