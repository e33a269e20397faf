"""The CLI's synthetic dates follow the coding service's packaged ICD-10-CM window without
importing the service: this test is what keeps the two from drifting apart."""

from __future__ import annotations

from datetime import date

from rcm_cli.synthetic import PACKAGED_ICD10CM_LAST_DAY, latest_codable_date, payer_business_date
from rcm_coding.domain.codesets import ICD10CM_APRIL_2026_TO


def test_the_cli_knows_the_last_day_of_the_packaged_code_set() -> None:
    assert PACKAGED_ICD10CM_LAST_DAY == ICD10CM_APRIL_2026_TO


def test_synthetic_visits_stop_at_the_packaged_code_set_and_the_payers_are_dated_the_day_after() -> None:
    assert latest_codable_date(date(2026, 6, 2)) == date(2026, 6, 1)
    assert payer_business_date(date(2026, 6, 2)) is None
    assert latest_codable_date(date(2026, 12, 1)) == PACKAGED_ICD10CM_LAST_DAY
    assert payer_business_date(date(2026, 12, 1)) == date(2026, 10, 1)
