"""The review queue: list it, and apply a coder's decision (accept, edit, complete or reject)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import PROBLEM_MEDIA_TYPE, PhiReadsDep, PrincipalDep, ProblemError, problem_responses, requires

from rcm_coding.domain.commands import DecideReview
from rcm_coding.domain.errors import (
    EditsFailedError,
    InvalidReviewDecisionError,
    ReviewCaseClosedError,
    ReviewNotFoundError,
)
from rcm_coding.entrypoints.dependencies import ReferenceDep, UowDep
from rcm_coding.entrypoints.schemas import (
    DecisionIn,
    EditFailureOut,
    EditsFailedProblem,
    EncounterIdPath,
    Limit,
    Offset,
    ReviewCaseOut,
    ReviewQueueItemOut,
)
from rcm_coding.service.handlers import decide_review
from rcm_coding.service.queries import review_queue

router = APIRouter(prefix="/v1/coding/reviews", tags=["coding review"])

# 422 is also a failed-edits answer: the problem then carries ``edit_failures``.
_DECISION_RESPONSES: dict[int | str, dict[str, Any]] = {
    **problem_responses(404, 409),
    422: {"model": EditsFailedProblem, "description": "invalid decision, or the final codes fail edits",
          "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/EditsFailedProblem"}}}},
}


@router.get("", summary="The review queue, oldest first", responses=problem_responses(422),
            dependencies=[requires(Permission.CODING_READ)])
async def get_reviews(uow: UowDep, reads: PhiReadsDep, limit: Limit = 100,
                      offset: Offset = 0) -> list[ReviewQueueItemOut]:
    """Each listed encounter (its date of service and review reasons) is a recorded read."""
    queue = await review_queue(uow, limit=limit, offset=offset)
    if queue:
        async with uow:
            await reads.record(uow, "coding.review", [e.encounter_id for e in queue])
            await uow.commit()
    return [ReviewQueueItemOut.from_domain(e) for e in queue]


@router.post("/{encounter_id}/decisions", summary="Apply a coder's decision to a queued encounter",
             responses=_DECISION_RESPONSES, dependencies=[requires(Permission.CODING_REVIEW)])
async def post_decision(encounter_id: EncounterIdPath, body: DecisionIn, uow: UowDep,
                        reference: ReferenceDep, coder: PrincipalDep, reads: PhiReadsDep) -> ReviewCaseOut:
    """The audit trail records the token's subject as the coder (never a request field); the case
    answered (patient age and sex, codes) is a recorded read too."""
    try:
        cmd = DecideReview(encounter_id, coder.subject, body.to_domain())
        async with uow:
            case = await decide_review(cmd, uow, cause=None, reference=reference)
            await reads.record(uow, "coding.review", [encounter_id])
            await uow.commit()
    except ReviewNotFoundError as exc:
        raise ProblemError(404, str(exc), kind="review-not-found") from exc
    except ReviewCaseClosedError as exc:
        raise ProblemError(409, str(exc), kind="review-closed") from exc
    except EditsFailedError as exc:
        failures = [EditFailureOut.from_domain(f).model_dump(mode="json") for f in exc.failures]
        raise ProblemError(422, str(exc), kind="edits-failed", extensions={"edit_failures": failures}) from exc
    except InvalidReviewDecisionError as exc:
        raise ProblemError(422, str(exc), kind="invalid-decision") from exc
    return ReviewCaseOut.from_domain(case)
