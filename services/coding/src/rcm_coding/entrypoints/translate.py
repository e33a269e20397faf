"""Contract payloads -> coding commands."""

from __future__ import annotations

from rcm_shared.contracts.encounters import EncounterCompleted

from rcm_coding.service.commands import CodeEncounter


def code_command(e: EncounterCompleted) -> CodeEncounter:
    """What the coding engine needs from an encounter (never more of the patient than that)."""
    return CodeEncounter(
        encounter_id=e.encounter_id, date_of_service=e.date_of_service, birth_date=e.patient.birth_date,
        sex=e.patient.sex, place_of_service=e.place_of_service, payer_category=e.coverage.financial_class,
        note_text=e.documentation.note_text,
        clinician_diagnoses=tuple(d.code for d in e.documentation.diagnoses if d.code),
        clinician_procedures=tuple((p.code, tuple(p.modifiers), int(p.units)) for p in e.documentation.procedures),
    )
