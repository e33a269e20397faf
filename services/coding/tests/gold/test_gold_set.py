"""Gold-set quality: precision, recall and F1 of proposed codes against a coder's answer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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


def test_gold_set_has_at_least_sixty_varied_notes() -> None:
    cases = gold_set.load_gold_cases()
    assert len(cases) >= 60
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
    cases, _, dx, px, both = _run(engine)
    _report("gold set", cases, dx, px, both)
    assert dx.f1 >= DX_F1_FLOOR
    assert px.f1 >= PX_F1_FLOOR
    assert both.f1 >= ALL_F1_FLOOR
    assert len(both.forbidden_hits) <= MAX_FORBIDDEN_HITS


# The held-out notes (heldout_notes.txt) were written by someone who saw neither the engine nor
# the gold notes, and the engine is never tuned on them: their score is the honest estimate of
# quality on unseen notes. Floors sit just under the first measurement; raise them only from
# engine changes made for other reasons.
# First measurement (2026-11-23, 30 notes): dx F1 0.766, px F1 0.935, all codes F1 0.843,
# 3 forbidden codes; 16 notes auto-coded, 9 of them exactly right.
HELDOUT_DX_F1_FLOOR = 0.75
HELDOUT_PX_F1_FLOOR = 0.92
HELDOUT_ALL_F1_FLOOR = 0.83
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
