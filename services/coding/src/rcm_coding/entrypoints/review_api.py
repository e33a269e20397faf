"""The review queue's decisions over HTTP: accept, edit, complete or reject."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from rcm_shared.web import RuntimeDep

from rcm_coding.adapters.review_codec import case_to_json
from rcm_coding.domain import review as r
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.errors import EditsFailedError, InvalidReviewDecisionError, ReviewCaseClosedError
from rcm_coding.service.review import ReviewNotFoundError, decide_review

router = APIRouter(prefix="/v1/coding/reviews", tags=["coding review"])


class ChangeIn(BaseModel):
    """One edit. ``op`` picks which fields apply."""

    op: Literal["add_diagnosis", "remove_diagnosis", "replace_diagnosis", "add_line", "remove_line",
                "replace_line_code", "set_modifiers", "set_units", "set_pointers"]
    code: str | None = None
    old: str | None = None
    new: str | None = None
    position: int | None = None
    line_number: int | None = None
    modifiers: list[str] = Field(default_factory=list)
    units: int | None = None
    diagnosis_pointers: list[int] = Field(default_factory=list)

    def to_domain(self) -> r.Change:
        def need(value: Any, name: str) -> Any:
            if value is None:
                raise InvalidReviewDecisionError(f"{self.op} needs '{name}'")
            return value

        match self.op:
            case "add_diagnosis":
                return r.AddDiagnosis(need(self.code, "code"), self.position)
            case "remove_diagnosis":
                return r.RemoveDiagnosis(need(self.code, "code"))
            case "replace_diagnosis":
                return r.ReplaceDiagnosis(need(self.old, "old"), need(self.new, "new"))
            case "add_line":
                return r.AddLine(need(self.code, "code"), tuple(self.modifiers), self.units or 1,
                                 tuple(self.diagnosis_pointers) or (1,))
            case "remove_line":
                return r.RemoveLine(need(self.line_number, "line_number"))
            case "replace_line_code":
                return r.ReplaceLineCode(need(self.line_number, "line_number"), need(self.code, "code"))
            case "set_modifiers":
                return r.SetModifiers(need(self.line_number, "line_number"), tuple(self.modifiers))
            case "set_units":
                return r.SetUnits(need(self.line_number, "line_number"), need(self.units, "units"))
            case "set_pointers":
                return r.SetPointers(need(self.line_number, "line_number"), tuple(self.diagnosis_pointers))
        raise InvalidReviewDecisionError(f"unknown op {self.op}")


class DecisionIn(BaseModel):
    user: Annotated[str, Field(min_length=1, max_length=80, description="the coder's user id")]
    action: Literal["accept", "edit", "complete", "reject"]
    reason: str | None = Field(default=None, max_length=2000)
    note: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(
        default=None, max_length=2000,
        description="accept/complete although the final codes fail edits; kept in the audit trail")
    changes: list[ChangeIn] = Field(default_factory=list)

    def to_domain(self) -> r.Decision:
        match self.action:
            case "accept":
                return r.AcceptProposals(self.note, self.override_reason)
            case "edit":
                return r.EditCodes(tuple(c.to_domain() for c in self.changes), self.reason or "")
            case "complete":
                return r.CompleteReview(self.note, self.override_reason)
            case "reject":
                return r.RejectEncounter(self.reason or "")
        raise InvalidReviewDecisionError(f"unknown action {self.action}")


@router.post("/{encounter_id}/decisions", summary="Apply a coder's decision to a queued encounter")
async def post_decision(encounter_id: str, body: DecisionIn, runtime: RuntimeDep, request: Request) -> dict[str, Any]:
    engine: CodingEngine = request.app.state.engine
    try:
        decision = body.to_domain()
        async with runtime.uow() as uow:
            case = await decide_review(encounter_id, decision, body.user, uow, engine.registry)
            await uow.commit()
    except ReviewNotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except ReviewCaseClosedError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except EditsFailedError as exc:
        raise HTTPException(status_code=422, detail={
            "message": str(exc),
            "edit_failures": [{"edit_id": f.edit_id, "codes": list(f.codes), "reason": f.reason,
                               "line_numbers": list(f.line_numbers)} for f in exc.failures]}) from exc
    except InvalidReviewDecisionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return case_to_json(case)
