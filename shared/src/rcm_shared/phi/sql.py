"""The PostgreSQL keyring: data keys in a database of their own, wrapped by a key-encryption key.

The tables hold no PHI and no plain key: a data key is stored wrapped (RFC 3394 AES key wrap,
``cryptography``) by the key-encryption key from settings (PHI_KEK), and a subject (``mrn:...``)
is stored as its HMAC-SHA256 under a key derived from the KEK, so the table does not list MRNs.
Shredding clears the wrapped key and keeps a tombstone row (when, so an auditor sees that the
patient was forgotten, and so an opener can tell "shredded" from "never known").

A cloud KMS would replace :class:`LocalKeyWrapper` (same two methods); no KMS adapter is built yet.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from sqlalchemy.dialects.postgresql import insert as pg_insert

from rcm_shared.db.database import Database
from rcm_shared.phi.keyring import DataKey, PhiKeyringError, PhiKeyShreddedError, PhiUnreadableError, new_data_key

KEYRING_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
KEYRING_VERSION_TABLE = "alembic_version_keyring"

metadata = sa.MetaData()

phi_keys = sa.Table(
    "phi_keys", metadata,
    sa.Column("kid", sa.String(36), primary_key=True),
    sa.Column("wrapped", sa.LargeBinary, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
)

phi_key_subjects = sa.Table(
    "phi_key_subjects", metadata,
    sa.Column("subject_index", sa.LargeBinary(32), primary_key=True),
    sa.Column("kid", sa.String(36), sa.ForeignKey("phi_keys.kid"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)


# A key that depends on others (a clearinghouse file's on the patients whose claims it names):
# shredding the key it depends on shreds it too.
phi_key_links = sa.Table(
    "phi_key_links", metadata,
    sa.Column("kid", sa.String(36), sa.ForeignKey("phi_keys.kid"), primary_key=True),
    sa.Column("depends_on", sa.String(36), sa.ForeignKey("phi_keys.kid"), primary_key=True, index=True),
)


class KeyWrapper(Protocol):
    """Wraps data keys for storage: a local KEK (:class:`LocalKeyWrapper`) or a KMS."""

    def wrap(self, secret: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes) -> bytes: ...

    def subject_index(self, subject: str) -> bytes: ...


class LocalKeyWrapper:
    """AES key wrap with a 256-bit key-encryption key from settings (PHI_KEK)."""

    def __init__(self, kek: bytes) -> None:
        if len(kek) != 32:
            raise ValueError("the PHI key-encryption key must be 32 bytes (256 bits)")
        self._kek = kek
        self._index_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                               info=b"rcm phi subject index v1").derive(kek)

    def wrap(self, secret: bytes) -> bytes:
        return aes_key_wrap(self._kek, secret)

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._kek, wrapped)
        except InvalidUnwrap:
            raise PhiKeyringError("a data key does not unwrap with this PHI_KEK (another key-encryption key?)") \
                from None

    def subject_index(self, subject: str) -> bytes:
        return hmac.new(self._index_key, subject.encode(), hashlib.sha256).digest()


class SqlKeyring:
    """:class:`rcm_shared.phi.keyring.Keyring` on PostgreSQL (migrations in ``KEYRING_MIGRATIONS``)."""

    def __init__(self, db: Database, wrapper: KeyWrapper) -> None:
        self.db = db
        self.wrapper = wrapper

    async def verify_key_encryption_key(self) -> None:
        """Raise :class:`PhiKeyringError` when the keyring holds keys and the KEK unwraps none of
        them (a tool started with another PHI_KEK would register and find nothing)."""
        async with self.db.engine.connect() as conn:
            wrapped = (await conn.execute(sa.select(phi_keys.c.wrapped).where(phi_keys.c.wrapped.is_not(None))
                                          .order_by(phi_keys.c.created_at.desc()).limit(1))).scalar()
        if wrapped is not None:
            self.wrapper.unwrap(bytes(wrapped))

    async def key_for(self, subjects: Sequence[str], *, linked_to: Sequence[str] = ()) -> DataKey:
        if not subjects:
            raise ValueError("key_for needs at least one subject")
        indexes = [self.wrapper.subject_index(s) for s in subjects]
        async with self.db.engine.begin() as conn:
            row = (await conn.execute(
                sa.select(phi_keys.c.kid, phi_keys.c.wrapped)
                .join(phi_key_subjects, phi_key_subjects.c.kid == phi_keys.c.kid)
                .where(phi_key_subjects.c.subject_index.in_(indexes))
                .order_by(phi_keys.c.created_at).limit(1)
            )).first()
            if row is None:
                fresh = new_data_key()
                await conn.execute(sa.insert(phi_keys).values(kid=fresh.kid, wrapped=self.wrapper.wrap(fresh.secret)))
                won = (await conn.execute(
                    pg_insert(phi_key_subjects).values(subject_index=indexes[0], kid=fresh.kid)
                    .on_conflict_do_nothing().returning(phi_key_subjects.c.kid))).first()
                if won is None:
                    # Another process registered the first subject at the same moment: use its key.
                    await conn.execute(sa.delete(phi_keys).where(phi_keys.c.kid == fresh.kid))
                    row = (await conn.execute(
                        sa.select(phi_keys.c.kid, phi_keys.c.wrapped)
                        .join(phi_key_subjects, phi_key_subjects.c.kid == phi_keys.c.kid)
                        .where(phi_key_subjects.c.subject_index == indexes[0]))).one()
                else:
                    row = (await conn.execute(sa.select(phi_keys.c.kid, phi_keys.c.wrapped)
                                              .where(phi_keys.c.kid == fresh.kid))).one()
            kid, wrapped = str(row.kid), row.wrapped
            added = (await conn.execute(
                pg_insert(phi_key_subjects).values([{"subject_index": i, "kid": kid} for i in indexes])
                .on_conflict_do_nothing().returning(phi_key_subjects.c.kid))).all()
            if added:
                await conn.execute(sa.update(phi_keys).where(phi_keys.c.kid == kid).values(last_used_at=sa.func.now()))
            if linked_to:
                others = (await conn.execute(sa.select(phi_key_subjects.c.kid).distinct().where(
                    phi_key_subjects.c.subject_index.in_([self.wrapper.subject_index(s) for s in linked_to]),
                    phi_key_subjects.c.kid != kid))).scalars().all()
                if others:
                    await conn.execute(pg_insert(phi_key_links).values(
                        [{"kid": kid, "depends_on": str(o)} for o in others]).on_conflict_do_nothing())
        if wrapped is None:
            raise PhiKeyShreddedError(kid)
        return DataKey(kid, self.wrapper.unwrap(bytes(wrapped)))

    async def get(self, kid: str) -> DataKey:
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(sa.select(phi_keys.c.wrapped, phi_keys.c.shredded_at)
                                      .where(phi_keys.c.kid == kid))).first()
        if row is None:
            raise PhiUnreadableError(f"the data key {kid} is unknown to this keyring")
        if row.wrapped is None:
            raise PhiKeyShreddedError(kid)
        return DataKey(kid, self.wrapper.unwrap(bytes(row.wrapped)))

    async def shred(self, subject: str) -> str | None:
        async with self.db.engine.begin() as conn:
            kid = (await conn.execute(sa.select(phi_key_subjects.c.kid).where(
                phi_key_subjects.c.subject_index == self.wrapper.subject_index(subject)))).scalar()
            if kid is None:
                return None
            dependents = sa.select(phi_key_links.c.kid).where(phi_key_links.c.depends_on == kid)
            await conn.execute(sa.update(phi_keys).where(sa.or_(phi_keys.c.kid == kid, phi_keys.c.kid.in_(dependents)),
                                                         phi_keys.c.wrapped.is_not(None))
                               .values(wrapped=None, shredded_at=sa.func.now()))
            return str(kid)

    async def expire(self, *, unused_since: datetime) -> list[str]:
        async with self.db.engine.begin() as conn:
            rows = (await conn.execute(
                sa.update(phi_keys).where(phi_keys.c.wrapped.is_not(None), phi_keys.c.last_used_at < unused_since)
                .values(wrapped=None, shredded_at=sa.func.now()).returning(phi_keys.c.kid))).all()
        return [str(r.kid) for r in rows]
