"""Unit tests of the edits, the code-set registry and the review workflow."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from rcm_coding.adapters.reference_data import (
    format_hcpcs_record,
    parse_hcpcs_fixed_width,
    parse_mue_file,
    parse_ptp_file,
)
from rcm_coding.domain import edits
from rcm_coding.domain.edits import ClaimLine, run_edits
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.errors import (
    CodeSetNotAvailableError,
    ReasonRequiredError,
    ReviewCaseClosedError,
)
from rcm_coding.domain.model import EncounterDocumentation, StructuredProcedure
from rcm_coding.domain.review import (
    AcceptProposals,
    CompleteReview,
    EditCodes,
    RejectEncounter,
    RemoveDiagnosis,
    ReviewCase,
    ReviewStatus,
    SetUnits,
)

DOS = date(2026, 5, 4)


def _ids(engine: CodingEngine, dx: list[str], lines: list[ClaimLine], age: int = 50,
         sex: str = "F") -> set[str]:
    fails = run_edits(dx, lines, date_of_service=DOS, patient_age=age, patient_sex=sex,
                      reference=engine.registry)
    return {f.edit_id for f in fails}


def test_non_billable_and_invalid_codes_fail(engine: CodingEngine) -> None:
    got = _ids(engine, ["E11", "Q99.99X"], [ClaimLine("99213", diagnosis_pointers=(1,))])
    assert edits.ICD_NOT_BILLABLE in got and edits.ICD_INVALID_CODE in got


def test_excludes1_pair_is_flagged(engine: CodingEngine) -> None:
    assert edits.ICD_EXCLUDES1 in _ids(engine, ["E11.9", "E10.9"], [])


def test_manifestation_code_cannot_be_first(engine: CodingEngine) -> None:
    assert edits.ICD_MANIFESTATION_FIRST in _ids(engine, ["G63", "E11.42"], [])


def test_ckd_stage_before_diabetic_ckd_breaks_code_first(engine: CodingEngine) -> None:
    assert edits.ICD_CODE_FIRST_ORDER in _ids(engine, ["N18.31", "E11.22"], [])
    assert edits.ICD_CODE_FIRST_ORDER not in _ids(engine, ["E11.22", "N18.31"], [])


def test_sex_and_age_conflicts(engine: CodingEngine) -> None:
    assert edits.ICD_SEX_CONFLICT in _ids(engine, ["N40.1"], [], sex="F")
    assert edits.ICD_AGE_CONFLICT in _ids(engine, ["Z68.41"], [], age=12)
    assert edits.PROC_AGE_CONFLICT in _ids(engine, ["Z00.00"],
                                           [ClaimLine("99396", diagnosis_pointers=(1,))], age=30)


def test_ncci_pairs_respect_modifier_indicator(engine: CodingEngine) -> None:
    never = [ClaimLine("93000", diagnosis_pointers=(1,)), ClaimLine("93010", ("59",), Decimal(1), (1,))]
    assert edits.NCCI_PTP_NOT_ALLOWED in _ids(engine, ["R07.9"], never)
    needs = [ClaimLine("45380", diagnosis_pointers=(1,)), ClaimLine("45378", diagnosis_pointers=(1,))]
    assert edits.NCCI_PTP_MODIFIER_REQUIRED in _ids(engine, ["K63.5"], needs)
    ok = [ClaimLine("45380", diagnosis_pointers=(1,)), ClaimLine("45378", ("XS",), Decimal(1), (1,))]
    assert edits.NCCI_PTP_MODIFIER_REQUIRED not in _ids(engine, ["K63.5"], ok)


def test_mue_and_pointer_edits(engine: CodingEngine) -> None:
    got = _ids(engine, ["I10"], [ClaimLine("36415", (), Decimal(3), (1,)), ClaimLine("99213", (), Decimal(1), ()),
                                 ClaimLine("80053", (), Decimal(1), (1, 2, 3, 4, 5))])
    assert {edits.MUE_UNITS_EXCEEDED, edits.DX_POINTER_MISSING, edits.DX_POINTER_TOO_MANY,
            edits.DX_POINTER_INVALID} <= got


def test_date_outside_loaded_release_is_an_error_not_a_silent_fallback(
        engine: CodingEngine) -> None:
    with pytest.raises(CodeSetNotAvailableError):
        engine.registry.icd10cm_for(date(2026, 11, 1))
    result = engine.code_encounter(EncounterDocumentation("Assessment: Hypertension.",
                                                          date(2026, 11, 1), "F", 50))
    assert result.needs_review and result.edit_failures[0].edit_id == "CODESET_UNAVAILABLE"


def test_file_loaders_read_the_documented_layouts() -> None:
    lines = format_hcpcs_record("G0008", "Administration of influenza virus vaccine", "Admin flu",
                                date(1993, 1, 1))
    assert parse_hcpcs_fixed_width("\n".join(lines))["G0008"].active_on(DOS)
    ptp = parse_ptp_file("title\n93000\t93005\t*\t19960101\t*\t0\tMisuse\n")
    assert ptp[("93000", "93005")][0].modifier_indicator == "0"
    mue = parse_mue_file('"x"\n"36415","2","3 Date of Service Edit: Clinical","r"\n')
    assert mue["36415"].max_units == 2 and mue["36415"].adjudication_indicator == "3"


def _doc(note: str, age: int = 50, sex: str = "F") -> EncounterDocumentation:
    return EncounterDocumentation(note, DOS, sex, age)  # type: ignore[arg-type]


def test_negated_family_and_history_mentions_are_not_coded_as_disease(
        engine: CodingEngine) -> None:
    r = engine.code_encounter(_doc(
        "HPI: Denies chest pain. History of MI 2019.\nAssessment: Hypertension. "
        "Family history of colon cancer in father.\n"))
    codes = {d.code for d in r.diagnoses}
    assert {"I10", "I25.2", "Z80.0"} <= codes
    assert not codes & {"R07.9", "I21.9", "C18.9"}
    assert all(d.evidence and d.evidence[0].end > d.evidence[0].start for d in r.diagnoses)


def test_rule_out_codes_the_symptom(engine: CodingEngine) -> None:
    r = engine.code_encounter(_doc("CC: Cough.\nAssessment: Rule out pneumonia.\n"))
    assert [d.code for d in r.diagnoses] == ["R05.9"]


def test_preventive_and_vaccine_visits_need_no_review_when_the_clinician_entered_codes(
        engine: CodingEngine) -> None:
    """A clinician-entered preventive code must not hide the visit's Z00 reason (it once did:
    the merged rule name no longer matched), and an assessment without a condition is what a
    preventive or immunization note looks like, not a gap for a coder."""
    for age, em, z00 in ((15, "99394", "Z00.129"), (50, "99396", "Z00.00")):
        doc = EncounterDocumentation(
            "Assessment: Routine examination without abnormal findings.\nPlan: Preventive visit, established "
            "patient.", DOS, "F", age, structured_diagnoses=(z00,),
            structured_procedures=(StructuredProcedure(em, (), Decimal(1)),))
        r = engine.code_encounter(doc)
        assert [d.code for d in r.diagnoses] == [z00] and [p.code for p in r.procedures] == [em]
        assert not r.needs_review, r.review_reasons
    r = engine.code_encounter(_doc(
        "Assessment: Encounter for immunization.\nPlan: Influenza vaccine, quadrivalent, preservative free, "
        "0.5 mL IM given. Vaccine administration by nurse, one vaccine.\n"))
    assert [d.code for d in r.diagnoses] == ["Z23"]
    assert [p.code for p in r.procedures] == ["90686", "90471"]
    assert not r.needs_review, r.review_reasons


def test_a_procedure_planned_for_later_is_not_coded_as_performed(engine: CodingEngine) -> None:
    """Billing a service not rendered is the worst error a coder can make: plans are not lines."""
    for plan in ("Patient will need a screening colonoscopy at age 45.",
                 "Needs a colonoscopy next year given family history.",
                 "Candidate for colonoscopy; plans for it after the holidays."):
        r = engine.code_encounter(_doc(f"A/P:\n- Routine adult exam, normal findings.\n- {plan}\n"))
        assert not {"45378", "G0121", "G0105", "45380", "45385"} & {p.code for p in r.procedures}, plan


def test_laterality_and_seventh_character(engine: CodingEngine) -> None:
    r = engine.code_encounter(_doc("Assessment: Sprain of right ankle.\n"))
    assert [d.code for d in r.diagnoses] == ["S93.401A"]


def test_review_case_edit_then_complete_keeps_audit_trail(engine: CodingEngine) -> None:
    result = engine.code_encounter(_doc(
        "CC: Cough.\nAssessment: Acute bronchitis. Hypertension.\nPlan: Low MDM.\n"))
    t = datetime(2026, 5, 4, 12, 0)
    case = ReviewCase.open("rc1", "enc1", result, t)
    edited = case.apply(EditCodes((RemoveDiagnosis("I10"), SetUnits(1, Decimal(1))), "not addressed"),
                        "coder7", t)
    assert "I10" not in edited.final_diagnoses and "I10" in case.final_diagnoses
    done = edited.apply(CompleteReview(), "coder7", t)
    assert done.status is ReviewStatus.COMPLETED and len(done.audit) == 3
    with pytest.raises(ReviewCaseClosedError):
        done.apply(AcceptProposals(), "coder7", t)
    with pytest.raises(ReasonRequiredError):
        case.apply(RejectEncounter(" "), "coder7", t)
