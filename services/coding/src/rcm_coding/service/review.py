"""Human review: a coder's decision on a queued encounter, persisted and, once the case
is closed with codes, emitted as ``EncounterCoded`` with the review trail."""

from __future__ import annotations

from datetime import UTC, datetime

from rcm_shared.contracts.coding import ENCOUNTER_CODED, ReviewTrailEntry
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import new_event
from rcm_shared.topics import Topic

from rcm_coding.adapters import repository
from rcm_coding.adapters.review_codec import case_from_json, case_to_json
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.edits import run_edits
from rcm_coding.domain.model import EditFailure
from rcm_coding.domain.review import Decision, FinalLine, ReviewCase, ReviewStatus
from rcm_coding.service.handlers import SOURCE, coded_event


class ReviewNotFoundError(LookupError):
    """No review case for that encounter."""


async def decide_review(encounter_id: str, decision: Decision, user: str, uow: UnitOfWork,
                        reference: CodeSetRegistry) -> ReviewCase:
    """Apply ``decision`` by ``user`` to the encounter's open case (domain errors propagate).

    Closing with codes runs the same edits the engine runs (``reference``: the loaded code sets),
    so a coder's edit cannot send an invalid or conflicting code to billing unnoticed.
    """
    row = await repository.get_result(uow.session, encounter_id, for_update=True)
    if row is None or row.review_case is None:
        raise ReviewNotFoundError(f"no review case for encounter {encounter_id}")
    case = case_from_json(row.review_case, row.proposal)
    now = datetime.now(UTC)

    def check(dx: tuple[str, ...], lines: tuple[FinalLine, ...]) -> list[EditFailure]:
        return run_edits(list(dx), lines, date_of_service=row.date_of_service, patient_age=case.patient_age,
                         patient_sex=case.patient_sex, reference=reference)

    updated = case.apply(decision, user, now, check)
    last = updated.audit[-1]
    await repository.add_audit(uow.session, encounter_id=encounter_id, action=last.action, coder=user,
                               reason=last.reason, changes={"detail": last.detail})
    final = None
    status = "review"
    if updated.status is ReviewStatus.COMPLETED:
        status = "coded"
        coded = coded_event(
            encounter_id, row.date_of_service, list(updated.final_diagnoses),
            [(ln.code, ln.modifiers, ln.units, ln.diagnosis_pointers) for ln in updated.final_lines],
            f"coder:{user}", True,
        ).model_copy(update={"review_trail": [
            ReviewTrailEntry(at=a.at, user=a.user, action=a.action, detail=a.detail, reason=a.reason)
            for a in updated.audit]})
        final = coded.model_dump(mode="json")
        await uow.publish_envelope(Topic.CODING_EVENTS, new_event(ENCOUNTER_CODED, coded, source=SOURCE,
                                                         correlation_id=encounter_id, key=encounter_id))
    elif updated.status is ReviewStatus.REJECTED:
        status = "rejected"
    await repository.save_review(uow.session, encounter_id, status=status, review_case=case_to_json(updated),
                                 final_codes=final, coded_by=f"coder:{user}" if final else None)
    return updated
