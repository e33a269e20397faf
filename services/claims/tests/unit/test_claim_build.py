"""Claim assembly, pricing and scrubbing (pure domain)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rcm_claims.domain.chargemaster import load_chargemaster
from rcm_claims.domain.errors import ClaimNotBuildableError
from rcm_claims.domain.model import build_claim, claim_id_for
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.testing.samples import encounter_payload

DOS = date(2026, 10, 14)


def encounter() -> EncounterCompleted:
    return EncounterCompleted.model_validate(encounter_payload("E-1"))


def coverage(status: str = "active", **kw: object) -> EligibilityChecked:
    return EligibilityChecked.model_validate({
        "encounter_id": "E-1", "payer_id": "SBXPPO01", "member_id": "SBX0000001", "date_of_service": DOS,
        "status": status, "checked_at": datetime.now(UTC), **kw})


def coding(lines: list[dict[str, object]] | None = None) -> EncounterCoded:
    return EncounterCoded.model_validate({
        "encounter_id": "E-1", "date_of_service": DOS, "coded_by": "engine",
        "diagnoses": [{"code": "E11.22", "rank": 1}, {"code": "N18.31", "rank": 2}],
        "lines": lines or [{"code": "99214", "code_system": "CPT", "diagnosis_pointers": [1, 2]},
                           {"code": "83036", "code_system": "CPT", "units": "1", "diagnosis_pointers": [1]}]})


def test_a_claim_prices_each_line_from_the_chargemaster_and_totals_to_the_cent() -> None:
    prices = {"99214": Decimal("265.00"), "83036": Decimal("45.00")}
    claim = build_claim(encounter(), coverage(), coding(), prices)
    assert [ln.charge for ln in claim.lines] == [Decimal("265.00"), Decimal("45.00")]
    assert claim.total_charge == Decimal("310.00")
    assert claim.diagnoses == ("E11.22", "N18.31")
    assert claim.claim_id == claim_id_for("E-1") and len(claim.claim_id) <= 20


def test_units_multiply_the_unit_price() -> None:
    lines = [{"code": "96372", "code_system": "CPT", "units": "3", "diagnosis_pointers": [1]}]
    claim = build_claim(encounter(), coverage(), coding(lines), {"96372": Decimal("55.10")})
    assert claim.lines[0].charge == Decimal("165.30")


def test_the_claim_id_is_the_same_on_replay_and_differs_per_encounter() -> None:
    assert claim_id_for("E-1") == claim_id_for("E-1") != claim_id_for("E-2")


def test_inactive_coverage_holds_the_claim_with_the_reason() -> None:
    with pytest.raises(ClaimNotBuildableError) as err:
        build_claim(encounter(), coverage("rejected", rejection_codes=["72"]), coding(),
                    {"99214": Decimal(1), "83036": Decimal(1)})
    assert "coverage is rejected" in err.value.reasons[0] and "72" in err.value.reasons[0]


def test_a_code_without_a_price_holds_the_claim_naming_the_code() -> None:
    with pytest.raises(ClaimNotBuildableError, match="83036"):
        build_claim(encounter(), coverage(), coding(), {"99214": Decimal(1)})


def test_a_pointer_past_the_diagnoses_is_a_scrub_finding() -> None:
    lines = [{"code": "99214", "code_system": "CPT", "diagnosis_pointers": [3]}]
    with pytest.raises(ClaimNotBuildableError, match="points to diagnosis"):
        build_claim(encounter(), coverage(), coding(lines), {"99214": Decimal(1)})


def test_the_packaged_chargemaster_loads_as_decimals() -> None:
    prices = load_chargemaster()
    assert prices["99213"] == Decimal("185.00")
    assert all(isinstance(p, Decimal) and p > 0 for p in prices.values())
