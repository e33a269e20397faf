"""Engine rules: office procedures, repairs, in-office imaging and labs, title specificity, companions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rcm_coding.domain.note_text import split_sections, split_sentences
from rcm_coding.domain.office_procedures import office_procedures, repair_lines
from rcm_coding.domain.procedures import LineDraft, labs


def _office(note: str) -> list[LineDraft]:
    return office_procedures(note, split_sentences(note, split_sections(note)))


def _repairs(note: str, medicare: bool = False) -> tuple[list[LineDraft], list[str]]:
    notes: list[str] = []
    return repair_lines(note, split_sentences(note, split_sections(note)), notes, medicare=medicare), notes


def _codes(lines: list[LineDraft]) -> list[tuple[str, Decimal]]:
    return [(d.code, d.units) for d in lines]


@pytest.mark.parametrize(("note", "expected"), [
    ("Procedure: cryotherapy.\n3 warts on L thumb. Liquid nitrogen, 2 freeze-thaw cycles. Tolerated.\n",
     [("17110", Decimal(1))]),
    ("Cryotherapy of 16 plantar warts today with liquid nitrogen.\n", [("17111", Decimal(1))]),
    ("Actinic keratoses x5 on scalp treated with liquid nitrogen today.\n",
     [("17000", Decimal(1)), ("17003", Decimal(4))]),
    ("LN2 to 18 actinic keratoses of the forearms, tolerated.\n", [("17004", Decimal(1))]),
])
def test_destruction_counts_lesions(note: str, expected: list[tuple[str, Decimal]]) -> None:
    assert _codes(_office(note)) == expected


def test_destruction_discussed_or_planned_is_not_coded() -> None:
    assert _office("Wart on R index finger. Discussed cryotherapy; will return for liquid nitrogen.\n") == []
    assert _office("Frozen shoulder, R. Lesion on back looks benign.\n") == []


@pytest.mark.parametrize(("note", "code", "mods"), [
    ("Cerumen impaction both ears removed with curette under direct visualization.\n", "69210", ["50"]),
    ("R ear irrigated with warm water, cerumen cleared. TM normal.\n", "69209", ["RT"]),
])
def test_cerumen_removal_by_instrument_or_lavage(note: str, code: str, mods: list[str]) -> None:
    lines = _office(note)
    assert [(d.code, d.modifiers) for d in lines] == [(code, mods)]


def test_cerumen_visit_reason_alone_is_not_a_removal() -> None:
    assert _office("Here for ear wax removal; hearing muffled x2 wk.\nPlan: Debrox drops, return in 1 wk.\n") == []


@pytest.mark.parametrize(("note", "code"), [
    ("Glass splinter L palm, removed through a small incision with forceps.\n", "10120"),
    ("Metallic foreign body R cornea removed with a 25G needle at the slit lamp; rust ring burred.\n", "65222"),
    ("Bead in L naris removed with alligator forceps.\n", "30300"),
])
def test_foreign_body_removal_by_site(note: str, code: str) -> None:
    assert [d.code for d in _office(note)] == [code]


def test_no_foreign_body_is_not_a_removal() -> None:
    assert _office("Wound explored, no FB seen, irrigated and closed.\n") == []


@pytest.mark.parametrize(("note", "code", "mods"), [
    ("L knee injected with triamcinolone 40 mg, landmark guided.\n", "20610", ["LT"]),
    ("R shoulder subacromial injection under ultrasound guidance today.\n", "20611", ["RT"]),
    ("R ankle joint aspirated, 5 mL clear fluid, then injected with methylprednisolone.\n", "20605", ["RT"]),
    ("L thumb CMC joint injection performed, tolerated.\n", "20600", ["LT"]),
    ("Trigger point injections performed in 3 muscles (trapezius, rhomboid, levator).\n", "20553", []),
    ("R trigger finger (A1 pulley) tendon sheath injected with 10 mg triamcinolone.\n", "20550", ["RT"]),
    ("Lateral epicondyle injected, R elbow, with 20 mg Kenalog.\n", "20551", ["RT"]),
])
def test_site_injections_by_joint_size_and_guidance(note: str, code: str, mods: list[str]) -> None:
    lines = _office(note)
    assert [(d.code, d.modifiers) for d in lines] == [(code, mods)]


def test_a_systemic_or_past_injection_is_not_a_site_injection() -> None:
    assert _office("Ceftriaxone 500 mg IM L gluteal given.\n") == []
    assert _office("Knee OA, s/p steroid injection 3 months ago with good relief.\n") == []


@pytest.mark.parametrize(("note", "code"), [
    ("XR L wrist 3 views in office, my interpretation: no fracture.\n", "73110"),
    ("R ankle XR 2 views obtained today: no fracture.\n", "73600"),
    ("CXR PA and lateral in office, my read: no infiltrate.\n", "71046"),
    ("Knee x-ray 4 views today shows medial joint space narrowing.\n", "73564"),
])
def test_in_office_xrays_by_region_and_views(note: str, code: str) -> None:
    assert [d.code for d in _office(note)] == [code]


def test_an_outside_or_old_xray_is_not_billed_here() -> None:
    assert _office("Primary OA L knee (XR 2025).\n") == []
    assert _office("Wrist XR from the ED reviewed: no fracture.\n") == []
    assert _office("Will obtain XR R foot 3 views if not better.\n") == []


def test_spirometry_with_and_without_bronchodilator() -> None:
    assert [d.code for d in _office("Spirometry in office today: FEV1 62%, FEV1/FVC 0.61.\n")] == ["94010"]
    assert [d.code for d in _office("Spirometry performed pre- and post-bronchodilator today.\n")] == ["94060"]
    assert _office("PFTs ordered.\n") == []


def test_epley_in_office_but_not_the_home_handout() -> None:
    assert [d.code for d in _office("Epley maneuver done on the R in office, tolerated.\n")] == ["95992"]
    assert _office("Home Epley maneuvers taught; handout given.\n") == []


def test_skin_biopsies_one_primary_then_add_ons() -> None:
    lines = _office("Shave biopsy of 2 lesions on the back performed. Punch biopsy of 1 lesion R arm performed.\n")
    assert _codes(lines) == [("11104", Decimal(1)), ("11103", Decimal(2))]


def test_intralesional_injection_counts_lesions() -> None:
    assert _codes(_office("Intralesional triamcinolone injected into 2 keloids today.\n")) == [("11900", Decimal(1))]
    assert _codes(_office("Intralesional Kenalog into 9 lesions performed.\n")) == [("11901", Decimal(1))]


# ------------------------------------------------------------------------------- repairs
@pytest.mark.parametrize(("note", "expected"), [
    # one closure statement for a wound measured in the exam
    ("Exam: 3.5 cm laceration R forearm.\nProcedure: irrigated, simple interrupted 4-0 nylon.\n",
     [("12002", Decimal(1))]),
    # the same wound measured twice is one wound
    ("4.0 cm laceration occipital scalp.\nPROCEDURE: scalp laceration 4.0 cm, simple closure with staples.\n",
     [("12002", Decimal(1))]),
    # layered closure of the hand: intermediate, neck/hands/feet group
    ("2.8 cm laceration dorsum L hand.\nLayered closure: buried 4-0 Vicryl deep dermal sutures, 5-0 nylon skin.\n",
     [("12042", Decimal(1))]),
    # layered closure of the forearm: intermediate, scalp/trunk/extremities group
    ("5 cm laceration L forearm, layered closure with 4-0 Vicryl and 5-0 nylon.\n", [("12032", Decimal(1))]),
    # debridement of wound edges and extensive undermining: complex; forehead group
    ("3.2 cm laceration L forehead.\nDebridement of devitalized wound edges. Extensive undermining of wound margins "
     "(~1 cm circumferentially). Layered closure.\nTotal repaired length 3.2 cm.\n", [("13132", Decimal(1))]),
    # complex trunk repair beyond 7.5 cm: primary code plus an add-on per further 5 cm
    ("13 cm laceration of the back, complex repair with debridement of wound edges.\n",
     [("13101", Decimal(1)), ("13102", Decimal(2))]),
    # two groups, two simple codes; face lengths and body lengths are not added together
    ("1) L cheek: 1.8 cm laceration. Simple closure, 6-0 nylon.\n2) L forearm: 2.2 cm laceration. Simple "
     "closure, 4-0 nylon.\n", [("12011", Decimal(1)), ("12001", Decimal(1))]),
])
def test_repairs_by_tier_group_and_summed_length(note: str, expected: list[tuple[str, Decimal]]) -> None:
    lines, _ = _repairs(note)
    assert sorted(_codes(lines)) == sorted(expected)


def test_no_repair_when_not_closed_or_repaired_before() -> None:
    assert _repairs("2 cm abrasion L knee, cleaned. Steri-strips only.\n")[0] == []
    assert _repairs("Hypertrophic scar R hand at a laceration repaired 6 months ago, 3 cm.\n")[0] == []
    assert _repairs("8 mm splinter wound L finger. No closure needed.\n")[0] == []


def test_repair_without_a_length_asks_a_coder() -> None:
    lines, notes = _repairs("Laceration of R forearm closed with 4 simple interrupted sutures.\n")
    assert lines == []
    assert any("needs the size" in n for n in notes)


def test_tissue_adhesive_only_is_g0168_for_medicare() -> None:
    note = "1.5 cm laceration L forearm closed with Dermabond tissue adhesive.\n"
    assert [d.code for d in _repairs(note, medicare=True)[0]] == ["G0168"]
    assert [d.code for d in _repairs(note)[0]] == ["12001"]


# ------------------------------------------------------------------------------- labs
@pytest.mark.parametrize(("note", "code"), [
    ("POC INR today: 3.4.\n", "85610"),
    ("Rapid RSV antigen (in office): POSITIVE.\n", "87807"),
    ("POC COVID Ag: negative.\n", "87811"),
    ("UA dip (non-automated, in office): LE 2+, nitrite +.\n", "81002"),
    ("BMP and TSH drawn today.\n", "36415"),
])
def test_in_office_labs_and_draws(note: str, code: str) -> None:
    assert code in [d.code for d in labs(note, split_sentences(note, split_sections(note)))]


def test_a_draw_at_another_place_or_day_is_not_a_venipuncture_here() -> None:
    note = "CBC, BMP ordered (to be drawn at hospital pre-admission testing).\n"
    assert labs(note, split_sentences(note, split_sections(note))) == []


def test_an_inline_medication_list_ends_with_its_line() -> None:
    note = "Meds: metformin 1000 mg BID.\nPOC A1c today 8.6%.\n"
    sections = split_sections(note)
    assert [s.name for s in sections] == ["medications", "other"]
    assert [d.code for d in labs(note, split_sentences(note, sections))] == ["83036"]


def test_every_code_the_rules_can_propose_is_in_the_packaged_code_lists() -> None:
    """A line whose code the packaged CPT/HCPCS lists lack fails the PROC_UNKNOWN_CODE edit and sends
    every such note to review: the lists must hold every code a rule can emit."""
    import re
    from pathlib import Path

    from rcm_coding.adapters.reference_data import default_engine

    registry = default_engine().registry
    known = set(registry.cpt) | set(registry.hcpcs)
    domain = Path(__file__).resolve().parents[2] / "src" / "rcm_coding" / "domain"
    emitted: set[str] = set()
    for name in ("procedures.py", "office_procedures.py"):
        emitted |= set(re.findall(r'"(\d{5}|[A-Z]\d{4})"', (domain / name).read_text("utf-8")))
    emitted |= set(re.findall(r'LineDraft\(\s*"(\d{5}|[A-Z]\d{4})"', (domain / "engine.py").read_text("utf-8")))
    assert len(emitted) > 150
    assert sorted(emitted - known) == []


# ------------------------------------------------------------------------------- title specificity
@pytest.fixture(scope="module")
def title_index():  # type: ignore[no-untyped-def]
    from datetime import date

    from rcm_coding.adapters.reference_data import default_engine
    from rcm_coding.domain.titles import TitleIndex

    return TitleIndex.build(default_engine().registry.icd10cm_for(date(2026, 5, 1)))


@pytest.mark.parametrize(("code", "context", "expected"), [
    ("M10.9", "Acute gout flare, R great toe - colchicine", "M10.071"),  # a toe is the foot of the title
    ("F90.9", "ADHD, combined type - stable, continue methylphenidate", "F90.2"),  # abbreviation spelled out
    ("G43.909", "Chronic migraine without aura, not intractable - start topiramate", "G43.709"),
    ("M10.9", "Gout flare - colchicine", None),  # nothing more said: stays unspecified
    ("M17.12", "L knee OA - injection today", None),  # never refined to a vaguer code
])
def test_refine_takes_the_code_whose_title_the_line_states(title_index, code: str, context: str,  # type: ignore[no-untyped-def]
                                                           expected: str | None) -> None:
    assert title_index.refine(code, context) == expected


def test_refine_respects_negation(title_index) -> None:  # type: ignore[no-untyped-def]
    # "not intractable" must not select the intractable chronic migraine code.
    assert title_index.refine("G43.909", "Chronic migraine, not intractable, without aura") == "G43.709"
    assert title_index.refine("G43.909", "Chronic migraine without aura, intractable") == "G43.719"


# ------------------------------------------------------------------------------- whole-note rules
@pytest.mark.parametrize(("note", "expected"), [
    ("A/P: T2DM - continue Rybelsus 7 mg daily (oral semaglutide).\n", ["E11.9", "Z79.84"]),
    ("A/P: T2DM - continue semaglutide 1 mg weekly injection.\n", ["E11.9", "Z79.85"]),
    ("Assessment: Hypertensive CKD stage 3a - continue losartan.\n", ["I12.9", "N18.31"]),
    ("A: Anemia of CKD - Hgb 10.4, no ESA.\n", ["D63.1"]),
    ("A/P\n1. Gout flare, R great toe - colchicine.\n", ["M10.071"]),  # header alone on its line
    ("PRE-OP PULMONARY EVALUATION\nA/P:\n1. COPD - stable.\n", ["Z01.811", "J44.9"]),
])
def test_note_level_diagnoses(note: str, expected: list[str]) -> None:
    from datetime import date

    from rcm_coding.adapters.reference_data import default_engine
    from rcm_coding.domain.model import EncounterDocumentation

    result = default_engine().code_encounter(EncounterDocumentation(
        note_text=note, date_of_service=date(2026, 5, 1), patient_sex="F", patient_age=60))
    assert [d.code for d in result.diagnoses] == expected


def _code(note: str, age: int = 52, sex: str = "F", payer: str | None = None):  # type: ignore[no-untyped-def]
    from datetime import date

    from rcm_coding.adapters.reference_data import default_engine
    from rcm_coding.domain.model import EncounterDocumentation

    return default_engine().code_encounter(EncounterDocumentation(
        note_text=note, date_of_service=date(2026, 5, 1), patient_sex=sex, patient_age=age, payer_category=payer))


def test_a_plan_acting_on_family_history_goes_to_review() -> None:
    note = ("Annual physical, established. No complaints.\nFH: father colon cancer at 60; mother HTN.\n"
            "Exam normal.\nPlan: colonoscopy referral, 5-year interval for FHx.\n")
    result = _code(note)
    assert any("family history" in r for r in result.review_reasons)
    plain = _code("Annual physical, established. No complaints.\nFH: father colon cancer at 60.\nExam normal.\n"
                  "Plan: routine screening per guidelines.\n")
    assert not any("family history" in r for r in plain.review_reasons)


def test_a_preventive_visit_with_a_problem_goes_to_review() -> None:
    result = _code("Annual physical, established.\nExam: normal.\nA: 1. Preventive visit. 2. Hyperlipidemia - "
                   "start atorvastatin 20 mg.\n")
    assert "Z00.01" in [d.code for d in result.diagnoses]
    assert any("preventive visit with a problem" in r for r in result.review_reasons)


def test_a_symptom_before_a_dash_is_not_made_uncertain_by_the_differential_after_it() -> None:
    result = _code("Shoulder pain x3 wk.\nA: R shoulder pain - suspect impingement vs rotator cuff tendinopathy.\n"
                   "P: meloxicam 15 mg daily (Rx), PT referral.\n")
    assert [d.code for d in result.diagnoses] == ["M25.511"]
    # Past the dash a post-trigger that follows at once still makes the problem uncertain: no K35/K37 is coded.
    assert not [d.code for d in _code("A: Appendicitis - suspected. Surgery consult.\n").diagnoses
                if d.code.startswith(("K35", "K37"))]


def test_dx_header_and_a_headerless_problem_visit_get_an_office_visit() -> None:
    result = _code("New pt. Sore throat x2 days. No fever.\nPharynx mildly red, no exudate.\nDx: viral pharyngitis.\n"
                   "Supportive care - OTC lozenges, ibuprofen.\n", age=19, sex="M")
    assert [d.code for d in result.diagnoses] == ["J02.9"]
    assert [p.code for p in result.procedures] == ["99202"]  # self-limited problem, OTC treatment
    headerless = _code("Itchy ring-shaped spot L flank x3 wk.\n3 cm annular scaly plaque.\nTinea corporis. OTC "
                       "clotrimazole 1% cream BID.\n", age=22, sex="M")
    assert [p.code for p in headerless.procedures] == ["99212"]


def test_a_lab_only_visit_bills_no_office_visit() -> None:
    result = _code("Lab-only visit. Pre-op labs ordered by orthopedics.\nVenipuncture by MA; CBC, BMP sent to "
                   "reference lab. No provider visit today.\n", age=66)
    assert [p.code for p in result.procedures] == ["36415"]


# ------------------------------------------------------------------------------- injuries by title
@pytest.fixture(scope="module")
def injury_index():  # type: ignore[no-untyped-def]
    from datetime import date

    from rcm_coding.adapters.reference_data import default_engine
    from rcm_coding.domain.injuries import InjuryIndex

    return InjuryIndex.build(default_engine().registry.icd10cm_for(date(2026, 5, 1)))


@pytest.mark.parametrize(("context", "expected"), [
    ("wood splinter removal, L index finger", "S60.451"),
    ("L chest wall contusion", "S20.212"),
    ("second degree burn of R palm", "T23.251"),
    ("R ankle sprain (anterior talofibular ligament)", "S93.491"),  # a named ligament without its own code
    ("sprained ankle", "S93.409"),  # no side, no ligament
    ("2.8 cm laceration dorsum L hand", "S61.412"),
    ("laceration L index finger", "S61.211"),  # without damage to nail, by default
    ("dog bite R calf", "S81.851"),
    ("abrasion L knee", "S80.212"),
    ("bruise R thigh", "S70.11"),
])
def test_injuries_resolve_from_kind_site_and_side(injury_index, context: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    from rcm_coding.domain.injuries import find_injuries

    kinds = [m.kind for m in find_injuries(context)]
    assert len(kinds) == 1
    assert injury_index.resolve(kinds[0], context) == expected


def test_a_negated_injury_is_not_found() -> None:
    from rcm_coding.domain.injuries import find_injuries

    assert find_injuries("No bruising of abdomen, no laceration.") == []


@pytest.mark.parametrize(("note", "expected"), [
    ("A/P: 2nd-degree burn R palm, < 1% TBSA - silver sulfadiazine.\n", ["T23.251A", "T31.0"]),
    ("A: Contusion of L front chest wall.\nP: ice; return for SOB or fever.\n", ["S20.212A"]),  # hypothetical
    ("PROCEDURE: wood splinter removal, L index finger. Removed intact.\n", ["S60.451A"]),
])
def test_injury_notes(note: str, expected: list[str]) -> None:
    assert [d.code for d in _code(note, age=37).diagnoses] == expected


def test_a_symptom_barred_by_excludes1_beside_its_diagnosis_is_dropped() -> None:
    result = _code("A: BPPV, R posterior canal, with vertigo on rolling over.\nP: Epley done in office.\n")
    assert [d.code for d in result.diagnoses] == ["H81.11"]


def test_chronic_migraine_and_alcohol_use_disorder_severity() -> None:
    assert [d.code for d in _code("A/P: Chronic migraine without aura, not intractable - topiramate.\n").diagnoses] \
        == ["G43.709"]
    assert [d.code for d in _code("A/P: Alcohol use disorder, mild - brief intervention.\n").diagnoses] == ["F10.10"]


def test_a_mentioned_or_referred_colonoscopy_is_not_billed() -> None:
    result = _code("A/P: Iron deficiency anemia, no colonoscopy ever - GI referral for colonoscopy.\n")
    assert not [p.code for p in result.procedures if p.code.startswith(("45", "G01"))]


def test_g2211_for_a_medicare_visit_of_the_patients_primary_care_physician() -> None:
    from datetime import date

    from rcm_coding.adapters.reference_data import default_engine
    from rcm_coding.domain.model import EncounterDocumentation

    note = ("Chronic care visit. I have been her PCP for 8 years.\nA/P: HTN - controlled, continue lisinopril. "
            "Low complexity MDM. Established patient.\n")
    result = default_engine().code_encounter(EncounterDocumentation(
        note_text=note, date_of_service=date(2026, 5, 1), patient_sex="F", patient_age=74, payer_category="medicare"))
    assert "G2211" in [p.code for p in result.procedures]


def test_labs_drawn_here_for_a_reference_lab_bill_the_draw_only() -> None:
    note = "Plan: TSH, CBC, BMP and magnesium drawn in clinic today.\n"
    codes = [d.code for d in labs(note, split_sentences(note, split_sections(note)))]
    assert codes == ["36415"]


def test_each_joint_injected_is_its_own_line_and_the_drug_may_follow_in_its_own_sentence() -> None:
    note = ("Scheduled procedure visit for steroid injections.\nProcedure 1: R knee intra-articular injection, "
            "landmark guided. Triamcinolone acetonide 40 mg + 3 mL 1% lidocaine.\nProcedure 2: L first CMC joint "
            "injection, landmark guided. Triamcinolone acetonide 10 mg.\nNext injection no sooner than 3 months.\n")
    assert [(d.code, d.modifiers) for d in _office(note)] == [("20610", ["RT"]), ("20600", ["LT"])]
    first, rest = note.split("\n", 1)
    result = _code(first + "\nDx: primary OA R knee; primary OA L thumb CMC joint.\n" + rest)
    assert "J3301" in [p.code for p in result.procedures] and "96372" not in [p.code for p in result.procedures]


def test_a_tpi_visit_counts_the_muscles_injected() -> None:
    note = ("TPI visit\nTaut bands found in R quadratus lumborum, L quadratus lumborum, R gluteus medius.\n"
            "1% lidocaine 1 mL into each of the 3 muscles, fanning technique.\n")
    assert [d.code for d in _office(note)] == ["20553"]


def test_partial_nail_avulsion_without_matrixectomy_and_a_shave_biopsy_in_parentheses() -> None:
    nail = "Procedure: lateral 1/4 of the nail plate avulsed. NO matrixectomy (phenol not applied).\n"
    assert [d.code for d in _office(nail)] == ["11730"]
    biopsy = "Procedure note - biopsies\nA) tangential (shave) biopsy to mid dermis.\nB) 4 mm punch biopsy.\n"
    assert sorted(d.code for d in _office(biopsy)) == ["11103", "11104"]


def test_a_wound_list_of_a_repair_note_is_coded_per_wound() -> None:
    note = ("PROCEDURE NOTE - laceration repair x3\nWounds:\n1. L cheek, 1.8 cm, into subcutaneous fat. Layered "
            "closure: 5-0 deep dermal sutures, 6-0 nylon.\n2. L volar forearm, 3.0 cm, superficial. Single-layer "
            "4-0 nylon x5.\n3. L dorsal hand, 2.0 cm, superficial. Single-layer 4-0 nylon x4.\n")
    result = _code(note, age=38, sex="M")
    assert sorted(d.code for d in result.diagnoses) == ["S01.412A", "S51.812A", "S61.412A"]
    assert sorted(p.code for p in result.procedures) == ["12002", "12051"]


def test_ecg_under_its_own_heading_and_tobacco_counselling_minutes() -> None:
    result = _code("Chest pressure x2 days.\nECG\nDone in office, my read: sinus rhythm, no prior tracing.\n"
                   "A/P: 1. Chest pressure - ED for troponins. 2. Smoker - smoking cessation: counseled 8 min.\n")
    codes = [p.code for p in result.procedures]
    assert "93000" in codes and "99406" in codes


def test_a_negated_qualifier_does_not_choose_a_variant_and_a_relatives_condition_is_family_history() -> None:
    asthma = _code("A/P: Asthma, mild persistent, no exacerbation - continue budesonide.\n")
    assert [d.code for d in asthma.diagnoses] == ["J45.30"]
    family = _code("A/P: Hyperlipidemia - FHx premature CAD (father MI at age 48); start atorvastatin 20 mg.\n")
    codes = [d.code for d in family.diagnoses]
    assert "I21.9" not in codes and "I25.10" not in codes and "E78.5" in codes
    child = _code("Mom reports fever and cough x2 days.\nA: Viral URI.\n", age=4)
    assert [d.code for d in child.diagnoses] == ["J06.9"]


def test_an_old_mi_is_a_status_code_not_an_acute_infarction() -> None:
    result = _code("A/P: 1) CAD without angina - stable. 2) Old MI - noted.\n", age=62, sex="M")
    codes = [d.code for d in result.diagnoses]
    assert "I25.2" in codes and "I21.9" not in codes


def test_pregnancy_weeks_written_as_8w3d_gestational_hypertension_and_sunburn_degree() -> None:
    hyper = _code("Est pt. LMP 3/2/2026 -> 8w3d today.\nImp: mild hyperemesis gravidarum at 8 weeks.\n", age=31)
    assert [d.code for d in hyper.diagnoses] == ["O21.0", "Z3A.08"]
    ghtn = _code("HPI: G1 at 34w1d.\nAssessment: Gestational hypertension, 34 weeks, without proteinuria.\n", age=24)
    assert [d.code for d in ghtn.diagnoses] == ["O13.3", "Z3A.34"]
    sun = _code("A: Sunburn, first degree. No blisters.\n", age=24, sex="M")
    assert [d.code for d in sun.diagnoses] == ["L55.0"]


def test_a_refused_vaccine_is_coded_by_who_refused_and_a_pharmacy_plan_is_no_refusal() -> None:
    child = _code("Well child check, 4 years, established.\nExam normal.\nInfluenza vaccine offered - father "
                  "declines this season.\nA: Well child, normal growth and development.\n", age=4, sex="M")
    assert "Z28.82" in [d.code for d in child.diagnoses]
    adult = _code("A/P: 1. HTN - controlled, continue lisinopril. 2. Pt declines the flu shot today.\n", age=45)
    assert "Z28.21" in [d.code for d in adult.diagnoses]
    pharmacy = _code("A/P: HTN - controlled. Recommends shingles vaccine - pt will get it at the pharmacy.\n", age=66)
    assert not any(d.code.startswith("Z28") for d in pharmacy.diagnoses)


def test_the_ippe_screening_ecg_is_g0403_and_the_awv_depression_screen_has_its_encounter_code() -> None:
    ippe = _code("INITIAL PREVENTIVE PHYSICAL EXAMINATION (Welcome to Medicare)\nHx reviewed.\n"
                 "Screening ECG with interpretation (my read): NSR 66, normal intervals.\n", age=65, sex="M",
                 payer="medicare")
    codes = [p.code for p in ippe.procedures]
    assert "G0402" in codes and "G0403" in codes and "93000" not in codes
    awv = _code("Medicare Annual Wellness Visit - SUBSEQUENT (prior AWV 06/2025)\nHealth risk assessment "
                "reviewed.\nDepression screening: PHQ-9 administered and reviewed face to face - score 2, "
                "negative.\nNo new problems addressed.\n", age=74, payer="medicare")
    assert "G0444" in [p.code for p in awv.procedures]
    assert [d.code for d in awv.diagnoses] == ["Z00.00", "Z13.31"]


def test_a_man_of_72_is_never_coded_as_pregnant() -> None:
    result = _code("Chronic care visit.\nA/P: 1. T2DM with CKD stage 3a - increase glargine.\n"
                   "E/M 99214 + G2211 (longitudinal care). RTC 6 wks.\n", age=72, sex="M", payer="medicare")
    assert not any(d.code.startswith(("O", "Z3A")) for d in result.diagnoses)


def test_a_numbered_problem_list_without_a_header_is_the_assessment() -> None:
    note = ("CAD follow-up\n62M, NSTEMI 2022 w/ 2 DES to LAD.\nExam: RRR, lungs clear.\n"
            "1) CAD of native coronaries w/o angina, s/p PCI/stents - stable, continue DAPT.\n"
            "2) Old MI - noted.\n3) HTN - increase lisinopril 10 -> 20 mg.\nRTC 3 mo.\n")
    sections = [(s.name, note[s.start:s.end].strip()[:8]) for s in split_sections(note)]
    assert ("assessment", "1) CAD o") in sections and ("plan", "RTC 3 mo") in sections
    codes = [d.code for d in _code(note, age=62, sex="M").diagnoses]
    # "w/o angina" negates the angina; "s/p PCI" after it starts a clause of its own
    assert {"I25.10", "Z95.5", "I25.2", "I10"} <= set(codes) and not any(c.startswith("I20") for c in codes)
    numbered_hpi = "HPI: 1. cough x3 days 2. sore throat\nExam: clear.\nAssessment: viral URI.\n"
    assert [s.name for s in split_sections(numbered_hpi)] == ["hpi", "exam", "assessment"]


def test_an_anticoagulant_adverse_effect_is_an_initial_encounter_while_treated() -> None:
    result = _code("CC: anticoagulation follow-up, high INR\nA/P: 1. Supratherapeutic INR, adverse effect of "
                   "warfarin taken as prescribed; no bleeding. Hold warfarin x2 doses.\n", age=81)
    codes = [d.code for d in result.diagnoses]
    assert "R79.1" in codes and "T45.515A" in codes


def test_menacwy_by_its_carrier_protein() -> None:
    crm = _code("Vaccines given today, VIS given:\n- MenACWY-CRM 0.5 mL IM R deltoid\n", age=16)
    tt = _code("Vaccines given today, VIS given:\n- MenQuadfi 0.5 mL IM R deltoid\n", age=16)
    assert "90734" in [p.code for p in crm.procedures]
    assert "90619" in [p.code for p in tt.procedures]


def test_assessment_items_that_name_a_billed_service_are_accounted_for() -> None:
    note = ("12 yr well visit, est pt, w/ mom.\nExam normal.\nAssessment:\n1. Routine adolescent well visit.\n"
            "Vaccines - counseling by me with pt and mom on each vaccine, VIS given:\n- Tdap 0.5 mL IM L deltoid\n"
            "- MenACWY-CRM 0.5 mL IM R deltoid\n")
    reasons = _code(note, age=12).review_reasons
    assert not [r for r in reasons if r.startswith("assessment item")], reasons
    unexplained = _code(note.replace("Routine adolescent well visit.", "Routine adolescent well visit.\n"
                                     "2. Frobnication of the toe."), age=12).review_reasons
    assert [r for r in unexplained if r.startswith("assessment item")], unexplained


def test_a_past_or_planned_preventive_visit_is_not_todays_and_total_time_is_read_as_written() -> None:
    past = _code("Est pt (last seen 9/2025 for annual exam).\nS: dysuria x3 days.\nA/P: Acute cystitis - "
                 "nitrofurantoin 100 mg BID x5 days.\n", age=46)
    assert not any(p.code.startswith(("9938", "9939")) for p in past.procedures)
    ago = _code("Est pt. Annual exam 2 wk ago; labs showed A1c 9.8% -> T2DM.\nA/P:\n- T2DM, newly dx'd, "
                "uncontrolled w/ hyperglycemia - titrate metformin.\nTime: 72 minutes total on the date of "
                "service.\n", age=52)
    codes = [p.code for p in ago.procedures]
    assert "99215" in codes and "99417" in codes and not any(c.startswith("9939") for c in codes)


def test_sending_the_patient_to_the_ed_for_admission_is_high_risk_mdm() -> None:
    result = _code("Est pt.\nS: flank pain, fever, vomiting.\nO: T 39.4 HR 118.\nA/P:\nAcute pyelonephritis, R, "
                   "with tachycardia and intractable vomiting. Cannot tolerate PO abx; needs IV fluids, IV abx and "
                   "likely admission. Called Dr. on duty at the ED and gave report; husband driving her now.\n",
                   age=46)
    assert [p.code for p in result.procedures if p.code.startswith("992")] == ["99215"]


def test_a_vaccine_line_names_no_disease_and_a_past_dose_is_no_product() -> None:
    result = _code("Annual physical - est pt, 67 M.\nExam normal.\nImmunizations:\n- Influenza, high-dose "
                   "(Fluzone High-Dose) 0.5 mL IM R deltoid given, VIS provided.\n- Shingrix (recombinant zoster) "
                   "recommended; pt declines.\n- Pneumococcal: PCV20 given 2024, complete.\n"
                   "A: routine adult exam, no abnormal findings.\n", age=67, sex="M")
    dx = [d.code for d in result.diagnoses]
    px = [p.code for p in result.procedures]
    assert dx[0] == "Z00.00" and not any(c.startswith(("J1", "B02")) for c in dx) and "Z28.21" in dx
    assert "90662" in px and "90677" not in px
    flu = _code("A/P: Influenza A, rapid test positive; no flu shot this year - oseltamivir 75 mg BID x5 d.\n")
    assert any(d.code.startswith(("J10", "J11")) for d in flu.diagnoses)
    second = _code("Plan:\n- Tdap (last tetanus 2011): Tdap 0.5 mL IM L deltoid given, VIS\n", age=27)
    assert "90715" in [p.code for p in second.procedures]


def test_r_and_l_is_bilateral_and_a_screening_drawn_today_has_its_encounter_code() -> None:
    from rcm_coding.domain.note_text import Sentence, laterality
    note = "Removal of impacted cerumen, R and L ears, with curette."
    assert laterality(note, Sentence(0, len(note), "procedure"), 11, 27) == "B"
    psa = _code("Annual physical, est pt.\nExam normal.\nScreening: pt wants screening PSA - drawn in clinic "
                "today (venipuncture).\nA: routine adult exam, no abnormal findings.\n", age=67, sex="M")
    assert "Z12.5" in [d.code for d in psa.diagnoses]
    ordered = _code("Annual physical, est pt.\nExam normal.\nPlan: screening PSA ordered.\nA: routine adult exam.\n",
                    age=67, sex="M")
    assert "Z12.5" not in [d.code for d in ordered.diagnoses]


def test_return_to_the_ed_for_a_symptom_and_a_less_likely_diagnosis_are_not_coded() -> None:
    result = _code("Imp: contusion L anterior chest wall; no fracture.\nPlan: ice, OTC acetaminophen. ED for SOB, "
                   "worsening pain, fever. f/u prn.\n", age=48, sex="M")
    assert not any(d.code.startswith(("R06", "R50")) for d in result.diagnoses)
    headache = _code("Assessment: New daily headache, etiology not yet determined. Ddx tension-type vs secondary "
                     "cause; migraine less likely.\n", age=41)
    assert not any(d.code.startswith("G43") for d in headache.diagnoses)


def test_an_unspecified_code_beside_a_specific_one_of_its_category_is_dropped() -> None:
    result = _code('Imp: acute mucopurulent conjunctivitis R eye ("pink eye"), likely bacterial.\n'
                   "Plan: polymyxin B-trimethoprim ophth soln 1 gtt R eye q6h x 7 d.\n", age=6)
    assert [d.code for d in result.diagnoses] == ["H10.021"]


def test_a_nurse_visit_today_is_99211_and_a_planned_one_is_not() -> None:
    today = _code("RN visit - BP recheck 2 wks after lisinopril increased for essential hypertension.\n"
                  "BP 132/82, repeat 128/80.\nReviewed with Dr. - continue lisinopril 20 mg.\n", age=57, sex="M")
    assert [p.code for p in today.procedures] == ["99211"]
    planned = _code("Est pt f/u HTN.\nBP 152/94.\nA/P: HTN - start lisinopril 10 mg. Nurse BP check in 2 wk.\n",
                    age=57, sex="M")
    assert "99211" not in [p.code for p in planned.procedures]


def test_pcv21_and_pediatric_hep_a_written_without_the_word_vaccine() -> None:
    result = _code("12 mo WCC, est pt.\nImmunizations - physician counseled dad on each vaccine, VIS given:\n"
                   "Hep A pediatric 2-dose series dose 1 IM R thigh; PCV20 (Prevnar 20) dose 4 IM L thigh.\n"
                   "A: 12 month well child.\n", age=1)
    codes = [p.code for p in result.procedures]
    assert "90633" in codes and "90677" in codes
    adult = _code("Vaccines given today, VIS given: PCV21 (Capvaxive) 0.5 mL IM L deltoid.\n", age=66,
                  payer="medicare")
    assert {"90684", "G0009"} <= {p.code for p in adult.procedures}


def test_frequency_limited_medicare_wellness_visits_and_two_sided_sentences_go_to_review() -> None:
    awv = _code("Medicare Annual Wellness Visit - SUBSEQUENT.\nHRA reviewed. No new problems addressed.\n", age=74,
                payer="medicare")
    assert any(r.startswith("G0439: Medicare covers") for r in awv.review_reasons)
    sides = _code("Est pt, knee pain x2 wk. Total time 25 minutes.\nA/P: Primary osteoarthritis R knee, L knee "
                  "normal - OTC naproxen.\n", age=63)
    assert any("names both sides" in r for r in sides.review_reasons), sides.review_reasons


def test_risks_discussed_a_risk_line_and_a_test_done_are_not_conditions() -> None:
    hrt = _code("53F est.\nA: symptomatic menopause (vasomotor sx), on long-term HRT - sx breakthrough.\nP: increase "
                "estradiol patch to 0.075 mg/day. Reviewed risks/benefits of continuing systemic HRT (VTE, stroke, "
                "breast ca).\nTotal time on the date of the encounter 34 minutes.\n", age=53)
    codes = [d.code for d in hrt.diagnoses]
    assert codes == ["N95.1", "Z79.890"], codes
    awv = _code("Initial Annual Wellness Visit.\n- Depression risk: PHQ-9 = 1\n- Written screening schedule: "
                "mammo ordered, hep C done\n", age=70, payer="medicare")
    assert not any(d.code.startswith(("F32", "B19")) for d in awv.diagnoses)


def test_a_past_physical_an_ecg_not_done_described_i_and_d_and_burn_care() -> None:
    past = _code("NEW PATIENT VISIT.\nHad annual physical with prior PCP 2/2026 - this is a problem visit.\n"
                 "A/P: HTN, not at goal - increase lisinopril to 20 mg daily.\n", age=56)
    assert not any(p.code.startswith("9938") for p in past.procedures)
    ippe = _code("Welcome to Medicare visit (IPPE).\nNo screening ECG done.\n", age=65, payer="medicare")
    assert not any(p.code in ("G0403", "93000") for p in ippe.procedures)
    abscess = _code("Procedure: lido 1% w/ epi. Single 1.5 cm incision with #11 blade, ~5 mL purulent drainage "
                    "expressed, cavity irrigated, packing.\nDx: abscess L axilla.\n", age=31, sex="M")
    assert "10060" in [p.code for p in abscess.procedures]
    burn = _code("Exam: partial-thickness burn R forearm 6 x 4 cm. Est TBSA 2%.\nTx: cleansed w/ NS, ruptured "
                 "blisters debrided, silver sulfadiazine + nonadherent dressing.\nDx: 2nd degree burn R forearm.\n",
                 age=43)
    assert "16020" in [p.code for p in burn.procedures]


def test_here_for_an_annual_physical_is_todays_preventive_visit() -> None:
    result = _code("Here for an annual physical, est pt. No complaints.\nExam normal.\nA: routine adult exam, "
                   "no abnormal findings.\n", age=45)
    assert "99396" in [p.code for p in result.procedures]


def test_new_to_the_clinic_wcc_an_aside_and_eye_sides() -> None:
    new = _code("38M new to UC. Low back pain after lifting.\nImp: acute lumbar paraspinal muscle strain. "
                "Total time 25 minutes.\n", age=38, sex="M")
    assert [p.code for p in new.procedures] == ["99202"]  # new patient, 25 minutes
    wcc = _code("4 yo WCC, est pt, with dad.\nExam normal.\nA: well child.\n", age=4, sex="M")
    assert "99392" in [p.code for p in wcc.procedures]
    aside = _code("Est pt. Vomiting x1 day, wt 13.9 kg (14.5 kg at 3-yr WCC).\nA: viral gastroenteritis - "
                  "ORS, fluids.\n", age=3)
    assert not any(p.code.startswith("993") for p in aside.procedures)
    eyes = _code("Imp: pink eye both eyes - acute mucopurulent (bacterial) conjunctivitis OU.\n", age=5)
    assert [d.code for d in eyes.diagnoses] == ["H10.023"]
    ear = _code("Imp: L acute suppurative otitis media, no TM rupture.\n", age=2)
    assert [d.code for d in ear.diagnoses] == ["H66.002"]


def test_a_closure_naming_its_wound_by_site_and_length_takes_that_wound_and_a_corneal_fb() -> None:
    note = ("Wounds:\n1) Forehead, center, 3.5 cm gaping laceration into subcutaneous fat.\n2) L forearm, dorsal, "
            "4.0 cm superficial laceration through dermis.\nProcedures (consent, lido 1% w/ epi local):\n"
            "1) Forehead 3.5 cm - layered closure: 5-0 Vicryl deep dermal x3, then 6-0 nylon simple interrupted x6.\n"
            "2) L forearm 4.0 cm - single-layer closure, 4-0 nylon simple interrupted x5.\n")
    lines, _ = _repairs(note)
    assert sorted(_codes(lines)) == [("12002", Decimal(1)), ("12052", Decimal(1))]
    eye = _office("Slit lamp: metallic FB R cornea at 4 o'clock, small rust ring.\nProcedure: proparacaine OD. "
                  "Under slit lamp, FB removed with 25g needle; residual rust ring removed w/ burr.\n")
    assert [d.code for d in eye] == ["65222"]


@pytest.mark.parametrize(("note", "codes", "dx"), [
    ("Procedure: Etonogestrel 68 mg implant (Nexplanon) inserted subdermally L arm without difficulty.\n"
     "Dx: initial contraceptive implant.\n", ["11981", "J7307"], "Z30.017"),
    ("Procedure: Nexplanon palpated L arm, removed through a 2 mm incision intact; new implant inserted "
     "through the same incision.\n", ["11983", "J7307"], "Z30.46"),
    ("Procedure: Mirena IUD placed without difficulty, strings trimmed to 3 cm.\n", ["58300", "J7298"], "Z30.430"),
    ("Procedure: Paragard strings grasped, IUD removed intact.\n", ["58301"], "Z30.432"),
])
def test_contraceptive_implants_and_iuds(note: str, codes: list[str], dx: str) -> None:
    result = _code(note, age=24)
    assert [p.code for p in result.procedures if not p.code.startswith("99")] == codes
    assert result.diagnoses[0].code == dx


def test_contraception_counselled_is_no_procedure() -> None:
    result = _code("A/P: contraception counseling - discussed IUD vs Nexplanon options; will schedule insertion.\n",
                   age=24)
    assert not any(p.code in ("11981", "58300", "J7307") for p in result.procedures)


def test_hip_with_pelvis_films_and_a_combined_flu_covid_antigen_test() -> None:
    hip = _office("X-ray AP pelvis + AP/lateral L hip (3 views) obtained here, my interpretation: no fracture.\n")
    assert [d.code for d in hip] == ["73502"]
    pelvis = _office("X-ray pelvis AP, 1 view, obtained here, my read: no fracture.\n")
    assert [d.code for d in pelvis] == ["72170"]
    combo = labs(*_text_and_sentences("Rapid combined antigen test in clinic (SARS-CoV-2 + influenza A/B): flu A "
                                      "POSITIVE, flu B neg, COVID neg.\n"))
    assert [d.code for d in combo] == ["87428"]
    separate = labs(*_text_and_sentences("Rapid flu A/B test in office: negative. Rapid COVID antigen in office: "
                                         "negative.\n"))
    assert sorted(d.code for d in separate) == ["87804", "87811"]


def _text_and_sentences(note: str) -> tuple[str, list]:  # type: ignore[type-arg]
    return note, split_sentences(note, split_sections(note))


def test_a_positive_test_is_the_disease_and_a_test_done_is_not() -> None:
    positive = _code("A/P: COVID-19, test positive today - isolation 5 days, supportive care.\n", age=35)
    assert "U07.1" in [d.code for d in positive.diagnoses]
    done = _code("A/P: HTN - controlled. Hep C test done 2025, negative.\n", age=35)
    assert not any(d.code.startswith("B1") for d in done.diagnoses)


def test_an_iud_supply_by_brand_before_dose_and_burn_care_by_the_shared_tbsa_reading() -> None:
    liletta = _code("Procedure: Liletta (levonorgestrel 52 mg) IUD placed without difficulty.\n", age=28)
    assert [p.code for p in liletta.procedures] == ["58300", "J7297"]
    medium = _code("Exam: partial-thickness burn R forearm and hand, TBSA of 6%.\nTx: blisters debrided, silver "
                   "sulfadiazine + nonadherent dressing.\nDx: 2nd degree burns R forearm and hand.\n", age=43)
    assert "16025" in [p.code for p in medium.procedures]
