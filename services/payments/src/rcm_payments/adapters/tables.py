"""Tables owned by the payments service (its own database)."""

from __future__ import annotations

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import BigInteger, Column, DateTime, MetaData, Numeric, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
messaging = messaging_tables(metadata)

claim_accounts = Table(
    "claim_accounts",
    metadata,
    Column("claim_id", String(20), primary_key=True),
    Column("encounter_id", String(38), nullable=True),
    Column("payer_id", String(80), nullable=True),
    Column("total_charge", Numeric(12, 2), nullable=True),
    Column("status", String(20), nullable=False),
    Column("paid_total", Numeric(12, 2), nullable=False, server_default="0"),
    Column("patient_responsibility", Numeric(12, 2), nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

remittances = Table(
    "remittances",
    metadata,
    Column("file_id", String(100), primary_key=True),
    Column("trace_number", String(50), nullable=True),
    Column("payment_amount", Numeric(14, 2), nullable=True),
    Column("status", String(20), nullable=False),  # posted | held
    Column("reasons", JSONB(none_as_null=True), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

postings = Table(
    "postings",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("posting_key", Text, nullable=False, unique=True),
    Column("claim_id", String(20), nullable=False, index=True),
    Column("file_id", String(100), nullable=False),
    Column("trace_number", String(50), nullable=False),
    Column("status_code", String(2), nullable=False),
    Column("charge", Numeric(12, 2), nullable=False),
    Column("paid", Numeric(12, 2), nullable=False),
    Column("patient_responsibility", Numeric(12, 2), nullable=False),
    Column("adjustments", JSONB, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
