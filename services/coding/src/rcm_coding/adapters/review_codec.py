"""ReviewCase <-> JSON, so a case survives between a coder's requests (stored in PostgreSQL)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from rcm_coding.domain.model import CodingResult, DiagnosisProposal, EditFailure, Evidence, ProcedureLine
from rcm_coding.domain.review import AuditEntry, FinalLine, ReviewCase, ReviewStatus


def result_to_json(result: CodingResult) -> dict[str, Any]:
    """The engine's result with evidence spans, rules and confidences (JSON types only)."""
    return {
        "diagnoses": [asdict(d) for d in result.diagnoses],
        "procedures": [asdict(p) for p in result.procedures],
        "edit_failures": [asdict(f) for f in result.edit_failures],
        "needs_review": result.needs_review,
        "review_reasons": list(result.review_reasons),
        "code_set_versions": dict(result.code_set_versions),
    }


def _evidence(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(**e) for e in items)


def result_from_json(data: dict[str, Any]) -> CodingResult:
    return CodingResult(
        diagnoses=tuple(DiagnosisProposal(**{**d, "evidence": _evidence(d["evidence"])}) for d in data["diagnoses"]),
        procedures=tuple(
            ProcedureLine(**{**p, "modifiers": tuple(p["modifiers"]),
                             "diagnosis_pointers": tuple(p["diagnosis_pointers"]),
                             "evidence": _evidence(p["evidence"])})
            for p in data["procedures"]),
        edit_failures=tuple(EditFailure(**{**f, "codes": tuple(f["codes"]), "line_numbers": tuple(f["line_numbers"])})
                            for f in data["edit_failures"]),
        needs_review=bool(data["needs_review"]),
        review_reasons=tuple(data["review_reasons"]),
        code_set_versions=dict(data.get("code_set_versions", {})),
    )


def case_to_json(case: ReviewCase) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "encounter_id": case.encounter_id,
        "status": case.status.value,
        "final_diagnoses": list(case.final_diagnoses),
        "final_lines": [asdict(ln) for ln in case.final_lines],
        "audit": [{**asdict(a), "at": a.at.isoformat()} for a in case.audit],
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "closed_by": case.closed_by,
        "patient_age": case.patient_age,
        "patient_sex": case.patient_sex,
    }


def case_from_json(data: dict[str, Any], proposal: dict[str, Any]) -> ReviewCase:
    return ReviewCase(
        case_id=data["case_id"],
        encounter_id=data["encounter_id"],
        proposals=result_from_json(proposal),
        status=ReviewStatus(data["status"]),
        final_diagnoses=tuple(data["final_diagnoses"]),
        final_lines=tuple(FinalLine(ln["code"], tuple(ln["modifiers"]), ln["units"], tuple(ln["diagnosis_pointers"]))
                          for ln in data["final_lines"]),
        audit=tuple(AuditEntry(datetime.fromisoformat(a["at"]), a["user"], a["action"], a["detail"], a["reason"])
                    for a in data["audit"]),
        closed_at=datetime.fromisoformat(data["closed_at"]) if data["closed_at"] else None,
        closed_by=data["closed_by"],
        patient_age=data.get("patient_age"),
        patient_sex=data.get("patient_sex", "U"),
    )
