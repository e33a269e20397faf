"""The catalogue of malformed records the bad-input harness throws at a running platform.

Each kind is a small pure function of :class:`Inputs` returning one Kafka record
``(key, value, headers)``; its name is what a failing assertion reports. Kinds are grouped
by the layer that must refuse them:

- ``envelope``: the Kafka record or its CloudEvents envelope is wrong (not JSON, missing or
  malformed ``ce_*`` headers, limits of :mod:`rcm_shared.envelope`), or the consumer refuses
  it before any handler runs (unknown type, schema version, an event id reused with other
  content);
- ``contract``: a valid envelope whose payload breaks its contract model in one way only
  (every contract kind starts from a valid payload and changes one thing);
- ``handler``: a payload the contract accepts but the handler cannot act on.

Duplicate JSON keys are not a kind: the envelope decodes with :func:`json.loads`, which keeps
the last value, so a record with duplicate keys is a valid event.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rcm_shared.contracts.claims import CLAIM_SUBMITTED
from rcm_shared.contracts.clearinghouse import CLEARINGHOUSE_FILE_RECEIVED
from rcm_shared.contracts.coding import ENCOUNTER_CODED
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED
from rcm_shared.envelope import MAX_PAYLOAD_BYTES, MAX_PAYLOAD_DEPTH, SPEC_VERSION
from rcm_shared.topics import Topic

Record = tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]
Layer = Literal["envelope", "contract", "handler"]

SOURCE = "rcm/bad-input-harness"
# Every bad encounter id starts so: a claim, posting or coding result under it means a bad
# record was processed instead of dead-lettered.
BAD_ENCOUNTER_PREFIX = "XBAD-"
OCCURRED_AT = "2026-09-30T12:00:00+00:00"
# aiokafka's default max_request_size is 1 MiB (1,048,576 bytes) and the local broker keeps
# Kafka's default message.max.bytes (1,048,588): a value this size still reaches the broker,
# and is over the envelope's MAX_PAYLOAD_BYTES.
NEAR_ONE_MIB = 1_040_000


@dataclass(frozen=True)
class Inputs:
    """What one bad record is built from."""

    serial: int  # unique per record: varies ids and content so no two records are the same event
    event_id: uuid.UUID  # a fresh CloudEvents id for this record
    encounter: Mapping[str, Any]  # a valid EncounterCompleted payload (JSON form) to break
    processed_event_id: uuid.UUID  # an EncounterCompleted every encounters consumer already processed

    @property
    def encounter_id(self) -> str:
        return f"{BAD_ENCOUNTER_PREFIX}{self.serial:06d}"


Build = Callable[[Inputs], Record]


@dataclass(frozen=True)
class Kind:
    """One kind of malformed record: where it goes, which layer must refuse it, how it is built."""

    name: str
    topic: Topic
    layer: Layer
    build: Build
    description: str
    heavy: bool = False  # large or slow to refuse: repeated fewer times


_KINDS: list[Kind] = []


def kind(topic: Topic, layer: Layer, *, heavy: bool = False) -> Callable[[Build], Build]:
    """Add the decorated builder to the catalogue under its function name."""

    def register(build: Build) -> Build:
        doc = (build.__doc__ or build.__name__).strip().splitlines()[0]
        _KINDS.append(Kind(build.__name__, topic, layer, build, doc, heavy))
        return build

    return register


def catalogue() -> tuple[Kind, ...]:
    """Every kind, in the order they are declared (grouped by topic and layer)."""
    return tuple(_KINDS)


# ---------------------------------------------------------------------------------------------
# Building blocks

def ce_headers(
    event_id: uuid.UUID | str, event_type: str, key: str, changes: Mapping[str, bytes | None] | None = None
) -> list[tuple[str, bytes]]:
    """The CloudEvents headers a valid event carries; ``changes`` replaces (or, with None, drops) some."""
    headers: dict[str, bytes] = {
        "ce_specversion": SPEC_VERSION.encode(),
        "ce_id": str(event_id).encode(),
        "ce_type": event_type.encode(),
        "ce_source": SOURCE.encode(),
        "ce_time": OCCURRED_AT.encode(),
        "ce_schemaversion": b"1",
        "ce_correlationid": key.encode(),
        "ce_partitionkey": key.encode(),
        "content-type": b"application/json",
    }
    for name, value in (changes or {}).items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return list(headers.items())


def to_json(payload: Any) -> bytes:
    """Compact JSON, as the platform writes it (``NaN``/``Infinity`` pass through as bare tokens)."""
    return json.dumps(payload, separators=(",", ":")).encode()


def encounter(s: Inputs) -> dict[str, Any]:
    """A private, valid copy of the template encounter under this record's bad encounter id."""
    p = copy.deepcopy(dict(s.encounter))
    p["encounter_id"] = s.encounter_id
    return p


def encounter_record(
    s: Inputs, payload: Any, changes: Mapping[str, bytes | None] | None = None, *, value: bytes | None = None
) -> Record:
    """An EncounterCompleted record keyed by the bad encounter id (``value`` overrides the JSON)."""
    key = s.encounter_id
    body = value if value is not None else to_json(payload)
    return key.encode(), body, ce_headers(s.event_id, ENCOUNTER_COMPLETED, key, changes)


def eligibility_checked(s: Inputs) -> dict[str, Any]:
    """A valid EligibilityChecked payload for the bad encounter."""
    return {"encounter_id": s.encounter_id, "payer_id": "SBXPPO01", "member_id": f"XM{s.serial:08d}",
            "date_of_service": "2026-08-03", "status": "active", "rejection_codes": [], "plan_name": "Harness PPO",
            "copay": "20.00", "coinsurance_percent": "20", "deductible_remaining": "500.00",
            "out_of_pocket_remaining": "1500.00", "checked_at": OCCURRED_AT}


def encounter_coded(s: Inputs) -> dict[str, Any]:
    """A valid EncounterCoded payload for the bad encounter."""
    return {"encounter_id": s.encounter_id, "date_of_service": "2026-08-03",
            "diagnoses": [{"code": "I10", "rank": 1}],
            "lines": [{"code": "99213", "code_system": "CPT", "modifiers": [], "units": "1",
                       "diagnosis_pointers": [1]}],
            "coded_by": "engine", "reviewed": False, "review_trail": []}


def claim_submitted(s: Inputs) -> dict[str, Any]:
    """A valid ClaimSubmitted payload for the bad encounter."""
    return {"claim_id": f"XB{s.serial:010d}", "encounter_id": s.encounter_id, "payer_id": "SBXPPO01",
            "frequency_code": "1", "total_charge": "125.00",
            "lines": [{"line_number": 1, "code": "99213", "modifiers": [], "units": "1", "charge": "125.00"}],
            "interchange_control_number": f"{s.serial % 1_000_000_000:09d}", "submitted_at": OCCURRED_AT}


def clearinghouse_file(s: Inputs, file_kind: str) -> dict[str, Any]:
    """A valid ClearinghouseFileReceived payload (its content is not looked at by the contract)."""
    return {"file_id": f"XBAD-file-{s.serial:06d}", "kind": file_kind, "mailbox_seq": s.serial,
            "content": "ISA*00*          *00*          *ZZ*SANDBOX        *ZZ*RCM            *~",
            "received_at": OCCURRED_AT}


def event_record(
    s: Inputs, event_type: str, payload: Any, changes: Mapping[str, bytes | None] | None = None,
    *, value: bytes | None = None,
) -> Record:
    """A record of another topic, keyed by the bad encounter id."""
    key = s.encounter_id
    body = value if value is not None else to_json(payload)
    return key.encode(), body, ce_headers(s.event_id, event_type, key, changes)


def nested(depth: int) -> bytes:
    """A JSON object nested ``depth`` levels deep."""
    return b'{"a":' * depth + b"1" + b"}" * depth


# ---------------------------------------------------------------------------------------------
# encounters: the Kafka record and its envelope

@kind(Topic.ENCOUNTERS, "envelope")
def value_not_json(s: Inputs) -> Record:
    """A value that is not JSON at all."""
    return encounter_record(s, None, value=f"encounter {s.serial} completed, see attached".encode())


@kind(Topic.ENCOUNTERS, "envelope")
def value_invalid_utf8(s: Inputs) -> Record:
    """A JSON-looking value with bytes that are not UTF-8."""
    return encounter_record(s, None, value=b'{"encounter_id":"' + s.encounter_id.encode() + b'\xff\xfe\xc3"}')


@kind(Topic.ENCOUNTERS, "envelope")
def value_empty(s: Inputs) -> Record:
    """An empty value (zero bytes)."""
    return encounter_record(s, None, value=b"")


@kind(Topic.ENCOUNTERS, "envelope")
def value_null_tombstone(s: Inputs) -> Record:
    """A null value (a tombstone) where an event payload is required."""
    key, _, headers = encounter_record(s, None, value=b"")
    return key, None, headers


@kind(Topic.ENCOUNTERS, "envelope")
def json_array(s: Inputs) -> Record:
    """A JSON array where an object is required."""
    return encounter_record(s, [encounter(s)])


@kind(Topic.ENCOUNTERS, "envelope")
def json_number(s: Inputs) -> Record:
    """A JSON number where an object is required."""
    return encounter_record(s, s.serial)


@kind(Topic.ENCOUNTERS, "envelope")
def json_string(s: Inputs) -> Record:
    """A JSON string where an object is required."""
    return encounter_record(s, s.encounter_id)


@kind(Topic.ENCOUNTERS, "envelope")
def json_true(s: Inputs) -> Record:
    """The JSON literal true where an object is required."""
    return encounter_record(s, True)


@kind(Topic.ENCOUNTERS, "envelope", heavy=True)
def json_nested_100000_deep(s: Inputs) -> Record:
    """JSON nested 100,000 levels deep (the parser's recursion limit, not the shape check, stops it)."""
    return encounter_record(s, None, value=b'{"n":' + str(s.serial).encode() + b',"deep":' + b"[" * 100_000
                            + b"]" * 100_000 + b"}")


@kind(Topic.ENCOUNTERS, "envelope")
def json_nested_past_depth_limit(s: Inputs) -> Record:
    """A parseable object nested a few levels past MAX_PAYLOAD_DEPTH."""
    return encounter_record(s, None, value=b'{"n":' + str(s.serial).encode() + b',"deep":'
                            + nested(MAX_PAYLOAD_DEPTH + 3) + b"}")


@kind(Topic.ENCOUNTERS, "envelope", heavy=True)
def value_near_one_mib(s: Inputs) -> Record:
    """A JSON object of about 1 MiB: over MAX_PAYLOAD_BYTES, under the broker's and producer's limits."""
    head = to_json({"encounter_id": s.encounter_id, "pad": ""})[:-2]
    value = head + b"x" * (NEAR_ONE_MIB - len(head) - 2) + b'"}'
    assert len(value) == NEAR_ONE_MIB > MAX_PAYLOAD_BYTES
    return encounter_record(s, None, value=value)


@kind(Topic.ENCOUNTERS, "envelope")
def missing_ce_id(s: Inputs) -> Record:
    """A valid encounter without the ce_id header."""
    return encounter_record(s, encounter(s), {"ce_id": None})


@kind(Topic.ENCOUNTERS, "envelope")
def missing_ce_type(s: Inputs) -> Record:
    """A valid encounter without the ce_type header."""
    return encounter_record(s, encounter(s), {"ce_type": None})


@kind(Topic.ENCOUNTERS, "envelope")
def missing_ce_source(s: Inputs) -> Record:
    """A valid encounter without the ce_source header."""
    return encounter_record(s, encounter(s), {"ce_source": None})


@kind(Topic.ENCOUNTERS, "envelope")
def missing_ce_specversion(s: Inputs) -> Record:
    """A valid encounter without ce_specversion (REQUIRED by CloudEvents 1.0 and its Kafka binding)."""
    return encounter_record(s, encounter(s), {"ce_specversion": None})


@kind(Topic.ENCOUNTERS, "envelope")
def missing_ce_correlationid(s: Inputs) -> Record:
    """A valid encounter without the ce_correlationid header."""
    return encounter_record(s, encounter(s), {"ce_correlationid": None})


@kind(Topic.ENCOUNTERS, "envelope")
def unsupported_ce_specversion(s: Inputs) -> Record:
    """A valid encounter claiming CloudEvents 0.3."""
    return encounter_record(s, encounter(s), {"ce_specversion": b"0.3"})


@kind(Topic.ENCOUNTERS, "envelope")
def unknown_ce_type(s: Inputs) -> Record:
    """A valid encounter under an event type the contract does not know."""
    return encounter_record(s, encounter(s), {"ce_type": b"rcm.encounter.complete"})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_schemaversion_99(s: Inputs) -> Record:
    """A valid encounter under schema version 99, which no consumer accepts."""
    return encounter_record(s, encounter(s), {"ce_schemaversion": b"99"})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_schemaversion_abc(s: Inputs) -> Record:
    """A valid encounter whose ce_schemaversion is not an integer."""
    return encounter_record(s, encounter(s), {"ce_schemaversion": b"abc"})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_id_not_a_uuid(s: Inputs) -> Record:
    """A valid encounter whose ce_id is not a UUID."""
    return encounter_record(s, encounter(s), {"ce_id": f"event-{s.serial}".encode()})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_id_control_characters(s: Inputs) -> Record:
    """A valid encounter whose ce_id holds control characters around a UUID."""
    return encounter_record(s, encounter(s), {"ce_id": b"\x1b[31m" + str(s.event_id).encode() + b"\r\n\x07"})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_time_not_rfc3339(s: Inputs) -> Record:
    """A valid encounter whose ce_time is not a time."""
    return encounter_record(s, encounter(s), {"ce_time": b"yesterday afternoon"})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_causationid_not_a_uuid(s: Inputs) -> Record:
    """A valid encounter whose ce_causationid is not a UUID."""
    return encounter_record(s, encounter(s), {"ce_causationid": f"cause-{s.serial}".encode()})


@kind(Topic.ENCOUNTERS, "envelope")
def ce_partitionkey_control_character(s: Inputs) -> Record:
    """A valid encounter whose ce_partitionkey holds a NUL."""
    return encounter_record(s, encounter(s), {"ce_partitionkey": s.encounter_id.encode() + b"\x00"})


@kind(Topic.ENCOUNTERS, "envelope")
def record_key_nul_byte(s: Inputs) -> Record:
    """A valid encounter without ce_partitionkey whose record key (so its partition key) holds a NUL."""
    _, value, headers = encounter_record(s, encounter(s), {"ce_partitionkey": None})
    return s.encounter_id.encode() + b"\x00" + str(s.serial).encode(), value, headers


@kind(Topic.ENCOUNTERS, "envelope")
def record_key_not_utf8(s: Inputs) -> Record:
    """A valid encounter without ce_partitionkey whose record key is not UTF-8."""
    _, value, headers = encounter_record(s, encounter(s), {"ce_partitionkey": None})
    return b"\xff\xfe" + s.encounter_id.encode(), value, headers


@kind(Topic.ENCOUNTERS, "envelope")
def header_nul_byte_in_invalid_record(s: Inputs) -> Record:
    """A NUL in ce_source (and in an extra header) of a record that is not JSON: the dead letter keeps them."""
    key, value, headers = encounter_record(s, None, {"ce_source": b"rcm/\x00ehr"},
                                           value=b"not json " + str(s.serial).encode())
    return key, value, [*headers, ("x-ehr-batch", b"batch\x00" + str(s.serial).encode())]


@kind(Topic.ENCOUNTERS, "envelope")
def header_value_not_utf8(s: Inputs) -> Record:
    """A valid encounter whose ce_source header is not UTF-8."""
    return encounter_record(s, encounter(s), {"ce_source": b"rcm/\xff\xfe\xfd"})


@kind(Topic.ENCOUNTERS, "envelope", heavy=True)
def huge_ce_id_header(s: Inputs) -> Record:
    """A valid encounter whose ce_id header is 256 KiB long."""
    return encounter_record(s, encounter(s), {"ce_id": str(s.event_id).encode() * (262_144 // 36)})


@kind(Topic.ENCOUNTERS, "envelope")
def huge_ce_type_header(s: Inputs) -> Record:
    """A valid encounter under an unknown event type 4 KiB long (longer than the inbox's event_type column)."""
    return encounter_record(s, encounter(s), {"ce_type": b"rcm.encounter." + b"completed." * 410})


@kind(Topic.ENCOUNTERS, "envelope")
def reused_event_id_other_content(s: Inputs) -> Record:
    """A valid encounter reusing the ce_id of an already processed encounter: a conflict, not a duplicate."""
    key = s.encounter_id
    return key.encode(), to_json(encounter(s)), ce_headers(s.processed_event_id, ENCOUNTER_COMPLETED, key)


@kind(Topic.ENCOUNTERS, "envelope")
def reused_event_id_invalid_content(s: Inputs) -> Record:
    """An invalid encounter (no patient) reusing the ce_id of an already processed encounter."""
    p = encounter(s)
    del p["patient"]
    key = s.encounter_id
    return key.encode(), to_json(p), ce_headers(s.processed_event_id, ENCOUNTER_COMPLETED, key)


# ---------------------------------------------------------------------------------------------
# encounters: valid envelopes, EncounterCompleted payloads the contract refuses


@kind(Topic.ENCOUNTERS, "contract")
def missing_patient(s: Inputs) -> Record:
    """EncounterCompleted without its required patient."""
    p = encounter(s)
    del p["patient"]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def missing_date_of_service(s: Inputs) -> Record:
    """EncounterCompleted without its required date_of_service."""
    p = encounter(s)
    del p["date_of_service"]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def missing_billing_provider_npi(s: Inputs) -> Record:
    """A billing provider without its required NPI."""
    p = encounter(s)
    del p["billing_provider"]["npi"]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def encounter_id_a_number(s: Inputs) -> Record:
    """encounter_id as a JSON number (strings are not coerced from numbers)."""
    p = encounter(s)
    p["encounter_id"] = 900_000 + s.serial
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def patient_a_string(s: Inputs) -> Record:
    """patient as a string instead of an object."""
    p = encounter(s)
    p["patient"] = f"{p['patient']['last_name']}, {p['patient']['first_name']}"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def procedures_an_object(s: Inputs) -> Record:
    """documentation.procedures as an object instead of a list."""
    p = encounter(s)
    p["documentation"]["procedures"] = {"first": p["documentation"]["procedures"][0]}
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def date_of_service_yesterday(s: Inputs) -> Record:
    """date_of_service "yesterday"."""
    p = encounter(s)
    p["date_of_service"] = "yesterday"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def date_of_service_february_30(s: Inputs) -> Record:
    """date_of_service 2026-02-30, a day that does not exist."""
    p = encounter(s)
    p["date_of_service"] = "2026-02-30"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def birth_date_month_13(s: Inputs) -> Record:
    """patient.birth_date in month 13."""
    p = encounter(s)
    p["patient"]["birth_date"] = "1980-13-01"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def units_negative(s: Inputs) -> Record:
    """A procedure billed for -1 units (units must be > 0)."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["units"] = "-1"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def units_not_decimal(s: Inputs) -> Record:
    """A procedure's units "one" (not a decimal)."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["units"] = "one"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def units_too_many_decimals(s: Inputs) -> Record:
    """A procedure's units as the float 1.0001 (the contract allows three decimal places)."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["units"] = 1.0001
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def units_nan(s: Inputs) -> Record:
    """A procedure's units as the bare JSON token NaN (Python's json reads it)."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["units"] = float("nan")
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def units_infinity(s: Inputs) -> Record:
    """A procedure's units as the bare JSON token Infinity."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["units"] = float("inf")
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def encounter_id_too_long(s: Inputs) -> Record:
    """encounter_id of 39 characters (max 38)."""
    p = encounter(s)
    p["encounter_id"] = (s.encounter_id + "-" + "9" * 38)[:39]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def first_name_too_long(s: Inputs) -> Record:
    """patient.first_name of 36 characters (max 35)."""
    p = encounter(s)
    p["patient"]["first_name"] = "A" * 36
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract", heavy=True)
def note_text_too_long(s: Inputs) -> Record:
    """documentation.note_text of 100,001 characters (max 100,000)."""
    p = encounter(s)
    p["documentation"]["note_text"] = ("Assessment: stable. " * 5001)[:100_001]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def nul_in_note_text(s: Inputs) -> Record:
    """A NUL character (JSON escape \\u0000) in the clinical note."""
    p = encounter(s)
    p["documentation"]["note_text"] = "Assessment: stable.\x00 Plan: continue."
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def nul_in_patient_name(s: Inputs) -> Record:
    """A NUL character in the patient's last name."""
    p = encounter(s)
    p["patient"]["last_name"] = p["patient"]["last_name"] + "\x00"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def lone_surrogate_in_patient_name(s: Inputs) -> Record:
    r"""A lone surrogate escape \ud800 in the patient's first name (valid JSON, not a Unicode string)."""
    p = encounter(s)
    p["patient"]["first_name"] = "Al\ud800ex"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def icd10_code_too_long(s: Inputs) -> Record:
    """A documented diagnosis code of 10 characters (the contract allows at most 8, as E11.3599 is)."""
    p = encounter(s)
    p["documentation"]["diagnoses"] = [{"code": "E11.22XYZW"}]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def npi_bad_check_digit(s: Inputs) -> Record:
    """A rendering provider NPI whose Luhn check digit is wrong."""
    p = encounter(s)
    npi = p["rendering_provider"]["npi"]
    p["rendering_provider"]["npi"] = npi[:9] + str((int(npi[9]) + 1 + s.serial % 9) % 10)
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def npi_not_ten_digits(s: Inputs) -> Record:
    """A billing provider NPI of nine digits."""
    p = encounter(s)
    p["billing_provider"]["npi"] = p["billing_provider"]["npi"][:9]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def procedure_code_malformed(s: Inputs) -> Record:
    """A procedure code of four characters (CPT/HCPCS codes are five)."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["code"] = "9921"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def five_modifiers(s: Inputs) -> Record:
    """A procedure with five modifiers (max four)."""
    p = encounter(s)
    p["documentation"]["procedures"][0]["modifiers"] = ["25", "59", "76", "77", "91"]
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def sex_not_allowed(s: Inputs) -> Record:
    """patient.sex "X" (allowed: F, M, U)."""
    p = encounter(s)
    p["patient"]["sex"] = "X"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def state_lower_case(s: Inputs) -> Record:
    """A patient address state "il" (two capital letters required)."""
    p = encounter(s)
    p["patient"]["address"]["state"] = "il"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def tax_id_with_dash(s: Inputs) -> Record:
    """A billing provider tax id "12-3456789" (nine digits required)."""
    p = encounter(s)
    p["billing_provider"]["tax_id"] = "12-3456789"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def place_of_service_one_digit(s: Inputs) -> Record:
    """place_of_service "1" (two digits required)."""
    p = encounter(s)
    p["place_of_service"] = "1"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def dependent_without_subscriber(s: Inputs) -> Record:
    """Coverage for a child with no subscriber (required when relationship is not self)."""
    p = encounter(s)
    p["coverage"]["relationship"] = "child"
    p["coverage"].pop("subscriber", None)
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def extra_top_level_field(s: Inputs) -> Record:
    """An extra top-level field (contracts forbid unknown fields)."""
    p = encounter(s)
    p["priority"] = "urgent"
    return encounter_record(s, p)


@kind(Topic.ENCOUNTERS, "contract")
def extra_patient_field(s: Inputs) -> Record:
    """An extra field in the patient (a misspelt first_name)."""
    p = encounter(s)
    p["patient"]["firstname"] = p["patient"]["first_name"]
    return encounter_record(s, p)


# ---------------------------------------------------------------------------------------------
# eligibility.events (consumed by claims/intake)

@kind(Topic.ELIGIBILITY_EVENTS, "envelope")
def eligibility_value_not_json(s: Inputs) -> Record:
    """An eligibility event whose value is not JSON."""
    return event_record(s, ELIGIBILITY_CHECKED, None, value=b"271 ACTIVE COVERAGE")


@kind(Topic.ELIGIBILITY_EVENTS, "envelope")
def eligibility_unknown_ce_type(s: Inputs) -> Record:
    """A valid EligibilityChecked under an unknown event type."""
    return event_record(s, "rcm.eligibility.verified", eligibility_checked(s))


@kind(Topic.ELIGIBILITY_EVENTS, "contract")
def eligibility_status_not_allowed(s: Inputs) -> Record:
    """EligibilityChecked with status "maybe" (allowed: active, inactive, rejected)."""
    p = eligibility_checked(s)
    p["status"] = "maybe"
    return event_record(s, ELIGIBILITY_CHECKED, p)


@kind(Topic.ELIGIBILITY_EVENTS, "contract")
def eligibility_copay_fraction_of_a_cent(s: Inputs) -> Record:
    """A copay of 20.005 as a float (money has two decimal places)."""
    p = eligibility_checked(s)
    p["copay"] = 20.005
    return event_record(s, ELIGIBILITY_CHECKED, p)


@kind(Topic.ELIGIBILITY_EVENTS, "contract")
def eligibility_coinsurance_over_100(s: Inputs) -> Record:
    """A coinsurance of 150 percent (0..100)."""
    p = eligibility_checked(s)
    p["coinsurance_percent"] = "150"
    return event_record(s, ELIGIBILITY_CHECKED, p)


@kind(Topic.ELIGIBILITY_EVENTS, "contract")
def eligibility_missing_checked_at(s: Inputs) -> Record:
    """EligibilityChecked without its required checked_at."""
    p = eligibility_checked(s)
    del p["checked_at"]
    return event_record(s, ELIGIBILITY_CHECKED, p)


# ---------------------------------------------------------------------------------------------
# coding.events (consumed by claims/intake)

@kind(Topic.CODING_EVENTS, "envelope")
def coded_null_tombstone(s: Inputs) -> Record:
    """A tombstone on coding.events."""
    key, _, headers = event_record(s, ENCOUNTER_CODED, None, value=b"")
    return key, None, headers


@kind(Topic.CODING_EVENTS, "envelope")
def coded_schemaversion_99(s: Inputs) -> Record:
    """A valid EncounterCoded under schema version 99."""
    return event_record(s, ENCOUNTER_CODED, encounter_coded(s), {"ce_schemaversion": b"99"})


@kind(Topic.CODING_EVENTS, "contract")
def coded_empty_diagnoses(s: Inputs) -> Record:
    """EncounterCoded with an empty diagnoses list (at least one required)."""
    p = encounter_coded(s)
    p["diagnoses"] = []
    return event_record(s, ENCOUNTER_CODED, p)


@kind(Topic.CODING_EVENTS, "contract")
def coded_empty_lines(s: Inputs) -> Record:
    """EncounterCoded with an empty lines list (at least one required)."""
    p = encounter_coded(s)
    p["lines"] = []
    return event_record(s, ENCOUNTER_CODED, p)


@kind(Topic.CODING_EVENTS, "contract")
def coded_line_without_diagnosis_pointers(s: Inputs) -> Record:
    """A coded line with no diagnosis pointer (one to four required)."""
    p = encounter_coded(s)
    p["lines"][0]["diagnosis_pointers"] = []
    return event_record(s, ENCOUNTER_CODED, p)


@kind(Topic.CODING_EVENTS, "contract")
def coded_code_system_not_allowed(s: Inputs) -> Record:
    """A coded line in code system "ICD" (allowed: CPT, HCPCS)."""
    p = encounter_coded(s)
    p["lines"][0]["code_system"] = "ICD"
    return event_record(s, ENCOUNTER_CODED, p)


# ---------------------------------------------------------------------------------------------
# claims.events (consumed by payments/claims)

@kind(Topic.CLAIMS_EVENTS, "envelope")
def claim_event_missing_ce_type(s: Inputs) -> Record:
    """A valid ClaimSubmitted without ce_type."""
    return event_record(s, CLAIM_SUBMITTED, claim_submitted(s), {"ce_type": None})


@kind(Topic.CLAIMS_EVENTS, "envelope")
def claim_event_json_array(s: Inputs) -> Record:
    """A JSON array of claims where one object is required."""
    return event_record(s, CLAIM_SUBMITTED, [claim_submitted(s)])


@kind(Topic.CLAIMS_EVENTS, "contract")
def claim_total_charge_not_decimal(s: Inputs) -> Record:
    """ClaimSubmitted with total_charge "ten dollars"."""
    p = claim_submitted(s)
    p["total_charge"] = "ten dollars"
    return event_record(s, CLAIM_SUBMITTED, p)


@kind(Topic.CLAIMS_EVENTS, "contract")
def claim_charge_fraction_of_a_cent(s: Inputs) -> Record:
    """A claim line charge of 125.005 as a float (money has two decimal places)."""
    p = claim_submitted(s)
    p["lines"][0]["charge"] = 125.005
    return event_record(s, CLAIM_SUBMITTED, p)


@kind(Topic.CLAIMS_EVENTS, "contract")
def claim_frequency_code_not_allowed(s: Inputs) -> Record:
    """A claim frequency code "9" (allowed: 1, 7, 8)."""
    p = claim_submitted(s)
    p["frequency_code"] = "9"
    return event_record(s, CLAIM_SUBMITTED, p)


@kind(Topic.CLAIMS_EVENTS, "contract")
def claim_line_number_zero(s: Inputs) -> Record:
    """A claim line numbered 0 (line numbers start at 1)."""
    p = claim_submitted(s)
    p["lines"][0]["line_number"] = 0
    return event_record(s, CLAIM_SUBMITTED, p)


# ---------------------------------------------------------------------------------------------
# claims.acks (raw 999/277CA files; consumed by claims/acks)

@kind(Topic.CLAIMS_ACKS, "envelope")
def ack_value_invalid_utf8(s: Inputs) -> Record:
    """A clearinghouse file event whose value is not UTF-8."""
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, None, value=b'{"content":"ISA*\xff\xfe~"}')


@kind(Topic.CLAIMS_ACKS, "contract")
def ack_file_kind_not_allowed(s: Inputs) -> Record:
    """A clearinghouse file of kind "837" (allowed: 999, 277CA, 835, TA1)."""
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, clearinghouse_file(s, "837"))


@kind(Topic.CLAIMS_ACKS, "contract")
def ack_mailbox_seq_negative(s: Inputs) -> Record:
    """A clearinghouse file with mailbox_seq -1 (>= 0)."""
    p = clearinghouse_file(s, "277CA")
    p["mailbox_seq"] = -1 - s.serial
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, p)


@kind(Topic.CLAIMS_ACKS, "contract")
def ack_missing_content(s: Inputs) -> Record:
    """A 277CA file event without its required content."""
    p = clearinghouse_file(s, "277CA")
    del p["content"]
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, p)


@kind(Topic.CLAIMS_ACKS, "handler", heavy=True)
def ack_277ca_content_not_x12(s: Inputs) -> Record:
    """A 277CA file event (valid by contract) whose content is not an X12 interchange."""
    p = clearinghouse_file(s, "277CA")
    p["content"] = f"<html>502 Bad Gateway {s.serial}</html>"
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, p)


# ---------------------------------------------------------------------------------------------
# payments.remittances (raw 835 files; consumed by payments/remittances)

@kind(Topic.PAYMENTS_REMITTANCES, "envelope")
def remittance_value_empty(s: Inputs) -> Record:
    """A remittance file event with an empty value."""
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, None, value=b"")


@kind(Topic.PAYMENTS_REMITTANCES, "envelope")
def remittance_missing_ce_id(s: Inputs) -> Record:
    """A valid 835 file event without ce_id."""
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, clearinghouse_file(s, "835"), {"ce_id": None})


@kind(Topic.PAYMENTS_REMITTANCES, "contract")
def remittance_file_kind_not_allowed(s: Inputs) -> Record:
    """A remittance file of kind "820" (allowed: 999, 277CA, 835, TA1)."""
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, clearinghouse_file(s, "820"))


@kind(Topic.PAYMENTS_REMITTANCES, "contract")
def remittance_received_at_yesterday(s: Inputs) -> Record:
    """An 835 file event received "yesterday"."""
    p = clearinghouse_file(s, "835")
    p["received_at"] = "yesterday"
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, p)


@kind(Topic.PAYMENTS_REMITTANCES, "contract")
def remittance_content_not_a_string(s: Inputs) -> Record:
    """An 835 file event whose content is a list of segments instead of the interchange text."""
    p = clearinghouse_file(s, "835")
    p["content"] = ["ISA", "GS", "ST*835", "SE", "GE", "IEA"]
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, p)


@kind(Topic.PAYMENTS_REMITTANCES, "contract")
def remittance_extra_field(s: Inputs) -> Record:
    """An 835 file event with an unknown field."""
    p = clearinghouse_file(s, "835")
    p["payer"] = "SBXPPO01"
    return event_record(s, CLEARINGHOUSE_FILE_RECEIVED, p)


# Which consumer groups (service, subscription) read each topic: from each service's
# entrypoints/consumers.py. A bad record must be dead-lettered once by every one of them.
CONSUMERS: Mapping[Topic, tuple[tuple[str, str], ...]] = {
    Topic.ENCOUNTERS: (("eligibility", "encounters"), ("coding", "encounters"), ("claims", "intake")),
    Topic.ELIGIBILITY_EVENTS: (("claims", "intake"),),
    Topic.CODING_EVENTS: (("claims", "intake"),),
    Topic.CLAIMS_EVENTS: (("payments", "claims"),),
    Topic.CLAIMS_ACKS: (("claims", "acks"),),
    Topic.PAYMENTS_REMITTANCES: (("payments", "remittances"),),
}
