"""Coding handlers: code an encounter (the Kafka consumer calls it) and apply a coder's
review decision (the REST route calls it).

Each takes a command, the service's unit of work (its repositories and ``uow.publish``, the
one way an event leaves) and the ports it needs; the caller owns the transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime

from rcm_shared.contracts.coding import (
    CodedDiagnosis,
    CodedLine,
    CodingReviewRequired,
    EncounterCoded,
    ReviewTrailEntry,
)
from rcm_shared.envelope import Cause
from rcm_shared.messaging import PermanentError
from rcm_shared.topics import Topic

from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.commands import CodeEncounter, DecideReview
from rcm_coding.domain.edits import run_edits
from rcm_coding.domain.errors import InvalidEncounterError, ReviewNotFoundError
from rcm_coding.domain.model import (
    CodingStatus,
    EditFailure,
    EncounterCoding,
    FinalCodes,
    FinalLine,
    code_system,
)
from rcm_coding.domain.review import ReviewCase
from rcm_coding.service.ports import Coder
from rcm_coding.service.unit_of_work import CodingUnitOfWork

ENGINE = "engine"
NOTHING_BILLABLE = "the engine found no billable diagnosis or service"


class InvalidDocumentationError(PermanentError):
    """The documentation cannot be coded at all (dead-lettered with this reason)."""


async def code_encounter(cmd: CodeEncounter, uow: CodingUnitOfWork, *, cause: Cause | None, coder: Coder
                         ) -> CodingStatus:
    """Run the engine; emit ``EncounterCoded``, or ``CodingReviewRequired`` and queue the encounter
    for a coder (the case keeps ``cause``, so the codes a coder closes it with continue its chain).

    Returns the resulting status (``coded`` or ``review``).
    """
    doc = cmd.documentation
    try:
        # CPU-bound: off the event loop so health checks and heartbeats stay responsive.
        result = await asyncio.to_thread(coder.code_encounter, doc)
    except InvalidEncounterError as exc:
        raise InvalidDocumentationError(str(exc)) from exc
    codes = FinalCodes(tuple(d.code for d in result.diagnoses),
                       tuple(FinalLine(p.code, p.modifiers, p.units, p.diagnosis_pointers) for p in result.procedures),
                       coded_by=ENGINE)
    if result.needs_review or not codes.can_be_billed():
        case = ReviewCase.open(f"RC-{cmd.encounter_id}", cmd.encounter_id, result, datetime.now(UTC),
                               patient_age=doc.age_on_service_date(), patient_sex=doc.patient_sex)
        await uow.results.save(EncounterCoding(cmd.encounter_id, doc.date_of_service, CodingStatus.REVIEW, result,
                                               doc.note_text))
        await uow.reviews.add(case, cause=cause)
        queued = CodingReviewRequired(
            encounter_id=cmd.encounter_id, date_of_service=doc.date_of_service,
            reasons=list(result.review_reasons) or [NOTHING_BILLABLE],
            proposed_codes=[d.code for d in result.diagnoses] + [p.code for p in result.procedures])
        await uow.publish(Topic.CODING_EVENTS, queued, cause=cause, key=cmd.encounter_id)
        return CodingStatus.REVIEW
    await uow.results.save(EncounterCoding(cmd.encounter_id, doc.date_of_service, CodingStatus.CODED, result,
                                           doc.note_text, final_codes=codes))
    await uow.publish(Topic.CODING_EVENTS, encounter_coded(cmd.encounter_id, doc.date_of_service, codes),
                      cause=cause, key=cmd.encounter_id)
    return CodingStatus.CODED


async def decide_review(cmd: DecideReview, uow: CodingUnitOfWork, *, cause: Cause | None,
                        reference: CodeSetRegistry) -> ReviewCase:
    """Apply a coder's decision to the encounter's open case (domain errors propagate).

    Closing with codes runs the same edits the engine runs (``reference``: the loaded code sets),
    so a coder's edit cannot send an invalid or conflicting code to billing unnoticed. The
    ``EncounterCoded`` of a completed case is caused by the event the case was queued for (its
    stored cause), else by ``cause`` (None: the coder's request starts a new chain).
    """
    queued = await uow.reviews.get(cmd.encounter_id, for_update=True)
    if queued is None:
        raise ReviewNotFoundError(cmd.encounter_id)
    case = queued.case

    def check(dx: tuple[str, ...], lines: tuple[FinalLine, ...]) -> Sequence[EditFailure]:
        return run_edits(list(dx), lines, date_of_service=queued.date_of_service, patient_age=case.patient_age,
                         patient_sex=case.patient_sex, reference=reference)

    updated = case.apply(cmd.decision, cmd.user, datetime.now(UTC), check)
    await uow.reviews.save(updated)
    final = updated.final_codes()
    if final is not None:
        await uow.publish(Topic.CODING_EVENTS, encounter_coded(cmd.encounter_id, queued.date_of_service, final),
                          cause=queued.cause or cause, key=cmd.encounter_id)
    return updated


def encounter_coded(encounter_id: str, date_of_service: date, codes: FinalCodes) -> EncounterCoded:
    """The ``EncounterCoded`` contract payload of an encounter's final codes (units as they are)."""
    return EncounterCoded(
        encounter_id=encounter_id, date_of_service=date_of_service,
        diagnoses=[CodedDiagnosis(code=c, rank=i) for i, c in enumerate(codes.diagnoses, start=1)],
        lines=[CodedLine(code=ln.code, code_system=code_system(ln.code), modifiers=list(ln.modifiers), units=ln.units,
                         diagnosis_pointers=list(ln.diagnosis_pointers)) for ln in codes.lines],
        coded_by=codes.coded_by, reviewed=codes.reviewed,
        review_trail=[ReviewTrailEntry(at=a.at, user=a.user, action=a.action, detail=a.detail, reason=a.reason)
                      for a in codes.review_trail],
    )
