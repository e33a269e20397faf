"""Control numbers: unique and persistent per sender, supplied to the writers.

Services implement :class:`ControlNumberSource` with a PostgreSQL sequence; tests use
:class:`InMemoryControlNumbers`; single-host processes such as the payer sandbox use
:class:`FileControlNumbers` (a JSON file updated under an fcntl lock with an atomic rename).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from rcm_x12.syntax import InterchangeHeader
from rcm_x12.writer import EnvelopeParams

CounterKind = Literal["interchange", "group", "transaction"]
# ISA13 is 9 digits and GS06 9 digits at most; wrap to 1 rather than overflow.
_MAX = 999_999_999


@runtime_checkable
class ControlNumberSource(Protocol):
    """Hands out the next control numbers for one sender id; never repeats one."""

    def next_interchange(self, sender_id: str) -> int: ...

    def next_group(self, sender_id: str) -> int: ...

    def next_transaction(self, sender_id: str) -> int: ...


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """One allocation: ISA13, GS06 and the first ST02."""

    interchange: int
    group: int
    transaction: int


class InMemoryControlNumbers:
    """Thread-safe counters kept in memory (tests, single short-lived processes)."""

    def __init__(self, start: int = 1) -> None:
        self._lock = threading.Lock()
        self._start = start
        self._values: dict[tuple[str, str], int] = {}

    def _next(self, kind: CounterKind, sender_id: str) -> int:
        with self._lock:
            value = self._values.get((kind, sender_id), self._start - 1) % _MAX + 1
            self._values[(kind, sender_id)] = value
            return value

    def next_interchange(self, sender_id: str) -> int:
        """Next ISA13 for ``sender_id``."""
        return self._next("interchange", sender_id)

    def next_group(self, sender_id: str) -> int:
        """Next GS06 for ``sender_id``."""
        return self._next("group", sender_id)

    def next_transaction(self, sender_id: str) -> int:
        """Next ST02 for ``sender_id``."""
        return self._next("transaction", sender_id)


class FileControlNumbers:
    """Counters persisted in a JSON file; safe across processes on one host.

    Each call takes an exclusive ``fcntl`` lock on ``<path>.lock``, reads the file, writes
    the incremented value to a temporary file and renames it over the original, so a crash
    never leaves a half-written file and two processes never get the same number.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    def _next(self, kind: CounterKind, sender_id: str) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._lock_path, "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                data: dict[str, dict[str, int]] = {}
                if self.path.exists():
                    text = self.path.read_text(encoding="utf-8")
                    data = json.loads(text) if text.strip() else {}
                sender = data.setdefault(sender_id, {})
                value = sender.get(kind, 0) % _MAX + 1
                sender[kind] = value
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as fh:
                        json.dump(data, fh, sort_keys=True)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, self.path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
                return value
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def next_interchange(self, sender_id: str) -> int:
        """Next ISA13 for ``sender_id``."""
        return self._next("interchange", sender_id)

    def next_group(self, sender_id: str) -> int:
        """Next GS06 for ``sender_id``."""
        return self._next("group", sender_id)

    def next_transaction(self, sender_id: str) -> int:
        """Next ST02 for ``sender_id``."""
        return self._next("transaction", sender_id)


def allocate(source: ControlNumberSource, sender_id: str) -> ControlNumbers:
    """Take one interchange, group and transaction number for ``sender_id``."""
    return ControlNumbers(source.next_interchange(sender_id), source.next_group(sender_id),
                          source.next_transaction(sender_id))


def new_envelope(source: ControlNumberSource, *, sender_id: str, receiver_id: str, when: date,
                 time: str = "1200", sender_qualifier: str = "ZZ",
                 receiver_qualifier: str = "ZZ", usage_indicator: str = "T") -> EnvelopeParams:
    """EnvelopeParams with fresh control numbers for ``sender_id``."""
    n = allocate(source, sender_id)
    return EnvelopeParams(sender_id=sender_id, receiver_id=receiver_id,
                          interchange_control_number=n.interchange, group_control_number=n.group,
                          transaction_control_number=n.transaction, date=when, time=time,
                          sender_qualifier=sender_qualifier, receiver_qualifier=receiver_qualifier,
                          usage_indicator=usage_indicator)


def reply_envelope(inbound: InterchangeHeader, source: ControlNumberSource, *, when: date,
                   time: str = "1200") -> EnvelopeParams:
    """EnvelopeParams answering ``inbound``: sender and receiver swapped, fresh numbers for us."""
    return new_envelope(source, sender_id=inbound.receiver_id, receiver_id=inbound.sender_id,
                        when=when, time=time, sender_qualifier=inbound.receiver_qualifier,
                        receiver_qualifier=inbound.sender_qualifier,
                        usage_indicator=inbound.usage_indicator or "T")
