"""Low-level X12 writing: elements, amounts, segments and the ISA/GS/ST envelope.

Writing is deterministic: the caller passes the control numbers (see
:mod:`rcm_x12.control_numbers` for sources that keep them unique per sender).
Trailing empty elements and components are never written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm_x12.errors import X12Issue, X12WriteError
from rcm_x12.syntax import Delimiters


class Repeated(tuple[str, ...]):
    """An element with repetitions (e.g. EB03 service types), joined by ISA11."""


Element = str | Decimal | int | None | Sequence[str | Decimal | int | None]


@dataclass(frozen=True, slots=True)
class EnvelopeParams:
    """Everything the ISA/GS/ST envelope needs; control numbers are inputs so output is stable.

    ``time`` is HHMM. ``application_sender``/``application_receiver`` (GS02/GS03) default to
    the interchange ids.
    """

    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    transaction_control_number: int
    date: date
    time: str = "1200"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None
    application_receiver: str | None = None
    usage_indicator: str = "T"
    ack_requested: str = "0"
    delimiters: Delimiters = field(default_factory=Delimiters)


def format_amount(value: Decimal) -> str:
    """X12 decimal: exact value, no exponent, no trailing zeros (Decimal('100.00') -> '100')."""
    if not value.is_finite():
        raise X12WriteError([_write_issue(f"amount {value} is not finite")])
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_date8(value: date) -> str:
    return value.strftime("%Y%m%d")


def _write_issue(reason: str, segment_id: str | None = None, element: int | None = None) -> X12Issue:
    return X12Issue(reason=reason, level="element", code="6", segment_id=segment_id,
                    element_position=element)


class SegmentWriter:
    """Accumulates segments of one interchange with the given delimiters."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        self.segments: list[str] = []
        self._forbidden = {delimiters.element, delimiters.component, delimiters.segment,
                           delimiters.repetition}

    def _text(self, seg_id: str, pos: int, value: object) -> str:
        # ``object``: a scalar Element, or any other value a caller passes (written with str()),
        # since mypy cannot narrow Element's Sequence arm by excluding list and tuple.
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format_amount(value)
        text = str(value)
        if any(ch in text for ch in self._forbidden):
            raise X12WriteError([_write_issue(
                f"{seg_id}{pos:02d} value contains a delimiter character", seg_id, pos)])
        return text

    def seg(self, seg_id: str, *elements: Element) -> None:
        """Append a segment; tuples/lists are composites; trailing empties are dropped."""
        out: list[str] = []
        for pos, el in enumerate(elements, start=1):
            if isinstance(el, Repeated):
                out.append(self.d.repetition.join(self._text(seg_id, pos, p) for p in el))
            elif isinstance(el, (list, tuple)):
                parts = [self._text(seg_id, pos, p) for p in el]
                while parts and not parts[-1]:
                    parts.pop()
                out.append(self.d.component.join(parts))
            else:
                out.append(self._text(seg_id, pos, el))
        while out and not out[-1]:
            out.pop()
        self.segments.append(self.d.element.join([seg_id, *out]))

    def raw(self, segment: str) -> None:
        self.segments.append(segment)

    def __len__(self) -> int:
        return len(self.segments)


def write_interchange(env: EnvelopeParams, functional_id: str, version: str,
                      transactions: Iterable[tuple[str, SegmentWriter]],
                      st03: bool = True, extra_before_groups: Sequence[str] = ()) -> str:
    """Wrap transaction bodies (segments between ST and SE) in ST/SE, GS/GE and ISA/IEA.

    ``transactions`` yields (ST01, body writer); consecutive control numbers are used from
    ``env.transaction_control_number``. One segment per line after the terminator, which
    every reader tolerates and humans can read.
    """
    d = env.delimiters
    out = SegmentWriter(d)
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        env.sender_qualifier, env.sender_id.ljust(15)[:15],
        env.receiver_qualifier, env.receiver_id.ljust(15)[:15],
        env.date.strftime("%y%m%d"), env.time, d.repetition, "00501",
        f"{env.interchange_control_number:09d}", env.ack_requested, env.usage_indicator,
        d.component,
    ]
    if len(env.sender_id) > 15 or len(env.receiver_id) > 15:
        raise X12WriteError([_write_issue("ISA sender/receiver ids are at most 15 characters",
                                          "ISA")])
    if not 0 < env.interchange_control_number <= 999_999_999:
        raise X12WriteError([_write_issue("interchange control number must be 1..999999999",
                                          "ISA", 13)])
    out.raw(d.element.join(isa))
    for seg in extra_before_groups:
        out.raw(seg)
    txs = list(transactions)
    if txs:
        out.seg("GS", functional_id, env.application_sender or env.sender_id,
                env.application_receiver or env.receiver_id, format_date8(env.date), env.time,
                str(env.group_control_number), "X", version)
        for n, (st_id, body) in enumerate(txs):
            control = f"{env.transaction_control_number + n:04d}"
            out.seg("ST", st_id, control, version if st03 else None)
            out.segments.extend(body.segments)
            out.seg("SE", str(len(body) + 2), control)
        out.seg("GE", str(len(txs)), str(env.group_control_number))
    out.seg("IEA", "1" if txs else "0", f"{env.interchange_control_number:09d}")
    return (d.segment + "\n").join(out.segments) + d.segment + "\n"
