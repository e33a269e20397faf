"""270 eligibility inquiry and 271 response (005010X279A1): models, readers, writers.

Hierarchy: information source HL 20 (payer), information receiver HL 21 (provider),
subscriber HL 22 and, when the patient is a dependent, HL 23. The inquiry/answer (TRN, EQ,
DTP, EB, AAA) sits at the patient's level. pyx12 4.0 has no 5010 270/271 map, so these are
checked only by our reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rcm_x12._elements import IssueCollector
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


def _read(tx: TransactionSet, delims: Delimiters,
          response: bool) -> tuple[Eligibility270 | Eligibility271 | None, list[X12Issue]]:
    c = IssueCollector()
    bht: Segment | None = None
    parties: dict[str, Party] = {}
    top_rejections: list[Rejection] = []
    subjects: list[dict[str, object]] = []
    cur: dict[str, object] | None = None
    current_sub: PersonBuilder | None = None
    level = ""
    in_ls = False
    body = tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]
    for seg in body:
        sid = seg.id
        if sid == "LS":
            in_ls = True
            continue
        if sid == "LE":
            in_ls = False
            continue
        if in_ls:
            continue  # 2115/2120 benefit related entities: not modelled
        if sid == "BHT":
            bht = seg
            c.date8(seg, 4, "creation date")
        elif sid == "HL":
            level = c.req(seg, 3, "hierarchical level code")
            c.loop = {"20": "2000A", "21": "2000B", "22": "2000C", "23": "2000D"}.get(level, "?")
            if level in ("20", "21") and level in parties:
                c.second_party_loop(seg, level)
            if level == "22":
                current_sub = PersonBuilder()
                cur = {"sub": current_sub, "dep": None, "eq": [], "eb": [], "aaa": [],
                       "dates": [], "trn": None, "seen_eb": False, "hl": seg}
                subjects.append(cur)
            elif level == "23":
                if current_sub is None:
                    c.element(seg, 2, "7", "dependent HL without a subscriber HL")
                    current_sub = PersonBuilder()
                # A dependent HL replaces the subscriber-level inquiry when that one had none.
                if cur is not None and cur["trn"] is None and not cur["eq"] and not cur["eb"]:
                    subjects.remove(cur)
                cur = {"sub": current_sub, "dep": PersonBuilder(), "eq": [], "eb": [], "aaa": [],
                       "dates": [], "trn": None, "seen_eb": False, "hl": seg}
                subjects.append(cur)
            elif level not in ("20", "21"):
                c.element(seg, 3, "7", f"HL03 level code {level!r} is not 20, 21, 22 or 23")
        elif level in ("20", "21"):
            if sid == "NM1":
                parties[level] = party_from_nm1(seg)
            elif sid == "AAA":
                top_rejections.append(Rejection(seg.get(1), seg.get(3), seg.get(4)))
        elif cur is not None:
            person: PersonBuilder = cur["dep"] or cur["sub"]  # type: ignore[assignment]
            if sid == "TRN":
                if cur["trn"] is None:
                    cur["trn"] = seg
            elif sid == "EQ":
                cur["eq"].extend(_types(seg.get(1), delims))  # type: ignore[attr-defined]
            elif sid == "EB":
                cur["seen_eb"] = True
                cur["eb"].append(_benefit(seg, delims, c))  # type: ignore[attr-defined]
            elif sid == "AAA":
                cur["aaa"].append(Rejection(seg.get(1), seg.get(3), seg.get(4)))  # type: ignore[attr-defined]
            elif sid == "DTP" and not cur["seen_eb"]:
                fmt = seg.get(2)
                if fmt in ("D8", "RD8"):
                    start, end = c.date_period(seg, 2, 3, "date")
                    cur["dates"].append(CoverageDate(seg.get(1), start,  # type: ignore[attr-defined]
                                                     end if fmt == "RD8" else None))
                else:
                    c.element(seg, 2, "7", "DTP02 must be D8 or RD8")
            elif not cur["seen_eb"]:
                person.feed(seg, c)
    c.loop = None
    first = tx.segments[0]
    if bht is None:
        c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
    if "20" not in parties:
        c.missing("NM1", "2100A", first, "information source name")
    if "21" not in parties:
        c.missing("NM1", "2100B", first, "information receiver name")
    if not response and not subjects:
        c.missing("HL", "2000C", first, "subscriber level")
    if bht is None or "20" not in parties or "21" not in parties:
        return None, c.issues
    items: list[EligibilityInquiry | EligibilityResponse] = []
    for s in subjects:
        trn: Segment | None = s["trn"]  # type: ignore[assignment]
        if trn is None:
            c.loop = "2000C" if s["dep"] is None else "2000D"
            if not response:
                c.missing("TRN", c.loop, s["hl"], "trace number")  # type: ignore[arg-type]
        sub = s["sub"].build()  # type: ignore[attr-defined]
        dep = s["dep"].build() if s["dep"] is not None else None  # type: ignore[attr-defined]
        trace = trn.get(2) if trn else ""
        originator = trn.get(3) if trn else ""
        dates = tuple(s["dates"])  # type: ignore[arg-type]
        if response:
            items.append(EligibilityResponse(
                trace_number=trace, trace_originator=originator, subscriber=sub, dependent=dep,
                benefits=tuple(s["eb"]), rejections=tuple(s["aaa"]), dates=dates))  # type: ignore[arg-type]
        else:
            service_date = next((d.start for d in dates if d.qualifier == "291"), None)
            items.append(EligibilityInquiry(
                trace_number=trace, trace_originator=originator, subscriber=sub, dependent=dep,
                service_types=tuple(s["eq"]), service_date=service_date))  # type: ignore[arg-type]
    created = parse_date8(bht.get(4)) or date(1900, 1, 1)
    if response:
        return Eligibility271(reference=bht.get(3), created=created, created_time=bht.get(5),
                              source=parties["20"], receiver=parties["21"],
                              responses=tuple(items),  # type: ignore[arg-type]
                              rejections=tuple(top_rejections)), c.issues
    return Eligibility270(reference=bht.get(3), created=created, created_time=bht.get(5),
                          source=parties["20"], receiver=parties["21"],
                          inquiries=tuple(items)), c.issues  # type: ignore[arg-type]


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
    return _read(tx, delims, response=False)  # type: ignore[return-value]


def read_271_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[Eligibility271 | None, list[X12Issue]]:
    """Parse one 271 ST..SE; returns the response (None if unusable) and the issues found."""
    return _read(tx, delims, response=True)  # type: ignore[return-value]


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
