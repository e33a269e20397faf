"""HTTP request and response models of the coding service (its OpenAPI documents them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, Field, StringConstraints
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.web import Problem

from rcm_coding.adapters.codeset_store import LoadedCodeSets, ReleaseInUse
from rcm_coding.domain import review as r
from rcm_coding.domain.errors import InvalidReviewDecisionError
from rcm_coding.domain.model import (
    AuditEntry,
    CodingResult,
    CodingStatus,
    DiagnosisProposal,
    EditFailure,
    Evidence,
    FinalLine,
    ProcedureLine,
)
from rcm_coding.service.handlers import encounter_coded
from rcm_coding.service.queries import EncounterCodingView

# ----------------------------------------------------------------------------- input types
# Every input is bounded to what the tables and contracts hold, so bad input is a 422 naming
# the field, never a 5xx from the database. PostgreSQL text cannot hold NUL: no field takes it.
BIGINT_MAX = 2**63 - 1
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"  # no control characters at all
FREE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and newlines allowed, other controls not
ENCOUNTER_ID = r"^[A-Za-z0-9-]+$"  # as the EncounterCompleted contract (and claim CLM01 rules) allow

EncounterIdPath = Annotated[str, Path(min_length=1, max_length=38, pattern=ENCOUNTER_ID,
                                      description="the encounter id (1-38 letters, digits, hyphens)")]
Limit = Annotated[int, Query(ge=0, le=1000, description="page size")]
Offset = Annotated[int, Query(ge=0, le=BIGINT_MAX, description="entries to skip")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=10, pattern=ONE_LINE)]
Modifier = Annotated[str, StringConstraints(min_length=1, max_length=2, pattern=ONE_LINE)]
FreeText = Annotated[str, StringConstraints(max_length=2000, pattern=FREE_TEXT)]
Position = Annotated[int, Field(ge=1, le=1000)]
DiagnosisPointer = Annotated[int, Field(ge=1, le=12)]

Units = Annotated[Decimal, Field(gt=0, max_digits=9, decimal_places=3, description="service units (3 decimals)")]
StatusName = Literal["coded", "review", "rejected"]
T = TypeVar("T")


# ----------------------------------------------------------------------------- requests
class ChangeIn(BaseModel):
    """One edit. ``op`` picks which fields apply."""

    op: Literal["add_diagnosis", "remove_diagnosis", "replace_diagnosis", "add_line", "remove_line",
                "replace_line_code", "set_modifiers", "set_units", "set_pointers"]
    code: Code | None = None
    old: Code | None = None
    new: Code | None = None
    position: Position | None = Field(default=None, description="1-based place of an added diagnosis")
    line_number: Position | None = None
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    units: Units | None = None
    diagnosis_pointers: list[DiagnosisPointer] = Field(default_factory=list, max_length=12)

    def to_domain(self) -> r.Change:
        """The domain change; InvalidReviewDecisionError names a field the op needs but lacks."""
        def need(value: T | None, name: str) -> T:
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
                return r.AddLine(need(self.code, "code"), tuple(self.modifiers), self.units or Decimal(1),
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
    """A coder's decision on a queued encounter."""

    action: Literal["accept", "edit", "complete", "reject"]
    reason: FreeText | None = None
    note: FreeText | None = None
    override_reason: FreeText | None = Field(
        default=None, description="accept/complete although the final codes fail edits; kept in the audit trail")
    changes: list[ChangeIn] = Field(default_factory=list, max_length=100)

    def to_domain(self) -> r.Decision:
        """The domain decision (InvalidReviewDecisionError when a change is incomplete)."""
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


# ----------------------------------------------------------------------------- responses
class EvidenceOut(BaseModel):
    """A span of the note (character offsets, end exclusive) that supports a code."""

    start: int
    end: int
    section: str
    text: str

    @classmethod
    def from_domain(cls, e: Evidence) -> EvidenceOut:
        return cls(start=e.start, end=e.end, section=e.section, text=e.text)


class DiagnosisProposalOut(BaseModel):
    """A diagnosis the engine proposes, with the rule and evidence behind it."""

    code: str
    description: str
    rule: str
    confidence: float
    evidence: list[EvidenceOut]

    @classmethod
    def from_domain(cls, d: DiagnosisProposal) -> DiagnosisProposalOut:
        return cls(code=d.code, description=d.description, rule=d.rule, confidence=d.confidence,
                   evidence=[EvidenceOut.from_domain(e) for e in d.evidence])


class ProcedureLineOut(BaseModel):
    """A service line the engine proposes."""

    code: str
    description: str
    rule: str
    confidence: float
    modifiers: list[str]
    units: Decimal
    diagnosis_pointers: list[int]
    evidence: list[EvidenceOut]

    @classmethod
    def from_domain(cls, p: ProcedureLine) -> ProcedureLineOut:
        return cls(code=p.code, description=p.description, rule=p.rule, confidence=p.confidence,
                   modifiers=list(p.modifiers), units=p.units, diagnosis_pointers=list(p.diagnosis_pointers),
                   evidence=[EvidenceOut.from_domain(e) for e in p.evidence])


class EditFailureOut(BaseModel):
    """One failed edit: a stable id, the codes involved and a reason a coder can act on."""

    edit_id: str
    codes: list[str]
    reason: str
    line_numbers: list[int] = Field(default_factory=list, description="1-based service lines involved")
    severity: Literal["error", "warning"] = "error"

    @classmethod
    def from_domain(cls, f: EditFailure) -> EditFailureOut:
        return cls(edit_id=f.edit_id, codes=list(f.codes), reason=f.reason, line_numbers=list(f.line_numbers),
                   severity=f.severity)


class ProposalOut(BaseModel):
    """The engine's result: proposed codes with evidence, failed edits and why a coder must look."""

    diagnoses: list[DiagnosisProposalOut]
    procedures: list[ProcedureLineOut]
    edit_failures: list[EditFailureOut]
    needs_review: bool
    review_reasons: list[str]
    code_set_versions: dict[str, str]

    @classmethod
    def from_domain(cls, result: CodingResult) -> ProposalOut:
        return cls(diagnoses=[DiagnosisProposalOut.from_domain(d) for d in result.diagnoses],
                   procedures=[ProcedureLineOut.from_domain(p) for p in result.procedures],
                   edit_failures=[EditFailureOut.from_domain(f) for f in result.edit_failures],
                   needs_review=result.needs_review, review_reasons=list(result.review_reasons),
                   code_set_versions=dict(result.code_set_versions))


class FinalLineOut(BaseModel):
    """A working or final service line of a review case."""

    code: str
    modifiers: list[str]
    units: Decimal
    diagnosis_pointers: list[int]

    @classmethod
    def from_domain(cls, ln: FinalLine) -> FinalLineOut:
        return cls(code=ln.code, modifiers=list(ln.modifiers), units=ln.units,
                   diagnosis_pointers=list(ln.diagnosis_pointers))


class AuditEntryOut(BaseModel):
    """One step of a review case's trail."""

    at: datetime
    user: str
    action: str
    detail: str
    reason: str | None = None

    @classmethod
    def from_domain(cls, a: AuditEntry) -> AuditEntryOut:
        return cls(at=a.at, user=a.user, action=a.action, detail=a.detail, reason=a.reason)


CaseStatusName = Literal["open", "completed", "rejected"]
_CASE_STATUS: dict[r.ReviewStatus, CaseStatusName] = {
    r.ReviewStatus.OPEN: "open", r.ReviewStatus.COMPLETED: "completed", r.ReviewStatus.REJECTED: "rejected"}


class ReviewCaseOut(BaseModel):
    """A review case: the working codes and the trail of every decision."""

    case_id: str
    encounter_id: str
    status: CaseStatusName
    final_diagnoses: list[str]
    final_lines: list[FinalLineOut]
    audit: list[AuditEntryOut]
    closed_at: datetime | None
    closed_by: str | None
    patient_age: int | None = Field(description="age on the date of service, for the age edits")
    patient_sex: str

    @classmethod
    def from_domain(cls, case: r.ReviewCase) -> ReviewCaseOut:
        return cls(case_id=case.case_id, encounter_id=case.encounter_id, status=_CASE_STATUS[case.status],
                   final_diagnoses=list(case.final_diagnoses),
                   final_lines=[FinalLineOut.from_domain(ln) for ln in case.final_lines],
                   audit=[AuditEntryOut.from_domain(a) for a in case.audit], closed_at=case.closed_at,
                   closed_by=case.closed_by, patient_age=case.patient_age, patient_sex=case.patient_sex)


class AuditChangesOut(BaseModel):
    detail: str


class AuditRecordOut(BaseModel):
    """One row of the review audit log."""

    action: str
    coder: str
    reason: str | None
    changes: AuditChangesOut
    at: datetime

    @classmethod
    def from_domain(cls, a: AuditEntry) -> AuditRecordOut:
        return cls(action=a.action, coder=a.user, reason=a.reason, changes=AuditChangesOut(detail=a.detail), at=a.at)


def _status(status: CodingStatus) -> StatusName:
    names: dict[CodingStatus, StatusName] = {CodingStatus.CODED: "coded", CodingStatus.REVIEW: "review",
                                             CodingStatus.REJECTED: "rejected"}
    return names[status]


class EncounterCodingOut(BaseModel):
    """One encounter's coding: the proposal (with evidence), the final codes and the review trail."""

    encounter_id: str
    status: StatusName
    date_of_service: date
    proposal: ProposalOut
    final_codes: EncounterCoded | None = Field(description="what was emitted as EncounterCoded, if anything")
    coded_by: str | None
    review_case: ReviewCaseOut | None
    audit: list[AuditRecordOut]

    @classmethod
    def from_domain(cls, view: EncounterCodingView) -> EncounterCodingOut:
        c = view.coding
        final = encounter_coded(c.encounter_id, c.date_of_service, c.final_codes) if c.final_codes else None
        return cls(encounter_id=c.encounter_id, status=_status(c.status), date_of_service=c.date_of_service,
                   proposal=ProposalOut.from_domain(c.proposal), final_codes=final, coded_by=c.coded_by,
                   review_case=ReviewCaseOut.from_domain(view.case) if view.case else None,
                   audit=[AuditRecordOut.from_domain(a) for a in view.audit])


class ReviewQueueItemOut(BaseModel):
    """An encounter waiting for a coder."""

    encounter_id: str
    date_of_service: date
    review_reasons: list[str]
    queued_at: datetime

    @classmethod
    def from_domain(cls, entry: r.ReviewQueueEntry) -> ReviewQueueItemOut:
        return cls(encounter_id=entry.encounter_id, date_of_service=entry.date_of_service,
                   review_reasons=list(entry.review_reasons), queued_at=entry.queued_at)


class CodingSummaryOut(BaseModel):
    """Encounters by coding status."""

    coded: int = Field(ge=0, description="codes sent on to billing")
    review: int = Field(ge=0, description="waiting in the review queue")
    rejected: int = Field(ge=0, description="closed by a coder without codes")

    @classmethod
    def from_domain(cls, counts: dict[CodingStatus, int]) -> CodingSummaryOut:
        return cls(coded=counts.get(CodingStatus.CODED, 0), review=counts.get(CodingStatus.REVIEW, 0),
                   rejected=counts.get(CodingStatus.REJECTED, 0))


class EditsFailedProblem(Problem):
    """The problem answered when the codes a coder closes with fail edits (``edit_failures``)."""

    edit_failures: list[EditFailureOut] = Field(
        default_factory=list, description="the failed edits (fix them, or close with an override reason)")


# ----------------------------------------------------------------------------- code sets
class CodeSetReleaseOut(BaseModel):
    """One release of one code set: where it came from, the dates it covers, whether it is in use."""

    kind: Literal["icd10cm", "hcpcs", "ncci-ptp", "mue", "cpt"]
    title: str
    version: str
    origin: Literal["imported", "packaged", "sample"] = Field(
        description="imported from CMS (or licensed CPT) files, packaged with the platform, or a packaged "
                    "illustrative sample (not a CMS release)")
    effective_from: date | None = None
    effective_to: date | None = Field(default=None, description="none: until a later release takes over")
    window_basis: str | None = Field(default=None, description="how the dates were found (given, or inferred)")
    sources: list[str] = Field(description="file names")
    counts: dict[str, int] = Field(default_factory=dict)
    imported_at: datetime | None = None
    in_use: bool

    @classmethod
    def from_adapter(cls, used: ReleaseInUse) -> CodeSetReleaseOut:
        r = used.release
        return cls(kind=r.kind, title=r.title, version=r.version, origin=r.origin,
                   effective_from=r.window.effective_from if r.window else None,
                   effective_to=r.window.effective_to if r.window else None,
                   window_basis=r.window.basis if r.window else None, sources=[s.name for s in r.sources],
                   counts=dict(r.counts), imported_at=r.imported_at, in_use=used.in_use)


class CodeSetWarningOut(BaseModel):
    kind: str
    message: str


class CodeSetsOut(BaseModel):
    """The code sets the engine codes with, and what needs an operator for one date of service."""

    date_of_service: date
    loaded_on: date = Field(description="HCPCS, CPT, NCCI and MUE were chosen for this date, at start")
    releases: list[CodeSetReleaseOut]
    warnings: list[CodeSetWarningOut]

    @classmethod
    def from_adapter(cls, loaded: LoadedCodeSets, on: date) -> CodeSetsOut:
        status = loaded.status(on)
        return cls(date_of_service=on, loaded_on=loaded.loaded_on,
                   releases=[CodeSetReleaseOut.from_adapter(u) for u in status.releases],
                   warnings=[CodeSetWarningOut(kind=w.kind, message=w.message) for w in status.warnings])
