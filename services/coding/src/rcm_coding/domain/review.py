"""Human coding review as pure state transitions.

A :class:`ReviewCase` holds the engine's proposals (with evidence), the working final codes and
an append-only audit trail.  Every decision is applied with :meth:`ReviewCase.apply`, which
returns a NEW case (cases are immutable) or raises a domain error; persisting the case and
emitting events is the service's job::

    case = ReviewCase.open("rc-1", "enc-9", result, opened_at=now)
    case = case.apply(EditCodes((RemoveDiagnosis("R05.9"), SetUnits(2, 3)), reason="..."),
                      user="coder7", at=now)
    case = case.apply(CompleteReview(), user="coder7", at=now)
    case.final_diagnoses, case.final_lines, case.audit

Decisions: :class:`AcceptProposals` (take everything as proposed and close),
:class:`EditCodes` (add/remove/replace diagnoses, lines, modifiers, units, pointers; stays
open), :class:`CompleteReview` (close with the edited codes), :class:`RejectEncounter` (close
without codes, reason required).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from rcm_coding.domain.errors import (
    EditsFailedError,
    InvalidReviewDecisionError,
    ReasonRequiredError,
    ReviewCaseClosedError,
)
from rcm_coding.domain.model import AuditEntry, CodingResult, CodingStatus, EditFailure, FinalCodes, FinalLine

__all__ = [
    "AcceptProposals", "AddDiagnosis", "AddLine", "AuditEntry", "Change", "CompleteReview", "Decision",
    "EditCheck", "EditCodes", "FinalLine", "RejectEncounter", "RemoveDiagnosis", "RemoveLine", "ReplaceDiagnosis",
    "ReplaceLineCode", "ReviewCase", "ReviewQueueEntry", "ReviewStatus", "SetModifiers", "SetPointers", "SetUnits",
]

_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_PROC_SHAPE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")
_MOD_SHAPE = re.compile(r"^[0-9A-Z]{2}$")


class ReviewStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    REJECTED = "rejected"

    def coding_status(self) -> CodingStatus:
        """The encounter's coding status while its case is in this state."""
        return {ReviewStatus.OPEN: CodingStatus.REVIEW, ReviewStatus.COMPLETED: CodingStatus.CODED,
                ReviewStatus.REJECTED: CodingStatus.REJECTED}[self]


# ----------------------------------------------------------------------------- changes
@dataclass(frozen=True)
class AddDiagnosis:
    code: str
    position: int | None = None  # 1-based; None appends


@dataclass(frozen=True)
class RemoveDiagnosis:
    code: str


@dataclass(frozen=True)
class ReplaceDiagnosis:
    old: str
    new: str


@dataclass(frozen=True)
class AddLine:
    code: str
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    diagnosis_pointers: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class RemoveLine:
    line_number: int


@dataclass(frozen=True)
class ReplaceLineCode:
    line_number: int
    code: str


@dataclass(frozen=True)
class SetModifiers:
    line_number: int
    modifiers: tuple[str, ...]


@dataclass(frozen=True)
class SetUnits:
    line_number: int
    units: Decimal


@dataclass(frozen=True)
class SetPointers:
    line_number: int
    diagnosis_pointers: tuple[int, ...]


Change = (AddDiagnosis | RemoveDiagnosis | ReplaceDiagnosis | AddLine | RemoveLine
          | ReplaceLineCode | SetModifiers | SetUnits | SetPointers)


# ----------------------------------------------------------------------------- decisions
@dataclass(frozen=True)
class AcceptProposals:
    note: str | None = None
    override_reason: str | None = None  # close although the codes fail edits, and say why


@dataclass(frozen=True)
class EditCodes:
    changes: tuple[Change, ...]
    reason: str


@dataclass(frozen=True)
class CompleteReview:
    note: str | None = None
    override_reason: str | None = None  # close although the codes fail edits, and say why


@dataclass(frozen=True)
class RejectEncounter:
    reason: str


Decision = AcceptProposals | EditCodes | CompleteReview | RejectEncounter

# The payer edits over the codes a case would close with (the service binds the date of
# service, the patient's age and sex and the loaded code sets).
EditCheck = Callable[[tuple[str, ...], tuple["FinalLine", ...]], Sequence[EditFailure]]


@dataclass(frozen=True)
class ReviewCase:
    case_id: str
    encounter_id: str
    proposals: CodingResult
    status: ReviewStatus
    final_diagnoses: tuple[str, ...]
    final_lines: tuple[FinalLine, ...]
    audit: tuple[AuditEntry, ...]
    closed_at: datetime | None = None
    closed_by: str | None = None
    # What the age and sex edits need when the case closes (never the birth date or name).
    patient_age: int | None = None
    patient_sex: str = "U"

    @classmethod
    def open(cls, case_id: str, encounter_id: str, result: CodingResult, opened_at: datetime,
             opened_by: str = "coding-engine", *, patient_age: int | None = None,
             patient_sex: str = "U") -> ReviewCase:
        """A case whose working codes start as the engine's proposals."""
        lines = tuple(FinalLine(p.code, p.modifiers, p.units, p.diagnosis_pointers)
                      for p in result.procedures)
        entry = AuditEntry(opened_at, opened_by, "opened",
                           "; ".join(result.review_reasons) or "opened for review")
        return cls(case_id, encounter_id, result, ReviewStatus.OPEN,
                   tuple(d.code for d in result.diagnoses), lines, (entry,),
                   patient_age=patient_age, patient_sex=patient_sex)

    def final_codes(self) -> FinalCodes | None:
        """The codes a completed case sends on, with its trail (None while open or when rejected)."""
        if self.status is not ReviewStatus.COMPLETED:
            return None
        return FinalCodes(self.final_diagnoses, self.final_lines, f"coder:{self.closed_by}", reviewed=True,
                          review_trail=self.audit)

    def apply(self, decision: Decision, user: str, at: datetime, check: EditCheck | None = None) -> ReviewCase:
        """The case after the decision (this case is unchanged).

        Closing with codes (accept, complete) runs ``check`` over them first: codes that fail an
        edit close only with an override reason, which the audit trail keeps with the failures.
        """
        if self.status is not ReviewStatus.OPEN:
            raise ReviewCaseClosedError(f"review case {self.case_id} is {self.status.value}")
        if not user.strip():
            raise InvalidReviewDecisionError("user is required")
        if isinstance(decision, AcceptProposals):
            dx = tuple(d.code for d in self.proposals.diagnoses)
            lines = tuple(FinalLine(p.code, p.modifiers, p.units, p.diagnosis_pointers)
                          for p in self.proposals.procedures)
            _check_complete(dx, lines)
            detail, reason = _edits_on_close("accepted all proposals", dx, lines, check, decision)
            return replace(self, status=ReviewStatus.COMPLETED, final_diagnoses=dx,
                           final_lines=lines, closed_at=at, closed_by=user,
                           audit=(*self.audit, AuditEntry(at, user, "accepted", detail, reason)))
        if isinstance(decision, EditCodes):
            if not decision.reason.strip():
                raise ReasonRequiredError("an edit needs a reason")
            if not decision.changes:
                raise InvalidReviewDecisionError("an edit needs at least one change")
            working_dx, working_lines = list(self.final_diagnoses), list(self.final_lines)
            details = []
            for change in decision.changes:
                working_dx, working_lines = _apply_change(change, working_dx, working_lines)
                details.append(_describe(change))
            return replace(self, final_diagnoses=tuple(working_dx), final_lines=tuple(working_lines),
                           audit=(*self.audit, AuditEntry(at, user, "edited",
                                                          "; ".join(details), decision.reason)))
        if isinstance(decision, CompleteReview):
            _check_complete(self.final_diagnoses, self.final_lines)
            detail, reason = _edits_on_close("completed with edited codes", self.final_diagnoses,
                                             self.final_lines, check, decision)
            return replace(self, status=ReviewStatus.COMPLETED, closed_at=at, closed_by=user,
                           audit=(*self.audit, AuditEntry(at, user, "completed", detail, reason)))
        if isinstance(decision, RejectEncounter):
            if not decision.reason.strip():
                raise ReasonRequiredError("a rejection needs a reason")
            return replace(self, status=ReviewStatus.REJECTED, closed_at=at, closed_by=user,
                           audit=(*self.audit, AuditEntry(at, user, "rejected",
                                                          "encounter rejected for coding",
                                                          decision.reason)))
        raise InvalidReviewDecisionError(f"unknown decision {type(decision).__name__}")


def _edits_on_close(detail: str, dx: tuple[str, ...], lines: tuple[FinalLine, ...], check: EditCheck | None,
                    decision: AcceptProposals | CompleteReview) -> tuple[str, str | None]:
    """(audit detail, audit reason) for closing with these codes, or EditsFailedError."""
    failures = [f for f in (check(dx, lines) if check else ()) if f.severity == "error"]
    if not failures:
        return detail, decision.note
    override = (decision.override_reason or "").strip()
    if not override:
        raise EditsFailedError(failures)
    overridden = "; ".join(f"{f.edit_id} ({', '.join(f.codes)})" for f in failures)
    return f"{detail}; edits overridden: {overridden}", override


def _check_complete(dx: tuple[str, ...], lines: tuple[FinalLine, ...]) -> None:
    if not dx:
        raise InvalidReviewDecisionError("cannot complete without at least one diagnosis")
    for n, line in enumerate(lines, start=1):
        ptrs = line.diagnosis_pointers
        if not 1 <= len(ptrs) <= 4 or any(not 1 <= p <= len(dx) for p in ptrs):
            raise InvalidReviewDecisionError(
                f"line {n} ({line.code}) must point to 1-4 of the {len(dx)} diagnoses; "
                f"has {list(ptrs)}")


def _line_index(lines: list[FinalLine], n: int) -> int:
    if not 1 <= n <= len(lines):
        raise InvalidReviewDecisionError(f"line {n} does not exist (1..{len(lines)})")
    return n - 1


def _need_icd(code: str) -> str:
    code = code.strip().upper()
    if not _ICD_SHAPE.match(code):
        raise InvalidReviewDecisionError(f"{code!r} is not shaped like an ICD-10-CM code (A00.0)")
    return code


def _need_proc(code: str) -> str:
    code = code.strip().upper()
    if not _PROC_SHAPE.match(code):
        raise InvalidReviewDecisionError(f"{code!r} is not a 5-character CPT/HCPCS code")
    return code


def _need_mods(mods: tuple[str, ...]) -> tuple[str, ...]:
    out = tuple(m.strip().upper() for m in mods)
    if len(out) > 4 or any(not _MOD_SHAPE.match(m) for m in out):
        raise InvalidReviewDecisionError(f"modifiers {list(mods)}: up to 4 two-character codes")
    return out


def _need_units(units: Decimal) -> Decimal:
    # Fractional units are real (drug units, time-based services); zero or less is not.
    if units <= 0:
        raise InvalidReviewDecisionError(f"units must be greater than 0 (got {units})")
    return units


def _apply_change(change: Change, dx: list[str], lines: list[FinalLine]
                  ) -> tuple[list[str], list[FinalLine]]:
    if isinstance(change, AddDiagnosis):
        code = _need_icd(change.code)
        if code in dx:
            raise InvalidReviewDecisionError(f"{code} is already on the encounter")
        if change.position is None:
            dx.append(code)
            return dx, lines
        if not 1 <= change.position <= len(dx) + 1:
            raise InvalidReviewDecisionError(f"position {change.position} out of 1..{len(dx) + 1}")
        at = change.position
        dx.insert(at - 1, code)
        shifted = [replace(ln, diagnosis_pointers=tuple(p + 1 if p >= at else p
                                                        for p in ln.diagnosis_pointers))
                   for ln in lines]
        return dx, shifted
    if isinstance(change, RemoveDiagnosis):
        code = _need_icd(change.code)
        if code not in dx:
            raise InvalidReviewDecisionError(f"{code} is not on the encounter")
        gone = dx.index(code) + 1
        dx.remove(code)
        fixed = [replace(ln, diagnosis_pointers=tuple(p - 1 if p > gone else p
                                                      for p in ln.diagnosis_pointers if p != gone))
                 for ln in lines]
        return dx, fixed
    if isinstance(change, ReplaceDiagnosis):
        old, new = _need_icd(change.old), _need_icd(change.new)
        if old not in dx:
            raise InvalidReviewDecisionError(f"{old} is not on the encounter")
        if new in dx:
            raise InvalidReviewDecisionError(f"{new} is already on the encounter")
        dx[dx.index(old)] = new
        return dx, lines
    if isinstance(change, AddLine):
        _need_units(change.units)
        lines.append(FinalLine(_need_proc(change.code), _need_mods(change.modifiers),
                               change.units, tuple(change.diagnosis_pointers)))
        return dx, lines
    if isinstance(change, RemoveLine):
        lines.pop(_line_index(lines, change.line_number))
        return dx, lines
    if isinstance(change, ReplaceLineCode):
        i = _line_index(lines, change.line_number)
        lines[i] = replace(lines[i], code=_need_proc(change.code))
        return dx, lines
    if isinstance(change, SetModifiers):
        i = _line_index(lines, change.line_number)
        lines[i] = replace(lines[i], modifiers=_need_mods(change.modifiers))
        return dx, lines
    if isinstance(change, SetUnits):
        i = _line_index(lines, change.line_number)
        lines[i] = replace(lines[i], units=_need_units(change.units))
        return dx, lines
    if isinstance(change, SetPointers):
        i = _line_index(lines, change.line_number)
        lines[i] = replace(lines[i], diagnosis_pointers=tuple(change.diagnosis_pointers))
        return dx, lines
    raise InvalidReviewDecisionError(f"unknown change {type(change).__name__}")


def _describe(change: Change) -> str:
    fields = ", ".join(f"{k}={v}" for k, v in vars(change).items())
    return f"{type(change).__name__}({fields})"


@dataclass(frozen=True)
class ReviewQueueEntry:
    """An encounter waiting for a coder, as the queue lists it."""

    encounter_id: str
    date_of_service: date
    review_reasons: tuple[str, ...]
    queued_at: datetime
