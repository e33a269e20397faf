"""Tables owned by the coding service (its own database).

The note text is stored because the review queue shows coders the evidence; it is never
logged and never leaves this service except as codes.
"""

from __future__ import annotations

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import BigInteger, Column, Date, DateTime, MetaData, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
messaging = messaging_tables(metadata)

coding_results = Table(
    "coding_results",
    metadata,
    Column("encounter_id", String(38), primary_key=True),
    Column("date_of_service", Date, nullable=False),
    Column("status", String(20), nullable=False),  # coded | review | rejected
    Column("proposal", JSONB, nullable=False),  # engine output with evidence, rules, confidences
    Column("final_codes", JSONB(none_as_null=True), nullable=True),  # what was emitted as EncounterCoded
    Column("note_text", Text, nullable=False),
    Column("review_case", JSONB(none_as_null=True), nullable=True),  # the open or closed ReviewCase
    Column("coded_by", String(80), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

review_audit = Table(
    "review_audit",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("encounter_id", String(38), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("coder", String(80), nullable=False),
    Column("reason", Text, nullable=True),
    Column("changes", JSONB, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
