"""Tables owned by the coding service (its own database), declared once as SQLModel table models.

The Alembic migrations create them; a test checks the migrations and these models never
drift (``rcm_shared.db.migrations.migration_drift``). The note text is stored because the
review queue shows coders the evidence; it is never logged and never leaves this service
except as codes.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import BigInteger, Column, Date, DateTime, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class CodingTable(SQLModel, registry=registry()):
    """Base of the coding service's table models: their own registry and metadata."""


class CodingResultRow(CodingTable, table=True):
    """One encounter's coding: the engine's proposal, its status, the review case and what was sent on."""

    __tablename__ = "coding_results"
    __table_args__ = (
        # The review queue: encounters waiting for a coder, oldest first.
        Index("ix_coding_results_review", "created_at", postgresql_where=text("status = 'review'")),
    )

    encounter_id: str = Field(sa_column=Column(String(38), primary_key=True))
    date_of_service: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))  # coded | review | rejected
    # Engine output with evidence, rules, confidences.
    proposal: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    # What was emitted as EncounterCoded (the contract's JSON form).
    final_codes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True), nullable=True))
    note_text: str = Field(sa_column=Column(Text, nullable=False))
    # The open or closed ReviewCase.
    review_case: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True), nullable=True))
    # The event the review case continues (Cause.to_json() of the EncounterCompleted).
    cause: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True), nullable=True))
    coded_by: str | None = Field(default=None, sa_column=Column(String(80), nullable=True))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()))
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()))


class ReviewAuditRow(CodingTable, table=True):
    """One step of a human review, appended as it happens."""

    __tablename__ = "review_audit"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    encounter_id: str = Field(sa_column=Column(String(38), nullable=False, index=True))
    action: str = Field(sa_column=Column(String(20), nullable=False))
    coder: str = Field(sa_column=Column(String(80), nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    changes: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()))


metadata = CodingTable.metadata
messaging = messaging_tables(metadata)
# The Alembic scripts that create these tables (``rcm-coding migrate``, test databases).
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
