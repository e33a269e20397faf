"""The edge's part of PHI at rest: seal what hospital IT sends before it reaches a topic, and the
operator's commands that forget a patient (shred) or apply retention (expire).

The keyring is the services' (KEYRING_DATABASE_URL; in development the database rcm_keys beside
the local stack's), its key-encryption key PHI_KEK (in development the public development key).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.db.admin import ensure_database, with_database
from rcm_shared.db.database import Database
from rcm_shared.envelope import Envelope
from rcm_shared.phi.codec import PhiCipher
from rcm_shared.phi.setup import migrate_keyring
from rcm_shared.phi.sql import LocalKeyWrapper, SqlKeyring
from rcm_shared.settings import DEVELOPMENT_KEYRING_DATABASE
from rcm_shared.settings import key_encryption_key as settings_kek


def keyring_url(server_url: str) -> str:
    """KEYRING_DATABASE_URL, else the development keyring database on ``server_url``'s server."""
    return os.environ.get("KEYRING_DATABASE_URL") or with_database(server_url, DEVELOPMENT_KEYRING_DATABASE)


def key_encryption_key() -> bytes:
    """PHI_KEK or PHI_KEK_FILE, as the services read them (the development key when neither is set)."""
    return settings_kek(os.environ.get("PHI_KEK") or None, os.environ.get("PHI_KEK_FILE") or None,
                        development=os.environ.get("ENVIRONMENT", "development") == "development")


async def prepare(url: str) -> None:
    """Create the keyring database if missing and bring it to its migrations' head (retried, as the
    services do, when one of them is migrating it at the same moment)."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    await ensure_database(url, name)
    await asyncio.to_thread(migrate_keyring, url)


@asynccontextmanager
async def keyring(url: str) -> AsyncIterator[SqlKeyring]:
    """The SQL keyring on ``url`` (prepared first, its KEK checked), closed on exit."""
    await prepare(url)
    db = Database(url, pool_size=2)
    try:
        ring = SqlKeyring(db, LocalKeyWrapper(key_encryption_key()))
        # Another KEK would find no subject (their index is keyed by it) and "shred" nothing in silence.
        await ring.verify_key_encryption_key()
        yield ring
    finally:
        await db.dispose()


async def seal_encounters(events: Sequence[Envelope], url: str) -> list[Envelope]:
    """``events`` (EncounterCompleted) with their PHI sealed with each patient's data key."""
    async with keyring(url) as ring:
        cipher = PhiCipher(ring)
        sealed = []
        for event in events:
            model = EncounterCompleted.model_validate(event.payload)
            sealed.append(event.model_copy(update={"payload": await cipher.seal_payload(model, event.payload)}))
        return sealed


async def shred(url: str, subjects: Sequence[str]) -> dict[str, str | None]:
    """Shred the key of each subject; subject -> the kid shredded (None: no key had that subject)."""
    async with keyring(url) as ring:
        return {s: await ring.shred(s) for s in subjects}
