"""Tables owned by the claims service (its own database), declared once as SQLModel models.

The Alembic migrations create exactly these (``tests/contract/test_migrations.py`` checks
with autogenerate that they never drift). Repositories use the Core tables below
(``claim_intake``, ``claims``, ...) and translate rows to the domain's value types.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class ClaimsTable(SQLModel, registry=registry()):
    """Base of the claims tables: their own metadata, apart from every other service's."""


def _now() -> Any:
    return {"server_default": func.now()}


class ClaimIntakeRow(ClaimsTable, table=True):
    """What has arrived for an encounter so far; a claim is built once all three parts are here."""

    __tablename__ = "claim_intake"

    encounter_id: str = Field(sa_type=String(38), primary_key=True)
    encounter: dict[str, Any] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    coverage: dict[str, Any] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    coding: dict[str, Any] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    claim_id: str | None = Field(default=None, sa_type=String(20))
    held_reasons: list[str] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    updated_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), nullable=False,
                                        sa_column_kwargs=_now())


class ClaimRow(ClaimsTable, table=True):
    """A built claim; ``claim`` is its document (lines, diagnoses; money as strings)."""

    __tablename__ = "claims"

    claim_id: str = Field(sa_type=String(20), primary_key=True)
    encounter_id: str = Field(sa_type=String(38), unique=True)
    payer_id: str = Field(sa_type=String(80))
    frequency_code: str = Field(sa_type=String(1))
    status: str = Field(sa_type=String(20))
    total_charge: Decimal = Field(sa_type=Numeric(12, 2))
    claim: dict[str, Any] = Field(sa_type=JSONB)
    # Cause (JSON) of the event that completed the intake, and of the claim's ClaimSubmitted.
    cause: dict[str, Any] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    submitted_cause: dict[str, Any] | None = Field(default=None, sa_type=JSONB(none_as_null=True))
    created_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), nullable=False,
                                        sa_column_kwargs=_now())
    updated_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), nullable=False,
                                        sa_column_kwargs=_now())


class ClaimSubmissionRow(ClaimsTable, table=True):
    """One 837 interchange of a claim: pending until the dispatcher sends it."""

    __tablename__ = "claim_submissions"
    __table_args__ = (Index("ix_claim_submissions_pending", "id", postgresql_where=text("status = 'pending'")),)

    id: int | None = Field(default=None, sa_type=BigInteger, primary_key=True,
                           sa_column_kwargs={"autoincrement": True})
    claim_id: str = Field(sa_type=String(20), sa_column_args=[ForeignKey("claims.claim_id")], index=True)
    interchange_control_number: str = Field(sa_type=String(9), unique=True)
    x12: str = Field(sa_type=Text)
    status: str = Field(sa_type=String(20))  # pending | sent | rejected
    attempts: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"server_default": "0"})
    reply_result: str | None = Field(default=None, sa_type=String(20))
    reply: str | None = Field(default=None, sa_type=Text)
    created_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), nullable=False,
                                        sa_column_kwargs=_now())
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ClaimAckRow(ClaimsTable, table=True):
    """An acknowledgement of a claim: the sync 999/TA1 or a 277CA."""

    __tablename__ = "claim_acks"

    id: int | None = Field(default=None, sa_type=BigInteger, primary_key=True,
                           sa_column_kwargs={"autoincrement": True})
    claim_id: str = Field(sa_type=String(20), index=True)
    file_id: str = Field(sa_type=String(100))
    level: str = Field(sa_type=String(8))
    accepted: bool = Field(sa_type=Boolean)
    status_codes: list[str] = Field(sa_type=JSONB)
    received_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True), nullable=False,
                                         sa_column_kwargs=_now())


metadata = ClaimsTable.metadata
messaging = messaging_tables(metadata)

claim_intake: Table = metadata.tables["claim_intake"]
claims: Table = metadata.tables["claims"]
claim_submissions: Table = metadata.tables["claim_submissions"]
claim_acks: Table = metadata.tables["claim_acks"]
