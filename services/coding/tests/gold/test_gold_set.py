"""Gold-set quality: precision, recall and F1 of proposed codes against a coder's answer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.model import EncounterDocumentation

_spec = importlib.util.spec_from_file_location(
    "coding_gold_set", Path(__file__).resolve().parent / "gold_set.py"
)
assert _spec and _spec.loader
gold_set = importlib.util.module_from_spec(_spec)
sys.modules["coding_gold_set"] = gold_set
_spec.loader.exec_module(gold_set)

# Floors set just under what the engine measured when they were last raised (see report).
DX_F1_FLOOR = 0.95
PX_F1_FLOOR = 0.95
ALL_F1_FLOOR = 0.95
MAX_FORBIDDEN_HITS = 2


def _run(engine: CodingEngine, pattern: str = "gold_notes_*.txt"):  # type: ignore[no-untyped-def]
    """Code every case once: (cases, results, dx score, px score, all-codes score)."""
    cases = gold_set.load_gold_cases(pattern)
    results = [engine.code_encounter(EncounterDocumentation(
        note_text=case.note, date_of_service=case.date_of_service, patient_sex=case.sex,
        patient_age=case.age, payer_category=case.payer)) for case in cases]
    dx, px, both = gold_set.Score(), gold_set.Score(), gold_set.Score()
    for case, result in zip(cases, results, strict=True):
        got_dx = {d.code for d in result.diagnoses}
        got_px = {p.code for p in result.procedures}
        dx.add(case.case_id, case.expect_dx, got_dx, case.forbid)
        px.add(case.case_id, case.expect_px, got_px, case.forbid)
        both.add(case.case_id, case.expect_dx | case.expect_px, got_dx | got_px, case.forbid)
    return cases, results, dx, px, both


def test_tuning_set_has_at_least_150_varied_notes() -> None:
    cases = gold_set.load_gold_cases()
    assert len(cases) >= 150
    assert len({c.case_id for c in cases}) == len(cases)
    assert all(c.expect_dx for c in cases)


def _report(title: str, cases, dx, px, both) -> None:  # type: ignore[no-untyped-def]
    print(f"\n{title}: {len(cases)} notes")
    for name, s in (("diagnoses", dx), ("procedures", px), ("all codes", both)):
        print(f"  {name:11s} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} "
              f"(tp={s.tp} fp={s.fp} fn={s.fn})")
    print(f"  forbidden codes proposed: {len(both.forbidden_hits)} {both.forbidden_hits}")
    for case_id, missed, extra in both.misses:
        print(f"  {case_id}: missed={missed} extra={extra}")


def test_engine_meets_precision_recall_floors_on_gold_set(engine: CodingEngine) -> None:
    cases, _, dx, px, both = _run(engine, "gold_notes_[12].txt")
    _report("gold set 1-2", cases, dx, px, both)
    assert dx.f1 >= DX_F1_FLOOR
    assert px.f1 >= PX_F1_FLOOR
    assert both.f1 >= ALL_F1_FLOOR
    assert len(both.forbidden_hits) <= MAX_FORBIDDEN_HITS


# Tuning set 3 (gold_notes_3.txt, 104 notes, written by a certified-coder helper without sight of the
# engine; tuned on from then on). First measurement (2026-12-02, with the review gate, E/M from MDM
# elements and hypothetical context): dx F1 0.676, px F1 0.463, 29 forbidden codes, 5 of 104 notes
# auto-coded, 1 of them exactly right. After tuning on it the same day (pregnancy, vaccine
# administration, drug-dose prescriptions, title index, 44 lexicon concepts): dx F1 0.785, px F1 0.613,
# 20 forbidden codes. Floors sit just under the latest figures; raise them as the engine improves.
# 2026-12-02 (later): office procedures, repairs by tier, in-office X-rays and labs, pre-operative encounter
# codes, vaccines listed by antigen, wellness-visit diagnoses and ACP: dx F1 0.830, px F1 0.856, 18 forbidden.
# Then headers alone on a line, MDM by assessment line, and title specificity: dx F1 0.870, px F1 0.907, 13 forbidden.
# Then hypertensive CKD, 'A: 1.' and 'Dx:' headers, headerless notes evaluated, self-limited problems and
# OTC drugs in MDM: dx F1 0.893, px F1 0.915, 12 forbidden; 10 notes auto-coded, all right.
# Then injuries resolved from their titles (kind, site, side), burn extent, 'return for' as hypothetical:
# dx F1 0.916, px F1 0.910, 11 forbidden.
SET3_DX_F1_FLOOR = 0.92  # 0.936 with the 172 lexicon concepts added 2026-12-02
SET3_PX_F1_FLOOR = 0.90
SET3_MAX_FORBIDDEN_HITS = 13


def _auto_report(cases, results) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    auto = [(c, r) for c, r in zip(cases, results, strict=True) if not r.needs_review]
    right = sum({d.code for d in r.diagnoses} | {p.code for p in r.procedures} == c.expect_dx | c.expect_px
                for c, r in auto)
    print(f"  auto-coded without review: {len(auto)} of {len(cases)}, {right} of them exactly right")
    return len(auto), right


# The held-out notes (heldout_notes.txt) were written by someone who saw neither the engine nor
# the gold notes, and the engine is never tuned on them: their score is the honest estimate of
# quality on unseen notes. Floors sit just under the first measurement; raise them only from
# engine changes made for other reasons.
# First measurement (2026-11-23, 30 notes): dx F1 0.766, px F1 0.935, all codes F1 0.843,
# 3 forbidden codes; 16 notes auto-coded, 9 of them exactly right.
HELDOUT_DX_F1_FLOOR = 0.89  # 0.846 after title specificity, 0.902 after the headers, 0.911 after injuries
# 0.92 until 2026-12-02: the engine now bills the in-office nebulizer drug (J7613/J7620) and scored
# instruments (96127), which this set's writer did not list (tuning set 3's and held-out 2's did); its
# px F1 is 0.917 since (labels of held-out notes are never edited to match the engine). After the office
# procedures, repairs by tier and pre-operative codes (tuned on set 3): dx F1 0.823, px F1 0.938, all 0.878.
# 2026-12-02 (tuned on sets 4 and 5): 12 of 30 auto-coded, 8 right (8 and 6 before): "est pt" is now read as an
# established patient, which had lowered the E/M line's confidence below the review threshold by accident.
# Then 13 auto-coded, 8 right; dx F1 0.902 (0.911) after the unspecified-sibling and hypothetical-ED rules.
HELDOUT_PX_F1_FLOOR = 0.92
HELDOUT_ALL_F1_FLOOR = 0.86
HELDOUT_MAX_FORBIDDEN_HITS = 3


def test_engine_on_held_out_notes_it_was_never_tuned_on(engine: CodingEngine) -> None:
    cases, results, dx, px, both = _run(engine, "heldout_notes.txt")
    assert len(cases) >= 30
    _report("held-out set", cases, dx, px, both)
    auto = [(c, r) for c, r in zip(cases, results, strict=True) if not r.needs_review]
    right = sum({d.code for d in r.diagnoses} | {p.code for p in r.procedures} == c.expect_dx | c.expect_px
                for c, r in auto)
    print(f"  auto-coded without review: {len(auto)} of {len(cases)}, {right} of them exactly right")
    assert dx.f1 >= HELDOUT_DX_F1_FLOOR
    assert px.f1 >= HELDOUT_PX_F1_FLOOR
    assert both.f1 >= HELDOUT_ALL_F1_FLOOR
    assert len(both.forbidden_hits) <= HELDOUT_MAX_FORBIDDEN_HITS


# Held-out set 2 (heldout_notes_2.txt, 66 notes, written by a certified-coder helper who saw neither the
# engine nor any other gold note; never tuned on). First measurement (2026-12-02): dx F1 0.639 (P 0.708,
# R 0.582), px F1 0.491 (P 0.627, R 0.403), 28 forbidden codes, 5 of 66 auto-coded, none exactly right.
# That is the honest state of the engine on unseen notes (issue 11 stays open); floors guard it from
# getting worse, and the auto-coded notes that are wrong may not grow. After the changes tuned on set 3
# (never on this set): dx F1 0.722 (P 0.757, R 0.690), px F1 0.629 (P 0.709, R 0.566), 24 forbidden
# codes, 1 of 66 auto-coded (wrong).
# After the office-procedure, pre-operative and vaccine changes (tuned on set 3): dx F1 0.765, px F1 0.772,
# 24 forbidden codes, 7 of 66 auto-coded, 3 exactly right. The wrong auto-coded notes rose from 1 to 4 because
# the packaged CPT/HCPCS lists now hold every code the rules propose: before, lines such as 99417, G2211 or
# 96127 failed the unknown-code edit, which sent those notes to review for the wrong reason. That is the
# honest figure of the review gate on unseen notes; the floor guards it from getting worse.
# Then, with the headers, MDM and title-specificity changes (tuned on set 3): dx F1 0.785, 21 forbidden codes.
# Then (headers, hypertensive CKD, MDM; tuned on set 3): dx F1 0.823, px F1 0.766, 18 forbidden; 7 of 66
# auto-coded, 2 exactly right. The wrong auto-coded notes rose to 5: notes whose 'Dx:' or 'A: 1.' assessment
# the engine now reads lost the 'narrative only' review reason that had held them back by accident. The
# principled rules added with it (every non-Z code grounded in the assessment, title-derived codes
# confirmed by a coder, family-history reasons and problems in preventive visits reviewed) did not change
# that count; it is the honest figure, and the floor keeps it from rising further.
# Injuries by title (tuned on set 3): dx F1 0.835, 17 forbidden, 7 auto-coded, 3 right.
HELDOUT2_DX_F1_FLOOR = 0.84  # 0.850 after the lexicon additions (tuned on sets 3 and 4); 0.866 after set 5's;
# 0.881 (px 0.791) after set 6's
HELDOUT2_PX_F1_FLOOR = 0.75
HELDOUT2_MAX_FORBIDDEN_HITS = 19
HELDOUT2_MAX_WRONG_AUTO = 5


def test_engine_on_held_out_set_2_it_was_never_tuned_on(engine: CodingEngine) -> None:
    cases, results, dx, px, both = _run(engine, "heldout_notes_2.txt")
    assert len(cases) >= 60
    _report("held-out set 2", cases, dx, px, both)
    auto, right = _auto_report(cases, results)
    assert dx.f1 >= HELDOUT2_DX_F1_FLOOR
    assert px.f1 >= HELDOUT2_PX_F1_FLOOR
    assert len(both.forbidden_hits) <= HELDOUT2_MAX_FORBIDDEN_HITS
    assert auto - right <= HELDOUT2_MAX_WRONG_AUTO


# Tuning set 4 (gold_notes_4.txt, 60 notes, written 2026-12-02 by a certified-coder helper who saw neither the
# engine nor any other gold note; tuned on from then on). First measurement, before any tuning on it: dx F1
# 0.734 (P 0.819, R 0.664), px F1 0.800 (P 0.815, R 0.785), 18 forbidden codes, 18 of 60 notes exactly right,
# 6 auto-coded, 3 of them right: an honest third estimate of the engine on unseen notes at that point.
# Then (immunization refusal Z28.x, the IPPE's ECG G0403, Z13.31 with G0444, no pregnancy for a man, a
# headerless numbered problem list read as the assessment, "w/o" negation, anticoagulant adverse effects):
# dx F1 0.900, px F1 0.900, 9 forbidden, 6 auto-coded, all 6 right (3 before).
SET4_DX_F1_FLOOR = 0.89  # 0.844 after tuning and the lexicon additions; 0.900 after the fixes above
SET4_PX_F1_FLOOR = 0.89
SET4_MAX_FORBIDDEN_HITS = 10


# Tuning set 5 (gold_notes_5.txt, 60 notes, written 2026-12-02 by a certified-coder helper who saw neither the
# engine nor any other gold note; tuned on from then on). First measurement, before any tuning on it (engine
# c1ef00b): dx F1 0.797 (P 0.778, R 0.817), px F1 0.824 (P 0.840, R 0.808), 18 forbidden codes, 24 of 60 notes
# exactly right, 6 auto-coded, 5 of them right: the fourth honest estimate on unseen notes (set 4's first was
# dx 0.734, px 0.800).
# After tuning on it (preventive visits named as past ones, total time as clinicians write it, 'est pt', ED and
# admission decisions as high risk, diseases named in vaccine lines, earlier doses, R and L as bilateral,
# screenings collected today, family reasons in the plan): dx F1 0.838, px F1 0.882, 13 forbidden, 7 auto, all right.
# Then ('ED for fever' hypothetical, 'less likely', unspecified siblings, nurse visits, PCV21, hep A pediatric):
# dx F1 0.866, px F1 0.903, 11 forbidden, 33 of 60 exactly right.
SET5_DX_F1_FLOOR = 0.86
SET5_PX_F1_FLOOR = 0.89
SET5_MAX_FORBIDDEN_HITS = 12


# Tuning set 6 (gold_notes_6.txt, 60 notes, written 2026-12-02 by a certified-coder helper who saw neither the
# engine nor any other gold note; about half internal medicine and geriatrics; tuned on from then on). First
# measurement, before any tuning on it (engine b82f18e, with the Medicare-wellness and two-sides gate rules):
# dx F1 0.750 (P 0.777, R 0.725), px F1 0.813 (P 0.847, R 0.781), 20 forbidden codes, 22 of 60 exactly right,
# 6 auto-coded, 5 of them right.
# After tuning on it (risks/benefits and 'X risk' / 'X done' not conditions, past physicals, 'No ECG done', HRT
# Z79.890, I&D described, burn dressings 16020-16030): dx F1 0.796, px F1 0.847, 17 forbidden, 6 auto, all right.
# Then ('new to UC/our clinic', 'WCC' and 'well exam', asides in parentheses, OD/OS/OU, acute suppurative otitis
# media by side): dx F1 0.825, px F1 0.884, 12 forbidden, 29 of 60 exactly right.
# Then (a closure that names its wound by site and length, a corneal FB named only in the exam): px F1 0.908.
# Then (contraceptive implants and IUDs, hip films with the pelvis, the combined flu/COVID antigen test): dx F1
# 0.830, px F1 0.932, 9 forbidden, 32 of 60 exactly right.
SET6_DX_F1_FLOOR = 0.82
SET6_PX_F1_FLOOR = 0.92
SET6_MAX_FORBIDDEN_HITS = 10


# Tuning set 7 (gold_notes_7.txt, 60 notes, written 2026-12-02 by a certified-coder helper who saw neither the
# engine nor any other gold note: injuries, telehealth, internal medicine, pediatrics, women's health, mental
# health, wellness, office procedures, diabetes; to be tuned on from now on). First measurement, before any
# tuning on it (engine 695508f; its January-March dates moved to April-June, see the file's header): dx F1 0.820
# (P 0.827, R 0.812), px F1 0.794 (P 0.865, R 0.735), 15 forbidden codes, 22 of 60 exactly right, 6 auto-coded,
# 3 of them right: the sixth honest estimate on unseen notes. Its misses name the next work: the 2025 CPT
# telemedicine codes 98000-98016 for payers that take them, 99024 in a global period, G2211 on chronic-care
# follow-ups, family history coded where the note only mentions it, type 1 diabetes with hypoglycemia read as
# type 2, alcohol dependence in early remission, the nebulizer treatment, Z01.419 for a well-woman visit.
SET7_DX_F1_FLOOR = 0.81
SET7_PX_F1_FLOOR = 0.78
SET7_MAX_FORBIDDEN_HITS = 16


@pytest.mark.parametrize(("pattern", "min_cases", "dx_floor", "px_floor", "max_forbidden"), [
    ("gold_notes_3.txt", 90, SET3_DX_F1_FLOOR, SET3_PX_F1_FLOOR, SET3_MAX_FORBIDDEN_HITS),
    ("gold_notes_4.txt", 60, SET4_DX_F1_FLOOR, SET4_PX_F1_FLOOR, SET4_MAX_FORBIDDEN_HITS),
    ("gold_notes_5.txt", 60, SET5_DX_F1_FLOOR, SET5_PX_F1_FLOOR, SET5_MAX_FORBIDDEN_HITS),
    ("gold_notes_6.txt", 60, SET6_DX_F1_FLOOR, SET6_PX_F1_FLOOR, SET6_MAX_FORBIDDEN_HITS),
    ("gold_notes_7.txt", 60, SET7_DX_F1_FLOOR, SET7_PX_F1_FLOOR, SET7_MAX_FORBIDDEN_HITS),
], ids=["tuning set 3", "tuning set 4", "tuning set 5", "tuning set 6", "tuning set 7"])
def test_engine_on_tuning_sets_written_blind(engine: CodingEngine, pattern: str, min_cases: int, dx_floor: float,
                                             px_floor: float, max_forbidden: int) -> None:
    cases, results, dx, px, both = _run(engine, pattern)
    assert len(cases) >= min_cases
    _report(pattern, cases, dx, px, both)
    _auto_report(cases, results)
    assert dx.f1 >= dx_floor
    assert px.f1 >= px_floor
    assert len(both.forbidden_hits) <= max_forbidden
