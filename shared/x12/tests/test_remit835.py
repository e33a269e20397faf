from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from rcm_x12 import (
    balance_problems,
    claim_balance_difference,
    is_balanced,
    line_balance_difference,
    read_835,
    transaction_balance_difference,
    write_835,
)
from rcm_x12.validate import validate_with_pyx12

from .helpers import envelope, sample_835


def test_835_written_then_read_gives_the_same_model() -> None:
    doc = sample_835()
    received = read_835(write_835(doc, envelope(sender="PAYER01", receiver="SUBMITTER01")))
    assert [r.document for r in received] == [doc]


def test_written_835_passes_pyx12_validation() -> None:
    assert validate_with_pyx12(write_835(sample_835(), envelope())) == []


def test_835_segments_carry_exact_amounts() -> None:
    text = write_835(sample_835(), envelope())
    assert "BPR*I*70.5*C*CHK************20260310~" in text
    assert "CLP*PCN0001*1*137.5*72*20*12*ICN0001*11*1~" in text
    assert "CAS*CO*45*33~" in text and "AMT*B6*92~" in text and "LQ*HE*M15~" in text
    assert "PLB*1234567893*20261231*WO:ICN0000*2*L6*-0.5~" in text


def test_sample_835_balances_at_every_level() -> None:
    doc = sample_835()
    assert is_balanced(doc)
    assert transaction_balance_difference(doc) == 0


def test_line_out_of_balance_is_reported_with_its_difference() -> None:
    doc = sample_835()
    claim = doc.claims[0]
    bad_line = replace(claim.lines[0], paid=Decimal("70.00"))
    bad = replace(doc, claims=(replace(claim, lines=(bad_line, claim.lines[1])), doc.claims[1]))
    assert line_balance_difference(bad_line) == Decimal("2.00")
    levels = {(p.level, p.patient_control_number, p.difference) for p in balance_problems(bad)}
    # CLP04 did not change, so only the line is off (and so is the sum of lines vs CLP04,
    # which the guide does not make a balancing rule).
    assert levels == {("line", "PCN0001", Decimal("2.00"))}


def test_payment_not_matching_claims_minus_plb_is_a_transaction_problem() -> None:
    bad = replace(sample_835(), payment_amount=Decimal("71.50"))
    problems = balance_problems(bad)
    assert [(p.level, p.difference) for p in problems] == [("transaction", Decimal("-1.00"))]


def test_claim_adjustments_count_toward_claim_balance() -> None:
    denied = sample_835().claims[1]
    assert claim_balance_difference(denied) == 0
    assert claim_balance_difference(replace(denied, adjustments=())) == Decimal("80")
