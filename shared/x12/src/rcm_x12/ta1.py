"""TA1 interchange acknowledgment: model, writer, reader.

A TA1 answers the ISA/IEA envelope: TA101 the interchange control number, TA102/TA103 its
date and time, TA104 A/E/R and TA105 a note code (000 no error, 001 control number mismatch,
025 duplicate interchange control number, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rcm_x12.syntax import Interchange, Segment, _parse_date6
from rcm_x12.writer import EnvelopeParams, write_interchange

TA1_NOTE_CODES: dict[str, str] = {
    "000": "no error",
    "001": "interchange control number in header and trailer do not match",
    "002": "this standard as noted in the control standards identifier is not supported",
    "003": "this version of the controls is not supported",
    "004": "the segment terminator is invalid",
    "005": "invalid interchange id qualifier for sender",
    "006": "invalid interchange sender id",
    "007": "invalid interchange id qualifier for receiver",
    "008": "invalid interchange receiver id",
    "009": "unknown interchange receiver id",
    "010": "invalid authorization information qualifier value",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier value",
    "013": "invalid security information value",
    "014": "invalid interchange date value",
    "015": "invalid interchange time value",
    "016": "invalid interchange standards identifier value",
    "017": "invalid interchange version id value",
    "018": "invalid interchange control number value",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups value",
    "022": "invalid control structure",
    "023": "improper (premature) end-of-file (transmission)",
    "024": "invalid interchange content (e.g. invalid GS segment)",
    "025": "duplicate interchange control number",
    "026": "invalid data element separator",
    "027": "invalid component element separator",
}


@dataclass(frozen=True, slots=True)
class Ta1:
    """One TA1 segment. ``interchange_date`` is None when the inbound ISA09 was unreadable."""

    control_number: str
    interchange_date: date | None
    interchange_time: str
    ack_code: str
    note_code: str = "000"


def write_ta1(ta1: Ta1, envelope: EnvelopeParams) -> str:
    """Write an interchange holding only the TA1 (no functional group, IEA01 = 0)."""
    d = envelope.delimiters
    when = ta1.interchange_date.strftime("%y%m%d") if ta1.interchange_date else "000101"
    control = ta1.control_number if len(ta1.control_number) == 9 and ta1.control_number.isdigit() \
        else "000000000"
    time = ta1.interchange_time if len(ta1.interchange_time) == 4 and \
        ta1.interchange_time.isdigit() else "0000"
    seg = d.element.join(["TA1", control, when, time, ta1.ack_code, ta1.note_code])
    return write_interchange(envelope, "", "", [], extra_before_groups=[seg])


def read_ta1_segments(interchange: Interchange) -> list[Ta1]:
    """The TA1 acknowledgments carried by an interchange."""
    return [_ta1(seg) for seg in interchange.ta1_segments]


def _ta1(seg: Segment) -> Ta1:
    return Ta1(control_number=seg.get(1), interchange_date=_parse_date6(seg.get(2)),
               interchange_time=seg.get(3), ack_code=seg.get(4), note_code=seg.get(5))
