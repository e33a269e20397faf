"""The 837P writer: the domain claim and encounter facts as the exact bytes sent before the
domain had its own types (frozen in golden/; a resend must repeat them byte for byte)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rcm_claims.adapters.translate import coded_encounter, coverage_facts, encounter_facts
from rcm_claims.adapters.x12 import X12ClaimWriter
from rcm_claims.domain.claim_assembly import build_claim
from rcm_claims.testing import AT, PRICES, eligibility_checked, encounter_coded, encounter_completed
from rcm_shared.testing.samples import encounter_payload

GOLDEN = Path(__file__).parent / "golden"
LINES: list[dict[str, Any]] = [
    {"code": "99213", "code_system": "CPT", "modifiers": ["25"], "diagnosis_pointers": [1, 2]},
    {"code": "J1100", "code_system": "HCPCS", "units": "2.75", "diagnosis_pointers": [1]},
    {"code": "96372", "code_system": "CPT", "units": "0.5", "diagnosis_pointers": [2]},
]
CHILD: dict[str, Any] = {
    "coverage": {"payer_id": "SBXHMO02", "payer_name": "SANDBOX HMO", "member_id": "SBX0000777",
                 "group_number": "GRP-42", "relationship": "child", "financial_class": "medicaid",
                 "subscriber": {"first_name": "Pat", "last_name": "Testparent", "birth_date": "1980-02-29", "sex": "M",
                                "address": {"line1": "9 Elm St", "line2": "Apt 3", "city": "Springfield",
                                            "state": "IL", "postal_code": "627019999"}}},
    "patient": {"first_name": "Kim", "last_name": "Testchild", "birth_date": "2015-06-01", "sex": "U"},
    "rendering_provider": {"npi": encounter_payload("x")["rendering_provider"]["npi"],
                           "last_name_or_org": "Clinic Group"},
    "billing_provider": encounter_payload("x")["billing_provider"] | {"taxonomy": "207Q00000X"},
    "place_of_service": "22",
}


def render(encounter_id: str, overrides: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    e = encounter_completed(encounter_id, **overrides)
    cov = eligibility_checked(encounter_id, payer_id=e.coverage.payer_id, member_id=e.coverage.member_id)
    cod = encounter_coded(encounter_id, lines, diagnoses=[{"code": "E11.22", "rank": 2}, {"code": "I10", "rank": 1}])
    facts = encounter_facts(e)
    claim = build_claim(facts, coverage_facts(cov), coded_encounter(cod), PRICES)
    writer = X12ClaimWriter(submitter_id="RCMPLATFORM", receiver_id="CLEARINGHOUSE", submitter_name="RCM PLATFORM DEMO")
    return writer.render(claim, facts, 4711, AT)


@pytest.mark.parametrize(("golden", "encounter_id", "overrides", "lines"), [
    ("837p_self.x12", "E-GOLD-SELF", {}, LINES),
    ("837p_child.x12", "E-GOLD-CHILD", CHILD, LINES[:1]),
])
def test_the_837_is_byte_for_byte_the_interchange_sent_before(
    golden: str, encounter_id: str, overrides: dict[str, Any], lines: list[dict[str, Any]]
) -> None:
    assert render(encounter_id, overrides, lines) == (GOLDEN / golden).read_text()


def test_a_dependent_claim_names_the_subscriber_and_the_patient_apart() -> None:
    x12 = render("E-GOLD-CHILD", CHILD, LINES[:1])
    assert "NM1*IL*1*Testparent*Pat****MI*SBX0000777~" in x12 and "PAT*19~" in x12 and "SBR*P**GRP-42" in x12
