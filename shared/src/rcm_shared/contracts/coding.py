"""Coding events: the codes of an encounter, or its hand-off to a human coder."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from rcm_shared.contracts.common import Contract

ENCOUNTER_CODED = "rcm.coding.encounter_coded"
CODING_REVIEW_REQUIRED = "rcm.coding.review_required"


class CodedDiagnosis(Contract):
    code: str = Field(description="ICD-10-CM, with its decimal point, as in the code set")
    rank: int = Field(ge=1, description="1 is the principal (first-listed) diagnosis")


class CodedLine(Contract):
    code: str = Field(pattern=r"^[0-9A-Z]{5}$")
    code_system: Literal["CPT", "HCPCS"]
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(default=Decimal(1), gt=0)
    diagnosis_pointers: list[int] = Field(min_length=1, max_length=4)


class ReviewTrailEntry(Contract):
    """One step of a human review: who did what, when and why."""

    at: datetime
    user: str
    action: str
    detail: str
    reason: str | None = None


class EncounterCoded(Contract):
    encounter_id: str
    date_of_service: date
    diagnoses: list[CodedDiagnosis] = Field(min_length=1, max_length=12)
    lines: list[CodedLine] = Field(min_length=1, max_length=50)
    coded_by: str = Field(description="'engine' or 'coder:<user id>'")
    reviewed: bool = False
    review_trail: list[ReviewTrailEntry] = Field(default_factory=list)


class CodingReviewRequired(Contract):
    encounter_id: str
    date_of_service: date
    reasons: list[str] = Field(min_length=1)
    proposed_codes: list[str] = Field(default_factory=list)
