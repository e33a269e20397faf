from __future__ import annotations

from rcm_x12 import read_277, read_x12
from rcm_x12.eligibility import write_270, write_271
from rcm_x12.status276 import write_276
from rcm_x12.status277 import write_277

from .helpers import envelope, sample_270, sample_271, sample_276, sample_277


def test_270_round_trips_with_subscriber_and_dependent_inquiries() -> None:
    doc = sample_270()
    text = write_270(doc, envelope())
    assert "EQ*30^98~" in text and "HL*4*2*22*1~" in text and "HL*5*4*23*0~" in text
    [received] = read_x12(text)
    assert received.document == doc


def test_271_round_trips_benefits_and_rejections() -> None:
    doc = sample_271()
    text = write_271(doc, envelope(sender="PAYER01", receiver="SUBMITTER01"))
    assert "EB*B*IND*98*HM**27*25~" in text and "AAA*N**75*C~" in text
    [received] = read_x12(text)
    assert received.document == doc
    assert [r.active for r in received.document.responses] == [True, False]


def test_276_round_trips() -> None:
    doc = sample_276()
    text = write_276(doc, envelope())
    assert "AMT*T3*137.5~" in text and "REF*EJ*PCN0001~" in text
    [received] = read_x12(text)
    assert received.document == doc


def test_277_round_trips_with_a_dependent() -> None:
    doc = sample_277()
    text = write_277(doc, envelope(sender="PAYER01", receiver="SUBMITTER01"))
    assert "STC*F1:65*20260310**137.5*72~" in text
    [received] = read_277(text)
    assert received.document == doc
