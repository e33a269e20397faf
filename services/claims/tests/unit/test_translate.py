"""Contracts -> domain (adapters/translate.py) and domain <-> JSONB documents (adapters/documents.py)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal

from rcm_claims.adapters.documents import (
    claim_document,
    claim_from,
    coding_from,
    coverage_from,
    encounter_from,
    part_document,
)
from rcm_claims.adapters.translate import coded_encounter, coverage_facts, encounter_facts
from rcm_claims.domain.claim_assembly import build_claim
from rcm_claims.testing import PRICES, eligibility_checked, encounter_coded, encounter_completed
from rcm_x12 import claim837  # noqa: F401  (the writer's model must import cleanly alongside)

DEPENDENT = {"coverage": {"payer_id": "SBXHMO02", "payer_name": "SANDBOX HMO", "member_id": "SBX0000777",
                          "relationship": "spouse", "financial_class": "medicare",
                          "subscriber": {"first_name": "Pat", "last_name": "Testspouse", "birth_date": "1960-01-01",
                                         "sex": "M"}}}


def test_the_encounter_keeps_what_a_claim_needs_and_never_its_documentation() -> None:
    e = encounter_completed("E-1", **DEPENDENT)
    facts = encounter_facts(e)
    assert "documentation" not in {f.name for f in fields(facts)}
    assert "lisinopril" not in repr(facts) and "Assessment" not in str(part_document(facts))
    assert facts.coverage.relationship == "spouse" and facts.coverage.financial_class == "medicare"
    assert facts.coverage.subscriber is not None and facts.coverage.subscriber.last_name == "Testspouse"
    assert facts.billing_provider.tax_id == "123456789" and facts.billing_provider.address.city == "Springfield"
    assert facts.patient.address is not None and facts.patient.address.postal_code == "62701"


def test_coded_units_keep_their_decimals() -> None:
    coded = coded_encounter(encounter_coded("E-1", [
        {"code": "96372", "code_system": "CPT", "units": "0.5", "diagnosis_pointers": [1]},
        {"code": "J1100", "code_system": "HCPCS", "units": "2.75", "modifiers": ["JW"], "diagnosis_pointers": [1]}]))
    assert [ln.units for ln in coded.lines] == [Decimal("0.5"), Decimal("2.75")]
    assert coded.lines[1].modifiers == ("JW",) and coded.lines[1].code_system == "HCPCS"


def test_the_eligibility_answer_keeps_its_status_and_reject_codes() -> None:
    facts = coverage_facts(eligibility_checked("E-1", "rejected", rejection_codes=["72", "75"]))
    assert (facts.status, facts.rejection_codes, facts.payer_id) == ("rejected", ("72", "75"), "SBXPPO01")


def test_every_intake_part_round_trips_through_its_jsonb_document() -> None:
    e = encounter_facts(encounter_completed("E-1", **DEPENDENT))
    c = coverage_facts(eligibility_checked("E-1", "inactive", rejection_codes=["72"]))
    k = coded_encounter(encounter_coded("E-1", [{"code": "J1100", "code_system": "HCPCS", "units": "2.75",
                                                  "diagnosis_pointers": [1]}]))
    assert encounter_from(part_document(e)) == e
    assert coverage_from(part_document(c)) == c
    assert coding_from(part_document(k)) == k
    assert encounter_from(None) is None


def test_intake_rows_written_as_whole_contracts_before_still_read() -> None:
    # Before the domain had its own types the intake stored each contract's JSON, note text included.
    e = encounter_completed("E-1", **DEPENDENT)
    assert encounter_from(e.model_dump(mode="json")) == encounter_facts(e)
    coded = encounter_coded("E-1", reviewed=True, coded_by="coder:u1")
    assert coding_from(coded.model_dump(mode="json")) == coded_encounter(coded)
    answer = eligibility_checked("E-1", copay="25.00", plan_name="PPO GOLD")
    assert coverage_from(answer.model_dump(mode="json")) == coverage_facts(answer)


def test_the_claim_document_keeps_its_shape_and_reads_back_to_the_same_claim() -> None:
    lines = [{"code": "99213", "code_system": "CPT", "modifiers": ["25"], "diagnosis_pointers": [1]},
             {"code": "J1100", "code_system": "HCPCS", "units": "2.75", "diagnosis_pointers": [1]}]
    claim = build_claim(encounter_facts(encounter_completed("E-1")), coverage_facts(eligibility_checked("E-1")),
                        coded_encounter(encounter_coded("E-1", lines)), PRICES)
    doc = claim_document(claim)
    assert doc == {
        "claim_id": claim.claim_id, "encounter_id": "E-1", "frequency_code": "1", "diagnoses": ["I10"],
        "total_charge": "218.96",
        "lines": [{"line_number": 1, "code": "99213", "code_system": "CPT", "modifiers": ["25"], "units": "1",
                   "unit_price": "185.00", "charge": "185.00", "diagnosis_pointers": [1],
                   "date_of_service": "2026-10-14"},
                  {"line_number": 2, "code": "J1100", "code_system": "HCPCS", "modifiers": [], "units": "2.75",
                   "unit_price": "12.35", "charge": "33.96", "diagnosis_pointers": [1],
                   "date_of_service": "2026-10-14"}]}
    assert claim_from(doc, payer_id="SBXPPO01", status="built") == claim
