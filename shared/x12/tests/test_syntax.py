from __future__ import annotations

import pytest
from rcm_x12 import X12EnvelopeError, parse_interchange, scan_interchange, write_837
from rcm_x12.syntax import tokenize

from .helpers import envelope, sample_837p


def _text() -> str:
    return write_837(sample_837p(), envelope())


def test_delimiters_are_taken_from_the_isa_segment() -> None:
    text = _text().replace("*", "|").replace(":", "<").replace("~", "!")
    delims, segments = tokenize(text)
    assert (delims.element, delims.component, delims.repetition, delims.segment) == \
        ("|", "<", "^", "!")
    assert segments[0].id == "ISA" and segments[-1].id == "IEA"


def test_crlf_between_segments_is_tolerated() -> None:
    text = _text().replace("~\n", "~\r\n")
    inter = parse_interchange(text)
    assert inter.groups[0].transactions[0].transaction_id == "837"


def test_segment_positions_count_from_isa_as_one() -> None:
    _, segments = tokenize(_text())
    assert [s.position for s in segments[:3]] == [1, 2, 3]
    assert segments[2].id == "ST"


def test_wrong_se_count_is_reported_with_ik502_code_4() -> None:
    text = _text()
    se = next(line for line in text.splitlines() if line.startswith("SE*"))
    count = int(se.split("*")[1])
    bad = text.replace(se, se.replace(f"SE*{count}*", f"SE*{count + 1}*"))
    scan = scan_interchange(bad)
    issue = next(i for i in scan.issues if i.segment_id == "SE")
    assert (issue.level, issue.code, issue.element_position) == ("transaction", "4", 1)
    with pytest.raises(X12EnvelopeError):
        parse_interchange(bad)


def test_se02_not_matching_st02_is_code_3() -> None:
    bad = _text().replace("SE*", "SE*").replace("*0001~\nGE", "*0009~\nGE")
    codes = {(i.segment_id, i.code) for i in scan_interchange(bad).issues}
    assert ("SE", "3") in codes


def test_ge_and_iea_mismatches_are_reported() -> None:
    text = _text()
    bad = text.replace("GE*1*201", "GE*2*202").replace("IEA*1*000000101", "IEA*2*000000999")
    codes = {(i.segment_id, i.code) for i in scan_interchange(bad).issues}
    assert {("GE", "5"), ("GE", "4"), ("IEA", "021"), ("IEA", "001")} <= codes


def test_wrong_version_is_rejected_with_note_code_017() -> None:
    bad = _text().replace("*00501*", "*00401*", 1)
    with pytest.raises(X12EnvelopeError) as exc:
        parse_interchange(bad)
    assert any(i.code == "017" and i.element_position == 12 for i in exc.value.issues)


@pytest.mark.parametrize("text", ["", "hello", "ISA*00", "GS*HC*1~", "ISA" + "*" * 200])
def test_garbage_gives_an_envelope_error_not_a_crash(text: str) -> None:
    with pytest.raises(X12EnvelopeError) as exc:
        parse_interchange(text)
    assert exc.value.issues


def test_missing_trailers_are_reported() -> None:
    text = _text()
    truncated = text[: text.index("SE*")]
    codes = {(i.level, i.code) for i in scan_interchange(truncated).issues}
    assert {("transaction", "2"), ("group", "3"), ("interchange", "023")} <= codes


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_control_character_inside_an_identifier_is_an_error_at_its_segment_and_element(control: str) -> None:
    text = write_837(sample_837p(), envelope())
    clm = next(s for s in tokenize(text)[1] if s.id == "CLM")
    bad = text.replace(f"CLM*{clm.get(1)}*", f"CLM*{clm.get(1)[:3]}{control}{clm.get(1)[3:]}*", 1)
    scan = scan_interchange(bad)
    [issue] = [i for i in scan.issues if i.segment_id == "CLM"]
    assert issue.segment_position == clm.position and issue.element_position == 1
    assert "CLM01 holds a control character" in issue.reason and issue.level == "transaction"
    assert control not in issue.reason
    assert not [i for i in scan_interchange(text).issues if "control character" in i.reason]
