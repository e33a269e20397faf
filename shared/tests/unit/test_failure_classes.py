"""One classification of failures, and the consumer loop's answer to each class, on the
in-memory unit of work (no broker, no database)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest
from aiokafka import ConsumerRecord
from aiokafka import errors as kafka_errors
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.envelope import new_event
from rcm_shared.errors import PermanentError, TransientError
from rcm_shared.messaging import Event, Subscription
from rcm_shared.messaging.failures import FailureClass, classify, safe_reason
from rcm_shared.testing.fakes import InMemoryStore, InMemoryUnitOfWork, deliver, deliver_record, kafka_record
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic
from sqlalchemy import exc as sa_exc


def _wrapped(driver_error: BaseException) -> sa_exc.DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: a plain DBAPIError whose cause is asyncpg's."""
    try:
        try:
            raise driver_error
        except BaseException as inner:
            raise sa_exc.DBAPIError("INSERT INTO inbox ...", {"encounter_id": "E-SECRET"}, inner) from inner
    except sa_exc.DBAPIError as outer:
        return outer


@pytest.mark.parametrize("error", [
    _wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
    _wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")),
    _wrapped(asyncpg.exceptions.CrashShutdownError("terminating connection due to crash")),
    _wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")),
    _wrapped(asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already")),
    _wrapped(ConnectionRefusedError(111, "Connection refused")),
    sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")),
    sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    sa_exc.TimeoutError("QueuePool limit reached"),
    ConnectionResetError(104, "Connection reset by peer"),
    OSError(113, "No route to host"),
    TimeoutError(),
    httpx.ConnectError("connection refused"),
    httpx.ReadTimeout("timed out"),
    httpx.RemoteProtocolError("server disconnected"),
    TransientError("clearinghouse answered 503"),
    kafka_errors.KafkaConnectionError("broker down"),
    kafka_errors.NodeNotReadyError("node not ready"),
    kafka_errors.RequestTimedOutError("timed out"),
], ids=lambda e: type(e).__name__ + (f"({type(e.orig).__name__})" if isinstance(e, sa_exc.DBAPIError) else ""))
def test_an_unavailable_dependency_is_infrastructure_whatever_wraps_it(error: BaseException) -> None:
    assert classify(error) is FailureClass.INFRASTRUCTURE


@pytest.mark.parametrize("error", [
    PermanentError("documentation cannot be coded"),
    _wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key")),
    _wrapped(asyncpg.exceptions.DataError("invalid input syntax")),
    KeyError("code"),
    ValueError("bad"),
    FileNotFoundError("missing.json"),
])
def test_the_messages_fault_and_bugs_are_not_infrastructure(error: BaseException) -> None:
    expected = FailureClass.MESSAGE if isinstance(error, PermanentError) else FailureClass.UNKNOWN
    assert classify(error) is expected


def test_a_permanent_error_raised_while_handling_an_outage_is_still_the_messages_fault() -> None:
    try:
        try:
            raise ConnectionRefusedError()
        except ConnectionRefusedError:
            raise PermanentError("bad input") from None
    except PermanentError as exc:
        assert classify(exc) is FailureClass.MESSAGE


def test_a_database_error_reason_carries_no_sql_and_no_parameters() -> None:
    reason = safe_reason(_wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key value")))
    assert "E-SECRET" not in reason and "INSERT" not in reason
    assert "DBAPIError" in reason


@dataclass
class Store(InMemoryStore):
    effects: list[str] = field(default_factory=list)
    calls: int = 0


class Uow(InMemoryUnitOfWork[Store]):
    pass


def _subscription(store: Store, fail_times: int = 0, error: type[Exception] = TransientError,
                  versions: frozenset[int] | None = None) -> Subscription[Uow]:
    async def on_encounter(event: Event[EncounterCompleted], uow: Uow) -> None:
        store.calls += 1
        if store.calls <= fail_times:
            raise error("dependency unavailable")
        uow.state.effects.append(event.payload.encounter_id)

    return Subscription(name="t", topics=(Topic.ENCOUNTERS,), handlers={ENCOUNTER_COMPLETED: on_encounter},
                        accepted_versions={ENCOUNTER_COMPLETED: versions} if versions else {})


def _event(encounter_id: str, **overrides: object) -> object:
    return new_event(ENCOUNTER_COMPLETED, encounter_payload(encounter_id), source="hospital",
                     correlation_id=encounter_id, **overrides)  # type: ignore[arg-type]


async def test_an_outage_spends_none_of_the_messages_attempts() -> None:
    store = Store()
    # Eight failures against two allowed attempts: only infrastructure may wait this long.
    await deliver(_subscription(store, fail_times=8), _event("E1"), lambda: Uow(store),  # type: ignore[arg-type]
                  topic=Topic.ENCOUNTERS, max_attempts=2)
    assert store.effects == ["E1"] and store.raw() == []


async def test_an_outage_longer_than_the_configured_ceiling_spends_attempts_then_dead_letters() -> None:
    store = Store()
    # A dependency down for good: past the 0.05 s ceiling the wait counts against the two attempts.
    await deliver(_subscription(store, fail_times=10_000), _event("E9"), lambda: Uow(store),  # type: ignore[arg-type]
                  topic=Topic.ENCOUNTERS, max_attempts=2, infrastructure_wait_max_s=0.05)
    assert store.effects == []
    [dead] = store.raw()
    reason = dict(dead.headers)["dlq_reason"].decode()
    assert reason.startswith("dependency unavailable for more than 0.05s: "), reason
    assert dict(dead.headers)["dlq_error_type"] == b"TransientError"


async def test_a_bug_is_retried_a_bounded_number_of_times_then_dead_lettered() -> None:
    store = Store()
    await deliver(_subscription(store, fail_times=8, error=RuntimeError), _event("E2"),  # type: ignore[arg-type]
                  lambda: Uow(store), topic=Topic.ENCOUNTERS, max_attempts=2)
    assert store.effects == [] and store.calls == 2
    [dead] = store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"RuntimeError"


async def test_an_unknown_event_type_is_dead_lettered_never_dropped() -> None:
    store = Store()
    event = new_event("rcm.encounter.complted", encounter_payload("E3"), source="hospital", correlation_id="E3")
    await deliver(_subscription(store), event, lambda: Uow(store), topic=Topic.ENCOUNTERS)
    [dead] = store.raw()
    headers = dict(dead.headers)
    assert headers["dlq_error_type"] == b"UnknownEventType"
    assert b"rcm.encounter.complted" in headers["dlq_reason"]


async def test_a_schema_version_the_consumer_does_not_know_is_dead_lettered_with_the_accepted_ones() -> None:
    store = Store()
    await deliver(_subscription(store), _event("E4", schema_version=99), lambda: Uow(store),  # type: ignore[arg-type]
                  topic=Topic.ENCOUNTERS)
    [dead] = store.raw()
    headers = dict(dead.headers)
    assert headers["dlq_error_type"] == b"UnsupportedSchemaVersion"
    assert b"accepted: 1" in headers["dlq_reason"] and store.effects == []


async def test_a_repeated_event_id_with_other_content_is_a_conflict_not_a_duplicate() -> None:
    store = Store()
    first = new_event(ENCOUNTER_COMPLETED, encounter_payload("E5"), source="hospital", correlation_id="E5")
    other = new_event(ENCOUNTER_COMPLETED, encounter_payload("E6"), source="hospital", correlation_id="E6")
    reused = other.model_copy(update={"id": first.id})
    sub = _subscription(store)
    await deliver(sub, first, lambda: Uow(store), topic=Topic.ENCOUNTERS)
    await deliver(sub, first, lambda: Uow(store), topic=Topic.ENCOUNTERS)  # a true duplicate: nothing
    assert store.raw() == []
    await deliver(sub, reused, lambda: Uow(store), topic=Topic.ENCOUNTERS)
    assert store.effects == ["E5"]
    [dead] = store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"EventIdConflict"


async def test_an_invalid_record_reusing_a_processed_id_is_dead_lettered_not_dropped() -> None:
    # It used to be logged as dead-lettered while the inbox took it for a duplicate: nothing written.
    store = Store()
    first = new_event(ENCOUNTER_COMPLETED, encounter_payload("E8"), source="hospital", correlation_id="E8")
    sub = _subscription(store)
    await deliver(sub, first, lambda: Uow(store), topic=Topic.ENCOUNTERS)
    key, _, headers = first.to_kafka()
    invalid = ConsumerRecord(topic="rcm.encounters", partition=0, offset=9, timestamp=0, timestamp_type=0, key=key,
                             value=b'{"encounter_id": "E8"}', checksum=None, serialized_key_size=len(key),
                             serialized_value_size=22, headers=headers)
    await deliver_record(sub, invalid, lambda: Uow(store))
    await deliver_record(sub, invalid, lambda: Uow(store))  # redelivered: still one dead letter
    [dead] = store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"ValidationError"
    assert dict(dead.headers)["dlq_event_id_conflict"] == b"true" and dead.value == b'{"encounter_id": "E8"}'
    assert store.effects == ["E8"]


async def test_a_redrive_for_another_group_is_the_original_event_for_this_one() -> None:
    store = Store()
    original = _event("E7")
    redriven = original.model_copy(update={"id": uuid.uuid4(), "causation_id": original.id})  # type: ignore[attr-defined]
    record = kafka_record(redriven, topic="rcm.encounters")
    for_other = ConsumerRecord(**{**record.__dict__,
                                  "headers": (*record.headers, ("rcm_redrive_for", b"rcm.other.x"))})
    sub = _subscription(store)
    await deliver(sub, original, lambda: Uow(store), topic=Topic.ENCOUNTERS)  # type: ignore[arg-type]
    await deliver_record(sub, for_other, lambda: Uow(store))
    assert store.effects == ["E7"], "a group that processed the original skips the redrive"
    fresh = Store()
    await deliver_record(_subscription(fresh), for_other, lambda: Uow(fresh))
    await deliver(_subscription(fresh), original, lambda: Uow(fresh), topic=Topic.ENCOUNTERS)  # type: ignore[arg-type]
    assert fresh.effects == ["E7"], "a group that never saw the original processes it once"


def _raw(
    key: bytes | None, value: bytes | None, headers: tuple[tuple[str, bytes], ...]
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic="rcm.encounters", partition=3, offset=42, timestamp=0, timestamp_type=0, key=key,
                          value=value, checksum=None, serialized_key_size=-1, serialized_value_size=-1,
                          headers=headers)


@pytest.mark.parametrize(("key", "value", "headers"), [
    (b"E\x00K", b"{not json", (("ce_id", b"x\x00y"),)),
    (b"\xff\xfe", b"\xff\xfe\x00", (("ce_type", b"\xc3\x28"), ("odd", b"\x00"))),
    (None, None, ()),
    (b"k", b"[" * 100_000 + b"]" * 100_000, ()),
])
async def test_a_malformed_record_is_dead_lettered_with_its_bytes_kept_exactly(
    key: bytes | None, value: bytes | None, headers: tuple[tuple[str, bytes], ...]
) -> None:
    store = Store()
    await deliver_record(_subscription(store), _raw(key, value, headers), lambda: Uow(store))
    [dead] = store.raw()
    assert dead.key == (key or b"") and dead.value == (value or b"")
    assert dead.headers[: len(headers)] == headers
    extra = dict(dead.headers[len(headers):])
    assert extra["dlq_error_type"] == b"EnvelopeError" and extra["dlq_original_offset"] == b"42"
    if value is None:
        assert extra["dlq_original_value_null"] == b"true"


async def test_a_value_too_large_for_the_topic_leaves_a_dead_letter_with_its_size_and_hash() -> None:
    store = Store()
    big = b"x" * 5_000
    await deliver_record(_subscription(store), _raw(b"k", big, ()), lambda: Uow(store), dead_letter_max_bytes=1_000)
    [dead] = store.raw()
    headers = dict(dead.headers)
    assert dead.value == b"" and headers["dlq_value_omitted"] == b"true"
    assert headers["dlq_value_size"] == b"5000"
    import hashlib

    assert headers["dlq_value_sha256"] == hashlib.sha256(big).hexdigest().encode()


def test_a_bugs_reason_names_its_type_and_place_never_its_message() -> None:
    # "Invalid isoformat string: 'yesterday'" used to reach dead letters and logs as it was.
    from datetime import date

    try:
        date.fromisoformat("Quixotica-1937-11-23")
    except ValueError as exc:
        reason = safe_reason(exc)
    assert reason.startswith("ValueError at test_failure_classes.py:") and "Quixotica" not in reason
    assert safe_reason(PermanentError("member not on file")) == "member not on file"  # our own words stay
