"""Claim assembly, pricing and scrubbing (pure domain, fed by the contract translation)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rcm_claims.adapters.translate import coded_encounter, coverage_facts, encounter_facts
from rcm_claims.domain.claim_assembly import build_claim
from rcm_claims.domain.errors import ClaimNotBuildableError
from rcm_claims.domain.model import (
    Chargemaster,
    Claim,
    ClaimLine,
    CodedEncounter,
    CoverageFacts,
    EncounterFacts,
    Intake,
    claim_id_for,
)
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.testing.samples import encounter_payload

DOS = date(2026, 10, 14)


def encounter() -> EncounterFacts:
    return encounter_facts(EncounterCompleted.model_validate(encounter_payload("E-1")))


def coverage(status: str = "active", **kw: object) -> CoverageFacts:
    return coverage_facts(EligibilityChecked.model_validate({
        "encounter_id": "E-1", "payer_id": "SBXPPO01", "member_id": "SBX0000001", "date_of_service": DOS,
        "status": status, "checked_at": datetime.now(UTC), **kw}))


def coding(lines: list[dict[str, object]] | None = None, **kw: object) -> CodedEncounter:
    return coded_encounter(EncounterCoded.model_validate({
        "encounter_id": "E-1", "date_of_service": DOS, "coded_by": "engine",
        "diagnoses": [{"code": "E11.22", "rank": 1}, {"code": "N18.31", "rank": 2}],
        "lines": lines or [{"code": "99214", "code_system": "CPT", "diagnosis_pointers": [1, 2]},
                           {"code": "83036", "code_system": "CPT", "units": "1", "diagnosis_pointers": [1]}],
        **kw}))


def build(cov: CoverageFacts | None = None, cod: CodedEncounter | None = None,
          prices: Chargemaster | None = None) -> Claim:
    return build_claim(encounter(), cov or coverage(), cod or coding(),
                       prices if prices is not None else {"99214": Decimal(1), "83036": Decimal(1)})


def test_a_claim_prices_each_line_from_the_chargemaster_and_totals_to_the_cent() -> None:
    prices = {"99214": Decimal("265.00"), "83036": Decimal("45.00")}
    claim = build_claim(encounter(), coverage(), coding(), prices)
    assert [ln.charge for ln in claim.lines] == [Decimal("265.00"), Decimal("45.00")]
    assert claim.total_charge == Decimal("310.00")
    assert claim.diagnoses == ("E11.22", "N18.31")
    assert claim.claim_id == claim_id_for("E-1") and len(claim.claim_id) <= 20


def test_a_built_claim_is_an_original_claim_to_the_encounters_payer_with_numbered_lines() -> None:
    claim = build()
    assert (claim.encounter_id, claim.payer_id, claim.frequency_code, claim.status) == ("E-1", "SBXPPO01", "1",
                                                                                        "built")
    assert [(ln.line_number, ln.code, ln.diagnosis_pointers, ln.date_of_service) for ln in claim.lines] == [
        (1, "99214", (1, 2), DOS), (2, "83036", (1,), DOS)]


def test_units_multiply_the_unit_price() -> None:
    lines = [{"code": "96372", "code_system": "CPT", "units": "3", "diagnosis_pointers": [1]}]
    claim = build_claim(encounter(), coverage(), coding(lines), {"96372": Decimal("55.10")})
    assert claim.lines[0].charge == Decimal("165.30")


def test_fractional_units_keep_their_decimals_and_the_charge_rounds_half_up_to_the_cent() -> None:
    lines = [{"code": "96372", "code_system": "CPT", "units": "0.5", "diagnosis_pointers": [1]},
             {"code": "J1100", "code_system": "HCPCS", "units": "2.75", "diagnosis_pointers": [1]}]
    claim = build_claim(encounter(), coverage(), coding(lines), {"96372": Decimal("55.10"), "J1100": Decimal("12.35")})
    assert [ln.units for ln in claim.lines] == [Decimal("0.5"), Decimal("2.75")]
    assert [ln.charge for ln in claim.lines] == [Decimal("27.55"), Decimal("33.96")]  # 33.9625 -> 33.96
    assert claim.total_charge == Decimal("61.51")


def test_a_half_cent_rounds_up_not_to_even() -> None:
    lines = [{"code": "96372", "code_system": "CPT", "units": "0.5", "diagnosis_pointers": [1]}]
    claim = build_claim(encounter(), coverage(), coding(lines), {"96372": Decimal("10.01")})
    assert claim.lines[0].charge == Decimal("5.01")  # 5.005


def test_the_principal_diagnosis_comes_first_whatever_order_the_codes_arrive_in() -> None:
    cod = coding(diagnoses=[{"code": "N18.31", "rank": 2}, {"code": "E11.22", "rank": 1}])
    assert build(cod=cod).diagnoses == ("E11.22", "N18.31")


def test_the_claim_id_is_the_same_on_replay_and_differs_per_encounter() -> None:
    assert claim_id_for("E-1") == claim_id_for("E-1") != claim_id_for("E-2")


def test_the_claim_id_is_the_frozen_patient_control_number() -> None:
    # Replaying the history must rebuild the same claims: the derivation never changes.
    assert claim_id_for("E-1") == "C01B3F07216E0822A"
    assert claim_id_for("E-1", "7") == "C824EFE2CEAE1FE13"


def test_inactive_coverage_holds_the_claim_with_the_reason() -> None:
    with pytest.raises(ClaimNotBuildableError) as err:
        build(cov=coverage("rejected", rejection_codes=["72"]))
    assert "coverage is rejected" in err.value.reasons[0] and "72" in err.value.reasons[0]


def test_an_answer_for_another_member_holds_the_claim() -> None:
    with pytest.raises(ClaimNotBuildableError, match="another payer or member"):
        build(cov=coverage(member_id="SBX0000999"))


def test_a_coded_date_of_service_other_than_the_encounters_holds_the_claim() -> None:
    with pytest.raises(ClaimNotBuildableError, match="coded date of service differs"):
        build(cod=coding(date_of_service=date(2026, 10, 13)))


def test_a_code_without_a_price_holds_the_claim_naming_the_code() -> None:
    with pytest.raises(ClaimNotBuildableError, match="83036"):
        build_claim(encounter(), coverage(), coding(), {"99214": Decimal(1)})


def test_a_pointer_past_the_diagnoses_is_a_scrub_finding() -> None:
    lines = [{"code": "99214", "code_system": "CPT", "diagnosis_pointers": [3]}]
    with pytest.raises(ClaimNotBuildableError, match="points to diagnosis"):
        build_claim(encounter(), coverage(), coding(lines), {"99214": Decimal(1)})


def test_every_scrub_finding_is_reported_at_once() -> None:
    with pytest.raises(ClaimNotBuildableError) as err:
        build(cov=coverage("inactive", member_id="SBX0000999"), cod=coding(date_of_service=date(2026, 10, 13)))
    assert len(err.value.reasons) == 3


def test_an_intake_is_ready_to_build_only_with_all_three_parts_and_no_claim() -> None:
    intake = Intake("E-1", encounter=encounter(), coverage=coverage())
    assert not intake.ready_to_build and intake.waiting_for == ("coding",)
    complete = Intake("E-1", encounter=encounter(), coverage=coverage(), coding=coding())
    assert complete.ready_to_build and complete.waiting_for == ()
    assert not Intake("E-1", encounter(), coverage(), coding(), claim_id="C1").ready_to_build
    assert Intake("E-1", encounter(), coverage(), coding(), held_reasons=("x",)).ready_to_build


def test_the_total_charge_of_a_claim_is_the_sum_of_its_lines() -> None:
    line = ClaimLine(1, "99213", "CPT", (), Decimal(1), Decimal("10.10"), Decimal("10.10"), (1,), DOS)
    claim = Claim("C1", "E-1", "P", "1", ("I10",), (line, line))
    assert claim.total_charge == Decimal("20.20")
