from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from rcm_x12 import X12ParseError, X12WriteError, check_interchange, read_837, write_837
from rcm_x12.validate import validate_with_pyx12

from .helpers import (
    envelope,
    sample_837i,
    sample_837p,
    sample_837p_two_claims_with_dependent,
    sample_claim,
)


def test_837p_written_then_read_gives_the_same_model() -> None:
    doc = sample_837p()
    received = read_837(write_837(doc, envelope()))
    assert len(received) == 1
    assert received[0].document == doc
    assert received[0].implementation_reference == "005010X222A1"
    assert received[0].interchange.control_number == "000000101"


def test_two_claims_with_a_dependent_patient_and_replacement_round_trip() -> None:
    doc = sample_837p_two_claims_with_dependent()
    text = write_837(doc, envelope())
    assert "HL*4*3*23*0~" in text  # billing 1, subscriber 2 and 3, patient 4
    assert "REF*F8*ICN998877~" in text
    assert "CLM*PCN0002*137.5***11:B:7*Y*A*Y*Y~" in text
    assert read_837(text)[0].document == doc


def test_837i_round_trips_and_uses_sv2_with_revenue_codes() -> None:
    doc = sample_837i()
    text = write_837(doc, envelope())
    assert "SV2*0450*HC:99284*850*UN*1~" in text
    assert "GS*HC*SUBMITTER01*PAYER01*20260302*0930*201*X*005010X223A2~" in text
    assert read_837(text)[0].document == doc


@pytest.mark.parametrize("doc", [sample_837p(), sample_837p_two_claims_with_dependent(),
                                 sample_837i()], ids=["837P", "837P-dependent", "837I"])
def test_written_837_passes_pyx12_validation(doc: object) -> None:
    assert validate_with_pyx12(write_837(doc, envelope())) == []  # type: ignore[arg-type]


def test_amounts_drop_trailing_zeros_but_keep_the_value() -> None:
    text = write_837(sample_837p(), envelope())
    assert "SV1*HC:99213:25*125*UN*1***1:2~" in text
    assert "SV1*HC:81002*12.5*UN*1***1~" in text


def test_no_segment_ends_with_an_empty_element() -> None:
    text = write_837(sample_837p_two_claims_with_dependent(), envelope())
    for seg in text.split("~\n")[1:]:
        assert not seg.endswith("*") and not seg.endswith(":"), seg


def test_diagnosis_decimal_point_is_dropped_on_the_wire() -> None:
    doc = sample_837p((sample_claim(diagnoses=("E11.9", "R30.0")),))
    text = write_837(doc, envelope())
    assert "HI*ABK:E119*ABF:R300~" in text
    assert read_837(text)[0].document.claims[0].diagnoses == ("E119", "R300")


def test_value_containing_a_delimiter_cannot_be_written() -> None:
    doc = sample_837p((sample_claim("PCN*1"),))
    with pytest.raises(X12WriteError):
        write_837(doc, envelope())


def test_missing_principal_diagnosis_is_a_structured_error() -> None:
    text = write_837(sample_837p(), envelope())
    hi_line = next(s for s in text.split("~\n") if s.startswith("HI*"))
    bad = text.replace(hi_line + "~\n", "").replace("SE*32*", "SE*31*")
    # Recount SE so only the content error remains.
    se = next(s for s in bad.split("~\n") if s.startswith("SE*"))
    st_index = bad.split("~\n").index(next(s for s in bad.split("~\n") if s.startswith("ST*")))
    count = bad.split("~\n").index(se) - st_index + 1
    bad = bad.replace(se, f"SE*{count}*" + se.split("*")[2])
    with pytest.raises(X12ParseError) as exc:
        read_837(bad)
    issue = next(i for i in exc.value.issues if i.segment_id == "HI")
    assert issue.loop_id == "2300" and issue.code == "3" and issue.severity == "error"
    assert issue.segment_position is not None and "principal diagnosis" in issue.reason


def test_bad_amount_points_at_the_element() -> None:
    text = write_837(sample_837p(), envelope()).replace("CLM*PCN0001*137.5*", "CLM*PCN0001*1X7*")
    issues = check_interchange(text).issues
    issue = next(i for i in issues if i.segment_id == "CLM")
    assert (issue.element_position, issue.code, issue.loop_id) == (2, "6", "2300")


def test_total_charge_not_matching_lines_is_a_warning() -> None:
    doc = sample_837p((sample_claim(total_charge=Decimal("999")),))
    check = check_interchange(write_837(doc, envelope()))
    assert [i.severity for i in check.issues] == ["warning"]
    assert read_837(write_837(doc, envelope()))[0].document == doc


def test_replacement_claim_without_payer_claim_number_is_an_error() -> None:
    claim = replace(sample_claim(), frequency_code="7")
    with pytest.raises(X12ParseError) as exc:
        read_837(write_837(sample_837p((claim,)), envelope()))
    assert any("REF*F8" in i.reason for i in exc.value.issues)
