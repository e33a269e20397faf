"""276 claim status request (005010X212): model, reader, writer.

Hierarchy: payer HL 20, information receiver HL 21, provider HL 19, subscriber HL 22 and
(when the patient is a dependent) HL 23; the claim question (TRN, REF*1K/EJ/BLT, AMT*T3,
DTP*472) sits at the patient's level. pyx12 4.0 has no 5010 276 map.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm_x12._elements import IssueCollector, transaction_body
from rcm_x12._hl import PersonBuilder, party_from_nm1, write_party, write_person
from rcm_x12.common import Party, Person
from rcm_x12.errors import X12Issue
from rcm_x12.guides import X276_277
from rcm_x12.syntax import Delimiters, Segment, TransactionSet, parse_date8
from rcm_x12.writer import EnvelopeParams, SegmentWriter, format_date8, write_interchange


@dataclass(frozen=True, slots=True)
class StatusInquiry:
    """One claim asked about."""

    trace_number: str
    subscriber: Person
    provider: Party
    patient_control_number: str = ""
    payer_claim_control_number: str = ""
    bill_type: str = ""
    total_charge: Decimal | None = None
    service_from: date | None = None
    service_to: date | None = None
    dependent: Person | None = None


@dataclass(frozen=True, slots=True)
class ClaimStatusRequest276:
    """One 276 transaction set."""

    reference: str
    created: date
    source: Party
    receiver: Party
    inquiries: tuple[StatusInquiry, ...]
    created_time: str = "1200"


_HL_LOOPS_276 = {"20": "2000A", "21": "2000B", "19": "2000C", "22": "2000D", "23": "2000E"}


@dataclass(eq=False)
class _InquiryFields:
    """One 2000D subscriber or 2000E dependent level and its 2200D/E claim question, as read so far."""

    hl: Segment
    subscriber: PersonBuilder
    provider: Party
    dependent: PersonBuilder | None = None
    trace_number: str | None = None
    refs: dict[str, str] = field(default_factory=dict)  # REF01 1K, EJ, BLT -> REF02
    total_charge: Decimal | None = None
    service_from: date | None = None
    service_to: date | None = None
    in_line: bool = False


class _StatusRequest276Reader:
    """The state of one 276 transaction set while its segments are read in order."""

    def __init__(self, tx: TransactionSet) -> None:
        self.tx = tx
        self.c = IssueCollector()
        self.bht: Segment | None = None
        self.parties: dict[str, Party] = {}  # by HL level: "20" payer, "21" receiver
        self.provider = Party("", "")
        self.items: list[_InquiryFields] = []
        self.cur: _InquiryFields | None = None
        self.sub: PersonBuilder | None = None
        self.level = ""

    def read(self) -> tuple[ClaimStatusRequest276 | None, list[X12Issue]]:
        """Read every segment between ST and SE; the request (None if unusable) and the issues."""
        for seg in transaction_body(self.tx):
            if seg.id == "BHT":
                self.bht = seg
                self.c.date8(seg, 4, "creation date")
            elif seg.id == "HL":
                self._read_hl(seg)
            elif self.level in ("20", "21", "19"):
                self._read_2000a_to_2000c_party(seg)
            elif self.cur is not None:
                self._read_2000d_2000e_claim_question(seg, self.cur)
        return self._document(), self.c.issues

    def _read_hl(self, seg: Segment) -> None:
        """HL: 2000A payer (20), 2000B receiver (21), 2000C provider (19), 2000D/E (22/23)."""
        c = self.c
        self.level = level = c.req(seg, 3, "hierarchical level code")
        c.loop = _HL_LOOPS_276.get(level, "?")
        if level in ("20", "21") and level in self.parties:
            c.second_party_loop(seg, level)
        if level == "22":
            self.sub = PersonBuilder()
            self.cur = _InquiryFields(seg, self.sub, self.provider)
            self.items.append(self.cur)
        elif level == "23":
            if self.sub is None:
                c.element(seg, 2, "7", "dependent HL without a subscriber HL")
                self.sub = PersonBuilder()
            # A dependent HL replaces the subscriber-level question when that one had none.
            if self.cur is not None and self.cur.trace_number is None:
                self.items.remove(self.cur)
            self.cur = _InquiryFields(seg, self.sub, self.provider, dependent=PersonBuilder())
            self.items.append(self.cur)
        elif level not in ("20", "21", "19"):
            c.element(seg, 3, "7", f"HL03 level code {level!r} is not used in a 276")

    def _read_2000a_to_2000c_party(self, seg: Segment) -> None:
        """2100A payer, 2100B receiver, 2100C provider: NM1."""
        if seg.id == "NM1":
            if self.level == "19":
                self.provider = party_from_nm1(seg)
            else:
                self.parties[self.level] = party_from_nm1(seg)

    def _read_2000d_2000e_claim_question(self, seg: Segment, cur: _InquiryFields) -> None:
        """2100D/E person (NM1 N3 N4 DMG); 2200D/E TRN, REF*1K/EJ/BLT, AMT*T3, DTP*472; SVC skipped."""
        sid, c = seg.id, self.c
        person = cur.dependent or cur.subscriber
        if sid == "TRN":
            cur.trace_number = c.req(seg, 2, "trace number")
        elif sid == "REF":
            if seg.get(1) in ("1K", "EJ", "BLT"):
                cur.refs[seg.get(1)] = seg.get(2)
        elif sid == "AMT" and seg.get(1) == "T3":
            cur.total_charge = c.amount(seg, 2, "total claim charge")
        elif sid == "DTP" and seg.get(1) == "472":
            cur.service_from, cur.service_to = c.date_period(seg, 2, 3, "service date")
        elif sid == "SVC":
            cur.in_line = True  # 2210D/E service-line questions: not modelled
        elif not cur.in_line and sid in ("NM1", "DMG", "N3", "N4"):
            person.feed(seg, c)

    def _document(self) -> ClaimStatusRequest276 | None:
        """The request from what was read, after the checks that need the whole set."""
        c, first, bht = self.c, self.tx.segments[0], self.bht
        c.loop = None
        if bht is None:
            c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
        for level, loop in (("20", "2100A"), ("21", "2100B")):
            if level not in self.parties:
                c.missing("NM1", loop, first, "payer name" if level == "20" else "receiver name")
        if not self.items:
            c.missing("HL", "2000D", first, "subscriber level")
        if bht is None or "20" not in self.parties or "21" not in self.parties:
            return None
        out: list[StatusInquiry] = []
        for it in self.items:
            if it.trace_number is None:
                c.loop = "2200D"
                c.missing("TRN", "2200D", it.hl, "claim status tracking number")
            out.append(StatusInquiry(
                trace_number=it.trace_number or "", subscriber=it.subscriber.build(),
                dependent=it.dependent.build() if it.dependent is not None else None,
                provider=it.provider, patient_control_number=it.refs.get("EJ", ""),
                payer_claim_control_number=it.refs.get("1K", ""), bill_type=it.refs.get("BLT", ""),
                total_charge=it.total_charge, service_from=it.service_from, service_to=it.service_to,
            ))
        return ClaimStatusRequest276(
            reference=bht.get(3), created=parse_date8(bht.get(4)) or date(1900, 1, 1),
            created_time=bht.get(5), source=self.parties["20"], receiver=self.parties["21"],
            inquiries=tuple(out))


def read_276_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[ClaimStatusRequest276 | None, list[X12Issue]]:
    """Parse one 276 ST..SE; returns the request (None if unusable) and the issues found."""
    return _StatusRequest276Reader(tx).read()


def write_276(doc: ClaimStatusRequest276, envelope: EnvelopeParams) -> str:
    """Write a 276 claim status request interchange."""
    w = SegmentWriter(envelope.delimiters)
    w.seg("BHT", "0010", "13", doc.reference, format_date8(doc.created), doc.created_time)
    w.seg("HL", "1", None, "20", "1")
    write_party(w, "PR", doc.source)
    w.seg("HL", "2", "1", "21", "1")
    write_party(w, "41", doc.receiver)
    hl = 2
    prev_provider: Party | None = None
    provider_hl = 0
    for q in doc.inquiries:
        if q.provider != prev_provider:
            hl += 1
            provider_hl = hl
            w.seg("HL", str(hl), "2", "19", "1")
            write_party(w, "1P", q.provider)
            prev_provider = q.provider
        hl += 1
        sub_hl = hl
        has_dep = q.dependent is not None
        w.seg("HL", str(hl), str(provider_hl), "22", "1" if has_dep else "0")
        sub = q.subscriber
        # 276 puts DMG before NM1 at subscriber and dependent level.
        if sub.birth_date or sub.sex:
            w.seg("DMG", "D8", format_date8(sub.birth_date) if sub.birth_date else None,
                  sub.sex or None)
        write_person(w, "IL", Person(sub.last_name, sub.first_name, sub.member_id))
        if q.dependent is not None:
            hl += 1
            w.seg("HL", str(hl), str(sub_hl), "23", "0")
            dep = q.dependent
            if dep.birth_date or dep.sex:
                w.seg("DMG", "D8", format_date8(dep.birth_date) if dep.birth_date else None,
                      dep.sex or None)
            write_person(w, "QC", Person(dep.last_name, dep.first_name), with_id=False)
        _write_claim(w, q)
    return write_interchange(envelope, "HR", X276_277, [("276", w)])


def _write_claim(w: SegmentWriter, q: StatusInquiry) -> None:
    w.seg("TRN", "1", q.trace_number)
    if q.payer_claim_control_number:
        w.seg("REF", "1K", q.payer_claim_control_number)
    if q.bill_type:
        w.seg("REF", "BLT", q.bill_type)
    if q.patient_control_number:
        w.seg("REF", "EJ", q.patient_control_number)
    if q.total_charge is not None:
        w.seg("AMT", "T3", q.total_charge)
    if q.service_from:
        end = q.service_to or q.service_from
        if end == q.service_from:
            w.seg("DTP", "472", "D8", format_date8(q.service_from))
        else:
            w.seg("DTP", "472", "RD8", f"{format_date8(q.service_from)}-{format_date8(end)}")
