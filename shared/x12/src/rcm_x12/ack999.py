"""999 implementation acknowledgment (005010X231A1): model, reader, writer.

A 999 answers one functional group: AK1 names the group, one AK2 per transaction set with
IK3 (segment errors), IK4 (element errors inside an IK3) and IK5 (A accepted, E accepted with
errors, R rejected), then AK9 for the group (A, E, P partially accepted, R).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rcm_x12._elements import IssueCollector, comp, components, transaction_body
from rcm_x12.errors import X12Issue
from rcm_x12.guides import X999
from rcm_x12.syntax import Delimiters, Segment, TransactionSet
from rcm_x12.writer import EnvelopeParams, SegmentWriter, write_interchange


@dataclass(frozen=True, slots=True)
class ElementError:
    """IK4: element position (and component), data element reference, IK403 code, value."""

    position: int
    code: str
    component: int | None = None
    reference_number: str = ""
    bad_value: str = ""


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3: segment id, position in the transaction set (ST = 1), loop id, IK304 code."""

    segment_id: str
    position: int
    code: str
    loop_id: str = ""
    element_errors: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class TransactionAck:
    """AK2..IK5 for one transaction set."""

    transaction_id: str
    control_number: str
    status: str
    implementation_reference: str = ""
    error_codes: tuple[str, ...] = ()
    segment_errors: tuple[SegmentError, ...] = ()


@dataclass(frozen=True, slots=True)
class Ack999:
    """One 999 transaction set acknowledging one functional group."""

    functional_id: str
    group_control_number: str
    status: str
    included: int
    received: int
    accepted: int
    version: str = ""
    transactions: tuple[TransactionAck, ...] = ()
    group_error_codes: tuple[str, ...] = ()

    @property
    def accepted_transactions(self) -> tuple[TransactionAck, ...]:
        return tuple(t for t in self.transactions if t.status in ("A", "E"))


# --------------------------------------------------------------------------- building


def transaction_ack_from_issues(tx: TransactionSet, issues: Sequence[X12Issue]) -> TransactionAck:
    """Turn the issues of one transaction into its AK2/IK3/IK4/IK5 answer."""
    st_pos = tx.st_position
    seg_errors: dict[int, tuple[str, str, str, list[ElementError]]] = {}
    order: list[int] = []
    tx_codes: list[str] = []
    has_error = any(i.severity == "error" for i in issues)
    for issue in issues:
        if issue.level in ("transaction", "group", "interchange"):
            if issue.level == "transaction" and issue.code not in tx_codes:
                tx_codes.append(issue.code)
            continue
        if issue.segment_position is None:
            continue
        pos = issue.segment_position - st_pos + 1
        if issue.level == "segment":
            if pos not in seg_errors:
                order.append(pos)
            seg_errors[pos] = (issue.segment_id or "", issue.code, issue.loop_id or "",
                               seg_errors.get(pos, ("", "", "", []))[3])
        else:
            if pos not in seg_errors:
                order.append(pos)
                seg_errors[pos] = (issue.segment_id or "", "8", issue.loop_id or "", [])
            seg_errors[pos][3].append(ElementError(
                position=issue.element_position or 1, code=issue.code,
                component=issue.component_position, bad_value=(issue.bad_value or "")[:99]))
    segment_errors = tuple(
        SegmentError(seg_errors[p][0], max(p, 1), seg_errors[p][1], _ik303(seg_errors[p][2]),
                     tuple(seg_errors[p][3][:99]))
        for p in order
    )
    if segment_errors and has_error and "5" not in tx_codes:
        tx_codes.append("5")
    status = "R" if has_error else ("E" if issues else "A")
    return TransactionAck(
        transaction_id=tx.transaction_id, control_number=tx.control_number, status=status,
        implementation_reference=tx.implementation_reference, error_codes=tuple(tx_codes[:5]),
        segment_errors=segment_errors,
    )


def _ik303(loop_id: str) -> str:
    # IK303 is at most 4 characters: "2300" fits, "2010BA" does not and is left out.
    return loop_id if len(loop_id) <= 4 and "?" not in loop_id else ""


def group_ack(functional_id: str, group_control_number: str, version: str, included: int,
              transactions: Sequence[TransactionAck],
              group_issues: Sequence[X12Issue] = (), received: int | None = None) -> Ack999:
    """AK1/AK9 around the transaction answers, with the AK9 status the guide asks for.

    ``received`` defaults to the number of answers; it is larger when some transaction sets
    were too broken to name in an AK2 (no ST01/ST02): those count as received, not accepted.
    """
    accepted = sum(1 for t in transactions if t.status in ("A", "E"))
    received = len(transactions) if received is None else received
    group_codes = tuple(dict.fromkeys(i.code for i in group_issues if i.severity == "error"))[:5]
    if group_codes or accepted == 0:
        status = "R"
    elif accepted < received:
        status = "P"
    elif any(t.status == "E" for t in transactions):
        status = "E"
    else:
        status = "A"
    return Ack999(functional_id=functional_id, group_control_number=group_control_number,
                  version=version, status=status, included=included, received=received,
                  accepted=accepted if not group_codes else 0, transactions=tuple(transactions),
                  group_error_codes=group_codes)


# --------------------------------------------------------------------------- writer


def write_999_body(ack: Ack999, delimiters: Delimiters) -> SegmentWriter:
    """The segments between ST and SE of one 999."""
    w = SegmentWriter(delimiters)
    # Echoed values come from an inbound file that may use other delimiters than ours;
    # strip ours out so the acknowledgement itself is always well formed.
    d = delimiters
    w.seg("AK1", _safe(ack.functional_id, d), _safe(ack.group_control_number, d),
          _safe(ack.version, d) or None)
    for t in ack.transactions:
        w.seg("AK2", _safe(t.transaction_id, d), _safe(t.control_number, d),
              _safe(t.implementation_reference, d) or None)
        for s in t.segment_errors:
            w.seg("IK3", _safe(s.segment_id, d), str(s.position), _safe(s.loop_id, d) or None,
                  s.code)
            for e in s.element_errors:
                w.seg("IK4", (str(e.position), str(e.component) if e.component else None),
                      e.reference_number or None, e.code,
                      _safe(e.bad_value, delimiters) or None)
        w.seg("IK5", t.status, *t.error_codes)
    w.seg("AK9", ack.status, str(ack.included), str(ack.received), str(ack.accepted),
          *ack.group_error_codes)
    return w


def _safe(value: str, d: Delimiters) -> str:
    # A bad value may contain anything; IK404 must not break the 999's own syntax.
    return "".join(ch for ch in value if ch not in (d.element, d.component, d.segment,
                                                      d.repetition, "\r", "\n"))


def write_999(acks: Ack999 | Sequence[Ack999], envelope: EnvelopeParams) -> str:
    """Write a 999 interchange: one transaction set per acknowledged functional group."""
    items = [acks] if isinstance(acks, Ack999) else list(acks)
    return write_interchange(envelope, "FA", X999,
                             [("999", write_999_body(a, envelope.delimiters)) for a in items])


# --------------------------------------------------------------------------- reader
#
#   HEADER  AK1 ... AK9
#   2000    transaction set response  AK2 ... IK5
#   2100    segment error  IK3            2110  element error  IK4


@dataclass
class _SegmentErrorFields:
    """2100 (IK3) as read so far, with its IK4s."""

    segment_id: str
    position: int
    loop_id: str
    code: str
    elements: list[ElementError] = field(default_factory=list)


@dataclass
class _TransactionResponseFields:
    """2000 (AK2) as read so far, with its finished IK3s."""

    ak2: Segment
    segment_errors: list[SegmentError] = field(default_factory=list)


class _Ack999Reader:
    """The state of one 999 transaction set while its segments are read in order."""

    def __init__(self, tx: TransactionSet, delims: Delimiters) -> None:
        self.tx = tx
        self.cs = delims.component
        self.c = IssueCollector()
        self.ak1: Segment | None = None
        self.ak9: Segment | None = None
        self.txs: list[TransactionAck] = []
        self.cur: _TransactionResponseFields | None = None
        self.cur_seg: _SegmentErrorFields | None = None

    def read(self) -> tuple[Ack999 | None, list[X12Issue]]:
        """Read every segment between ST and SE; the acknowledgement (None if unusable) and issues."""
        c = self.c
        for seg in transaction_body(self.tx):
            sid = seg.id
            if sid in ("AK1", "AK9"):
                self._read_header(seg)
            elif sid in ("AK2", "IK5"):
                self._read_2000_transaction_response(seg)
            elif sid == "IK3" and self.cur is not None:
                self._read_2100_segment_error(seg)
            elif sid == "IK4" and self.cur_seg is not None:
                self._read_2110_element_error(seg, self.cur_seg)
        if self.cur is not None:
            c.missing("IK5", "2000", self.cur.ak2, "transaction set response trailer")
        if self.ak1 is None:
            c.missing("AK1", "HEADER", self.tx.segments[0], "functional group response header")
        if self.ak9 is None:
            c.missing("AK9", "HEADER", self.tx.segments[-1], "functional group response trailer")
        if self.ak1 is None or self.ak9 is None:
            return None, c.issues
        ak1, ak9 = self.ak1, self.ak9

        def num(k: int) -> int:
            v = ak9.get(k)
            return int(v) if v.isdigit() else 0

        return Ack999(
            functional_id=ak1.get(1), group_control_number=ak1.get(2), version=ak1.get(3),
            status=ak9.get(1), included=num(2), received=num(3), accepted=num(4),
            transactions=tuple(self.txs), group_error_codes=tuple(v for v in ak9.elements[4:9] if v),
        ), c.issues

    def _read_header(self, seg: Segment) -> None:
        """AK1 functional group response header and AK9 trailer."""
        c = self.c
        if seg.id == "AK1":
            self.ak1 = seg
            c.loop = "HEADER"
            c.req(seg, 1, "functional identifier code")
            c.req(seg, 2, "group control number")
            return
        self._close_2100_segment_error()
        c.loop = "HEADER"
        self.ak9 = seg
        c.req(seg, 1, "functional group acknowledge code")
        for k, name in ((2, "transaction sets included"), (3, "received"), (4, "accepted")):
            c.integer(seg, k, name)

    def _read_2000_transaction_response(self, seg: Segment) -> None:
        """2000 transaction set response: AK2 opens it, IK5 closes it."""
        c = self.c
        if seg.id == "AK2":
            self._close_2100_segment_error()
            c.loop = "2000"
            self.cur = _TransactionResponseFields(seg)
            c.req(seg, 1, "transaction set identifier")
            c.req(seg, 2, "transaction set control number")
            return
        cur = self.cur
        if cur is None:
            return  # an IK5 without its AK2
        self._close_2100_segment_error()
        c.loop = "2000"
        st = cur.ak2
        self.txs.append(TransactionAck(
            transaction_id=st.get(1), control_number=st.get(2), implementation_reference=st.get(3),
            status=c.req(seg, 1, "transaction set acknowledgment code"),
            error_codes=tuple(v for v in seg.elements[1:6] if v),
            segment_errors=tuple(cur.segment_errors),
        ))
        self.cur = None

    def _read_2100_segment_error(self, seg: Segment) -> None:
        """2100 segment error IK3: segment id, position, loop id and IK304 code."""
        c = self.c
        self._close_2100_segment_error()
        c.loop = "2100"
        pos = c.integer(seg, 2, "segment position in transaction set")
        self.cur_seg = _SegmentErrorFields(segment_id=c.req(seg, 1, "segment id"), position=pos or 0,
                                           loop_id=seg.get(3), code=seg.get(4))

    def _close_2100_segment_error(self) -> None:
        """Finish the open IK3 as a SegmentError of the open AK2."""
        s = self.cur_seg
        if s is not None and self.cur is not None:
            self.cur.segment_errors.append(SegmentError(s.segment_id, s.position, s.code, s.loop_id,
                                                        tuple(s.elements)))
        self.cur_seg = None

    def _read_2110_element_error(self, seg: Segment, cur_seg: _SegmentErrorFields) -> None:
        """2110 element error IK4: element (and component) position, reference, code, value."""
        c = self.c
        c.loop = "2110"
        parts = components(seg.get(1), self.cs)
        p = comp(parts, 1)
        comp_pos = comp(parts, 2)
        if not p.isdigit():
            c.element(seg, 1, "6", "IK401 element position must be a number")
        cur_seg.elements.append(ElementError(
            position=int(p) if p.isdigit() else 0, code=c.req(seg, 3, "element error code"),
            component=int(comp_pos) if comp_pos.isdigit() else None,
            reference_number=seg.get(2), bad_value=seg.get(4)))


def read_999_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[Ack999 | None, list[X12Issue]]:
    """Parse one 999 ST..SE; returns the acknowledgement (None if unusable) and issues."""
    return _Ack999Reader(tx, delims).read()
