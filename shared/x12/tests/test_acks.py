from __future__ import annotations

from decimal import Decimal

from rcm_x12 import (
    Ack999,
    InMemoryControlNumbers,
    Ta1,
    ack_999_for,
    acks_999_for,
    check_interchange,
    read_277ca,
    read_999,
    read_ta1,
    reply_envelope,
    ta1_for,
    write_277ca,
    write_837,
    write_999,
    write_ta1,
)
from rcm_x12.validate import validate_with_pyx12

from .helpers import envelope, sample_277ca, sample_837p, sample_claim


def _837(**claim_overrides: object) -> str:
    return write_837(sample_837p((sample_claim(**claim_overrides),)), envelope())


def _reply(text: str) -> str:
    check = check_interchange(text)
    assert check.interchange is not None
    env = reply_envelope(check.interchange.header, InMemoryControlNumbers(),
                         when=envelope().date)
    return ack_999_for(check, env)


def test_clean_837_is_accepted_in_the_999() -> None:
    [ack] = acks_999_for(_837())
    assert (ack.status, ack.included, ack.received, ack.accepted) == ("A", 1, 1, 1)
    assert ack.transactions[0].status == "A"
    assert ack.group_control_number == "201" and ack.version == "005010X222A1"


def test_837_with_only_warnings_is_accepted_with_errors() -> None:
    [ack] = acks_999_for(_837(total_charge=Decimal("1")))
    tx = ack.transactions[0]
    assert (ack.status, tx.status) == ("E", "E")
    assert tx.segment_errors[0].segment_id == "CLM"


def test_bad_element_rejects_with_ik3_and_ik4() -> None:
    text = _837().replace("DMG*D8*19800412*F", "DMG*D8*19801312*F")
    [ack] = acks_999_for(text)
    tx = ack.transactions[0]
    assert (ack.status, ack.accepted, tx.status, tx.error_codes) == ("R", 0, "R", ("5",))
    [seg_err] = tx.segment_errors
    assert (seg_err.segment_id, seg_err.code) == ("DMG", "8")
    lines = text.split("~\n")
    st = next(i for i, s in enumerate(lines) if s.startswith("ST*"))
    dmg = next(i for i, s in enumerate(lines) if s.startswith("DMG*"))
    assert seg_err.position == dmg - st + 1
    [el] = seg_err.element_errors
    assert (el.position, el.code, el.bad_value) == (2, "8", "19801312")


def test_wrong_segment_count_rejects_the_transaction_with_code_4() -> None:
    text = _837()
    se = next(s for s in text.split("~\n") if s.startswith("SE*"))
    bad = text.replace(se, "SE*99*0001")
    [ack] = acks_999_for(bad)
    assert ack.transactions[0].status == "R" and "4" in ack.transactions[0].error_codes


def test_999_text_reads_back_to_the_same_acknowledgement_and_passes_pyx12() -> None:
    bad = _837().replace("DMG*D8*19800412*F", "DMG*D8*19801312*F")
    reply = _reply(bad)
    assert "IK5*R*5~" in reply and "AK9*R*1*1*0~" in reply
    assert "IK4*2**8*19801312~" in reply
    assert [r.document for r in read_999(reply)] == acks_999_for(bad)
    assert validate_with_pyx12(reply) == []
    assert validate_with_pyx12(_reply(_837())) == []


def test_999_for_two_groups_has_one_transaction_set_each() -> None:
    acks = [Ack999("HC", "1", "A", 1, 1, 1), Ack999("HC", "2", "A", 1, 1, 1)]
    text = write_999(acks, envelope())
    assert text.count("ST*999*") == 2
    assert [r.document.group_control_number for r in read_999(text)] == ["1", "2"]


def test_ta1_accepts_a_clean_interchange() -> None:
    ta1 = ta1_for(_837())
    assert (ta1.control_number, ta1.ack_code, ta1.note_code) == ("000000101", "A", "000")


def test_ta1_rejects_a_duplicate_interchange_control_number_with_025() -> None:
    ta1 = ta1_for(_837(), seen_control_numbers={"000000101"})
    assert (ta1.ack_code, ta1.note_code) == ("R", "025")


def test_ta1_rejects_trailer_control_number_mismatch_with_001() -> None:
    bad = _837().replace("IEA*1*000000101", "IEA*1*000000102")
    assert (ta1_for(bad).ack_code, ta1_for(bad).note_code) == ("R", "001")


def test_ta1_interchange_reads_back() -> None:
    ta1 = Ta1("000000101", envelope().date, "0930", "R", "025")
    text = write_ta1(ta1, envelope(sender="PAYER01", receiver="SUBMITTER01"))
    assert "TA1*000000101*260302*0930*R*025~" in text and "IEA*0*" in text
    assert read_ta1(text) == [ta1]


def test_277ca_round_trips_and_passes_pyx12() -> None:
    doc = sample_277ca()
    text = write_277ca(doc, envelope(sender="PAYER01", receiver="SUBMITTER01"))
    [received] = read_277ca(text)
    assert received.document == doc
    assert [c.rejected for c in received.document.claims] == [False, True]
    assert validate_with_pyx12(text) == []
