"""Encounter events: what hospital IT publishes when a visit is documented."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from rcm_shared.contracts.common import PHI, BillingProvider, Contract, Person, ProviderRef

ENCOUNTER_COMPLETED = "rcm.encounter.completed"

Relationship = Literal["self", "spouse", "child", "other"]
FinancialClass = Literal["commercial", "medicare", "medicaid", "other"]


class Coverage(Contract):
    payer_id: str = Field(min_length=2, max_length=80)
    payer_name: str = Field(min_length=1, max_length=60)
    member_id: Annotated[str, PHI] = Field(min_length=2, max_length=80)
    group_number: Annotated[str | None, PHI] = Field(default=None, max_length=50)
    relationship: Relationship = "self"
    financial_class: FinancialClass | None = Field(
        default=None, description="the payer's category; some coding choices depend on it (e.g. Medicare G-codes)"
    )
    subscriber: Annotated[Person | None, PHI] = Field(
        default=None, description="the policy holder when the patient is not the subscriber"
    )

    @model_validator(mode="after")
    def _subscriber_when_not_self(self) -> Coverage:
        if self.relationship != "self" and self.subscriber is None:
            raise ValueError("coverage.subscriber is required when relationship is not 'self'")
        return self


class DocumentedDiagnosis(Contract):
    """A diagnosis the clinician entered; the coding service validates it, never trusts it blindly."""

    code: str | None = Field(default=None, max_length=8)
    text: Annotated[str | None, PHI] = Field(default=None, max_length=200)


class DocumentedProcedure(Contract):
    code: str = Field(pattern=r"^[0-9A-Z]{5}$")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(default=Decimal(1), gt=0, max_digits=9, decimal_places=3)


class Documentation(Contract):
    note_text: Annotated[str, PHI] = Field(default="", max_length=100_000)
    diagnoses: list[DocumentedDiagnosis] = Field(default_factory=list, max_length=50)
    procedures: list[DocumentedProcedure] = Field(default_factory=list, max_length=50)


class EncounterCompleted(Contract):
    """A documented encounter ready for the revenue cycle (topic ``encounters``, key encounter id)."""

    encounter_id: str = Field(min_length=1, max_length=38, pattern=r"^[A-Za-z0-9-]+$")
    patient: Annotated[Person, PHI]
    coverage: Coverage
    rendering_provider: ProviderRef
    billing_provider: BillingProvider
    place_of_service: str = Field(default="11", pattern=r"^\d{2}$")
    date_of_service: date
    documentation: Documentation

    def phi_subjects(self) -> tuple[str, ...]:
        """Whose data key seals this event's PHI: the patient (by MRN) when the hospital gives one,
        and this encounter, so every later event about the encounter finds the same key."""
        encounter = f"encounter:{self.encounter_id}"
        return (f"mrn:{self.patient.mrn}", encounter) if self.patient.mrn else (encounter,)
