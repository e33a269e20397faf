"""Coding handlers. The Kafka consumer and the HTTP API call these same functions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Protocol

from rcm_shared.contracts.coding import (
    CODING_REVIEW_REQUIRED,
    ENCOUNTER_CODED,
    CodedDiagnosis,
    CodedLine,
    CodingReviewRequired,
    EncounterCoded,
)
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.messaging import PermanentError
from rcm_shared.topics import Topic

from rcm_coding.adapters import repository
from rcm_coding.adapters.review_codec import case_to_json, result_to_json
from rcm_coding.domain.errors import InvalidEncounterError
from rcm_coding.domain.model import CodingResult, EncounterDocumentation, StructuredProcedure
from rcm_coding.domain.review import ReviewCase
from rcm_coding.service.commands import CodeEncounter

SOURCE = "rcm/coding"
ENGINE = "engine"


class Coder(Protocol):
    """The coding engine, as the handlers see it."""

    def code_encounter(self, doc: EncounterDocumentation) -> CodingResult: ...


class InvalidDocumentationError(PermanentError):
    """The documentation cannot be coded at all (dead-lettered with this reason)."""


def documentation_for(cmd: CodeEncounter) -> EncounterDocumentation:
    return EncounterDocumentation(
        note_text=cmd.note_text, date_of_service=cmd.date_of_service, patient_sex=cmd.sex,  # type: ignore[arg-type]
        birth_date=cmd.birth_date, place_of_service=cmd.place_of_service, payer_category=cmd.payer_category,
        structured_diagnoses=cmd.clinician_diagnoses,
        structured_procedures=tuple(StructuredProcedure(c, m, u) for c, m, u in cmd.clinician_procedures),
    )


def code_system(code: str) -> str:
    """HCPCS Level II codes begin with a letter; CPT codes are numeric (or end in F/T)."""
    return "HCPCS" if code[:1].isalpha() else "CPT"


def coded_event(encounter_id: str, cmd_date: Any, diagnoses: list[str],
                lines: list[tuple[str, tuple[str, ...], int, tuple[int, ...]]], coded_by: str,
                reviewed: bool) -> EncounterCoded:
    return EncounterCoded(
        encounter_id=encounter_id, date_of_service=cmd_date,
        diagnoses=[CodedDiagnosis(code=c, rank=i) for i, c in enumerate(diagnoses, start=1)],
        lines=[CodedLine(code=c, code_system=code_system(c), modifiers=list(m), units=u,  # type: ignore[arg-type]
                         diagnosis_pointers=list(p)) for c, m, u, p in lines],
        coded_by=coded_by, reviewed=reviewed,
    )


async def code_encounter(cmd: CodeEncounter, uow: UnitOfWork, coder: Coder, cause: Envelope | None) -> str:
    """Run the engine; emit ``EncounterCoded``, or ``CodingReviewRequired`` and queue for a coder.

    Returns the resulting status (``coded`` or ``review``).
    """
    doc = documentation_for(cmd)
    try:
        # CPU-bound: off the event loop so health checks and heartbeats stay responsive.
        result = await asyncio.to_thread(coder.code_encounter, doc)
    except InvalidEncounterError as exc:
        raise InvalidDocumentationError(str(exc)) from exc
    proposal = result_to_json(result)
    can_emit = bool(result.diagnoses) and bool(result.procedures) and all(p.diagnosis_pointers
                                                                          for p in result.procedures)
    if result.needs_review or not can_emit:
        reasons = list(result.review_reasons) or ["the engine found no billable diagnosis or service"]
        case = ReviewCase.open(f"RC-{cmd.encounter_id}", cmd.encounter_id, result, datetime.now(UTC),
                               patient_age=doc.age_on_service_date(), patient_sex=cmd.sex)
        await repository.save_result(uow.session, encounter_id=cmd.encounter_id, date_of_service=cmd.date_of_service,
                                     status="review", proposal=proposal, final_codes=None, note_text=cmd.note_text,
                                     coded_by=None, review_case=case_to_json(case))
        event_payload: Any = CodingReviewRequired(
            encounter_id=cmd.encounter_id, date_of_service=cmd.date_of_service, reasons=reasons,
            proposed_codes=[d.code for d in result.diagnoses] + [p.code for p in result.procedures])
        event_type = CODING_REVIEW_REQUIRED
        status = "review"
    else:
        event_payload = coded_event(
            cmd.encounter_id, cmd.date_of_service, [d.code for d in result.diagnoses],
            [(p.code, p.modifiers, p.units, p.diagnosis_pointers) for p in result.procedures], ENGINE, False)
        await repository.save_result(uow.session, encounter_id=cmd.encounter_id, date_of_service=cmd.date_of_service,
                                     status="coded", proposal=proposal,
                                     final_codes=event_payload.model_dump(mode="json"), note_text=cmd.note_text,
                                     coded_by=ENGINE, review_case=None)
        event_type = ENCOUNTER_CODED
        status = "coded"
    event = (cause.caused(event_type, event_payload, source=SOURCE) if cause is not None
             else new_event(event_type, event_payload, source=SOURCE, correlation_id=cmd.encounter_id))
    await uow.publish_envelope(Topic.CODING_EVENTS, event)
    return status
