"""Contract -> command translation and the JSON codecs: nothing is rounded or lost on the way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from rcm_coding.adapters import review_codec as codec
from rcm_coding.adapters.translate import code_command
from rcm_coding.domain.model import (
    AuditEntry,
    CodingResult,
    DiagnosisProposal,
    EditFailure,
    Evidence,
    FinalCodes,
    FinalLine,
    ProcedureLine,
    StructuredProcedure,
)
from rcm_coding.domain.review import AddLine, EditCodes, ReviewCase
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.testing.samples import encounter_payload


def test_units_keep_their_decimals_from_the_contract_to_the_command() -> None:
    payload = encounter_payload("ENC-T", place_of_service="22", coverage={
        "payer_id": "SBXMCR01", "payer_name": "SANDBOX MEDICARE", "member_id": "SBX0000009",
        "financial_class": "medicare"})
    payload["documentation"] = {"note_text": "Assessment: hypertension.", "diagnoses": [{"code": "I10"}, {"text": "x"}],
                                "procedures": [{"code": "J1030", "units": "0.5"},
                                               {"code": "96372", "modifiers": ["59"], "units": "2.75"}]}
    cmd = code_command(EncounterCompleted.model_validate(payload))

    doc = cmd.documentation
    assert cmd.encounter_id == "ENC-T"
    assert doc.structured_procedures == (StructuredProcedure("J1030", (), Decimal("0.5")),
                                         StructuredProcedure("96372", ("59",), Decimal("2.75")))
    assert doc.structured_diagnoses == ("I10",)  # a text-only entry carries no code
    assert (doc.date_of_service, doc.patient_sex, doc.birth_date) == (date(2026, 10, 14), "F", date(1970, 5, 17))
    assert (doc.place_of_service, doc.payer_category, doc.note_text) == ("22", "medicare", "Assessment: hypertension.")


AT = datetime(2026, 10, 14, 9, 30, tzinfo=UTC)
RESULT = CodingResult(
    diagnoses=(DiagnosisProposal("I10", "Essential (primary) hypertension", "dx.lexicon", 0.95,
                                 (Evidence(12, 24, "assessment", "hypertension"),)),),
    procedures=(ProcedureLine("J1030", "methylprednisolone 40 mg", "injection.drug", 0.82, ("JW",), Decimal("0.5"),
                              (1,), (Evidence(30, 40, "plan", "depo-medrol"),)),),
    edit_failures=(EditFailure("MUE_UNITS_EXCEEDED", ("J1030",), "too many", (1,), "warning"),),
    needs_review=True, review_reasons=("low confidence",), code_set_versions={"icd10cm": "2026-04"})


def test_a_result_round_trips_through_json_with_its_decimal_units() -> None:
    data = codec.result_to_json(RESULT)
    assert data["procedures"][0]["units"] == "0.5"
    assert codec.result_from_json(data) == RESULT


def test_a_case_round_trips_and_older_integer_units_still_read() -> None:
    case = ReviewCase.open("RC-1", "ENC-1", RESULT, AT, patient_age=56, patient_sex="F")
    case = case.apply(EditCodes((AddLine("96372", (), Decimal("2.75"), (1,)),), "documented"), "coder7", AT)
    stored = codec.case_to_json(case)
    assert [ln["units"] for ln in stored["final_lines"]] == ["0.5", "2.75"]
    assert codec.case_from_json(stored, codec.result_to_json(RESULT)) == case
    stored["final_lines"][0]["units"] = 1  # as rows written before units kept their decimals
    assert codec.case_from_json(stored, codec.result_to_json(RESULT)).final_lines[0].units == Decimal(1)


def test_final_codes_are_stored_in_the_form_of_the_encounter_coded_contract() -> None:
    codes = FinalCodes(("I10", "E11.9"), (FinalLine("99213", ("25",), Decimal(1), (1, 2)),
                                          FinalLine("J1030", (), Decimal("0.5"), (1,))), "coder:coder7", reviewed=True,
                       review_trail=(AuditEntry(AT, "coder7", "completed", "completed with edited codes", None),))
    data = codec.final_codes_to_json("ENC-1", date(2026, 10, 14), codes)
    coded = EncounterCoded.model_validate(data)
    assert [(ln.code_system, ln.units) for ln in coded.lines] == [("CPT", Decimal(1)), ("HCPCS", Decimal("0.5"))]
    assert [(d.code, d.rank) for d in coded.diagnoses] == [("I10", 1), ("E11.9", 2)]
    assert codec.final_codes_from_json(data) == codes
    assert codec.final_codes_from_json(coded.model_dump(mode="json")) == codes  # what older rows hold
