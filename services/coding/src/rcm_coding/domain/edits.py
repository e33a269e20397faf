"""Code edits over one claim's diagnoses and service lines.

Used by the coding engine and meant to be reused by the claim scrubber::

    from rcm_coding.domain.edits import ClaimLine, run_edits
    failures = run_edits(["E11.22", "N18.31"], [ClaimLine("99214", diagnosis_pointers=(1, 2))],
                         date_of_service=date(2026, 5, 4), patient_age=61, patient_sex="F",
                         reference=engine.registry)

Every failure carries a stable ``edit_id`` (the constants below), the codes involved, a reason a
coder can act on and, for line-level edits, the 1-based line numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.errors import CodeSetNotAvailableError
from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.model import EditFailure
from rcm_coding.domain.ncci import PTP_BYPASS_MODIFIERS

CODESET_UNAVAILABLE = "CODESET_UNAVAILABLE"
ICD_INVALID_CODE = "ICD_INVALID_CODE"
ICD_NOT_BILLABLE = "ICD_NOT_BILLABLE"
ICD_DUPLICATE = "ICD_DUPLICATE"
ICD_EXCLUDES1 = "ICD_EXCLUDES1"
ICD_MANIFESTATION_FIRST = "ICD_MANIFESTATION_FIRST"
ICD_CODE_FIRST_ORDER = "ICD_CODE_FIRST_ORDER"
ICD_COMPANION_MISSING = "ICD_COMPANION_MISSING"
ICD_BMI_WITHOUT_WEIGHT_DX = "ICD_BMI_WITHOUT_WEIGHT_DX"
ICD_SEX_CONFLICT = "ICD_SEX_CONFLICT"
ICD_AGE_CONFLICT = "ICD_AGE_CONFLICT"
PROC_UNKNOWN_CODE = "PROC_UNKNOWN_CODE"
PROC_INACTIVE_CODE = "PROC_INACTIVE_CODE"
PROC_AGE_CONFLICT = "PROC_AGE_CONFLICT"
PROC_UNITS_INVALID = "PROC_UNITS_INVALID"
NCCI_PTP_NOT_ALLOWED = "NCCI_PTP_NOT_ALLOWED"
NCCI_PTP_MODIFIER_REQUIRED = "NCCI_PTP_MODIFIER_REQUIRED"
MUE_UNITS_EXCEEDED = "MUE_UNITS_EXCEEDED"
DX_POINTER_MISSING = "DX_POINTER_MISSING"
DX_POINTER_INVALID = "DX_POINTER_INVALID"
DX_POINTER_TOO_MANY = "DX_POINTER_TOO_MANY"
NO_DIAGNOSIS = "NO_DIAGNOSIS"

# "Use additional code" notes that are mandatory in practice (a small, explicit table: most
# tabular use-additional notes are "if applicable" and would only add noise).
_REQUIRED_COMPANIONS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("E0822", "E0922", "E1022", "E1122", "E1322"), ("N18",),
     "diabetic CKD needs the CKD stage (N18.-)"),
    (("I12", "I13"), ("N18",), "hypertensive CKD needs the CKD stage (N18.-)"),
    (("I110", "I130", "I132"), ("I50",), "hypertensive heart disease with heart failure needs "
                                         "the type of heart failure (I50.-)"),
)
_WEIGHT_DX_PREFIXES = ("E66", "R63.5", "R63.6", "E44", "E46", "R62.5", "E43", "R63.4")

# Preventive medicine E/M age bands (years, inclusive); infant = under 1.
_PREVENTIVE_BANDS: dict[str, tuple[int, int]] = {}
for _base in (99380, 99390):
    for _i, _band in enumerate([(0, 0), (1, 4), (5, 11), (12, 17), (18, 39), (40, 64), (65, 200)]):
        _PREVENTIVE_BANDS[str(_base + 1 + _i)] = _band


class LineLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def modifiers(self) -> tuple[str, ...]: ...
    @property
    def units(self) -> Decimal: ...
    @property
    def diagnosis_pointers(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class ClaimLine:
    """A service line as the edits see it (``ProcedureLine`` of a CodingResult fits too)."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    diagnosis_pointers: tuple[int, ...] = ()


def run_edits(
    diagnosis_codes: Sequence[str],
    lines: Sequence[LineLike],
    *,
    date_of_service: date,
    patient_age: int | None,
    patient_sex: str,
    reference: CodeSetRegistry,
) -> list[EditFailure]:
    """Run every edit over one claim (diagnoses in claim order, principal first)."""
    failures: list[EditFailure] = []
    try:
        icd = reference.icd10cm_for(date_of_service)
    except CodeSetNotAvailableError as exc:
        failures.append(EditFailure(CODESET_UNAVAILABLE, tuple(diagnosis_codes), str(exc)))
        icd = None
    if icd is not None:
        failures += diagnosis_edits(diagnosis_codes, icd, patient_age, patient_sex)
    failures += line_edits(lines, date_of_service, patient_age, reference)
    failures += ptp_edits(lines, date_of_service, reference)
    failures += mue_edits(lines, reference)
    failures += pointer_edits(lines, len(diagnosis_codes))
    return failures


def diagnosis_edits(
    codes: Sequence[str], icd: ICD10CMCodeSet, age: int | None, sex: str
) -> list[EditFailure]:
    """Validity, billable status, Excludes1, sequencing, companions, age and sex."""
    out: list[EditFailure] = []
    if not codes:
        return [EditFailure(NO_DIAGNOSIS, (), "the claim has no diagnosis code")]
    norm = [icd.normalize(c) for c in codes]
    seen: set[str] = set()
    for c in norm:
        if c in seen:
            out.append(EditFailure(ICD_DUPLICATE, (c,), f"{c} is listed more than once"))
        seen.add(c)
        if not icd.is_valid(c):
            out.append(EditFailure(ICD_INVALID_CODE, (c,),
                                   f"{c} is not an ICD-10-CM code in release {icd.version}"))
        elif not icd.is_billable(c):
            out.append(EditFailure(ICD_NOT_BILLABLE, (c,), f"{c} is a category/subcategory "
                                   "header; a more specific (billable) code is required"))
    valid = [c for c in norm if icd.is_valid(c)]
    reported: set[frozenset[str]] = set()
    for a in valid:
        for note, ref in icd.excludes1_refs(a):
            for b in valid:
                pair = frozenset((a, b))
                if b != a and pair not in reported and ref.matches(b):
                    reported.add(pair)
                    out.append(EditFailure(ICD_EXCLUDES1, (a, b),
                                           f"Excludes1 at {a}: '{note}' - {a} and {b} are not "
                                           "coded together"))
    if valid and icd.is_manifestation(valid[0]):
        out.append(EditFailure(ICD_MANIFESTATION_FIRST, (valid[0],),
                               f"{valid[0]} is a manifestation code and cannot be first-listed; "
                               "sequence the underlying condition first"))
    for i, a in enumerate(valid):
        refs = icd.code_first_refs(a)
        for b in valid[i + 1:]:
            if any(r.matches(b) for r in refs):
                out.append(EditFailure(ICD_CODE_FIRST_ORDER, (a, b),
                                       f"{a} has a 'code first' note naming {b}; list {b} first"))
    dotless = [c.replace(".", "") for c in valid]
    for triggers, needs, why in _REQUIRED_COMPANIONS:
        for c in dotless:
            if c.startswith(triggers) and not any(d.startswith(needs) for d in dotless):
                out.append(EditFailure(ICD_COMPANION_MISSING, (icd.normalize(c),), why))
    bmi = [c for c in valid if c.startswith("Z68")]
    if bmi and not any(c.startswith(_WEIGHT_DX_PREFIXES) for c in valid):
        out.append(EditFailure(ICD_BMI_WITHOUT_WEIGHT_DX, tuple(bmi),
                               "BMI is reported only with an associated weight diagnosis "
                               "(obesity, overweight, underweight, malnutrition)", (), "warning"))
    for c in valid:
        restricted = icd.sex_restriction(c)
        if restricted and sex in ("F", "M") and sex != restricted:
            out.append(EditFailure(ICD_SEX_CONFLICT, (c,),
                                   f"{c} applies to sex {restricted}; patient sex is {sex}"))
        window = icd.age_range(c)
        if window and age is not None and not window[0] <= age <= window[1]:
            severity: Literal["error", "warning"] = "warning" if c.startswith("P") else "error"
            out.append(EditFailure(ICD_AGE_CONFLICT, (c,),
                                   f"{c}: {window[2]}; patient age is {age}", (), severity))
    return out


def line_edits(
    lines: Sequence[LineLike], when: date, age: int | None, reference: CodeSetRegistry
) -> list[EditFailure]:
    """Known and active procedure codes, units, and age bands of preventive visits."""
    out: list[EditFailure] = []
    for n, line in enumerate(lines, start=1):
        proc = reference.procedure(line.code)
        if proc is None:
            out.append(EditFailure(PROC_UNKNOWN_CODE, (line.code,),
                                   f"{line.code} is not in the loaded CPT/HCPCS lists", (n,),
                                   "warning"))
        elif not proc.active_on(when):
            out.append(EditFailure(PROC_INACTIVE_CODE, (line.code,),
                                   f"{line.code} is not active on {when}", (n,)))
        if line.units <= 0:
            out.append(EditFailure(PROC_UNITS_INVALID, (line.code,),
                                   f"units must be greater than 0 (got {line.units})", (n,)))
        band = _PREVENTIVE_BANDS.get(line.code)
        if band and age is not None and not band[0] <= age <= band[1]:
            out.append(EditFailure(PROC_AGE_CONFLICT, (line.code,),
                                   f"{line.code} is for ages {band[0]}-{band[1]}; patient is {age}",
                                   (n,)))
    return out


def ptp_edits(lines: Sequence[LineLike], when: date, reference: CodeSetRegistry) -> list[EditFailure]:
    """NCCI procedure-to-procedure pairs on the same date of service."""
    out: list[EditFailure] = []
    for i, first in enumerate(lines, start=1):
        for j, second in enumerate(lines, start=1):
            if i == j:
                continue
            for edit in reference.ptp_edits_for(first.code, second.code, when):
                pair = (first.code, second.code)
                if edit.modifier_indicator == "0":
                    out.append(EditFailure(NCCI_PTP_NOT_ALLOWED, pair,
                                           f"NCCI PTP: {second.code} is not reportable with "
                                           f"{first.code} on the same day (modifier indicator 0)",
                                           (i, j)))
                elif edit.modifier_indicator == "1":
                    mods = set(first.modifiers) | set(second.modifiers)
                    if not mods & PTP_BYPASS_MODIFIERS:
                        out.append(EditFailure(
                            NCCI_PTP_MODIFIER_REQUIRED, pair,
                            f"NCCI PTP: {second.code} bundles into {first.code} unless a distinct "
                            "service is documented and marked (25 on the E/M, or 59/XE/XS/XP/XU)",
                            (i, j)))
    return out


def mue_edits(lines: Sequence[LineLike], reference: CodeSetRegistry) -> list[EditFailure]:
    """Medically unlikely edits: per line (MAI 1) or per date of service (MAI 2 and 3)."""
    out: list[EditFailure] = []
    totals: dict[str, tuple[Decimal, list[int]]] = {}
    for n, line in enumerate(lines, start=1):
        limit = reference.mue.get(line.code)
        if limit is None:
            continue
        if limit.adjudication_indicator == "1":
            if line.units > limit.max_units:
                out.append(EditFailure(MUE_UNITS_EXCEEDED, (line.code,),
                                       f"{line.units} units exceed the MUE of {limit.max_units} "
                                       "per line", (n,)))
        else:
            units, where = totals.get(line.code, (Decimal(0), []))
            totals[line.code] = (units + line.units, [*where, n])
    for code, (units, where) in totals.items():
        limit = reference.mue[code]
        if units > limit.max_units:
            out.append(EditFailure(MUE_UNITS_EXCEEDED, (code,),
                                   f"{units} units on the date of service exceed the MUE of "
                                   f"{limit.max_units} (adjudication indicator "
                                   f"{limit.adjudication_indicator})", tuple(where)))
    return out


def pointer_edits(lines: Sequence[LineLike], n_diagnoses: int) -> list[EditFailure]:
    """Each line points to 1-4 distinct diagnoses that exist on the claim."""
    out: list[EditFailure] = []
    for n, line in enumerate(lines, start=1):
        ptrs = line.diagnosis_pointers
        if not ptrs:
            out.append(EditFailure(DX_POINTER_MISSING, (line.code,),
                                   "the line points to no diagnosis", (n,)))
            continue
        if len(ptrs) > 4:
            out.append(EditFailure(DX_POINTER_TOO_MANY, (line.code,),
                                   f"{len(ptrs)} diagnosis pointers; at most 4 are allowed", (n,)))
        bad = [p for p in ptrs if not 1 <= p <= n_diagnoses]
        if bad or len(set(ptrs)) != len(ptrs):
            out.append(EditFailure(DX_POINTER_INVALID, (line.code,),
                                   f"pointers {list(ptrs)} must be distinct and within "
                                   f"1..{n_diagnoses}", (n,)))
    return out
