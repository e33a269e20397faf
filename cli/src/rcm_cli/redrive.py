"""Send dead letters back to where they came from, once: ``rcm dead-letters redrive``.

A dead letter keeps the original record's key, value and headers and adds ``dlq_*``
headers (see ``rcm_shared.messaging.consumer``). Re-publishing it as it is would do
nothing: the consumers' inbox already holds its event id. A redrive therefore sends the
original key and value, byte for byte, to ``dlq_original_topic`` (same partition) with the
``dlq_*`` headers removed and:

- ``ce_id``: a NEW id, uuid5 over the dead letter's coordinates (dlq topic, partition,
  offset), so redriving the same dead letter twice yields the same id and the inbox drops
  the second copy even if two operators race;
- ``ce_causationid``: the original ``ce_id`` (the causation chain stays unbroken: the
  original event is still on its topic);
- ``rcm_redrive_of``: ``<dlq topic>:<partition>:<offset>``;
- ``rcm_redrive_for``: the consumer group that dead-lettered it (``dlq_consumer_group``).
  Other consumer groups of the original topic see the redriven record too; their inbox
  does not know the new id, so the consumer runtime should leave records meant for
  another group alone (that filter belongs to ``rcm_shared.messaging``).

Every redrive is recorded in the ledger topic ``<namespace>.ops.redrives`` (one partition,
kept forever, key = the dead letter's coordinates); a dead letter whose key is already in
the ledger is refused. The redriven record is sent before its ledger entry: a crash in
between leaves no ledger entry, and the next redrive sends the same id, which the inbox
drops, so nothing is lost and nothing runs twice.

A dead letter whose original record has no valid envelope cannot be redriven (there is no
event id to build on, and the consumer would dead-letter it again): it is refused with the
envelope error. Reasons name fields, never values; no payload is ever printed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from rcm_shared.envelope import Envelope, EnvelopeError
from rcm_shared.topics import DEAD_LETTER_TOPIC, KEEP_FOREVER, topic_name

from rcm_cli.history import read_records
from rcm_cli.kafka_client import kafka_options

LEDGER_TOPIC = "ops.redrives"
REDRIVE_OF_HEADER = "rcm_redrive_of"
# The consumer group that dead-lettered the record: the original topic may have other
# consumer groups that already processed the original; this names the one it is meant for.
REDRIVE_FOR_HEADER = "rcm_redrive_for"
# Fixed namespace of the redrive ids: the same dead letter always gets the same new id.
REDRIVE_ID_NAMESPACE = uuid.UUID("5b0f3c5e-6a41-4f0e-9d0a-7d2f1c9e4b11")

Header = tuple[str, bytes | None]
Status = Literal["redriven", "would redrive", "refused", "skipped"]


@dataclass(frozen=True)
class DeadLetter:
    """One record read from a dead-letter topic, bytes as they are on the wire."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[Header, ...]

    @property
    def coordinates(self) -> str:
        return coordinates(self.topic, self.partition, self.offset)

    def header(self, name: str) -> str | None:
        """The last header called ``name``, decoded leniently (for display and filters only)."""
        for n, v in reversed(self.headers):
            if n == name:
                return (v or b"").decode("utf-8", "replace")
        return None

    @property
    def reason(self) -> str:
        return self.header("dlq_reason") or ""

    @property
    def original_event_id(self) -> str | None:
        """The original record's ``ce_id`` as written (may be invalid or absent)."""
        return self.header("ce_id")


@dataclass(frozen=True)
class Redrive:
    """The record a redrive sends."""

    dead_letter: DeadLetter
    topic: str
    partition: int | None
    key: bytes | None
    value: bytes | None
    headers: tuple[Header, ...]
    event_id: uuid.UUID
    original_event_id: uuid.UUID

    def ledger_entry(self, service: str, at: datetime) -> tuple[bytes, bytes]:
        """(key, value) of this redrive's ledger record; ids and topics only, never content."""
        value = {"dead_letter": self.dead_letter.coordinates, "event_id": str(self.event_id),
                 "original_event_id": str(self.original_event_id), "original_topic": self.topic,
                 "original_partition": self.partition, "service": service, "redriven_at": at.isoformat()}
        return self.dead_letter.coordinates.encode(), json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Outcome:
    """What happened to one dead letter, for the report table."""

    dead_letter: DeadLetter
    status: Status
    why: str
    event_id: uuid.UUID | None = None


@dataclass
class RedriveReport:
    outcomes: list[Outcome] = field(default_factory=list)
    not_matched: int = 0  # dead letters left out by --reason / --ids
    ids_not_found: list[str] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def coordinates(topic: str, partition: int, offset: int) -> str:
    """``topic:partition:offset``: how a dead letter is named in headers and the ledger."""
    return f"{topic}:{partition}:{offset}"


def redrive_event_id(dlq_topic: str, partition: int, offset: int) -> uuid.UUID:
    """The new event id of the redrive of the dead letter at these coordinates (deterministic)."""
    return uuid.uuid5(REDRIVE_ID_NAMESPACE, coordinates(dlq_topic, partition, offset))


def original_headers(headers: Iterable[Header]) -> list[Header]:
    """The headers without the ones dead-lettering added (``dlq_*``), order and bytes kept."""
    return [(n, v) for n, v in headers if not n.startswith("dlq_")]


def redriven_headers(headers: Iterable[Header], *, event_id: uuid.UUID, original_event_id: uuid.UUID,
                     redrive_of: str, redrive_for: str | None = None) -> list[Header]:
    """The original headers with ``ce_id`` replaced, ``ce_causationid`` = the original id,
    ``rcm_redrive_of`` naming the dead letter (and ``rcm_redrive_for`` the consumer group that
    dead-lettered it, when known); every other header byte-identical."""
    out: list[Header] = []
    for name, value in original_headers(headers):
        if name == "ce_id":
            out.append(("ce_id", str(event_id).encode()))
        elif name in ("ce_causationid", REDRIVE_OF_HEADER, REDRIVE_FOR_HEADER):
            continue
        else:
            out.append((name, value))
    out.append(("ce_causationid", str(original_event_id).encode()))
    out.append((REDRIVE_OF_HEADER, redrive_of.encode()))
    if redrive_for:
        out.append((REDRIVE_FOR_HEADER, redrive_for.encode()))
    return out


def match(dl: DeadLetter, *, service: str, reason: str | None, ids: frozenset[str] | None) -> str | None:
    """Why ``dl`` is left out by the filters, or None when it is selected."""
    dl_service = dl.header("dlq_service")
    if dl_service is not None and dl_service != service:
        return f"dead letter of {dl_service}, not {service}"
    if reason is not None and reason.casefold() not in dl.reason.casefold():
        return "reason does not match --reason"
    if ids is not None and (dl.original_event_id or "").strip().lower() not in ids:
        return "original ce_id not in --ids"
    return None


def plan_redrive(dl: DeadLetter) -> Redrive | str:
    """The record to send for ``dl``, or why it cannot be redriven."""
    target = dl.header("dlq_original_topic")
    if not target:
        return "no dlq_original_topic header"
    raw_partition = dl.header("dlq_original_partition")
    try:
        partition = int(raw_partition) if raw_partition is not None else None
    except ValueError:
        return "dlq_original_partition is not a number"
    if dl.header("dlq_value_shredded") == "true":
        return "its patient's data key was shredded: the value was left out and cannot be redriven"
    if dl.header("dlq_open_error") is not None:
        return f"its sealed value does not open: {dl.header('dlq_open_error')}"
    if dl.header("dlq_value_sealed") is not None:
        return "its value is sealed (it may hold PHI): redrive with the keyring (KEYRING_DATABASE_URL, PHI_KEK)"
    if dl.header("dlq_value_omitted") == "true":
        return (f"value ({dl.header('dlq_value_size') or '?'} bytes) was left out of the dead letter as too "
                f"large; the original is at {target}[{raw_partition}]@{dl.header('dlq_original_offset')}")
    # The dead letter stores a null value as empty bytes and says so: send the null back.
    value = None if dl.header("dlq_original_value_null") == "true" else dl.value
    headers = original_headers(dl.headers)
    try:
        envelope = Envelope.from_kafka(dl.key, value, [(n, v) for n, v in headers if v is not None])
    except (EnvelopeError, ValueError, RecursionError) as exc:  # EnvelopeError is the contract; the rest defensive
        why = str(exc) if isinstance(exc, EnvelopeError) else type(exc).__name__
        return f"original record has no valid envelope: {why[:200]}"
    event_id = redrive_event_id(dl.topic, dl.partition, dl.offset)
    return Redrive(dl, target, partition, dl.key, value,
                   tuple(redriven_headers(headers, event_id=event_id, original_event_id=envelope.id,
                                          redrive_of=dl.coordinates,
                                          redrive_for=dl.header("dlq_consumer_group"))),
                   event_id, envelope.id)


def parse_ids(raw: str | None) -> frozenset[str] | None:
    """``--ids a,b`` -> normalised ids (lower case, stripped); None when not given."""
    if raw is None:
        return None
    return frozenset(i.strip().lower() for i in raw.split(",") if i.strip())


def decide(dead_letters: Sequence[DeadLetter], ledger: dict[str, str], *, service: str, reason: str | None,
           ids: frozenset[str] | None) -> tuple[RedriveReport, list[Redrive]]:
    """Pure: which dead letters to redrive, and the report rows of the others.

    ``ledger`` maps dead-letter coordinates to the ledger record's value (already redriven).
    """
    report, todo = RedriveReport(), []
    seen_ids: set[str] = set()
    for dl in dead_letters:
        why_not = match(dl, service=service, reason=reason, ids=ids)
        if why_not is not None:
            if dl.header("dlq_service") not in (None, service):
                report.outcomes.append(Outcome(dl, "skipped", why_not))
            else:
                report.not_matched += 1
            continue
        seen_ids.add((dl.original_event_id or "").strip().lower())
        if dl.coordinates in ledger:
            why = f"already redriven ({_ledger_summary(ledger[dl.coordinates])})"
            report.outcomes.append(Outcome(dl, "refused", why))
            continue
        planned = plan_redrive(dl)
        if isinstance(planned, str):
            report.outcomes.append(Outcome(dl, "refused", planned))
            continue
        todo.append(planned)
    if ids is not None:
        report.ids_not_found = sorted(ids - seen_ids)
    return report, todo


def _ledger_summary(raw: str) -> str:
    try:
        entry = json.loads(raw)
        return f"as {str(entry.get('event_id', '?'))[:8]} at {entry.get('redriven_at', '?')}"
    except (json.JSONDecodeError, AttributeError):
        return "ledger entry unreadable"


async def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every record of ``topic`` from the beginning to its current end (empty if it does not exist)."""
    return list(await read_records(bootstrap, [topic]))


async def read_dead_letters(bootstrap: str, namespace: str, service: str) -> list[DeadLetter]:
    """Every record of ``service``'s dead-letter topic, bytes untouched."""
    topic = topic_name(DEAD_LETTER_TOPIC[service], namespace)
    return [DeadLetter(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ()))
            for r in await read_topic(bootstrap, topic)]


async def read_ledger(bootstrap: str, namespace: str) -> dict[str, str]:
    """Coordinates of every dead letter already redriven -> its ledger record."""
    return {(r.key or b"").decode("utf-8", "replace"): (r.value or b"").decode("utf-8", "replace")
            for r in await read_topic(bootstrap, f"{namespace}.{LEDGER_TOPIC}")}


async def ensure_ledger_topic(bootstrap: str, namespace: str, *, replication_factor: int = 1) -> None:
    """Create ``<namespace>.ops.redrives`` (one partition, kept forever) when missing."""
    name = f"{namespace}.{LEDGER_TOPIC}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{namespace}-redrive-admin",
                                **kafka_options())
    await admin.start()
    try:
        if name in set(await admin.list_topics()):
            return
        response = await admin.create_topics([NewTopic(name=name, num_partitions=1,
                                                       replication_factor=replication_factor,
                                                       topic_configs=dict(KEEP_FOREVER))])
        for entry in response.topic_errors:
            if entry[1] not in (0, TopicAlreadyExistsError.errno):
                raise RuntimeError(f"cannot create topic {name}: Kafka error {entry[1]}")
    finally:
        await admin.close()


async def open_sealed(dead_letters: Sequence[DeadLetter], keyring_url: str) -> list[DeadLetter]:
    """Dead letters whose value was sealed whole (``dlq_value_sealed``), opened with the keyring;
    one whose key was shredded stays sealed (and is refused, naming why)."""
    from rcm_shared.phi import PhiCipher, PhiError, PhiKeyShreddedError
    from rcm_shared.phi.codec import DEAD_LETTER_VALUE_AAD

    from rcm_cli.phi import keyring

    if not any(dl.header("dlq_value_sealed") is not None for dl in dead_letters):
        return list(dead_letters)
    out = []
    async with keyring(keyring_url) as ring:
        cipher = PhiCipher(ring)
        for dl in dead_letters:
            if dl.header("dlq_value_sealed") is None or dl.value is None:
                out.append(dl)
                continue
            try:
                value = await cipher.open_bytes(dl.value, aad=DEAD_LETTER_VALUE_AAD)
            except PhiKeyShreddedError:
                out.append(replace(dl, headers=(*dl.headers, ("dlq_value_shredded", b"true"))))
                continue
            except PhiError as exc:
                out.append(replace(dl, headers=(*dl.headers, ("dlq_open_error", str(exc).encode()))))
                continue
            out.append(replace(dl, value=value, headers=tuple(h for h in dl.headers if h[0] != "dlq_value_sealed")))
    return out


async def redrive(bootstrap: str, namespace: str, service: str, *, reason: str | None = None,
                  ids: frozenset[str] | None = None, dry_run: bool = False,
                  replication_factor: int = 1, keyring_url: str | None = None) -> RedriveReport:
    """Redrive ``service``'s dead letters that pass the filters; see the module docstring.

    A value sealed on the dead-letter topic is opened with the keyring at ``keyring_url`` and sent
    back as it first arrived."""
    if service not in DEAD_LETTER_TOPIC:
        raise ValueError(f"unknown service; one of {', '.join(DEAD_LETTER_TOPIC)}")
    if not dry_run:
        await ensure_ledger_topic(bootstrap, namespace, replication_factor=replication_factor)
    dead_letters = await read_dead_letters(bootstrap, namespace, service)
    if keyring_url is not None:
        dead_letters = await open_sealed(dead_letters, keyring_url)
    ledger = await read_ledger(bootstrap, namespace)
    report, todo = decide(dead_letters, ledger, service=service, reason=reason, ids=ids)
    if dry_run:
        report.outcomes.extend(Outcome(r.dead_letter, "would redrive", f"to {r.topic}[{r.partition}]", r.event_id)
                               for r in todo)
        return report
    if not todo:
        return report
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", **kafka_options())
    await producer.start()
    try:
        ledger_topic = f"{namespace}.{LEDGER_TOPIC}"
        for r in todo:
            # The record first, then the ledger entry (see the module docstring for why).
            await producer.send_and_wait(r.topic, value=r.value, key=r.key, partition=r.partition,
                                         headers=list(r.headers))  # type: ignore[arg-type]  # None values are legal
            key, value = r.ledger_entry(service, datetime.now(UTC))
            await producer.send_and_wait(ledger_topic, value=value, key=key, partition=0)
            report.outcomes.append(Outcome(r.dead_letter, "redriven", f"to {r.topic}[{r.partition}]", r.event_id))
    finally:
        await producer.stop()
    return report
