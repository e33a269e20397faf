"""Migration helpers: the frozen messaging-table DDL and a programmatic upgrade.

``create_messaging_tables_v1`` is versioned by name: a migration that called it keeps
producing the same tables forever; a later change gets a ``_v2`` and its own migration.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import pool
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import async_engine_from_config

from rcm_shared.db.database import asyncpg_connect_args
from rcm_shared.settings import DatabaseTLS, to_async_database_url

MIGRATION_LOCK_KEY = 7_235_001  # advisory lock so two replicas never migrate at once
# Alembic config attribute carrying the service's DatabaseTLS from upgrade_to_head to run_env.
TLS_ATTRIBUTE = "rcm_database_tls"


def create_messaging_tables_v1(op: Any) -> None:
    """DDL for inbox, outbox and mailbox_cursor (first version)."""
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(200), primary_key=True),
        sa.Column("message_id", sa.String(200), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=True),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(200), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("headers", postgresql.JSONB, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "mailbox_cursor",
        sa.Column("mailbox", sa.String(100), primary_key=True),
        sa.Column("after_seq", sa.BigInteger, nullable=False),
    )


def drop_messaging_tables_v1(op: Any) -> None:
    """Reverse of :func:`create_messaging_tables_v1`."""
    op.drop_table("mailbox_cursor")
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")


def upgrade_messaging_tables_v2(op: Any) -> None:
    """Second version: outbox keys as bytes, outbox headers base64-encoded (both lossless for
    NUL and non-UTF-8 bytes), the outbox's publish error (a record Kafka refuses for good), and
    the inbox's content hash for conflict detection.

    Rows written by the first version are converted in place (their text was UTF-8).
    """
    op.execute("ALTER TABLE outbox ALTER COLUMN key TYPE bytea USING convert_to(key, 'UTF8')")
    op.execute(
        "UPDATE outbox SET headers = coalesce((SELECT jsonb_agg(jsonb_build_array("
        "translate(encode(convert_to(h->>0, 'UTF8'), 'base64'), E'\\n', ''), "
        "translate(encode(convert_to(h->>1, 'UTF8'), 'base64'), E'\\n', ''))) "
        "FROM jsonb_array_elements(headers) AS h), '[]'::jsonb)"
    )
    op.add_column("inbox", sa.Column("content_hash", sa.String(64), nullable=True))
    op.add_column("outbox", sa.Column("publish_error", sa.String(500), nullable=True))


def downgrade_messaging_tables_v2(op: Any) -> None:
    """Reverse of :func:`upgrade_messaging_tables_v2` (bytes that are not UTF-8 are replaced)."""
    op.drop_column("outbox", "publish_error")
    op.drop_column("inbox", "content_hash")
    op.execute(
        "UPDATE outbox SET headers = coalesce((SELECT jsonb_agg(jsonb_build_array("
        "convert_from(decode(h->>0, 'base64'), 'UTF8'), convert_from(decode(h->>1, 'base64'), 'UTF8'))) "
        "FROM jsonb_array_elements(headers) AS h), '[]'::jsonb)"
    )
    op.execute("ALTER TABLE outbox ALTER COLUMN key TYPE text USING convert_from(key, 'UTF8')")


def run_env(context: Any, target_metadata: sa.MetaData, *, version_table: str = "alembic_version") -> None:
    """Body of every service's Alembic ``env.py``: online, async, under an advisory lock.

    ``version_table``: the keyring's migrations keep their own, so its tables may share a
    database with a service's (the development default) without the two histories mixing."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    tls: DatabaseTLS | None = config.attributes.get(TLS_ATTRIBUTE)

    def do_run(connection: sa.Connection) -> None:
        connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        try:
            context.configure(connection=connection, target_metadata=target_metadata, version_table=version_table)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
            connection.commit()

    async def run_async() -> None:
        engine = async_engine_from_config(
            {"sqlalchemy.url": to_async_database_url(url)}, prefix="sqlalchemy.", poolclass=pool.NullPool,
            connect_args=asyncpg_connect_args(tls),
        )
        async with engine.connect() as conn:
            await conn.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def upgrade_to_head(script_location: Path, database_url: str, *, tls: DatabaseTLS | None = None) -> None:
    """Apply a service's migrations (blocking; call it before the event loop or in a thread),
    connecting with the service's TLS (``settings.database_tls``)."""
    # Alembic (and Mako, ~20 MiB a process never gives back) are imported only to migrate: a serving
    # process whose migrations ran before it (``rcm-<service> migrate``, RUN_MIGRATIONS=false) never loads them.
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes[TLS_ATTRIBUTE] = tls
    command.upgrade(cfg, "head")


async def migration_drift(database_url: str, metadata: sa.MetaData, *, tls: DatabaseTLS | None = None) -> list[str]:
    """What Alembic's autogenerate would change to make a migrated database match ``metadata``.

    Empty when the migrations and the table models agree (types and server defaults
    included); each entry is one autogenerate operation, e.g. ``add_column claims.cause``.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def compare(connection: sa.Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))

    engine = async_engine_from_config({"sqlalchemy.url": to_async_database_url(database_url)}, prefix="sqlalchemy.",
                                      poolclass=pool.NullPool, connect_args=asyncpg_connect_args(tls))
    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(compare)
    finally:
        await engine.dispose()
    return [_describe_diff(d) for d in diffs if not _is_alembic_version(d)]


def _is_alembic_version(diff: Any) -> bool:
    # Alembic's own tables, and the keyring's (rcm_shared.phi.sql) when it shares the database.
    text = repr(diff)
    return "alembic_version" in text or "phi_key" in text


def _describe_diff(diff: Any) -> str:
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "; ".join(_describe_diff(d) for d in diff)
    if isinstance(diff, tuple) and diff:
        op = diff[0]
        rest = [getattr(x, "name", None) or (x if isinstance(x, str) else type(x).__name__) for x in diff[1:4]]
        return f"{op} " + " ".join(str(r) for r in rest if r)
    return repr(diff)
