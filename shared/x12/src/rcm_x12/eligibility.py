"""270 eligibility inquiry and 271 response (005010X279A1): models, readers, writers.

Hierarchy: information source HL 20 (payer), information receiver HL 21 (provider),
subscriber HL 22 and, when the patient is a dependent, HL 23. The inquiry/answer (TRN, EQ,
DTP, EB, AAA) sits at the patient's level. pyx12 4.0 has no 5010 270/271 map, so these are
checked only by our reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm_x12._elements import IssueCollector, transaction_body
from rcm_x12._hl import PersonBuilder, party_from_nm1, write_party, write_person
from rcm_x12.common import Party, Person
from rcm_x12.errors import X12Issue
from rcm_x12.guides import X270_271
from rcm_x12.syntax import Delimiters, Segment, TransactionSet, parse_date8
from rcm_x12.writer import (
    EnvelopeParams,
    Repeated,
    SegmentWriter,
    format_date8,
    write_interchange,
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """AAA: request validation. ``reason_code`` e.g. 72 invalid member id, 75 not found."""

    valid: str
    reason_code: str
    follow_up: str = ""


@dataclass(frozen=True, slots=True)
class CoverageDate:
    """A DTP at subscriber/dependent level (291 plan, 346 plan begin, 356 eligibility ...)."""

    qualifier: str
    start: date | None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class Benefit:
    """EB: EB01 code (1 active, 6 inactive, A coinsurance, B copay, C deductible, G OOP)."""

    code: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan_description: str = ""
    time_period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = None
    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    authorization_required: str = ""
    in_network: str = ""


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """One 270 question about a subscriber (or a dependent of one)."""

    trace_number: str
    subscriber: Person
    service_types: tuple[str, ...] = ("30",)
    service_date: date | None = None
    dependent: Person | None = None
    trace_originator: str = ""


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    """One 271 answer: the person, coverage dates, benefits and any AAA rejection."""

    trace_number: str
    subscriber: Person
    benefits: tuple[Benefit, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    dates: tuple[CoverageDate, ...] = ()
    dependent: Person | None = None
    trace_originator: str = ""

    @property
    def active(self) -> bool:
        """EB01 = 1 somewhere and no rejection."""
        return not self.rejections and any(b.code == "1" for b in self.benefits)


@dataclass(frozen=True, slots=True)
class Eligibility270:
    """One 270 transaction set."""

    reference: str
    created: date
    source: Party
    receiver: Party
    inquiries: tuple[EligibilityInquiry, ...]
    created_time: str = "1200"


@dataclass(frozen=True, slots=True)
class Eligibility271:
    """One 271 transaction set; ``rejections`` are AAA at payer/provider level."""

    reference: str
    created: date
    source: Party
    receiver: Party
    responses: tuple[EligibilityResponse, ...]
    created_time: str = "1200"
    rejections: tuple[Rejection, ...] = ()


# --------------------------------------------------------------------------- reader
#
#   2000A information source HL*20, 2100A NM1 (AAA)     2000B information receiver HL*21, 2100B NM1 (AAA)
#   2000C subscriber HL*22, 2000D dependent HL*23: TRN, 2100C/D NM1 N3 N4 DMG, DTP, AAA,
#         2110C/D EQ (270) or EB (271; 2115/2120 LS..LE skipped)

_HL_LOOPS_270 = {"20": "2000A", "21": "2000B", "22": "2000C", "23": "2000D"}


@dataclass(eq=False)
class _SubjectFields:
    """One 2000C subscriber or 2000D dependent level as read so far."""

    hl: Segment
    subscriber: PersonBuilder
    dependent: PersonBuilder | None = None
    trn: Segment | None = None
    service_types: list[str] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    dates: list[CoverageDate] = field(default_factory=list)
    seen_eb: bool = False


class _EligibilityReader:
    """The state of one 270 or 271 transaction set while its segments are read in order."""

    def __init__(self, tx: TransactionSet, delims: Delimiters, response: bool) -> None:
        self.tx = tx
        self.delims = delims
        self.response = response
        self.c = IssueCollector()
        self.bht: Segment | None = None
        self.parties: dict[str, Party] = {}  # by HL level: "20" source, "21" receiver
        self.top_rejections: list[Rejection] = []
        self.subjects: list[_SubjectFields] = []
        self.cur: _SubjectFields | None = None
        self.current_sub: PersonBuilder | None = None
        self.level = ""

    def read(self) -> Segment | None:
        """Read the set and check its header; the BHT when source and receiver are present too."""
        in_ls = False
        for seg in transaction_body(self.tx):
            if seg.id in ("LS", "LE"):
                in_ls = seg.id == "LS"
            elif in_ls:
                continue  # 2115/2120 benefit related entities: not modelled
            elif seg.id == "BHT":
                self.bht = seg
                self.c.date8(seg, 4, "creation date")
            elif seg.id == "HL":
                self._read_hl(seg)
            elif self.level in ("20", "21"):
                self._read_2000a_2000b_party(seg)
            elif self.cur is not None:
                self._read_2000c_2000d_subject(seg, self.cur)
        c, first = self.c, self.tx.segments[0]
        c.loop = None
        if self.bht is None:
            c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
        if "20" not in self.parties:
            c.missing("NM1", "2100A", first, "information source name")
        if "21" not in self.parties:
            c.missing("NM1", "2100B", first, "information receiver name")
        if not self.response and not self.subjects:
            c.missing("HL", "2000C", first, "subscriber level")
        if "20" not in self.parties or "21" not in self.parties:
            return None
        return self.bht

    def _read_hl(self, seg: Segment) -> None:
        """HL: 2000A source (20), 2000B receiver (21), 2000C subscriber (22), 2000D dependent (23)."""
        c = self.c
        self.level = level = c.req(seg, 3, "hierarchical level code")
        c.loop = _HL_LOOPS_270.get(level, "?")
        if level in ("20", "21") and level in self.parties:
            c.second_party_loop(seg, level)
        if level == "22":
            self.current_sub = PersonBuilder()
            self.cur = _SubjectFields(seg, self.current_sub)
            self.subjects.append(self.cur)
        elif level == "23":
            if self.current_sub is None:
                c.element(seg, 2, "7", "dependent HL without a subscriber HL")
                self.current_sub = PersonBuilder()
            # A dependent HL replaces the subscriber-level inquiry when that one had none.
            cur = self.cur
            if cur is not None and cur.trn is None and not cur.service_types and not cur.benefits:
                self.subjects.remove(cur)
            self.cur = _SubjectFields(seg, self.current_sub, dependent=PersonBuilder())
            self.subjects.append(self.cur)
        elif level not in ("20", "21"):
            c.element(seg, 3, "7", f"HL03 level code {level!r} is not 20, 21, 22 or 23")

    def _read_2000a_2000b_party(self, seg: Segment) -> None:
        """2100A source / 2100B receiver: NM1 and AAA (request validation at that level)."""
        if seg.id == "NM1":
            self.parties[self.level] = party_from_nm1(seg)
        elif seg.id == "AAA":
            self.top_rejections.append(Rejection(seg.get(1), seg.get(3), seg.get(4)))

    def _read_2000c_2000d_subject(self, seg: Segment, cur: _SubjectFields) -> None:
        """2000C/D: TRN; 2100C/D NM1 N3 N4 DMG DTP AAA (until the first EB); 2110C/D EQ or EB."""
        sid, c = seg.id, self.c
        if sid == "TRN":
            if cur.trn is None:
                cur.trn = seg
        elif sid == "EQ":
            cur.service_types.extend(_types(seg.get(1), self.delims))
        elif sid == "EB":
            cur.seen_eb = True
            cur.benefits.append(_benefit(seg, self.delims, c))
        elif sid == "AAA":
            cur.rejections.append(Rejection(seg.get(1), seg.get(3), seg.get(4)))
        elif cur.seen_eb:
            return  # 2110C/D segments after EB (DTP, MSG, ...): not modelled
        elif sid == "DTP":
            fmt = seg.get(2)
            if fmt in ("D8", "RD8"):
                start, end = c.date_period(seg, 2, 3, "date")
                cur.dates.append(CoverageDate(seg.get(1), start, end if fmt == "RD8" else None))
            else:
                c.element(seg, 2, "7", "DTP02 must be D8 or RD8")
        else:
            (cur.dependent or cur.subscriber).feed(seg, c)

    def trace_and_people(self, s: _SubjectFields) -> tuple[str, str, Person, Person | None]:
        """TRN02, TRN03, subscriber and dependent of one subject (a 270 without TRN is an error)."""
        trn = s.trn
        if trn is None:
            self.c.loop = "2000C" if s.dependent is None else "2000D"
            if not self.response:
                self.c.missing("TRN", self.c.loop, s.hl, "trace number")
        sub = s.subscriber.build()
        dep = s.dependent.build() if s.dependent is not None else None
        return (trn.get(2) if trn else "", trn.get(3) if trn else "", sub, dep)


def _types(value: str, delims: Delimiters) -> list[str]:
    return [v for v in value.split(delims.repetition) if v] if value else []


def _benefit(seg: Segment, delims: Delimiters, c: IssueCollector) -> Benefit:
    if not seg.get(1):
        c.element(seg, 1, "1", "EB01 eligibility or benefit code is required")
    return Benefit(
        code=seg.get(1), coverage_level=seg.get(2), service_types=tuple(_types(seg.get(3), delims)),
        insurance_type=seg.get(4), plan_description=seg.get(5), time_period=seg.get(6),
        amount=c.amount(seg, 7, "benefit amount", required=False),
        percent=c.amount(seg, 8, "benefit percent", required=False),
        quantity_qualifier=seg.get(9), quantity=c.amount(seg, 10, "quantity", required=False),
        authorization_required=seg.get(11), in_network=seg.get(12),
    )


def read_270_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[Eligibility270 | None, list[X12Issue]]:
    """Parse one 270 ST..SE; returns the inquiry (None if unusable) and the issues found."""
    r = _EligibilityReader(tx, delims, response=False)
    bht = r.read()
    if bht is None:
        return None, r.c.issues
    inquiries: list[EligibilityInquiry] = []
    for s in r.subjects:
        trace, originator, sub, dep = r.trace_and_people(s)
        service_date = next((d.start for d in s.dates if d.qualifier == "291"), None)
        inquiries.append(EligibilityInquiry(
            trace_number=trace, trace_originator=originator, subscriber=sub, dependent=dep,
            service_types=tuple(s.service_types), service_date=service_date))
    return Eligibility270(reference=bht.get(3), created=parse_date8(bht.get(4)) or date(1900, 1, 1),
                          created_time=bht.get(5), source=r.parties["20"], receiver=r.parties["21"],
                          inquiries=tuple(inquiries)), r.c.issues


def read_271_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[Eligibility271 | None, list[X12Issue]]:
    """Parse one 271 ST..SE; returns the response (None if unusable) and the issues found."""
    r = _EligibilityReader(tx, delims, response=True)
    bht = r.read()
    if bht is None:
        return None, r.c.issues
    responses: list[EligibilityResponse] = []
    for s in r.subjects:
        trace, originator, sub, dep = r.trace_and_people(s)
        responses.append(EligibilityResponse(
            trace_number=trace, trace_originator=originator, subscriber=sub, dependent=dep,
            benefits=tuple(s.benefits), rejections=tuple(s.rejections), dates=tuple(s.dates)))
    return Eligibility271(reference=bht.get(3), created=parse_date8(bht.get(4)) or date(1900, 1, 1),
                          created_time=bht.get(5), source=r.parties["20"], receiver=r.parties["21"],
                          responses=tuple(responses), rejections=tuple(r.top_rejections)), r.c.issues


# --------------------------------------------------------------------------- writer


def _write_dates(w: SegmentWriter, dates: tuple[CoverageDate, ...]) -> None:
    for d in dates:
        if d.start is None:
            continue
        if d.end is not None:
            w.seg("DTP", d.qualifier, "RD8", f"{format_date8(d.start)}-{format_date8(d.end)}")
        else:
            w.seg("DTP", d.qualifier, "D8", format_date8(d.start))


def _write_subjects(w: SegmentWriter, items: tuple[EligibilityInquiry, ...] |
                    tuple[EligibilityResponse, ...], response: bool) -> None:
    hl = 2
    for item in items:
        hl += 1
        sub_hl = hl
        has_dep = item.dependent is not None
        w.seg("HL", str(hl), "2", "22", "1" if has_dep else "0")
        trn = ("TRN", "2" if response else "1", item.trace_number, item.trace_originator or None)
        if not has_dep:
            w.seg(*trn)
        write_person(w, "IL", item.subscriber)
        if has_dep:
            hl += 1
            w.seg("HL", str(hl), str(sub_hl), "23", "0")
            w.seg(*trn)
            assert item.dependent is not None
            write_person(w, "03", item.dependent, with_id=False)
        if isinstance(item, EligibilityInquiry):
            if item.service_date:
                w.seg("DTP", "291", "D8", format_date8(item.service_date))
            if item.service_types:
                w.seg("EQ", Repeated(item.service_types))
        else:
            for r in item.rejections:
                w.seg("AAA", r.valid, None, r.reason_code, r.follow_up or None)
            _write_dates(w, item.dates)
            for b in item.benefits:
                w.seg("EB", b.code, b.coverage_level or None, Repeated(b.service_types),
                      b.insurance_type or None, b.plan_description or None, b.time_period or None,
                      b.amount, b.percent, b.quantity_qualifier or None, b.quantity,
                      b.authorization_required or None, b.in_network or None)


def write_270(doc: Eligibility270, envelope: EnvelopeParams) -> str:
    """Write a 270 eligibility inquiry interchange."""
    w = SegmentWriter(envelope.delimiters)
    w.seg("BHT", "0022", "13", doc.reference, format_date8(doc.created), doc.created_time)
    w.seg("HL", "1", None, "20", "1")
    write_party(w, "PR", doc.source)
    w.seg("HL", "2", "1", "21", "1")
    write_party(w, "1P", doc.receiver)
    _write_subjects(w, doc.inquiries, response=False)
    return write_interchange(envelope, "HS", X270_271, [("270", w)])


def write_271(doc: Eligibility271, envelope: EnvelopeParams) -> str:
    """Write a 271 eligibility response interchange."""
    return write_interchange(envelope, "HB", X270_271, [("271", write_271_body(doc, envelope.delimiters))])


def write_271_body(doc: Eligibility271, delimiters: Delimiters) -> SegmentWriter:
    """The segments of one 271 transaction set (BHT..), for callers that put several in one interchange."""
    w = SegmentWriter(delimiters)
    w.seg("BHT", "0022", "11", doc.reference, format_date8(doc.created), doc.created_time)
    w.seg("HL", "1", None, "20", "1")
    write_party(w, "PR", doc.source)
    for r in doc.rejections:
        w.seg("AAA", r.valid, None, r.reason_code, r.follow_up or None)
    w.seg("HL", "2", "1", "21", "1" if doc.responses else "0")
    write_party(w, "1P", doc.receiver)
    _write_subjects(w, doc.responses, response=True)
    return w
