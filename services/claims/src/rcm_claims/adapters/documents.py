"""JSON forms of the domain values kept in JSONB columns, and back.

Intake parts keep the field names of the event contracts, so intake rows written before
the domain had its own types (the whole contract JSON, note text included) still read:
unknown keys are dropped on the way in. The claim document keeps its published shape
(the by-encounter API shows it): money and units as decimal strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast

from pydantic import TypeAdapter
from rcm_shared.envelope import Cause

from rcm_claims.domain.model import (
    Claim,
    ClaimLine,
    ClaimStatus,
    CodedEncounter,
    CodeSystem,
    CoverageFacts,
    EncounterFacts,
    FrequencyCode,
    IntakePart,
)

T = TypeVar("T")

_ENCOUNTER = TypeAdapter(EncounterFacts)
_COVERAGE = TypeAdapter(CoverageFacts)
_CODING = TypeAdapter(CodedEncounter)


def intake_column(part: IntakePart) -> str:
    """The ``claim_intake`` column holding ``part``."""
    if isinstance(part, EncounterFacts):
        return "encounter"
    if isinstance(part, CoverageFacts):
        return "coverage"
    return "coding"


def part_document(part: IntakePart) -> dict[str, Any]:
    if isinstance(part, EncounterFacts):
        document = _ENCOUNTER.dump_python(part, mode="json")
    elif isinstance(part, CoverageFacts):
        document = _COVERAGE.dump_python(part, mode="json")
    else:
        document = _CODING.dump_python(part, mode="json")
    return cast(dict[str, Any], document)


def _read(adapter: TypeAdapter[T], document: dict[str, Any] | None) -> T | None:
    return None if document is None else adapter.validate_python(document)


def encounter_from(document: dict[str, Any] | None) -> EncounterFacts | None:
    return _read(_ENCOUNTER, document)


def coverage_from(document: dict[str, Any] | None) -> CoverageFacts | None:
    return _read(_COVERAGE, document)


def coding_from(document: dict[str, Any] | None) -> CodedEncounter | None:
    return _read(_CODING, document)


def claim_document(claim: Claim) -> dict[str, Any]:
    """The claim as stored in ``claims.claim`` (JSON; money as strings)."""
    return {
        "claim_id": claim.claim_id,
        "encounter_id": claim.encounter_id,
        "frequency_code": claim.frequency_code,
        "diagnoses": list(claim.diagnoses),
        "total_charge": str(claim.total_charge),
        "lines": [
            {"line_number": ln.line_number, "code": ln.code, "code_system": ln.code_system,
             "modifiers": list(ln.modifiers), "units": str(ln.units), "unit_price": str(ln.unit_price),
             "charge": str(ln.charge), "diagnosis_pointers": list(ln.diagnosis_pointers),
             "date_of_service": ln.date_of_service.isoformat()}
            for ln in claim.lines
        ],
    }


def claim_from(document: dict[str, Any], *, payer_id: str, status: str) -> Claim:
    """The inverse of :func:`claim_document` (payer and status are columns of their own)."""
    return Claim(
        claim_id=document["claim_id"],
        encounter_id=document["encounter_id"],
        payer_id=payer_id,
        frequency_code=cast(FrequencyCode, document["frequency_code"]),
        diagnoses=tuple(document["diagnoses"]),
        lines=tuple(
            ClaimLine(line_number=int(ln["line_number"]), code=ln["code"],
                      code_system=cast(CodeSystem, ln["code_system"]), modifiers=tuple(ln["modifiers"]),
                      units=Decimal(ln["units"]), unit_price=Decimal(ln["unit_price"]),
                      charge=Decimal(ln["charge"]), diagnosis_pointers=tuple(ln["diagnosis_pointers"]),
                      date_of_service=date.fromisoformat(ln["date_of_service"]))
            for ln in document["lines"]
        ),
        status=cast(ClaimStatus, status),
    )


def cause_document(cause: Cause | None) -> dict[str, Any] | None:
    return None if cause is None else dict(cause.to_json())


def cause_from(document: dict[str, Any] | None) -> Cause | None:
    return None if document is None else Cause.from_json(document)
