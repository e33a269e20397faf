"""Tables owned by the eligibility service (its own database)."""

from __future__ import annotations

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import BigInteger, Column, Date, DateTime, MetaData, String, Table, func
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
messaging = messaging_tables(metadata)

eligibility_checks = Table(
    "eligibility_checks",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("encounter_id", String(38), nullable=False, index=True),
    Column("payer_id", String(80), nullable=False),
    Column("member_id", String(80), nullable=False),
    Column("date_of_service", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("answer", JSONB, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
