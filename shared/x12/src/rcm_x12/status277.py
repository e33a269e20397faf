"""277CA claim acknowledgment (005010X214) and 277 claim status response (005010X212).

Both use the same hierarchy: information source (HL 20, the payer), information receiver
(HL 21), provider (HL 19) and the claim level: PT in the 277CA, subscriber 22 / dependent 23
in the 277. In the 277CA, TRN02 at claim level is our patient control number (CLM01); in the
277 it echoes the 276 trace and the patient control number travels in REF*EJ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from rcm_x12._elements import IssueCollector, comp, components
from rcm_x12.errors import X12Issue
from rcm_x12.guides import X276_277, X277CA
from rcm_x12.syntax import Delimiters, Segment, TransactionSet, parse_date8
from rcm_x12.writer import EnvelopeParams, SegmentWriter, format_date8, write_interchange

StatusKind = Literal["277CA", "277"]


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """STC: category (A1, A2, A3, F1, ...), status code, entity, date, action, amounts."""

    category_code: str
    status_code: str
    entity_code: str = ""
    effective_date: date | None = None
    action_code: str = ""
    charge_amount: Decimal | None = None
    paid_amount: Decimal | None = None

    @property
    def is_rejection(self) -> bool:
        """A3 (returned as unprocessable), A4 (not found), A6/A7 (missing/invalid info)."""
        return self.category_code in ("A3", "A4", "A6", "A7", "A8")


@dataclass(frozen=True, slots=True)
class StatusParty:
    """An HL 20/21/19 entity: NM1 name and id, optional TRN and STCs at that level."""

    name: str
    id: str
    id_qualifier: str = ""
    entity_type: str = "2"
    first_name: str = ""
    trace_number: str = ""
    statuses: tuple[StatusInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusPerson:
    """NM1*QC / NM1*IL at claim level."""

    last_name: str
    first_name: str = ""
    member_id: str = ""


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One claim's status (2200D in the 277CA; 2200D/E in the 277)."""

    patient: StatusPerson
    statuses: tuple[StatusInfo, ...]
    provider: StatusParty
    patient_control_number: str = ""
    trace_number: str = ""
    payer_claim_control_number: str = ""
    clearinghouse_trace: str = ""
    bill_type: str = ""
    service_from: date | None = None
    service_to: date | None = None
    subscriber: StatusPerson | None = None

    @property
    def rejected(self) -> bool:
        return any(s.is_rejection for s in self.statuses)


@dataclass(frozen=True, slots=True)
class ClaimStatusReport:
    """One 277CA or 277 transaction set."""

    kind: StatusKind
    reference: str
    created: date
    source: StatusParty
    receiver: StatusParty
    claims: tuple[ClaimStatus, ...]
    created_time: str = "1200"
    received_date: date | None = None
    processed_date: date | None = None


def _stc(seg: Segment, cs: str, c: IssueCollector) -> StatusInfo:
    parts = components(seg.get(1), cs)
    if not comp(parts, 1):
        c.element(seg, 1, "1", "STC01 status category code is required", component=1)
    return StatusInfo(
        category_code=comp(parts, 1), status_code=comp(parts, 2), entity_code=comp(parts, 3),
        effective_date=c.date8(seg, 2, "status effective date", required=False),
        action_code=seg.get(3),
        charge_amount=c.amount(seg, 4, "total claim charge", required=False),
        paid_amount=c.amount(seg, 5, "claim payment amount", required=False),
    )


def read_277_transaction(tx: TransactionSet, delims: Delimiters,
                         kind: StatusKind) -> tuple[ClaimStatusReport | None, list[X12Issue]]:
    """Parse one 277CA/277 ST..SE; returns the report (None if unusable) and the issues."""
    c = IssueCollector()
    cs = delims.component
    bht: Segment | None = None
    parties: dict[str, dict[str, object]] = {}
    providers: dict[str, dict[str, object]] = {}
    claims: list[dict[str, object]] = []
    hl_levels: dict[str, str] = {}
    hl_parent: dict[str, str] = {}
    level = ""
    cur_hl = ""
    cur: dict[str, object] | None = None
    dates: dict[str, date | None] = {}
    claim: dict[str, object] | None = None
    subscriber_by_hl: dict[str, StatusPerson] = {}
    body = tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]
    in_line = False
    for seg in body:
        sid = seg.id
        if sid == "BHT":
            bht = seg
            c.date8(seg, 4, "creation date")
        elif sid == "HL":
            cur_hl = c.req(seg, 1, "hierarchical id")
            hl_parent[cur_hl] = seg.get(2)
            level = c.req(seg, 3, "hierarchical level code")
            hl_levels[cur_hl] = level
            claim = None
            in_line = False
            c.loop = {"20": "2000A", "21": "2000B", "19": "2000C", "PT": "2000D",
                      "22": "2000D", "23": "2000E"}.get(level, "2000?")
            cur = {"hl": cur_hl, "statuses": []}
            if level in ("20", "21"):
                parties[level] = cur
            elif level == "19":
                providers[cur_hl] = cur
            elif level in ("PT", "22", "23"):
                cur["level"] = level
            else:
                c.element(seg, 3, "7", f"HL03 level code {level!r} is not used in a 277")
        elif cur is None:
            continue
        elif sid == "NM1":
            if level in ("20", "21", "19"):
                cur.update(name=c.req(seg, 3, "name"), first=seg.get(4), etype=seg.get(2),
                           qual=seg.get(8), id=seg.get(9))
            elif level in ("PT", "22", "23"):
                person = StatusPerson(seg.get(3), seg.get(4), seg.get(9))
                cur["person"] = person
                if level == "22":
                    subscriber_by_hl[cur_hl] = person
        elif sid == "TRN":
            if level in ("PT", "22", "23"):
                claim = {"trn": c.req(seg, 2, "trace number"), "statuses": [], "hl": cur_hl,
                         "person": cur.get("person"), "level": level}
                claims.append(claim)
                in_line = False
            else:
                cur["trn"] = seg.get(2)
        elif sid == "SVC":
            in_line = True  # service-line statuses are not modelled
        elif in_line:
            continue
        elif sid == "STC":
            target = claim if claim is not None else cur
            statuses: list[StatusInfo] = target["statuses"]  # type: ignore[assignment]
            statuses.append(_stc(seg, cs, c))
        elif sid == "DTP" and level == "20":
            if seg.get(1) == "050":
                dates["received"] = c.date8(seg, 3, "receipt date")
            elif seg.get(1) == "009":
                dates["processed"] = c.date8(seg, 3, "process date")
        elif sid == "DTP" and claim is not None and seg.get(1) == "472":
            start, end = c.date_period(seg, 2, 3, "service date")
            claim.update(start=start, end=end)
        elif sid == "REF" and claim is not None:
            key = {"1K": "icn", "EJ": "pcn", "D9": "d9", "BLT": "blt"}.get(seg.get(1))
            if key:
                claim[key] = seg.get(2)
    first = tx.segments[0]
    c.loop = None
    if bht is None:
        c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
    if "20" not in parties:
        c.missing("HL", "2000A", first, "information source level")
    if "21" not in parties:
        c.missing("HL", "2000B", first, "information receiver level")
    if bht is None or "20" not in parties or "21" not in parties:
        return None, c.issues

    def party(p: dict[str, object]) -> StatusParty:
        return StatusParty(name=str(p.get("name", "")), id=str(p.get("id", "")),
                           id_qualifier=str(p.get("qual", "")), entity_type=str(p.get("etype", "")),
                           first_name=str(p.get("first", "")), trace_number=str(p.get("trn", "")),
                           statuses=tuple(p["statuses"]))  # type: ignore[arg-type]

    def provider_for(hl: str) -> StatusParty:
        seen = 0
        while hl and seen < 10:
            if hl in providers:
                return party(providers[hl])
            hl = hl_parent.get(hl, "")
            seen += 1
        return StatusParty("", "")

    out: list[ClaimStatus] = []
    for cl in claims:
        person = cl.get("person")
        if not isinstance(person, StatusPerson):
            c.missing("NM1", "2100D", first, "patient name")
            person = StatusPerson("")
        subscriber = None
        if cl.get("level") == "23":
            subscriber = subscriber_by_hl.get(hl_parent.get(str(cl["hl"]), ""))
        trn = str(cl["trn"])
        out.append(ClaimStatus(
            patient=person, statuses=tuple(cl["statuses"]),  # type: ignore[arg-type]
            provider=provider_for(str(cl["hl"])),
            patient_control_number=trn if kind == "277CA" else str(cl.get("pcn", "")),
            trace_number="" if kind == "277CA" else trn,
            payer_claim_control_number=str(cl.get("icn", "")),
            clearinghouse_trace=str(cl.get("d9", "")), bill_type=str(cl.get("blt", "")),
            service_from=cl.get("start"), service_to=cl.get("end"),  # type: ignore[arg-type]
            subscriber=subscriber,
        ))
    return ClaimStatusReport(
        kind=kind, reference=bht.get(3), created=parse_date8(bht.get(4)) or date(1900, 1, 1),
        created_time=bht.get(5), source=party(parties["20"]), receiver=party(parties["21"]),
        claims=tuple(out), received_date=dates.get("received"),
        processed_date=dates.get("processed"),
    ), c.issues


# --------------------------------------------------------------------------- writer


def _write_stc(w: SegmentWriter, s: StatusInfo, with_date: bool = True) -> None:
    w.seg("STC", (s.category_code, s.status_code, s.entity_code or None),
          format_date8(s.effective_date) if s.effective_date and with_date else None,
          s.action_code or None,
          s.charge_amount, s.paid_amount)


def _write_party_nm1(w: SegmentWriter, qualifier: str, p: StatusParty) -> None:
    w.seg("NM1", qualifier, p.entity_type or "2", p.name, p.first_name or None, None, None, None,
          p.id_qualifier or None, p.id or None)


def write_277_body(doc: ClaimStatusReport, delimiters: Delimiters) -> SegmentWriter:
    """The segments between ST and SE of a 277CA or 277."""
    w = SegmentWriter(delimiters)
    ca = doc.kind == "277CA"
    w.seg("BHT", "0085" if ca else "0010", "08", doc.reference, format_date8(doc.created),
          doc.created_time, "TH" if ca else "DG")
    w.seg("HL", "1", None, "20", "1")
    _write_party_nm1(w, "PR", doc.source)
    if ca or doc.source.trace_number:
        w.seg("TRN", "1", doc.source.trace_number or doc.reference)
    if doc.received_date:
        w.seg("DTP", "050", "D8", format_date8(doc.received_date))
    if doc.processed_date:
        w.seg("DTP", "009", "D8", format_date8(doc.processed_date))
    w.seg("HL", "2", "1", "21", "1" if doc.claims else "0")
    _write_party_nm1(w, "41", doc.receiver)
    if doc.receiver.trace_number or doc.receiver.statuses:
        w.seg("TRN", "2", doc.receiver.trace_number or doc.reference)
    for s in doc.receiver.statuses:
        _write_stc(w, s)
    hl = 2
    prev_provider: StatusParty | None = None
    provider_hl = 0
    prev_sub: StatusPerson | None = None
    sub_hl = 0
    for cl in doc.claims:
        if cl.provider != prev_provider:
            hl += 1
            provider_hl = hl
            w.seg("HL", str(hl), "2", "19", "1")
            _write_party_nm1(w, "85" if ca else "1P", cl.provider)
            if ca or cl.provider.trace_number or cl.provider.statuses:
                w.seg("TRN", "1", cl.provider.trace_number or "0")
            for s in cl.provider.statuses:
                # 277CA 2200C: STC02 is "not used" at the provider level.
                _write_stc(w, s, with_date=not ca)
            prev_provider, prev_sub = cl.provider, None
        hl += 1
        if ca:
            w.seg("HL", str(hl), str(provider_hl), "PT")
            p = cl.patient
            w.seg("NM1", "QC", "1", p.last_name, p.first_name or None, None, None, None,
                  "MI" if p.member_id else None, p.member_id or None)
            w.seg("TRN", "2", cl.patient_control_number)
        else:
            if cl.subscriber is not None:
                if cl.subscriber != prev_sub:
                    sub_hl = hl
                    w.seg("HL", str(hl), str(provider_hl), "22", "1")
                    s0 = cl.subscriber
                    w.seg("NM1", "IL", "1", s0.last_name, s0.first_name or None, None, None, None,
                          "MI", s0.member_id)
                    hl += 1
                    prev_sub = cl.subscriber
                w.seg("HL", str(hl), str(sub_hl), "23", "0")
                p = cl.patient
                w.seg("NM1", "QC", "1", p.last_name, p.first_name or None)
            else:
                w.seg("HL", str(hl), str(provider_hl), "22", "0")
                p = cl.patient
                w.seg("NM1", "IL", "1", p.last_name, p.first_name or None, None, None, None,
                      "MI", p.member_id)
                prev_sub = None
            w.seg("TRN", "2", cl.trace_number)
        for s in cl.statuses:
            _write_stc(w, s)
        if cl.payer_claim_control_number:
            w.seg("REF", "1K", cl.payer_claim_control_number)
        if cl.clearinghouse_trace:
            w.seg("REF", "D9", cl.clearinghouse_trace)
        if cl.bill_type:
            w.seg("REF", "BLT", cl.bill_type)
        if not ca and cl.patient_control_number:
            w.seg("REF", "EJ", cl.patient_control_number)
        if cl.service_from:
            end = cl.service_to or cl.service_from
            if end == cl.service_from:
                w.seg("DTP", "472", "D8", format_date8(cl.service_from))
            else:
                w.seg("DTP", "472", "RD8",
                      f"{format_date8(cl.service_from)}-{format_date8(end)}")
    return w


def write_277ca(doc: ClaimStatusReport, envelope: EnvelopeParams) -> str:
    """Write a 277CA (005010X214) interchange for ``doc`` (``doc.kind`` must be "277CA")."""
    return write_interchange(envelope, "HN", X277CA, [("277", write_277_body(doc, envelope.delimiters))])


def write_277(doc: ClaimStatusReport, envelope: EnvelopeParams) -> str:
    """Write a 277 claim status response (005010X212) interchange (``doc.kind`` "277")."""
    return write_interchange(envelope, "HN", X276_277,
                             [("277", write_277_body(doc, envelope.delimiters))])
