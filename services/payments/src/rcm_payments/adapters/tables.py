"""Tables owned by the payments service (its own database), declared once as SQLModel models.

The Alembic migrations create exactly these (a test compares them with autogenerate);
the repositories translate their rows to the domain's value types.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rcm_shared.db.tables import messaging_tables
from sqlalchemy import BigInteger, Column, DateTime, MetaData, Numeric, String, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class PaymentsTable(SQLModel, registry=registry()):
    """Base of the payments tables: their own registry and metadata, apart from other services'."""


class ClaimAccountRow(PaymentsTable, table=True):
    """One claim's account receivable; ``cause`` is the stored ``Cause`` of its ``ClaimSubmitted``."""

    __tablename__ = "claim_accounts"

    claim_id: str = Field(sa_column=Column(String(20), primary_key=True))
    encounter_id: str | None = Field(default=None, sa_column=Column(String(38), nullable=True))
    payer_id: str | None = Field(default=None, sa_column=Column(String(80), nullable=True))
    total_charge: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2), nullable=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    paid_total: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(12, 2), nullable=False,
                                                                     server_default="0"))
    patient_responsibility: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(12, 2), nullable=False,
                                                                                 server_default="0"))
    updated_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False,
                                                                       server_default=func.now()))
    cause: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True), nullable=True))


class RemittanceRow(PaymentsTable, table=True):
    """One 835 file's outcome: posted, or held with its reasons."""

    __tablename__ = "remittances"

    file_id: str = Field(sa_column=Column(String(100), primary_key=True))
    trace_number: str | None = Field(default=None, sa_column=Column(String(50), nullable=True))
    payment_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2), nullable=True))
    status: str = Field(sa_column=Column(String(20), nullable=False))  # posted | held
    reasons: list[str] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True), nullable=True))
    received_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False,
                                                                        server_default=func.now()))


class PostingRow(PaymentsTable, table=True):
    """One claim posting; ``posting_key`` is unique so the same 835 posts once."""

    __tablename__ = "postings"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    posting_key: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    claim_id: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    file_id: str = Field(sa_column=Column(String(100), nullable=False))
    trace_number: str = Field(sa_column=Column(String(50), nullable=False))
    status_code: str = Field(sa_column=Column(String(2), nullable=False))
    charge: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    paid: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    patient_responsibility: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    adjustments: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    posted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False,
                                                                      server_default=func.now()))


# The Alembic scripts that create these tables (frozen; a new revision per table change).
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"

metadata: MetaData = PaymentsTable.metadata
messaging = messaging_tables(metadata)

# The tables as SQLAlchemy Core objects, for the repositories' statements.
claim_accounts: Table = metadata.tables["claim_accounts"]
remittances: Table = metadata.tables["remittances"]
postings: Table = metadata.tables["postings"]
