"""Value objects of the coding engine: the encounter going in and the coding result coming out.

All are frozen dataclasses so a result can be shared, cached and compared safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
    units: int = 1


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
    units: int = 1
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
