"""Value objects of the coding engine and the coding of one encounter.

The documentation going in, the coding result coming out, the codes sent on to billing and
the record the service keeps per encounter. All are frozen dataclasses so a result can be
shared, cached and compared safely. Units are :class:`~decimal.Decimal` end to end: a
clinician's 0.5 or 2.75 units are never rounded on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

Sex = Literal["F", "M", "U"]

# Sections a note is split into; "other" is text before the first recognised header.
SECTION_NAMES = (
    "chief_complaint",
    "hpi",
    "ros",
    "pmh",
    "family_history",
    "social_history",
    "medications",
    "allergies",
    "vitals",
    "exam",
    "results",
    "procedure",
    "assessment",
    "plan",
    "other",
)


@dataclass(frozen=True)
class StructuredProcedure:
    """A procedure the clinician entered in a structured field (treated as evidence only)."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)


@dataclass(frozen=True)
class EncounterDocumentation:
    """What the engine codes from.

    ``patient_age`` is in whole years on the date of service; give it or ``birth_date``.
    ``payer_category`` only changes payer-specific choices (``"medicare"`` selects the
    G0008/G0009/G0010 vaccine administration codes and the G-code screening colonoscopy).
    """

    note_text: str
    date_of_service: date
    patient_sex: Sex = "U"
    patient_age: int | None = None
    birth_date: date | None = None
    place_of_service: str = "11"
    payer_category: str | None = None
    structured_diagnoses: tuple[str, ...] = ()
    structured_procedures: tuple[StructuredProcedure, ...] = ()

    def age_on_service_date(self) -> int | None:
        """Age in whole years on the date of service, from the age or the birth date."""
        if self.patient_age is not None:
            return self.patient_age
        if self.birth_date is None:
            return None
        dos, dob = self.date_of_service, self.birth_date
        return dos.year - dob.year - ((dos.month, dos.day) < (dob.month, dob.day))


@dataclass(frozen=True)
class Evidence:
    """A span of the note (character offsets, end exclusive) that supports a code."""

    start: int
    end: int
    section: str
    text: str = ""  # the span itself; callers must not log it (it is note text)


@dataclass(frozen=True)
class DiagnosisProposal:
    code: str
    description: str
    rule: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class ProcedureLine:
    code: str
    description: str
    rule: str
    confidence: float
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    diagnosis_pointers: tuple[int, ...] = ()  # 1-based into CodingResult.diagnoses
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class EditFailure:
    """One failed edit: a stable id, the codes involved and a reason a coder can act on."""

    edit_id: str
    codes: tuple[str, ...]
    reason: str
    line_numbers: tuple[int, ...] = ()  # 1-based procedure lines involved, if any
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class CodingResult:
    diagnoses: tuple[DiagnosisProposal, ...]
    procedures: tuple[ProcedureLine, ...]
    edit_failures: tuple[EditFailure, ...]
    needs_review: bool
    review_reasons: tuple[str, ...]
    code_set_versions: dict[str, str] = field(default_factory=dict)


def code_system(code: str) -> Literal["CPT", "HCPCS"]:
    """HCPCS Level II codes begin with a letter; CPT codes are numeric (or end in F/T)."""
    return "HCPCS" if code[:1].isalpha() else "CPT"


class CodingStatus(StrEnum):
    """Where an encounter's coding stands."""

    CODED = "coded"  # codes sent on to billing (by the engine or a coder)
    REVIEW = "review"  # waiting in the review queue for a coder
    REJECTED = "rejected"  # a coder closed it without codes


@dataclass(frozen=True)
class FinalLine:
    """A service line as it is sent on to billing."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    diagnosis_pointers: tuple[int, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    """One step of a human review: who did what, when and why."""

    at: datetime
    user: str
    action: str
    detail: str
    reason: str | None = None


@dataclass(frozen=True)
class FinalCodes:
    """The codes an encounter is sent on with (diagnoses in claim order, principal first)."""

    diagnoses: tuple[str, ...]
    lines: tuple[FinalLine, ...]
    coded_by: str  # "engine" or "coder:<user id>"
    reviewed: bool = False
    review_trail: tuple[AuditEntry, ...] = ()

    def can_be_billed(self) -> bool:
        """At least one diagnosis and one line, every line pointing to a diagnosis."""
        return bool(self.diagnoses) and bool(self.lines) and all(ln.diagnosis_pointers for ln in self.lines)


@dataclass(frozen=True)
class EncounterCoding:
    """What the service keeps per encounter: the engine's proposal (with evidence), where the
    coding stands and the codes sent on, if any. The note text is kept for the coders' review
    screen; it never leaves the service except as codes."""

    encounter_id: str
    date_of_service: date
    status: CodingStatus
    proposal: CodingResult
    note_text: str
    final_codes: FinalCodes | None = None

    @property
    def coded_by(self) -> str | None:
        """Who produced the codes sent on (None while none were)."""
        return self.final_codes.coded_by if self.final_codes else None
