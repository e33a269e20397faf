"""Data keys per patient: the keyring port, its in-memory adapter and a caching decorator.

A data key is a random 256-bit AES-GCM key with a random id (``kid``) that says nothing about
the patient. *Subjects* name whose key it is (``mrn:<mrn>``, ``encounter:<id>``, ``file:<id>``);
several subjects share one key (a patient's MRN and each of their encounters), so a service that
only knows an encounter id seals with the patient's key. Shredding a subject destroys its key:
every copy of what it sealed (topics kept forever, dead letters, tables, backups) is unreadable
from then on, while the key's tombstone says it was shredded rather than never known.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

KEY_BYTES = 32


@dataclass(frozen=True)
class DataKey:
    """One patient's (or one file's) AES-256-GCM key."""

    kid: str
    secret: bytes = field(repr=False)


class PhiError(Exception):
    """Base of the errors of sealed PHI; messages name key ids and fields, never values."""


class PhiKeyShreddedError(PhiError):
    """The data key was destroyed on purpose: what it sealed is forgotten (treat it as absent)."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"the data key {kid} was shredded: its PHI is no longer readable")
        self.kid = kid


class PhiUnreadableError(PhiError):
    """Sealed PHI that cannot be opened: an unknown key, a damaged or moved value."""


class PhiKeyringError(PhiError):
    """The keyring itself is misconfigured (a data key does not unwrap with this PHI_KEK): a deployment
    fault, not the message's. Consumers wait on it like an unavailable dependency (paused, shown by
    /readyz) instead of dead-lettering every event."""


class Keyring(Protocol):
    """Where data keys live. Adapters: :class:`MemoryKeyring` (tests), ``SqlKeyring`` (a
    database of its own, keys wrapped by a key-encryption key)."""

    async def key_for(self, subjects: Sequence[str], *, linked_to: Sequence[str] = ()) -> DataKey:
        """The key of the first of ``subjects`` that has one (registering the others to it), or a
        new key for all of them. Safe under concurrency: every caller gets the same key.

        ``linked_to``: subjects whose keys this key depends on (a clearinghouse file naming several
        patients' claims): shredding any of them shreds this key too. Unknown subjects are skipped.

        Raises :class:`PhiKeyShreddedError` when that key was shredded (nothing new is sealed for
        a forgotten patient)."""
        ...

    async def get(self, kid: str) -> DataKey:
        """The key ``kid``; :class:`PhiKeyShreddedError` or :class:`PhiUnreadableError` (unknown)."""
        ...

    async def shred(self, subject: str) -> str | None:
        """Destroy the key of ``subject`` (and so of every subject sharing it, and every key linked to
        it); its kid, or None."""
        ...

    async def expire(self, *, unused_since: datetime) -> list[str]:
        """Retention: shred every key not registered to a new subject since ``unused_since``."""
        ...


def new_data_key() -> DataKey:
    """A fresh random key with a random id."""
    return DataKey(kid=str(uuid.uuid4()), secret=os.urandom(KEY_BYTES))


@dataclass
class _MemoryEntry:
    secret: bytes | None
    last_used: datetime


class MemoryKeyring:
    """The in-memory keyring of unit tests (one process; nothing survives it)."""

    def __init__(self) -> None:
        self._keys: dict[str, _MemoryEntry] = {}
        self._subjects: dict[str, str] = {}
        self._links: set[tuple[str, str]] = set()  # (dependent kid, kid it depends on)
        self._lock = asyncio.Lock()

    async def key_for(self, subjects: Sequence[str], *, linked_to: Sequence[str] = ()) -> DataKey:
        if not subjects:
            raise ValueError("key_for needs at least one subject")
        async with self._lock:
            kid = next((self._subjects[s] for s in subjects if s in self._subjects), None)
            if kid is None:
                key = new_data_key()
                self._keys[key.kid] = _MemoryEntry(key.secret, datetime.now(UTC))
                kid = key.kid
            entry = self._keys[kid]
            for s in subjects:
                if s not in self._subjects:
                    self._subjects[s] = kid
                    entry.last_used = datetime.now(UTC)
            for other in linked_to:
                if other in self._subjects and self._subjects[other] != kid:
                    self._links.add((kid, self._subjects[other]))
            if entry.secret is None:
                raise PhiKeyShreddedError(kid)
            return DataKey(kid, entry.secret)

    async def get(self, kid: str) -> DataKey:
        entry = self._keys.get(kid)
        if entry is None:
            raise PhiUnreadableError(f"the data key {kid} is unknown to this keyring")
        if entry.secret is None:
            raise PhiKeyShreddedError(kid)
        return DataKey(kid, entry.secret)

    async def shred(self, subject: str) -> str | None:
        async with self._lock:
            kid = self._subjects.get(subject)
            if kid is not None:
                self._keys[kid].secret = None
                for dependent, on in self._links:
                    if on == kid:
                        self._keys[dependent].secret = None
            return kid

    async def expire(self, *, unused_since: datetime) -> list[str]:
        async with self._lock:
            old = [kid for kid, e in self._keys.items() if e.secret is not None and e.last_used < unused_since]
            for kid in old:
                self._keys[kid].secret = None
            return old


class CachingKeyring:
    """Keeps opened keys for ``ttl_s`` seconds so sealing and opening cost no round trip per event.

    A shred in another process takes effect here within ``ttl_s`` (PHI_KEY_CACHE_TTL_S); a shred
    through this instance takes effect at once.
    """

    def __init__(self, inner: Keyring, *, ttl_s: float = 30.0, max_entries: int = 10_000) -> None:
        self.inner = inner
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._by_kid: dict[str, tuple[float, DataKey]] = {}
        self._by_subjects: dict[tuple[str, ...], tuple[float, DataKey]] = {}

    def _fresh(self, cached: tuple[float, DataKey] | None) -> DataKey | None:
        if cached is None or time.monotonic() - cached[0] > self.ttl_s:
            return None
        return cached[1]

    def _remember(self, key: DataKey, subjects: tuple[str, ...] | None = None) -> None:
        if len(self._by_kid) >= self.max_entries:
            self._by_kid.clear()
            self._by_subjects.clear()
        now = time.monotonic()
        self._by_kid[key.kid] = (now, key)
        if subjects is not None:
            self._by_subjects[subjects] = (now, key)

    async def key_for(self, subjects: Sequence[str], *, linked_to: Sequence[str] = ()) -> DataKey:
        wanted = tuple(subjects)
        key = None if linked_to else self._fresh(self._by_subjects.get(wanted))
        if key is None:
            key = await self.inner.key_for(wanted, linked_to=linked_to)
            self._remember(key, wanted)
        return key

    async def get(self, kid: str) -> DataKey:
        key = self._fresh(self._by_kid.get(kid))
        if key is None:
            key = await self.inner.get(kid)
            self._remember(key)
        return key

    async def shred(self, subject: str) -> str | None:
        kid = await self.inner.shred(subject)
        # The keys linked to it are shredded too: forget everything cached (a shred is rare).
        self._by_kid.clear()
        self._by_subjects.clear()
        return kid

    async def expire(self, *, unused_since: datetime) -> list[str]:
        kids = await self.inner.expire(unused_since=unused_since)
        for kid in kids:
            self._forget(kid)
        return kids

    def _forget(self, kid: str | None) -> None:
        if kid is None:
            return
        self._by_kid.pop(kid, None)
        for subjects in [s for s, (_, k) in self._by_subjects.items() if k.kid == kid]:
            del self._by_subjects[subjects]
