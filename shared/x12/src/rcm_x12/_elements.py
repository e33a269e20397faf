"""Typed element access for the transaction readers, collecting issues instead of raising."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from rcm_x12.errors import Severity, X12Issue
from rcm_x12.syntax import Segment, TransactionSet, parse_date8

# X12 "R" (decimal) and "N" values: optional sign, digits, optional decimal point. Decimal()
# alone would also accept "1E5", "NaN" and "Infinity", which X12 does not allow.
_DECIMAL = re.compile(r"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$")


class IssueCollector:
    """Collects issues for one transaction while a reader walks its segments."""

    def __init__(self) -> None:
        self.issues: list[X12Issue] = []
        self.loop: str | None = None

    def element(self, seg: Segment, pos: int, code: str, reason: str,
                severity: Severity = "error", component: int | None = None) -> None:
        self.issues.append(X12Issue(
            reason=reason, level="element", code=code, severity=severity,
            segment_position=seg.position, segment_id=seg.id, element_position=pos,
            component_position=component, loop_id=self.loop, bad_value=seg.get(pos) or None,
        ))

    def segment(self, seg: Segment | None, seg_id: str, code: str, reason: str,
                severity: Severity = "error", loop: str | None = None) -> None:
        self.issues.append(X12Issue(
            reason=reason, level="segment", code=code, severity=severity,
            segment_position=seg.position if seg else None, segment_id=seg_id,
            loop_id=loop or self.loop,
        ))

    def second_party_loop(self, seg: Segment, level: str) -> None:
        """A second 2000A (source) or 2000B (receiver) loop in one transaction set.

        The guides allow it, but the toolkit's 270/271/276 models hold one source and one
        receiver per transaction set; reading on would attribute every subscriber to the last
        payer (a wrong answer), so the transaction is refused with a reason that says how to send it.
        """
        role = "information source (payer)" if level == "20" else "information receiver"
        self.segment(seg, "HL", "4", f"a second {role} loop in one transaction set is not supported by this "
                                     "toolkit; send one transaction set (ST..SE) per payer and receiver",
                     loop="2000A" if level == "20" else "2000B")

    def missing(self, seg_id: str, loop: str, after: Segment | None, what: str) -> None:
        """Record a required segment that is absent (IK304 code 3)."""
        self.segment(after, seg_id, "3", f"required segment {seg_id} ({what}) missing in loop {loop}",
                     loop=loop)

    def req(self, seg: Segment, pos: int, name: str) -> str:
        value = seg.get(pos)
        if not value:
            self.element(seg, pos, "1", f"{seg.id}{pos:02d} ({name}) is required")
        return value

    def amount(self, seg: Segment, pos: int, name: str, required: bool = True) -> Decimal | None:
        value = seg.get(pos)
        if not value:
            if required:
                self.element(seg, pos, "1", f"{seg.id}{pos:02d} ({name}) is required")
            return None
        if not _DECIMAL.match(value):
            self.element(seg, pos, "6", f"{seg.id}{pos:02d} ({name}) is not a number: {value!r}")
            return None
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
            self.element(seg, pos, "6", f"{seg.id}{pos:02d} ({name}) is not a number")
            return None

    def date8(self, seg: Segment, pos: int, name: str, required: bool = True) -> date | None:
        value = seg.get(pos)
        if not value:
            if required:
                self.element(seg, pos, "1", f"{seg.id}{pos:02d} ({name}) is required")
            return None
        parsed = parse_date8(value)
        if parsed is None:
            self.element(seg, pos, "8", f"{seg.id}{pos:02d} ({name}) is not a CCYYMMDD date")
        return parsed

    def date_period(self, seg: Segment, fmt_pos: int, value_pos: int,
                    name: str) -> tuple[date | None, date | None]:
        """Read a DTP-style D8 / RD8 pair; returns (start, end) with end = start for D8."""
        fmt = seg.get(fmt_pos)
        value = seg.get(value_pos)
        if fmt == "D8":
            d = self.date8(seg, value_pos, name)
            return d, d
        if fmt == "RD8":
            start, _, end = value.partition("-")
            d1, d2 = parse_date8(start), parse_date8(end)
            if d1 is None or d2 is None:
                self.element(seg, value_pos, "8", f"{seg.id}{value_pos:02d} ({name}) is not a "
                             "CCYYMMDD-CCYYMMDD range")
            return d1, d2
        self.element(seg, fmt_pos, "7", f"{seg.id}{fmt_pos:02d} date format must be D8 or RD8")
        return None, None

    def integer(self, seg: Segment, pos: int, name: str, required: bool = True) -> int | None:
        value = seg.get(pos)
        if not value:
            if required:
                self.element(seg, pos, "1", f"{seg.id}{pos:02d} ({name}) is required")
            return None
        if not value.isdigit() or not value.isascii():
            self.element(seg, pos, "6", f"{seg.id}{pos:02d} ({name}) must be a whole number")
            return None
        return int(value)


def components(value: str, sep: str) -> list[str]:
    """Split a composite element into its components."""
    return value.split(sep) if value else []


def comp(parts: list[str], n: int) -> str:
    """Component ``n`` (1-based) or ``""``."""
    return parts[n - 1] if 0 < n <= len(parts) else ""


def transaction_body(tx: TransactionSet) -> tuple[Segment, ...]:
    """The segments between ST and SE (to the end of the set when SE is missing)."""
    return tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]
