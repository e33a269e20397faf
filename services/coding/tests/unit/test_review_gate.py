"""The review gate: a note is auto-coded only when every assessment problem is accounted for, every
diagnosis is grounded in the assessment or plan, and an evaluated visit has its E/M line."""

from __future__ import annotations

from datetime import date

from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.model import EncounterDocumentation
from rcm_coding.domain.note_text import split_sections
from rcm_coding.domain.review_gate import assessment_items

DOS = date(2026, 6, 10)


def _code(engine: CodingEngine, note: str, age: int = 52, sex: str = "F"):  # type: ignore[no-untyped-def]
    return engine.code_encounter(EncounterDocumentation(note_text=note, date_of_service=DOS, patient_sex=sex,
                                                        patient_age=age))


PRE_OP = """CC: Pre-operative evaluation before right knee arthroscopy.
HPI: Established patient, 61, scheduled for arthroscopic partial medial meniscectomy next week. Hypertension on
lisinopril, well controlled. No chest pain, no dyspnea on exertion. Functional capacity > 4 METs.
Exam: BP 128/78. Heart regular, no murmur. Lungs clear. Right knee: medial joint line tenderness.
Assessment:
1. Preoperative cardiovascular examination
2. Tear of medial meniscus of right knee
3. Essential hypertension
Plan: Low risk for the planned procedure; cleared from a medical standpoint. Continue lisinopril. MDM moderate.
"""


def test_a_pre_operative_note_codes_the_encounter_first_then_the_reason_for_surgery(engine: CodingEngine) -> None:
    result = _code(engine, PRE_OP, age=61, sex="M")
    assert [d.code for d in result.diagnoses] == ["Z01.810", "S83.241A", "I10"]
    assert not [r for r in result.review_reasons if r.startswith("assessment item")], result.review_reasons


def test_an_assessment_problem_left_uncoded_goes_to_review_naming_its_place(engine: CodingEngine) -> None:
    note = PRE_OP.replace("3. Essential hypertension", "3. Essential hypertension\n4. Quixotic frimble of the elbow")
    result = _code(engine, note, age=61, sex="M")
    gaps = [r for r in result.review_reasons if r.startswith("assessment item")]
    assert result.needs_review and len(gaps) == 1, result.review_reasons
    # The place of the phrase, never the phrase (reasons travel on topics and into logs).
    assert "frimble" not in gaps[0] and gaps[0].startswith("assessment item 4 ")
    start, end = (int(x) for x in gaps[0].split("characters ")[1].split(")")[0].split("-"))
    assert "Quixotic frimble of the elbow" in note[start:end]


def test_an_evaluated_visit_without_a_documented_level_is_not_auto_coded(engine: CodingEngine) -> None:
    note = """CC: cough x 5 days.
HPI: Productive cough, no fever, no shortness of breath. Nonsmoker.
Exam: Lungs with scattered rhonchi, no wheeze. Afebrile.
Assessment: Acute bronchitis.
Plan: Supportive care, honey, fluids. Return if fever or dyspnea.
"""
    result = _code(engine, note)
    assert [line.code for line in result.procedures] == ["99213"]  # derived from the MDM elements
    assert result.needs_review
    assert any("derived from the MDM elements" in r for r in result.review_reasons), result.review_reasons


def test_plan_status_and_visit_wording_in_the_assessment_is_not_a_problem_to_code(engine: CodingEngine) -> None:
    note = """CC: Blood pressure follow-up.
HPI: Established patient on lisinopril, home readings 120s/70s.
Exam: BP 124/76.
Assessment:
1. Essential hypertension - stable, at goal
2. Continue current medications
3. Follow up in 6 months
Plan: Continue lisinopril 10 mg daily. Low complexity MDM.
"""
    result = _code(engine, note)
    assert [d.code for d in result.diagnoses] == ["I10"]
    assert not [r for r in result.review_reasons if r.startswith("assessment item")], result.review_reasons
    assert not result.needs_review, result.review_reasons


def test_assessment_items_split_on_numbers_lines_and_bullets_not_on_dashes_inside_a_line() -> None:
    note = ("Assessment:\n1. Type 2 diabetes mellitus with hyperglycemia - A1c 9.2, not at goal\n"
            "2. HTN; stable\n- Hyperlipidemia\n#4 Obesity\nPlan: labs")
    items = assessment_items(note, split_sections(note))
    texts = [note[i.start:i.end] for i in items]
    assert texts == ["Type 2 diabetes mellitus with hyperglycemia - A1c 9.2, not at goal", "HTN; stable",
                     "Hyperlipidemia", "Obesity"]


def test_soap_letters_head_their_sections_and_a_pulse_is_not_a_plan(engine: CodingEngine) -> None:
    note = "S: sore throat 2 days\nO: P: 88, T 38.1, tonsillar exudate\nA: Strep pharyngitis\nP: amoxicillin x10d"
    names = [s.name for s in split_sections(note)]
    assert names == ["hpi", "exam", "assessment", "plan"]
    result = _code(engine, note)
    assert "J02.0" in [d.code for d in result.diagnoses]
