"""Coding results, review cases and final codes <-> JSON, so they survive between a coder's
requests (stored in PostgreSQL JSONB columns).

Units are written as decimal strings ("0.5", "2.75": the contracts' JSON form of a Decimal)
and read back from a string or a number (rows written before units kept their decimals hold
integers). Final codes keep the JSON form of the ``EncounterCoded`` contract they were sent as.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rcm_coding.domain.model import (
    AuditEntry,
    CodingResult,
    DiagnosisProposal,
    EditFailure,
    Evidence,
    FinalCodes,
    FinalLine,
    ProcedureLine,
    code_system,
)
from rcm_coding.domain.review import ReviewCase, ReviewStatus


def units_to_json(units: Decimal) -> str:
    """A Decimal as its exact JSON string form."""
    return str(units)


def units_from_json(value: Any) -> Decimal:
    """Units stored as a string or (older rows) an integer."""
    return Decimal(str(value))


def result_to_json(result: CodingResult) -> dict[str, Any]:
    """The engine's result with evidence spans, rules and confidences (JSON types only)."""
    return {
        "diagnoses": [asdict(d) for d in result.diagnoses],
        "procedures": [{**asdict(p), "units": units_to_json(p.units)} for p in result.procedures],
        "edit_failures": [asdict(f) for f in result.edit_failures],
        "needs_review": result.needs_review,
        "review_reasons": list(result.review_reasons),
        "code_set_versions": dict(result.code_set_versions),
    }


def _evidence(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(**e) for e in items)


def result_from_json(data: dict[str, Any]) -> CodingResult:
    """The inverse of :func:`result_to_json`."""
    return CodingResult(
        diagnoses=tuple(DiagnosisProposal(**{**d, "evidence": _evidence(d["evidence"])}) for d in data["diagnoses"]),
        procedures=tuple(
            ProcedureLine(**{**p, "modifiers": tuple(p["modifiers"]), "units": units_from_json(p["units"]),
                             "diagnosis_pointers": tuple(p["diagnosis_pointers"]),
                             "evidence": _evidence(p["evidence"])})
            for p in data["procedures"]),
        edit_failures=tuple(EditFailure(**{**f, "codes": tuple(f["codes"]), "line_numbers": tuple(f["line_numbers"])})
                            for f in data["edit_failures"]),
        needs_review=bool(data["needs_review"]),
        review_reasons=tuple(data["review_reasons"]),
        code_set_versions=dict(data.get("code_set_versions", {})),
    )


def _line_to_json(line: FinalLine) -> dict[str, Any]:
    return {"code": line.code, "modifiers": list(line.modifiers), "units": units_to_json(line.units),
            "diagnosis_pointers": list(line.diagnosis_pointers)}


def _line_from_json(data: dict[str, Any]) -> FinalLine:
    return FinalLine(data["code"], tuple(data["modifiers"]), units_from_json(data["units"]),
                     tuple(data["diagnosis_pointers"]))


def _audit_to_json(entry: AuditEntry) -> dict[str, Any]:
    return {**asdict(entry), "at": entry.at.isoformat()}


def _audit_from_json(data: dict[str, Any]) -> AuditEntry:
    return AuditEntry(datetime.fromisoformat(data["at"]), data["user"], data["action"], data["detail"],
                      data.get("reason"))


def case_to_json(case: ReviewCase) -> dict[str, Any]:
    """A review case without its proposals (they are stored once, as the result's proposal)."""
    return {
        "case_id": case.case_id,
        "encounter_id": case.encounter_id,
        "status": case.status.value,
        "final_diagnoses": list(case.final_diagnoses),
        "final_lines": [_line_to_json(ln) for ln in case.final_lines],
        "audit": [_audit_to_json(a) for a in case.audit],
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "closed_by": case.closed_by,
        "patient_age": case.patient_age,
        "patient_sex": case.patient_sex,
    }


def case_from_json(data: dict[str, Any], proposal: dict[str, Any]) -> ReviewCase:
    """The inverse of :func:`case_to_json`, given the stored proposal."""
    return ReviewCase(
        case_id=data["case_id"],
        encounter_id=data["encounter_id"],
        proposals=result_from_json(proposal),
        status=ReviewStatus(data["status"]),
        final_diagnoses=tuple(data["final_diagnoses"]),
        final_lines=tuple(_line_from_json(ln) for ln in data["final_lines"]),
        audit=tuple(_audit_from_json(a) for a in data["audit"]),
        closed_at=datetime.fromisoformat(data["closed_at"]) if data["closed_at"] else None,
        closed_by=data["closed_by"],
        patient_age=data.get("patient_age"),
        patient_sex=data.get("patient_sex", "U"),
    )


def final_codes_to_json(encounter_id: str, date_of_service: date, codes: FinalCodes) -> dict[str, Any]:
    """Final codes in the JSON form of the ``EncounterCoded`` contract they were sent as."""
    return {
        "encounter_id": encounter_id,
        "date_of_service": date_of_service.isoformat(),
        "diagnoses": [{"code": c, "rank": i} for i, c in enumerate(codes.diagnoses, start=1)],
        "lines": [{"code": ln.code, "code_system": code_system(ln.code), "modifiers": list(ln.modifiers),
                   "units": units_to_json(ln.units), "diagnosis_pointers": list(ln.diagnosis_pointers)}
                  for ln in codes.lines],
        "coded_by": codes.coded_by,
        "reviewed": codes.reviewed,
        "review_trail": [_audit_to_json(a) for a in codes.review_trail],
    }


def final_codes_from_json(data: dict[str, Any]) -> FinalCodes:
    """The inverse of :func:`final_codes_to_json`."""
    diagnoses = sorted(data["diagnoses"], key=lambda d: int(d["rank"]))
    return FinalCodes(
        diagnoses=tuple(d["code"] for d in diagnoses),
        lines=tuple(_line_from_json(ln) for ln in data["lines"]),
        coded_by=data["coded_by"],
        reviewed=bool(data.get("reviewed", False)),
        review_trail=tuple(_audit_from_json(a) for a in data.get("review_trail", [])),
    )
