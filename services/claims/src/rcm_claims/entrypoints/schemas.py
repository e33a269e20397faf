"""Response models of the claims HTTP API (what the OpenAPI documents)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, Field

from rcm_claims.domain.model import (
    Claim,
    ClaimStatus,
    CodeSystem,
    FrequencyCode,
    Intake,
    ReplyResult,
    Submission,
    SubmissionStatus,
)
from rcm_claims.domain.views import ClaimsSummary

IntakePartName = Literal["encounter", "coverage", "coding"]

# ----------------------------------------------------------------------------- input types
# Inputs are bounded to what the tables and contracts hold, so bad input is a 422 naming the
# field, never a 5xx from the database (PostgreSQL text cannot hold NUL).
EncounterIdPath = Annotated[str, Path(min_length=1, max_length=38, pattern=r"^[A-Za-z0-9-]+$",
                                      description="the encounter id (1-38 letters, digits, hyphens)")]


class ClaimsSummaryResponse(BaseModel):
    """Claims by status, and encounters held before a claim could be built."""

    built: int = Field(default=0, description="built, not yet sent")
    submitted: int = Field(default=0, description="sent and accepted by the clearinghouse's syntax check")
    accepted: int = Field(default=0, description="accepted by the payer's front end (277CA)")
    rejected: int = Field(default=0, description="rejected by the clearinghouse (999/TA1) or the payer (277CA)")
    held: int = Field(default=0, description="encounters held: the claim cannot be built yet")

    @classmethod
    def of(cls, summary: ClaimsSummary) -> ClaimsSummaryResponse:
        n = summary.by_status
        return cls(built=n.get("built", 0), submitted=n.get("submitted", 0), accepted=n.get("accepted", 0),
                   rejected=n.get("rejected", 0), held=summary.held)


class ClaimLineDocument(BaseModel):
    line_number: int
    code: str
    code_system: CodeSystem
    modifiers: list[str]
    units: Decimal
    unit_price: Decimal
    charge: Decimal
    diagnosis_pointers: list[int]
    date_of_service: date


class ClaimDocument(BaseModel):
    """The claim as built: diagnoses (principal first) and priced lines."""

    claim_id: str = Field(description="the patient control number (CLM01)")
    encounter_id: str
    frequency_code: FrequencyCode
    diagnoses: list[str]
    total_charge: Decimal
    lines: list[ClaimLineDocument]

    @classmethod
    def of(cls, claim: Claim) -> ClaimDocument:
        return cls(
            claim_id=claim.claim_id, encounter_id=claim.encounter_id, frequency_code=claim.frequency_code,
            diagnoses=list(claim.diagnoses), total_charge=claim.total_charge,
            lines=[ClaimLineDocument(line_number=ln.line_number, code=ln.code, code_system=ln.code_system,
                                     modifiers=list(ln.modifiers), units=ln.units, unit_price=ln.unit_price,
                                     charge=ln.charge, diagnosis_pointers=list(ln.diagnosis_pointers),
                                     date_of_service=ln.date_of_service)
                   for ln in claim.lines],
        )


class SubmissionSummary(BaseModel):
    """One 837 interchange of the claim and the clearinghouse's answer."""

    id: int
    interchange_control_number: str
    status: SubmissionStatus
    reply_result: ReplyResult | None
    attempts: int
    sent_at: datetime | None

    @classmethod
    def of(cls, s: Submission) -> SubmissionSummary:
        return cls(id=s.id, interchange_control_number=s.interchange_control_number, status=s.status,
                   reply_result=s.reply_result, attempts=s.attempts, sent_at=s.sent_at)


class EncounterClaim(BaseModel):
    """The encounter has a claim."""

    claim_id: str
    encounter_id: str
    status: ClaimStatus
    total_charge: Decimal
    claim: ClaimDocument
    submissions: list[SubmissionSummary]

    @classmethod
    def of(cls, claim: Claim, submissions: tuple[Submission, ...]) -> EncounterClaim:
        return cls(claim_id=claim.claim_id, encounter_id=claim.encounter_id, status=claim.status,
                   total_charge=claim.total_charge, claim=ClaimDocument.of(claim),
                   submissions=[SubmissionSummary.of(s) for s in submissions])


class EncounterIntake(BaseModel):
    """No claim yet: the parts it waits for, or why it is held."""

    encounter_id: str
    status: Literal["held", "waiting"]
    held_reasons: list[str] = Field(description="what a biller must fix (empty while waiting)")
    waiting_for: list[IntakePartName]

    @classmethod
    def of(cls, intake: Intake) -> EncounterIntake:
        held = list(intake.held_reasons or ())
        waiting: list[IntakePartName] = [p for p in ("encounter", "coverage", "coding") if p in intake.waiting_for]
        return cls(encounter_id=intake.encounter_id, status="held" if held else "waiting", held_reasons=held,
                   waiting_for=waiting)


# One response, told apart by ``status``: a claim status, or held/waiting for an intake.
EncounterClaimView = Annotated[EncounterClaim | EncounterIntake, Field(discriminator="status")]
