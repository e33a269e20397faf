"""The synthetic encounters the demo, the end-to-end tests and the benchmark publish.

The claims a demo run shows as sent to review must be the engine's honest verdicts on
realistic notes, not artefacts of the generator; these tests hold the generator to that.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from rcm_cli.synthetic import (
    PREVENTIVE_BY_AGE,
    encounters,
    latest_codable_date,
    payer_business_date,
    preventive_visit,
)
from rcm_coding.adapters.reference_data import default_engine
from rcm_coding.adapters.translate import code_command
from rcm_coding.domain.engine import CodingEngine
from rcm_shared.contracts.encounters import EncounterCompleted


@pytest.fixture(scope="module")
def engine() -> CodingEngine:
    return default_engine()


def test_generation_is_deterministic_for_a_seed() -> None:
    a = list(encounters(50, seed=5, clean=False))
    b = list(encounters(50, seed=5, clean=False))
    assert a == b
    assert a != list(encounters(50, seed=6, clean=False))


def test_every_encounter_validates_against_the_public_contract() -> None:
    for payload in encounters(100, seed=3, clean=False):
        EncounterCompleted.model_validate(payload)


def test_dates_of_service_stay_inside_the_loaded_code_set() -> None:
    latest = date(2026, 9, 30)
    dates = {p["date_of_service"] for p in encounters(200, seed=4, latest=latest)}
    assert max(dates) <= latest.isoformat()
    assert min(dates) >= date(2026, 9, 1).isoformat()


@pytest.mark.parametrize("clean", [True, False])
def test_the_engine_codes_every_synthetic_visit_without_review(engine: CodingEngine, clean: bool) -> None:
    reasons: Counter[str] = Counter()
    for payload in encounters(300, seed=17, clean=clean, latest=date(2026, 9, 30)):
        result = engine.code_encounter(code_command(EncounterCompleted.model_validate(payload)).documentation)
        reasons.update(result.review_reasons)
        entered = {d["code"] for d in payload["documentation"]["diagnoses"]}
        assert entered <= {d.code for d in result.diagnoses}, payload["encounter_id"]
    assert not reasons, reasons.most_common(5)


@pytest.mark.parametrize("age", [1, 4, 11, 15, 30, 45, 70])
def test_preventive_visits_carry_the_age_band_code_and_matching_z00(age: int) -> None:
    visit = preventive_visit(age)
    code = next(c for limit, c in PREVENTIVE_BY_AGE if age < limit)
    assert visit.procedures == ((code, 1),)
    assert visit.diagnoses == (("Z00.129",) if age < 18 else ("Z00.00",))


def test_the_payer_sandbox_is_dated_just_after_the_code_set_once_real_time_passes_it() -> None:
    assert payer_business_date(date(2026, 9, 15)) is None  # the code set covers yesterday
    assert payer_business_date(date(2026, 10, 1)) is None
    assert payer_business_date(date(2026, 11, 23)) == date(2026, 10, 1)
    assert payer_business_date(date(2027, 6, 1)) == date(2026, 10, 1)
    # Every synthetic visit is then inside the shortest sandbox timely-filing limit (90 days).
    pinned = date(2026, 10, 1)
    dates = [date.fromisoformat(p["date_of_service"]) for p in encounters(200, seed=9, clean=False,
                                                                          latest=latest_codable_date(date(2027, 6, 1)))]
    assert all(0 < (pinned - d).days <= 90 for d in dates)
