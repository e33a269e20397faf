"""The inbox, outbox and mailbox-cursor tables every service keeps in its own database.

They live in the same database as the service's state so that the processed-message
record, the state change and the outgoing events commit in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(frozen=True)
class MessagingTables:
    inbox: Table
    outbox: Table
    mailbox_cursor: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the messaging tables on a service's ``metadata``."""
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("message_id", String(200), primary_key=True),
        Column("event_type", String(200), nullable=True),
        Column("topic", String(249), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("outcome", String(20), nullable=False),
        # SHA-256 of the record (value and ce_* headers): a repeated id with other content is a conflict.
        Column("content_hash", String(64), nullable=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(200), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("topic", String(249), nullable=False),
        # Bytes, not text: a dead letter keeps the original key and headers byte for byte (NUL
        # bytes and non-UTF-8 included). Headers are [[base64 name, base64 value], ...].
        Column("key", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True),
        # Set when Kafka refuses the record for good (e.g. over the topic's size limit): the row
        # is kept, reported by /readyz and the metrics, and no longer blocks the rows after it.
        Column("publish_error", String(500), nullable=True),
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )
    mailbox_cursor = Table(
        "mailbox_cursor",
        metadata,
        Column("mailbox", String(100), primary_key=True),
        Column("after_seq", BigInteger, nullable=False),
    )
    return MessagingTables(inbox=inbox, outbox=outbox, mailbox_cursor=mailbox_cursor)
