"""Tables owned by the claims service (its own database)."""

from __future__ import annotations

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
messaging = messaging_tables(metadata)

# What has arrived for an encounter so far; a claim is built once all three are here.
claim_intake = Table(
    "claim_intake",
    metadata,
    Column("encounter_id", String(38), primary_key=True),
    Column("encounter", JSONB(none_as_null=True), nullable=True),
    Column("coverage", JSONB(none_as_null=True), nullable=True),
    Column("coding", JSONB(none_as_null=True), nullable=True),
    Column("claim_id", String(20), nullable=True),
    Column("held_reasons", JSONB(none_as_null=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

claims = Table(
    "claims",
    metadata,
    Column("claim_id", String(20), primary_key=True),
    Column("encounter_id", String(38), nullable=False, unique=True),
    Column("payer_id", String(80), nullable=False),
    Column("frequency_code", String(1), nullable=False),
    Column("status", String(20), nullable=False),
    Column("total_charge", Numeric(12, 2), nullable=False),
    Column("claim", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

claim_submissions = Table(
    "claim_submissions",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("claim_id", String(20), ForeignKey("claims.claim_id"), nullable=False, index=True),
    Column("interchange_control_number", String(9), nullable=False, unique=True),
    Column("x12", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | sent | rejected
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("reply_result", String(20), nullable=True),
    Column("reply", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

claim_acks = Table(
    "claim_acks",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("claim_id", String(20), nullable=False, index=True),
    Column("file_id", String(100), nullable=False),
    Column("level", String(8), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("status_codes", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
