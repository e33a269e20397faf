"""Contract payloads -> coding commands (the one place the EncounterCompleted contract is read)."""

from __future__ import annotations

from rcm_shared.contracts.encounters import EncounterCompleted

from rcm_coding.domain.commands import CodeEncounter
from rcm_coding.domain.model import EncounterDocumentation, StructuredProcedure


def code_command(e: EncounterCompleted) -> CodeEncounter:
    """What the coding engine needs from an encounter (never more of the patient than that).

    Units are the contract's Decimals, kept exactly (0.5 stays 0.5).
    """
    return CodeEncounter(
        encounter_id=e.encounter_id,
        documentation=EncounterDocumentation(
            note_text=e.documentation.note_text, date_of_service=e.date_of_service, patient_sex=e.patient.sex,
            birth_date=e.patient.birth_date, place_of_service=e.place_of_service,
            payer_category=e.coverage.financial_class,
            structured_diagnoses=tuple(d.code for d in e.documentation.diagnoses if d.code),
            structured_procedures=tuple(StructuredProcedure(p.code, tuple(p.modifiers), p.units)
                                        for p in e.documentation.procedures),
        ),
    )
