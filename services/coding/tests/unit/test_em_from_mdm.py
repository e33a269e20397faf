"""The office visit's level from its MDM elements when the note names none, prolonged services by
payer, Medicare's G2211 and annual wellness visits."""

from __future__ import annotations

from datetime import date

import pytest
from rcm_coding.domain import mdm
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.model import EncounterDocumentation
from rcm_coding.domain.note_text import split_sections, split_sentences

DOS = date(2026, 6, 10)


def _lines(engine: CodingEngine, note: str, payer: str | None = None, age: int = 55) -> dict[str, str]:
    result = engine.code_encounter(EncounterDocumentation(note_text=note, date_of_service=DOS, patient_sex="F",
                                                          patient_age=age, payer_category=payer))
    return {p.code: p.rule for p in result.procedures}


def _risk(note: str) -> int:
    sentences = split_sentences(note, split_sections(note))
    return mdm.grade_risk(note, sentences).grade


def _data(note: str) -> int:
    sentences = split_sentences(note, split_sections(note))
    return mdm.grade_data(note, sentences).grade


def test_two_stable_chronic_illnesses_with_prescription_management_are_moderate_mdm(engine: CodingEngine) -> None:
    note = """HPI: Established patient for follow-up of hypertension and hyperlipidemia. No complaints.
Exam: BP 126/78. Heart RRR.
Assessment:
1. Essential hypertension - stable
2. Hyperlipidemia - stable on statin
Plan: Continue lisinopril 20 mg daily and atorvastatin 40 mg. Return in 6 months.
"""
    assert _lines(engine, note) == {"99214": "em.office.mdm_elements"}


def test_an_acute_uncomplicated_illness_with_otc_care_is_low_mdm(engine: CodingEngine) -> None:
    note = """HPI: Established patient with runny nose and sore throat for 3 days. Denies fever.
Exam: Afebrile. Mild pharyngeal erythema. Lungs clear.
Assessment: Viral upper respiratory infection.
Plan: Supportive care, fluids, acetaminophen as needed. Return if worse.
"""
    codes = _lines(engine, note)
    assert codes.get("99212") or codes.get("99213"), codes
    assert "99214" not in codes


def test_an_exacerbated_chronic_illness_with_a_new_prescription_is_moderate(engine: CodingEngine) -> None:
    note = """HPI: Established patient with type 2 diabetes, sugars running high, A1c 9.1 last week.
Exam: No distress. Feet: normal monofilament.
Assessment: Type 2 diabetes mellitus with hyperglycemia, uncontrolled.
Plan: Start empagliflozin 10 mg daily, continue metformin. Recheck A1c in 3 months.
"""
    assert _lines(engine, note).get("99214") == "em.office.mdm_elements"


def test_a_new_patient_gets_a_new_patient_code(engine: CodingEngine) -> None:
    note = """HPI: New patient establishing care. Hypertension for years on amlodipine.
Exam: BP 150/92.
Assessment: Essential hypertension, not at goal.
Plan: Increase amlodipine to 10 mg daily. Order BMP and lipid panel.
"""
    assert _lines(engine, note).get("99204") == "em.office.mdm_elements"


@pytest.mark.parametrize(("plan", "grade"), [
    ("Plan: Rest and fluids.", 1),
    ("Plan: Ibuprofen as needed, ice.", 2),
    ("Plan: Start amoxicillin 875 mg twice daily for 10 days.", 3),
    ("Plan: Sent to the ED for admission.", 4),
    ("Plan: Patient declined admission; start amoxicillin 875 mg.", 3),
])
def test_risk_of_management_grades(plan: str, grade: int) -> None:
    assert _risk(f"Assessment: problem.\n{plan}\n") == grade


def test_data_counts_unique_tests_external_notes_historian_interpretation_and_discussion() -> None:
    assert _data("Plan: Order CBC.") == 1
    assert _data("Plan: Order CBC and CMP.") == 2
    assert _data("HPI: History obtained from mother.\nPlan: rest.") == 2
    assert _data("Plan: Order CBC, CMP and TSH.") == 3
    assert _data("Plan: Order CBC, CMP and TSH. Discussed with Dr. Lee from cardiology.") == 4


def test_prolonged_time_is_99417_for_commercial_and_g2212_for_medicare(engine: CodingEngine) -> None:
    note = """HPI: Established patient with CHF and CKD, multiple medication changes reviewed.
Exam: 2+ edema.
Assessment: Chronic systolic heart failure, worsening. CKD stage 3a.
Plan: Increase furosemide to 40 mg twice daily. Order BMP. Total time spent on the date of the visit 72 minutes.
"""
    commercial = _lines(engine, note, payer="commercial")
    medicare = _lines(engine, note, payer="medicare", age=70)
    assert "99215" in commercial and "99417" in commercial, commercial
    assert "99215" in medicare and "G2212" in medicare, medicare


def test_g2211_for_medicare_when_a_longitudinal_relationship_is_documented(engine: CodingEngine) -> None:
    note = """HPI: Established patient seen for ongoing care of type 2 diabetes; I am her primary care physician for
longitudinal management of her chronic conditions.
Exam: Normal.
Assessment: Type 2 diabetes mellitus without complications, stable.
Plan: Continue metformin 1000 mg twice daily.
"""
    assert "G2211" in _lines(engine, note, payer="medicare", age=72)
    assert "G2211" not in _lines(engine, note, payer="commercial")


@pytest.mark.parametrize(("words", "code"), [
    ("Initial annual wellness visit.", "G0438"),
    ("Subsequent annual wellness visit.", "G0439"),
    ("Welcome to Medicare initial preventive physical exam.", "G0402"),
])
def test_medicare_annual_wellness_visits(engine: CodingEngine, words: str, code: str) -> None:
    note = f"CC: {words}\nAssessment: Encounter for general adult medical examination without abnormal findings.\n"
    assert code in _lines(engine, note, payer="medicare", age=70)
