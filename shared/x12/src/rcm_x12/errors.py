"""Structured problems found in X12 input.

Every problem the toolkit finds is an :class:`X12Issue`; readers raise an exception
ending in ``Error`` that carries the whole list, so a caller can show the user every
fix needed at once and can turn the same list into a 999 or TA1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
IssueLevel = Literal["interchange", "group", "transaction", "segment", "element"]


@dataclass(frozen=True, slots=True)
class X12Issue:
    """One problem in an X12 interchange.

    ``segment_position`` is the 1-based index of the segment in the interchange (ISA = 1).
    ``code`` is the X12 code that describes the problem at its ``level``: a TA1 note code
    (interchange), an AK905 code (group), an IK502 code (transaction), an IK304 code
    (segment) or an IK403 code (element), so acknowledgements can be built from issues.
    """

    reason: str
    level: IssueLevel
    code: str
    severity: Severity = "error"
    segment_position: int | None = None
    segment_id: str | None = None
    element_position: int | None = None
    component_position: int | None = None
    loop_id: str | None = None
    bad_value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.segment_position is not None:
            where.append(f"segment {self.segment_position}")
        if self.segment_id:
            where.append(self.segment_id)
        if self.element_position is not None:
            where.append(f"element {self.element_position:02d}")
        if self.loop_id:
            where.append(f"loop {self.loop_id}")
        return f"[{self.severity}] {' '.join(where) or 'interchange'}: {self.reason}"


class X12Error(Exception):
    """Base of every toolkit error; ``issues`` lists what is wrong, errors first."""

    def __init__(self, issues: list[X12Issue] | tuple[X12Issue, ...], message: str | None = None):
        self.issues: tuple[X12Issue, ...] = tuple(issues)
        head = message or (str(self.issues[0]) if self.issues else "invalid X12")
        more = f" (+{len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(head + more)


class X12EnvelopeError(X12Error):
    """The ISA/GS/ST envelope cannot be read or its trailers disagree with its headers."""


class X12ParseError(X12Error):
    """A transaction's content is missing required segments or has bad elements."""


class X12UnsupportedError(X12Error):
    """The transaction type or implementation guide (GS08/ST03) is not one we read."""


class X12WriteError(X12Error):
    """A model cannot be written as valid X12 (e.g. a value contains a delimiter)."""
