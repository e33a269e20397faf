"""Tokenizer and ISA/GS/ST envelope reader.

Delimiters come from the ISA segment itself (element separator = 4th character,
repetition separator = ISA11, component separator = ISA16, segment terminator = the
character after ISA16); CR/LF between segments is tolerated. The envelope checks follow
X12.5/X12.6: SE01 counts ST..SE, SE02 = ST02, GE01 counts ST, GE02 = GS06, IEA01 counts GS,
IEA02 = ISA13. Problems become :class:`X12Issue` with the TA1/999 code that reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rcm_x12.errors import IssueLevel, X12EnvelopeError, X12Issue

_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four separators of an interchange."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: ``position`` is 1-based in the interchange; ``elements[0]`` is XX01."""

    position: int
    id: str
    elements: tuple[str, ...]

    def get(self, n: int) -> str:
        """Element ``n`` (1-based, as in ``CLM01``), or ``""`` when absent."""
        return self.elements[n - 1] if 0 < n <= len(self.elements) else ""


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA segment, with padding removed from the ids."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: date | None
    time: str
    control_number: str
    version: str = "00501"
    ack_requested: str = "0"
    usage_indicator: str = "T"
    authorization_qualifier: str = "00"
    authorization_info: str = ""
    security_qualifier: str = "00"
    security_info: str = ""


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """The GS segment."""

    functional_id: str
    sender_code: str
    receiver_code: str
    date: date | None
    time: str
    control_number: str
    version: str
    agency: str = "X"


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE with its segments (ST and SE included)."""

    transaction_id: str
    control_number: str
    implementation_reference: str
    segments: tuple[Segment, ...]

    @property
    def st_position(self) -> int:
        return self.segments[0].position


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """One GS..GE."""

    header: GroupHeader
    position: int
    transactions: tuple[TransactionSet, ...]


@dataclass(frozen=True, slots=True)
class Interchange:
    """One ISA..IEA, tokenized and checked."""

    header: InterchangeHeader
    delimiters: Delimiters
    groups: tuple[FunctionalGroup, ...]
    segment_count: int
    # TA1 segments sit between ISA and the first GS of an acknowledgement interchange.
    ta1_segments: tuple[Segment, ...] = ()


@dataclass(slots=True)
class EnvelopeScan:
    """What :func:`scan_interchange` found: the interchange (when readable) and issues."""

    interchange: Interchange | None
    issues: list[X12Issue] = field(default_factory=list)
    # Issues keyed by (group position, ST position) so a 999 can report them per transaction.
    group_issues: dict[int, list[X12Issue]] = field(default_factory=dict)
    transaction_issues: dict[int, list[X12Issue]] = field(default_factory=dict)

    @property
    def interchange_errors(self) -> list[X12Issue]:
        return [i for i in self.issues if i.level == "interchange" and i.severity == "error"]

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def parse_date8(value: str) -> date | None:
    """CCYYMMDD -> date, or None when not a valid date."""
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def _parse_date6(value: str) -> date | None:
    if len(value) != 6 or not value.isdigit():
        return None
    try:
        return date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
    except ValueError:
        return None


def _isa_issue(code: str, reason: str, element: int | None = None, value: str | None = None) -> X12Issue:
    return X12Issue(
        reason=reason,
        level="interchange",
        code=code,
        segment_position=1,
        segment_id="ISA",
        element_position=element,
        bad_value=value,
    )


def read_delimiters(text: str) -> tuple[Delimiters, int]:
    """Find the ISA segment and return its delimiters and the offset where ISA starts.

    Raises :class:`X12EnvelopeError` when no usable ISA is present.
    """
    start = text.find("ISA")
    if start < 0 or text[:start].strip("\ufeff \r\n\t"):
        raise X12EnvelopeError([_isa_issue("022", "interchange does not start with an ISA segment")])
    if len(text) < start + 106:
        raise X12EnvelopeError([_isa_issue("023", "interchange ends inside the ISA segment")])
    element = text[start + 3]
    if element.isalnum() or element in " \r\n":
        raise X12EnvelopeError([_isa_issue("026", "invalid data element separator", None, element)])
    # Find the 16th element separator rather than trusting the fixed width, so a sender
    # that trims ISA padding is still read; ISA16 is the single character after it.
    pos = start + 3
    for _ in range(15):
        pos = text.find(element, pos + 1)
        if pos < 0:
            raise X12EnvelopeError([_isa_issue("022", "ISA has fewer than 16 elements")])
    if len(text) < pos + 3:
        raise X12EnvelopeError([_isa_issue("023", "interchange ends inside the ISA segment")])
    component = text[pos + 1]
    terminator = text[pos + 2]
    isa = text[start : pos + 1].split(element)
    repetition = isa[11] if len(isa) > 11 else "^"
    if component.isalnum() or component in (element, " "):
        raise X12EnvelopeError([_isa_issue("027", "invalid component element separator", 16, component)])
    if terminator.isalnum() or terminator in (element, component, " "):
        raise X12EnvelopeError([_isa_issue("004", "invalid segment terminator", None, terminator)])
    if len(repetition) != 1 or repetition.isalnum() or repetition in (element, component, terminator):
        # ISA11 is a repetition separator only from 00501 on; the version check reports 4010.
        repetition = "\x00"
    return Delimiters(element, component, repetition, terminator), start


def tokenize(text: str) -> tuple[Delimiters, list[Segment]]:
    """Split an interchange into segments (positions are 1-based; ISA = 1)."""
    delims, start = read_delimiters(text)
    segments: list[Segment] = []
    el = delims.element
    n = 0
    for raw in text[start:].split(delims.segment):
        raw = raw.strip("\r\n")
        if not raw:
            continue
        n += 1
        parts = raw.split(el)
        segments.append(Segment(n, parts[0].strip(), tuple(parts[1:])))
    return delims, segments


def _check_isa(seg: Segment, issues: list[X12Issue]) -> InterchangeHeader:
    def el(n: int) -> str:
        return seg.get(n)

    if len(seg.elements) != 16:
        issues.append(_isa_issue("022", f"ISA must have 16 elements, found {len(seg.elements)}"))
    checks: list[tuple[int, str, str, bool]] = [
        (1, "010", "invalid authorization information qualifier", el(1) in ("00", "03")),
        (3, "012", "invalid security information qualifier", el(3) in ("00", "01")),
        (5, "005", "invalid sender id qualifier", len(el(5)) == 2),
        (6, "006", "invalid sender id", bool(el(6).strip())),
        (7, "007", "invalid receiver id qualifier", len(el(7)) == 2),
        (8, "008", "invalid receiver id", bool(el(8).strip())),
        (9, "014", "invalid interchange date", _parse_date6(el(9)) is not None),
        (10, "015", "invalid interchange time", len(el(10)) == 4 and el(10).isdigit()),
        (12, "017", "interchange version must be 00501 (X12 5010)", el(12) == "00501"),
        (13, "018", "interchange control number must be 9 digits",
         len(el(13)) == 9 and bool(_DIGITS.match(el(13)))),
        (14, "019", "acknowledgment requested must be 0 or 1", el(14) in ("0", "1")),
        (15, "020", "usage indicator must be P or T", el(15) in ("P", "T", "I")),
    ]
    for pos, code, reason, ok in checks:
        if not ok:
            issues.append(_isa_issue(code, reason, pos, el(pos)))
    return InterchangeHeader(
        authorization_qualifier=el(1),
        authorization_info=el(2).rstrip(),
        security_qualifier=el(3),
        security_info=el(4).rstrip(),
        sender_qualifier=el(5),
        sender_id=el(6).strip(),
        receiver_qualifier=el(7),
        receiver_id=el(8).strip(),
        date=_parse_date6(el(9)),
        time=el(10),
        version=el(12),
        control_number=el(13),
        ack_requested=el(14),
        usage_indicator=el(15),
    )


def scan_interchange(text: str) -> EnvelopeScan:
    """Tokenize and check the envelope without raising for content problems.

    Returns the interchange (None when the ISA itself cannot be read) and every envelope
    issue. Group and transaction issues are also indexed by GS / ST position.
    """
    try:
        delims, segments = tokenize(text)
    except X12EnvelopeError as exc:
        return EnvelopeScan(None, list(exc.issues))
    scan = EnvelopeScan(None)
    if not segments or segments[0].id != "ISA":
        scan.issues.append(_isa_issue("022", "interchange does not start with ISA"))
        return scan
    isa = segments[0]
    header = _check_isa(isa, scan.issues)
    groups: list[FunctionalGroup] = []
    ta1s: list[Segment] = []
    iea: Segment | None = None
    i, n = 1, len(segments)
    while i < n:
        seg = segments[i]
        if seg.id == "IEA":
            iea = seg
            i += 1
            break
        if seg.id == "TA1" and not groups:
            ta1s.append(seg)
            i += 1
        elif seg.id != "GS":
            _envelope_issue(scan, seg, "interchange", "024", f"segment {seg.id!r} found outside a functional group")
            i += 1
        else:
            group, i = _scan_group(scan, segments, i)
            groups.append(group)
    _check_iea(scan, segments, isa, iea, len(groups), i)
    if not groups and not ta1s:
        _envelope_issue(scan, isa, "interchange", "024", "interchange contains no functional group")
    scan.interchange = Interchange(header, delims, tuple(groups), n, tuple(ta1s))
    return scan


def _envelope_issue(scan: EnvelopeScan, seg: Segment, level: IssueLevel, code: str, reason: str,
                    element: int | None = None, bucket: dict[int, list[X12Issue]] | None = None,
                    key: int | None = None) -> None:
    """Record an envelope issue, also under ``bucket[key]`` (by GS or ST position) when given."""
    issue = X12Issue(reason=reason, level=level, code=code, segment_position=seg.position,
                     segment_id=seg.id, element_position=element)
    scan.issues.append(issue)
    if bucket is not None and key is not None:
        bucket.setdefault(key, []).append(issue)


def _scan_group(scan: EnvelopeScan, segments: list[Segment], i: int) -> tuple[FunctionalGroup, int]:
    """GS..GE starting at ``segments[i]``: the group and the index after it."""
    gs = segments[i]
    gpos = gs.position

    def group_issue(seg: Segment, code: str, reason: str, element: int | None = None) -> None:
        _envelope_issue(scan, seg, "group", code, reason, element, scan.group_issues, gpos)

    if len(gs.elements) < 8 or not all(gs.get(k) for k in (1, 2, 3, 4, 5, 6, 7, 8)):
        group_issue(gs, "6", "GS must have 8 non-empty elements")
    if not _DIGITS.match(gs.get(6) or "x"):
        group_issue(gs, "6", "group control number must be numeric", 6)
    header = GroupHeader(
        functional_id=gs.get(1), sender_code=gs.get(2), receiver_code=gs.get(3),
        date=parse_date8(gs.get(4)), time=gs.get(5), control_number=gs.get(6),
        agency=gs.get(7), version=gs.get(8),
    )
    i += 1
    n = len(segments)
    txs: list[TransactionSet] = []
    ge: Segment | None = None
    seen_st: set[str] = set()
    while i < n:
        seg = segments[i]
        if seg.id == "GE":
            ge = seg
            i += 1
            break
        if seg.id in ("GS", "IEA", "ISA"):
            break
        if seg.id != "ST":
            group_issue(seg, "6", f"segment {seg.id!r} found outside a transaction set")
            i += 1
            continue
        tx, i = _scan_transaction(scan, segments, i, seen_st)
        txs.append(tx)
    if ge is None:
        group_issue(segments[min(i, n) - 1], "3", "functional group trailer GE missing")
    else:
        if ge.get(1) != str(len(txs)):
            group_issue(ge, "5", f"GE01 says {ge.get(1)!r} transaction sets but the group has {len(txs)}", 1)
        if ge.get(2) != gs.get(6):
            group_issue(ge, "4", f"GE02 {ge.get(2)!r} does not match GS06 {gs.get(6)!r}", 2)
    return FunctionalGroup(header, gpos, tuple(txs)), i


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def _scan_transaction(scan: EnvelopeScan, segments: list[Segment], i: int,
                      seen_st: set[str]) -> tuple[TransactionSet, int]:
    """ST..SE starting at ``segments[i]``: the set and the index after it.

    ``seen_st`` holds the ST02 values already used in the group (they must be unique).
    """
    st = segments[i]
    body = [st]
    i += 1
    n = len(segments)
    se: Segment | None = None
    while i < n:
        seg = segments[i]
        if seg.id == "SE":
            se = seg
            body.append(seg)
            i += 1
            break
        if seg.id in ("ST", "GE", "GS", "IEA", "ISA"):
            break
        body.append(seg)
        i += 1

    def transaction_issue(seg: Segment, code: str, reason: str, element: int | None = None) -> None:
        _envelope_issue(scan, seg, "transaction", code, reason, element, scan.transaction_issues,
                        st.position)

    for seg in body:
        for n, value in enumerate(seg.elements, start=1):
            if _CONTROL_CHARACTER.search(value):
                # X12's basic and extended character sets have no control characters; a NUL inside
                # CLM01 would otherwise travel into the 277CA and the 835 (IK502 5: segments in error).
                transaction_issue(seg, "5", f"{seg.id}{n:02d} holds a control character, which no X12 data "
                                  "element may contain", n)
    if not st.get(1) or not st.get(1).isdigit():
        transaction_issue(st, "6", "missing or invalid transaction set identifier", 1)
    if not st.get(2):
        transaction_issue(st, "7", "missing transaction set control number", 2)
    elif st.get(2) in seen_st:
        transaction_issue(st, "23", "transaction set control number not unique within the group", 2)
    seen_st.add(st.get(2))
    if se is None:
        transaction_issue(body[-1], "2", "transaction set trailer SE missing")
    else:
        if se.get(1) != str(len(body)):
            transaction_issue(se, "4", f"SE01 says {se.get(1)!r} segments but the transaction has {len(body)}", 1)
        if se.get(2) != st.get(2):
            transaction_issue(se, "3", f"SE02 {se.get(2)!r} does not match ST02 {st.get(2)!r}", 2)
    return TransactionSet(st.get(1), st.get(2), st.get(3), tuple(body)), i


def _check_iea(scan: EnvelopeScan, segments: list[Segment], isa: Segment, iea: Segment | None,
               group_count: int, i: int) -> None:
    """IEA trailer: present, IEA01 = number of groups, IEA02 = ISA13, nothing after it."""
    if iea is None:
        _envelope_issue(scan, segments[-1], "interchange", "023", "interchange trailer IEA missing")
        return
    if iea.get(1) != str(group_count):
        _envelope_issue(scan, iea, "interchange", "021",
                        f"IEA01 says {iea.get(1)!r} groups but the interchange has {group_count}", 1)
    if iea.get(2) != isa.get(13):
        _envelope_issue(scan, iea, "interchange", "001",
                        f"IEA02 {iea.get(2)!r} does not match ISA13 {isa.get(13)!r}", 2)
    if i < len(segments):
        _envelope_issue(scan, segments[i], "interchange", "024", "data found after the IEA trailer")


def parse_interchange(text: str) -> Interchange:
    """Read and check an interchange; raise :class:`X12EnvelopeError` on any envelope error."""
    scan = scan_interchange(text)
    errors = [i for i in scan.issues if i.severity == "error"]
    if errors or scan.interchange is None:
        raise X12EnvelopeError(errors or [_isa_issue("022", "unreadable interchange")])
    return scan.interchange


# Elements that are composites in the guides we read; used only to spot a sender whose data
# uses another component separator than the one ISA16 declares.
_COMPOSITE_ELEMENTS = (("CLM", 5), ("SV1", 1), ("SV2", 2), ("SVC", 1), ("HI", 1), ("STC", 1),
                       ("PLB", 3), ("SV1", 7))
_COMPONENT_CANDIDATES = (">", ":", "^", "|", "\\")


def effective_delimiters(inter: Interchange) -> tuple[Delimiters, X12Issue | None]:
    """The delimiters to read the content with, and a warning when they differ from ISA16.

    Some published samples (e.g. LinuxForHealth 837 demo files) declare ISA16 ":" but use
    ">" inside CLM05, SV101 and HI. When the declared separator never appears in those
    composites and exactly one other candidate does, we read with that one and warn, rather
    than reject a file whose meaning is unambiguous.
    """
    declared = inter.delimiters.component
    values = [seg.get(pos) for g in inter.groups for tx in g.transactions for seg in tx.segments
              for sid, pos in _COMPOSITE_ELEMENTS if seg.id == sid]
    values = [v for v in values if v]
    if not values or any(declared in v for v in values):
        return inter.delimiters, None
    used = [c for c in _COMPONENT_CANDIDATES if c != declared and c not in
            (inter.delimiters.element, inter.delimiters.segment, inter.delimiters.repetition)
            and any(c in v for v in values)]
    if len(used) != 1:
        return inter.delimiters, None
    d = inter.delimiters
    warning = X12Issue(
        reason=f"ISA16 declares component separator {declared!r} but the data uses {used[0]!r}",
        level="interchange", code="027", severity="warning", segment_position=1,
        segment_id="ISA", element_position=16)
    return Delimiters(d.element, used[0], d.repetition, d.segment), warning
