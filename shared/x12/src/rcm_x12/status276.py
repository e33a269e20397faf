"""276 claim status request (005010X212): model, reader, writer.

Hierarchy: payer HL 20, information receiver HL 21, provider HL 19, subscriber HL 22 and
(when the patient is a dependent) HL 23; the claim question (TRN, REF*1K/EJ/BLT, AMT*T3,
DTP*472) sits at the patient's level. pyx12 4.0 has no 5010 276 map.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rcm_x12._elements import IssueCollector
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


def read_276_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[ClaimStatusRequest276 | None, list[X12Issue]]:
    """Parse one 276 ST..SE; returns the request (None if unusable) and the issues found."""
    c = IssueCollector()
    bht: Segment | None = None
    parties: dict[str, Party] = {}
    provider = Party("", "")
    items: list[dict[str, object]] = []
    cur: dict[str, object] | None = None
    sub: PersonBuilder | None = None
    level = ""
    body = tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]
    for seg in body:
        sid = seg.id
        if sid == "BHT":
            bht = seg
            c.date8(seg, 4, "creation date")
        elif sid == "HL":
            level = c.req(seg, 3, "hierarchical level code")
            c.loop = {"20": "2000A", "21": "2000B", "19": "2000C", "22": "2000D",
                      "23": "2000E"}.get(level, "?")
            if level in ("20", "21") and level in parties:
                c.second_party_loop(seg, level)
            if level == "22":
                sub = PersonBuilder()
                cur = {"sub": sub, "dep": None, "provider": provider, "hl": seg}
                items.append(cur)
            elif level == "23":
                if sub is None:
                    c.element(seg, 2, "7", "dependent HL without a subscriber HL")
                    sub = PersonBuilder()
                if cur is not None and "trn" not in cur:
                    items.remove(cur)
                cur = {"sub": sub, "dep": PersonBuilder(), "provider": provider, "hl": seg}
                items.append(cur)
            elif level not in ("20", "21", "19"):
                c.element(seg, 3, "7", f"HL03 level code {level!r} is not used in a 276")
        elif level in ("20", "21", "19"):
            if sid == "NM1":
                if level == "19":
                    provider = party_from_nm1(seg)
                else:
                    parties[level] = party_from_nm1(seg)
        elif cur is not None:
            person: PersonBuilder = cur["dep"] or cur["sub"]  # type: ignore[assignment]
            if sid == "TRN":
                cur["trn"] = c.req(seg, 2, "trace number")
            elif sid == "REF":
                key = {"1K": "icn", "EJ": "pcn", "BLT": "blt"}.get(seg.get(1))
                if key:
                    cur[key] = seg.get(2)
            elif sid == "AMT" and seg.get(1) == "T3":
                cur["amount"] = c.amount(seg, 2, "total claim charge")
            elif sid == "DTP" and seg.get(1) == "472":
                cur["from"], cur["to"] = c.date_period(seg, 2, 3, "service date")
            elif sid == "SVC":
                cur["in_line"] = True
            elif not cur.get("in_line") and sid in ("NM1", "DMG", "N3", "N4"):
                person.feed(seg, c)
    c.loop = None
    first = tx.segments[0]
    if bht is None:
        c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
    for level, loop in (("20", "2100A"), ("21", "2100B")):
        if level not in parties:
            c.missing("NM1", loop, first, "payer name" if level == "20" else "receiver name")
    if not items:
        c.missing("HL", "2000D", first, "subscriber level")
    if bht is None or "20" not in parties or "21" not in parties:
        return None, c.issues
    out: list[StatusInquiry] = []
    for it in items:
        if "trn" not in it:
            c.loop = "2200D"
            c.missing("TRN", "2200D", it["hl"], "claim status tracking number")  # type: ignore[arg-type]
        out.append(StatusInquiry(
            trace_number=str(it.get("trn", "")), subscriber=it["sub"].build(),  # type: ignore[attr-defined]
            dependent=it["dep"].build() if it["dep"] is not None else None,  # type: ignore[attr-defined]
            provider=it["provider"],  # type: ignore[arg-type]
            patient_control_number=str(it.get("pcn", "")),
            payer_claim_control_number=str(it.get("icn", "")), bill_type=str(it.get("blt", "")),
            total_charge=it.get("amount"),  # type: ignore[arg-type]
            service_from=it.get("from"), service_to=it.get("to"),  # type: ignore[arg-type]
        ))
    return ClaimStatusRequest276(
        reference=bht.get(3), created=parse_date8(bht.get(4)) or date(1900, 1, 1),
        created_time=bht.get(5), source=parties["20"], receiver=parties["21"],
        inquiries=tuple(out)), c.issues


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
