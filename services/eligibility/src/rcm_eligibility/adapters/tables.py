"""Tables owned by the eligibility service (its own database), declared once as SQLModel models.

The Alembic migrations in ``migrations/`` create them; a test checks the two never drift.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from rcm_shared.db.tables import messaging_tables
from sqlalchemy import BigInteger, Column, Date, DateTime, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from rcm_eligibility.domain.model import CoverageStatus

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class EligibilityTable(SQLModel, registry=registry()):
    """Base of the eligibility tables: their own registry and metadata, apart from other services'."""


class CoverageCheckRow(EligibilityTable, table=True):
    """One coverage check; ``answer`` holds the :class:`StoredAnswer` document."""

    __tablename__ = "eligibility_checks"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    encounter_id: str = Field(sa_column=Column(String(38), nullable=False, index=True))
    payer_id: str = Field(sa_column=Column(String(80), nullable=False))
    # Sealed with the patient's data key (rcm_shared.phi): longer than the 80 characters of the id.
    member_id: str = Field(sa_column=Column(Text, nullable=False))
    date_of_service: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    answer: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    checked_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False,
                                                  server_default=func.now()))


class StoredAnswer(BaseModel):
    """The JSON document in ``eligibility_checks.answer``.

    Its keys are those of the ``EligibilityChecked`` payload the check was announced with
    (rows written before the service layer hold exactly that), plus the answer's notes.
    """

    model_config = ConfigDict(frozen=True)

    encounter_id: str
    payer_id: str
    member_id: str
    date_of_service: date
    status: CoverageStatus
    rejection_codes: list[str] = PydanticField(default_factory=list)
    plan_name: str | None = None
    copay: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    deductible_remaining: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    checked_at: datetime
    notes: list[str] = PydanticField(default_factory=list)


metadata = EligibilityTable.metadata
messaging = messaging_tables(metadata)
