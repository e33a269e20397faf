"""Redrive of dead letters: the pure parts (header rewrite, id derivation, filters, decisions)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from rcm_cli.redrive import (
    DeadLetter,
    Redrive,
    decide,
    match,
    parse_ids,
    plan_redrive,
    redrive_event_id,
    redriven_headers,
)
from rcm_shared.envelope import new_event

ORIGINAL = uuid.UUID("11111111-2222-4333-8444-555555555555")


def dead_letter(*, offset: int = 7, service: str = "eligibility", reason: str = "TransientError: unreachable",
                headers: list[tuple[str, bytes | None]] | None = None, value: bytes | None = b'{"a":1}') -> DeadLetter:
    event = new_event("rcm.encounter.completed", {"encounter_id": "E-1"}, source="test", correlation_id="E-1")
    key, _, base = event.to_kafka()
    base = [(n, str(ORIGINAL).encode() if n == "ce_id" else v) for n, v in base]
    dlq = [("dlq_reason", reason.encode()), ("dlq_error_type", b"TransientError"),
           ("dlq_original_topic", b"ns.encounters"), ("dlq_original_partition", b"3"),
           ("dlq_original_offset", b"41"), ("dlq_service", service.encode()),
           ("dlq_consumer_group", b"eligibility-encounters"), ("dlq_attempts", b"5"),
           ("dlq_failed_at", b"2026-12-01T00:00:00+00:00")]
    return DeadLetter("ns.eligibility.dlq", 0, offset, key, value,
                      tuple((headers if headers is not None else list(base)) + dlq))


def test_redrive_id_is_deterministic_per_dead_letter_and_differs_between_dead_letters() -> None:
    a = redrive_event_id("ns.eligibility.dlq", 0, 7)
    assert a == redrive_event_id("ns.eligibility.dlq", 0, 7)
    assert a != redrive_event_id("ns.eligibility.dlq", 0, 8)
    assert a != redrive_event_id("ns.eligibility.dlq", 1, 7)
    assert a != redrive_event_id("other.eligibility.dlq", 0, 7)
    assert a.version == 5


def test_headers_lose_dlq_ones_get_new_id_causation_and_redrive_of_and_keep_the_rest_byte_for_byte() -> None:
    new = uuid.uuid4()
    raw = [("ce_id", str(ORIGINAL).encode()), ("ce_type", b"t"), ("x-bin", b"\xff\x00"), ("empty", None),
           ("ce_causationid", b"old"), ("dlq_reason", b"r"), ("dlq_service", b"s")]
    out = redriven_headers(raw, event_id=new, original_event_id=ORIGINAL, redrive_of="ns.x.dlq:0:7")
    assert out == [("ce_id", str(new).encode()), ("ce_type", b"t"), ("x-bin", b"\xff\x00"), ("empty", None),
                   ("ce_causationid", str(ORIGINAL).encode()), ("rcm_redrive_of", b"ns.x.dlq:0:7")]


def test_plan_sends_key_and_value_unchanged_to_the_original_topic_and_partition() -> None:
    dl = dead_letter()
    planned = plan_redrive(dl)
    assert isinstance(planned, Redrive)
    assert (planned.topic, planned.partition, planned.key, planned.value) == ("ns.encounters", 3, dl.key, dl.value)
    assert planned.event_id == redrive_event_id("ns.eligibility.dlq", 0, 7) and planned.original_event_id == ORIGINAL
    h = dict(planned.headers)
    assert not any(n.startswith("dlq_") for n in h)
    assert h["ce_id"] == str(planned.event_id).encode() and h["ce_causationid"] == str(ORIGINAL).encode()
    assert h["rcm_redrive_of"] == b"ns.eligibility.dlq:0:7"
    assert h["rcm_redrive_for"] == b"eligibility-encounters"
    assert h["ce_correlationid"] == b"E-1"


def test_a_record_without_a_valid_envelope_is_refused_naming_the_problem() -> None:
    assert plan_redrive(dead_letter(headers=[])) == (
        "original record has no valid envelope: missing CloudEvents header(s): ce_specversion, ce_id, ce_type, "
        "ce_source, ce_correlationid")
    bad_id = [(n, b"not-a-uuid" if n == "ce_id" else v) for n, v in dead_letter().headers if not n.startswith("dlq_")]
    assert str(plan_redrive(dead_letter(headers=bad_id))).startswith("original record has no valid envelope")
    assert str(plan_redrive(dead_letter(value=b"\x00not json"))).startswith("original record has no valid envelope")


def test_a_dead_letter_without_its_origin_is_refused() -> None:
    dl = dead_letter()
    no_origin = DeadLetter(dl.topic, dl.partition, dl.offset, dl.key, dl.value,
                           tuple(h for h in dl.headers if h[0] != "dlq_original_topic"))
    assert plan_redrive(no_origin) == "no dlq_original_topic header"


def test_filters_on_service_reason_substring_and_original_ids() -> None:
    dl = dead_letter(reason="handler failed: TransientError: clearinghouse unreachable")
    assert match(dl, service="eligibility", reason=None, ids=None) is None
    assert match(dl, service="claims", reason=None, ids=None) == "dead letter of eligibility, not claims"
    assert match(dl, service="eligibility", reason="clearinghouse UNREACHABLE", ids=None) is None
    assert match(dl, service="eligibility", reason="ContractError", ids=None) == "reason does not match --reason"
    assert match(dl, service="eligibility", reason=None, ids=parse_ids(f" {str(ORIGINAL).upper()} ,x")) is None
    assert match(dl, service="eligibility", reason=None, ids=parse_ids("x,y")) == "original ce_id not in --ids"
    assert parse_ids(None) is None and parse_ids("a,,b") == frozenset({"a", "b"})


def test_decide_refuses_what_the_ledger_holds_and_reports_ids_not_found() -> None:
    done, fresh, broken = dead_letter(offset=1), dead_letter(offset=2), dead_letter(offset=3, headers=[])
    planned = plan_redrive(done)
    assert isinstance(planned, Redrive)
    key, value = planned.ledger_entry("eligibility", datetime(2026, 12, 1, tzinfo=UTC))
    assert json.loads(value)["event_id"] == str(planned.event_id) and key == b"ns.eligibility.dlq:0:1"
    ledger = {key.decode(): value.decode()}
    report, todo = decide([done, fresh, broken], ledger, service="eligibility", reason=None, ids=None)
    assert [r.dead_letter.offset for r in todo] == [2]
    assert [(o.dead_letter.offset, o.status) for o in report.outcomes] == [(1, "refused"), (3, "refused")]
    assert report.outcomes[0].why.startswith(f"already redriven (as {str(planned.event_id)[:8]}")
    report, todo = decide([fresh], {}, service="eligibility", reason=None, ids=parse_ids(f"{ORIGINAL},abc"))
    assert len(todo) == 1 and report.ids_not_found == ["abc"]
    report, todo = decide([fresh], {}, service="eligibility", reason="nope", ids=None)
    assert not todo and report.not_matched == 1 and not report.outcomes


def test_a_dead_letter_whose_value_was_left_out_is_refused() -> None:
    dl = dead_letter()
    omitted = DeadLetter(dl.topic, dl.partition, dl.offset, dl.key, b"",
                         (*dl.headers, ("dlq_value_omitted", b"true"), ("dlq_value_size", b"1048758")))
    assert plan_redrive(omitted) == ("value (1048758 bytes) was left out of the dead letter as too large; the "
                                     "original is at ns.encounters[3]@41")


def test_a_null_original_value_is_sent_back_as_null_and_so_refused_as_a_tombstone() -> None:
    dl = dead_letter(value=b"")
    null = DeadLetter(dl.topic, dl.partition, dl.offset, dl.key, b"",
                      (*dl.headers, ("dlq_original_value_null", b"true")))
    assert str(plan_redrive(null)).startswith("original record has no valid envelope: record has no value")
