"""Prebuilt indexes of code sets: the files a start reads instead of parsing CMS XML.

Two formats, each chosen for how the engine reads its table:

* **Loaded whole** (ICD-10-CM, HCPCS, CPT, MUE): one file, a text header and a ``marshal``
  payload of plain tuples::

      RCM-CODESET-INDEX 1\\n
      {"kind": ..., "fingerprint": ..., "payload_sha256": ..., "payload_bytes": ..., ...}\\n
      <marshal payload>

  The engine keeps ICD-10-CM as ~98,000 :class:`TabularEntry` objects in a dict (the domain's
  model, unchanged), so the start has to create them all; what it can avoid is everything
  else. ``marshal`` decodes 12 MB of tuples in ~50 ms in C (JSON takes 250-350 ms for the same
  rows on this machine, SQLite ~150 ms), keeps ``tuple``/``str``/``bool``/``None`` exactly (so
  a row is ``TabularEntry(*row)`` with no conversion), and stores a parent code as a reference
  to the code's own string (one object in memory instead of two). It runs no code, unlike
  ``pickle``. It is not meant for untrusted input, which is why the payload's SHA-256 is
  checked before decoding, and why only this module writes the files (into the store, a
  directory as trusted as the service's code: whoever writes it decides how claims are coded).
  The ``marshal`` format may change with Python's version: that is part of the fingerprint.

* **Queried** (NCCI PTP, ~2 million edits in a quarterly practitioner release, too many to
  hold as objects under the memory target): an SQLite file indexed on (column 1, column 2),
  opened read-only and immutable, one connection per thread, behind :class:`PTPTable`.

The **fingerprint** in each header names what built it: this format, Python's ``marshal``
version, and the bytes of the modules that turn files into the domain's objects (the parsers
of :mod:`reference_data`, the dataclasses of the domain). An index whose fingerprint differs
(the engine's ``TabularEntry`` gained a field, a parser changed) is stale and is rebuilt from
its source, never read; the fingerprint is also in the file name, so two versions of the
service sharing a store (a rolling upgrade) each keep their own index.

Writing is atomic and safe for several processes at once: the file is written to a temporary
name in the same directory, flushed and renamed over the target (``os.replace``); builders
take an advisory ``flock`` on a lock file beside it, so replicas starting together build it
once and the others read the result (without the lock they would each build it, and the last
rename would still leave one good file).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gc
import hashlib
import importlib.util
import json
import logging
import marshal
import os
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, overload

from rcm_coding.domain.icd10cm import ICD10CMCodeSet, TabularEntry
from rcm_coding.domain.ncci import MUELimit, PTPEdit
from rcm_coding.domain.procedure_codes import ProcedureCode

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MAGIC = b"RCM-CODESET-INDEX 1\n"
# The modules whose code decides what an index holds: a change to any of them makes old indexes stale.
BUILDER_MODULES = (
    "rcm_coding.adapters.codeset_index",
    "rcm_coding.adapters.reference_data",
    "rcm_coding.domain.icd10cm",
    "rcm_coding.domain.ncci",
    "rcm_coding.domain.procedure_codes",
)
T = TypeVar("T")


class IndexUnusableError(Exception):
    """An index file that cannot be used as it is (missing, stale, truncated, corrupt): rebuild it."""


def default_codesets_dir() -> Path:
    """``$CODESETS_DIR``, else ``$XDG_CACHE_HOME/rcm/codesets``, else ``~/.cache/rcm/codesets``."""
    configured = os.environ.get("CODESETS_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "rcm" / "codesets"


def builder_fingerprint(extra: str = "") -> str:
    """SHA-256 over this format, ``marshal``'s version, Python's and the builder modules' bytes."""
    digest = hashlib.sha256(f"{FORMAT_VERSION}|{marshal.version}|{sys.version_info[:2]}|{extra}".encode())
    for name in BUILDER_MODULES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        digest.update(name.encode())
        if origin and os.path.isfile(origin):
            digest.update(Path(origin).read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------ the container
def write_index(path: Path, kind: str, fingerprint: str, payload: Any, meta: Mapping[str, Any] | None = None) -> None:
    """Write ``payload`` (plain values only) atomically to ``path``."""
    data = marshal.dumps(payload)
    header = {"kind": kind, "fingerprint": fingerprint, "payload_sha256": hashlib.sha256(data).hexdigest(),
              "payload_bytes": len(data), "marshal_version": marshal.version, **dict(meta or {})}
    write_atomically(path, MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + data)


def read_index(path: Path, kind: str, fingerprint: str) -> Any:
    """The payload of an index written by :func:`write_index`, or :class:`IndexUnusableError`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise IndexUnusableError(f"{path} does not exist") from None
    if not raw.startswith(MAGIC):
        raise IndexUnusableError(f"{path} is not a code-set index")
    end = raw.find(b"\n", len(MAGIC))
    try:
        header = json.loads(raw[len(MAGIC):end])
    except ValueError:
        raise IndexUnusableError(f"{path}: unreadable header") from None
    if header.get("kind") != kind or header.get("fingerprint") != fingerprint:
        raise IndexUnusableError(f"{path} was built by another version of the engine")
    payload = memoryview(raw)[end + 1:]
    if len(payload) != header.get("payload_bytes") or hashlib.sha256(payload).hexdigest() != header.get(
            "payload_sha256"):
        raise IndexUnusableError(f"{path} is truncated or corrupt (checksum mismatch)")
    with _no_cyclic_gc():
        return marshal.loads(payload)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # code sets are public data; the service may run as another user than the importer
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """An advisory lock held by one process (and one thread) at a time; released if the process dies."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCKS.setdefault(str(lock_path), threading.Lock()), open(lock_path, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# flock is per open file: two threads of one process would each get it; a lock per path orders them.
_THREAD_LOCKS: dict[str, threading.Lock] = {}


def cached_build(path: Path, read: Callable[[Path], T], build_and_write: Callable[[Path], T]) -> T:
    """``read(path)``; if the index is unusable, build it once (under a lock beside it) and return that.

    Replicas starting together: the first builds, the others wait on the lock and then read.
    """
    try:
        return read(path)
    except IndexUnusableError as why:
        log.info("code-set index %s: %s; building it", path.name, why)
    with exclusive_lock(path.with_name(path.name + ".lock")):
        try:
            return read(path)  # built by another process while this one waited
        except IndexUnusableError:
            return build_and_write(path)


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # Creating ~100,000 objects that hold containers runs the cyclic collector dozens of times for
    # nothing (none of them can form a cycle): off while loading, 3x faster on this machine.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ------------------------------------------------------------------------------ ICD-10-CM
ICD10CM_KIND = "icd10cm"


def tabular_fields() -> tuple[str, ...]:
    """TabularEntry's fields in order: the columns of an index row (so a new field travels by itself)."""
    return tuple(f.name for f in dataclasses.fields(TabularEntry))


def icd10cm_payload(code_set: ICD10CMCodeSet) -> tuple[str, tuple[str, ...], list[list[Any]]]:
    """(version, field names, one column per field); a parent is the parent code's own string.

    Columns rather than rows: decoding makes no tuple per entry, and the entries are built by
    ``map`` over the columns (faster, and ~12 MB less left behind in the allocator's arenas)."""
    names = tabular_fields()
    own = {code: code for code in code_set.entries}
    columns: list[list[Any]] = [[getattr(e, n) for e in code_set.entries.values()] for n in names]
    parent = names.index("parent")
    columns[parent] = [own.get(p, p) if p is not None else None for p in columns[parent]]
    return code_set.version, names, columns


def icd10cm_from_payload(payload: Any) -> ICD10CMCodeSet:
    """The code set of :func:`icd10cm_payload`, equal entry by entry to the one written."""
    version, names, columns = payload
    if tuple(names) != tabular_fields():
        raise IndexUnusableError(f"index columns {names} are not TabularEntry's {tabular_fields()}")
    if len({len(c) for c in columns}) > 1:
        raise IndexUnusableError("index columns of different lengths")
    with _no_cyclic_gc():
        entries = dict(zip(columns[0], map(TabularEntry, *columns), strict=True))
        return ICD10CMCodeSet(version=version, entries=entries)


def write_icd10cm_index(path: Path, code_set: ICD10CMCodeSet, fingerprint: str,
                        meta: Mapping[str, Any] | None = None) -> None:
    """Write the index, then read it back and compare it entry by entry before keeping it."""
    write_index(path, ICD10CM_KIND, fingerprint, icd10cm_payload(code_set), meta)
    if read_icd10cm_index(path, fingerprint) != code_set:
        path.unlink()
        raise RuntimeError(f"the ICD-10-CM index {path} does not read back equal to its code set (not kept)")


def read_icd10cm_index(path: Path, fingerprint: str) -> ICD10CMCodeSet:
    return icd10cm_from_payload(read_index(path, ICD10CM_KIND, fingerprint))


# ------------------------------------------------------------------------------ HCPCS, CPT, MUE
def _ordinal(d: date | None) -> int | None:
    return d.toordinal() if d else None


def _day(n: int | None) -> date | None:
    return date.fromordinal(n) if n else None


def procedure_payload(codes: Mapping[str, ProcedureCode]) -> list[tuple[Any, ...]]:
    return [(c.code, c.label, c.system, _ordinal(c.effective_from), _ordinal(c.effective_to))
            for c in codes.values()]


def procedures_from_payload(rows: Iterable[tuple[Any, ...]]) -> dict[str, ProcedureCode]:
    return {code: ProcedureCode(code, label, system, _day(start), _day(end))
            for code, label, system, start, end in rows}


def mue_payload(limits: Mapping[str, MUELimit]) -> list[tuple[Any, ...]]:
    return [(m.code, m.max_units, m.adjudication_indicator, m.rationale) for m in limits.values()]


def mue_from_payload(rows: Iterable[tuple[Any, ...]]) -> dict[str, MUELimit]:
    return {code: MUELimit(code, units, mai, why) for code, units, mai, why in rows}


# ------------------------------------------------------------------------------ NCCI PTP
_PTP_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE rationale (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE ptp (column1 TEXT NOT NULL, column2 TEXT NOT NULL, effective INTEGER NOT NULL, deleted INTEGER,
                  indicator TEXT NOT NULL, rationale INTEGER NOT NULL);
"""


def write_ptp_index(path: Path, edits: Iterable[PTPEdit], fingerprint: str) -> int:
    """Write the PTP edits to a new SQLite file atomically; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o644)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _PTP_SCHEMA)
            rationales: dict[str, int] = {}

            def rows() -> Iterator[tuple[Any, ...]]:
                for e in edits:
                    rid = rationales.setdefault(e.rationale, len(rationales))
                    yield (e.column1, e.column2, e.effective.toordinal(), _ordinal(e.deleted), e.modifier_indicator,
                           rid)

            con.executemany("INSERT INTO ptp VALUES (?, ?, ?, ?, ?, ?)", rows())
            con.executemany("INSERT INTO rationale VALUES (?, ?)", [(i, t) for t, i in rationales.items()])
            count = con.execute("SELECT count(*) FROM ptp").fetchone()[0]
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            [("kind", "ncci-ptp"), ("fingerprint", fingerprint), ("count", str(count))])
            con.execute("CREATE INDEX ptp_pair ON ptp (column1, column2)")
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return int(count)


class PTPTable(dict[tuple[str, str], list[PTPEdit]]):
    """The NCCI PTP edits of one release, read from its SQLite index on demand.

    A ``dict`` because :class:`CodeSetRegistry` types ``ptp`` as one; the engine only calls
    ``get((column1, column2), [])`` (``ptp_edits_for``), which this answers with one indexed
    query per pair (cached). The pairs are never held in memory as a whole: a full quarterly
    release is ~2 million edits. (A small domain change would make this honest: a
    ``PTPEdits`` protocol with ``edits_for(column1, column2)`` in the registry.)
    """

    def __init__(self, path: Path, fingerprint: str) -> None:
        super().__init__()
        self.path = path
        self._local = threading.local()
        self._cache: dict[tuple[str, str], list[PTPEdit]] = {}
        con = self._connection()
        try:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            self._rationales = dict(con.execute("SELECT id, text FROM rationale").fetchall())
        except sqlite3.DatabaseError as exc:
            raise IndexUnusableError(f"{path}: {exc}") from None
        if meta.get("kind") != "ncci-ptp" or meta.get("fingerprint") != fingerprint:
            raise IndexUnusableError(f"{path} was built by another version of the engine")
        self._count = int(meta["count"])

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            if not self.path.is_file():
                raise IndexUnusableError(f"{self.path} does not exist")
            # immutable: the file is never written after its rename, so no locking and no journal.
            con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def _lookup(self, key: tuple[str, str]) -> list[PTPEdit]:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        rows = self._connection().execute(
            "SELECT effective, deleted, indicator, rationale FROM ptp WHERE column1 = ? AND column2 = ?",
            key).fetchall()
        edits = [PTPEdit(key[0], key[1], date.fromordinal(eff), _day(dele), ind, self._rationales.get(rid, ""))
                 for eff, dele, ind, rid in rows]
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[key] = edits
        return edits

    @overload
    def get(self, key: tuple[str, str], default: None = None, /) -> list[PTPEdit] | None: ...

    @overload
    def get(self, key: tuple[str, str], default: list[PTPEdit], /) -> list[PTPEdit]: ...

    @overload
    def get(self, key: tuple[str, str], default: T, /) -> list[PTPEdit] | T: ...

    def get(self, key: tuple[str, str], default: object = None, /) -> object:
        edits = self._lookup(key)
        return edits if edits else default

    def __getitem__(self, key: tuple[str, str]) -> list[PTPEdit]:
        edits = self._lookup(key)
        if not edits:
            raise KeyError(key)
        return edits

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and bool(self._lookup((str(key[0]), str(key[1]))))

    def __len__(self) -> int:
        return self._count  # edits, as the manifest counts them

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[tuple[str, str]]:
        con = self._connection()
        yield from con.execute("SELECT DISTINCT column1, column2 FROM ptp ORDER BY column1, column2")

    def __repr__(self) -> str:
        return f"PTPTable({self.path.name}, {self._count} edits)"

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end)."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
