"""Building a service's keyring from its settings (the runtime and the ``rcm`` tools share it)."""

from __future__ import annotations

import asyncio
import time

from rcm_shared.db.admin import ensure_database
from rcm_shared.db.database import Database
from rcm_shared.db.migrations import upgrade_to_head
from rcm_shared.phi.codec import PhiCipher
from rcm_shared.phi.keyring import CachingKeyring
from rcm_shared.phi.sql import KEYRING_MIGRATIONS, LocalKeyWrapper, SqlKeyring
from rcm_shared.settings import DEVELOPMENT_KEYRING_DATABASE, DatabaseTLS, ServiceSettings


def prepare_keyring(settings: ServiceSettings, *, attempts: int = 5) -> None:
    """Bring the keyring database to its migrations' head (blocking: call it in a thread or before
    the event loop). In development the default keyring database is created when missing.

    Every service migrates the one keyring database as it starts, so several do it at once on a fresh
    one: the migrations run under an advisory lock, and a start that still loses the race (its
    transaction aborted by the other's DDL) tries again, finding the head already reached."""
    if settings.keyring_database_url is None:
        asyncio.run(ensure_database(settings.database_url, DEVELOPMENT_KEYRING_DATABASE))
    migrate_keyring(settings.keyring_url, tls=settings.database_tls, attempts=attempts)


def migrate_keyring(url: str, *, tls: DatabaseTLS | None = None, attempts: int = 5) -> None:
    """The keyring database at ``url`` to its migrations' head, retried when a concurrent start won the
    race (blocking). Services reach it through :func:`prepare_keyring`; the CLI calls it directly."""
    for attempt in range(1, attempts + 1):
        try:
            upgrade_to_head(KEYRING_MIGRATIONS, url, tls=tls)
            return
        except Exception:
            if attempt == attempts:
                raise
            time.sleep(0.3 * attempt)


def keyring_database(settings: ServiceSettings) -> Database:
    """A small pool on the keyring database (keys are cached, so few connections are needed)."""
    return Database(settings.keyring_url, pool_size=2, tls=settings.database_tls)


def phi_cipher(settings: ServiceSettings, db: Database) -> PhiCipher:
    """The service's cipher: the SQL keyring on ``db``, wrapped by PHI_KEK, behind a cache."""
    keyring = SqlKeyring(db, LocalKeyWrapper(settings.phi_key_encryption_key))
    return PhiCipher(CachingKeyring(keyring, ttl_s=settings.phi_key_cache_ttl_s))
