"""Commands of the coding service (the domain's engine input is built from them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CodeEncounter:
    """Code one encounter from its documentation."""

    encounter_id: str
    date_of_service: date
    birth_date: date
    sex: str
    place_of_service: str
    payer_category: str | None
    note_text: str
    clinician_diagnoses: tuple[str, ...]
    clinician_procedures: tuple[tuple[str, tuple[str, ...], int], ...]  # code, modifiers, units
