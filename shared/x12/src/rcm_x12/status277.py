"""277CA claim acknowledgment (005010X214) and 277 claim status response (005010X212).

Both use the same hierarchy: information source (HL 20, the payer), information receiver
(HL 21), provider (HL 19) and the claim level: PT in the 277CA, subscriber 22 / dependent 23
in the 277. In the 277CA, TRN02 at claim level is our patient control number (CLM01); in the
277 it echoes the 276 trace and the patient control number travels in REF*EJ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from rcm_x12._elements import IssueCollector, comp, components, transaction_body
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


# Loop of each HL level: 277CA PT (patient) or 277 22 (subscriber) / 23 (dependent) is the claim level.
_HL_LOOPS = {"20": "2000A", "21": "2000B", "19": "2000C", "PT": "2000D", "22": "2000D", "23": "2000E"}
_CLAIM_LEVELS = ("PT", "22", "23")


@dataclass
class _LevelFields:
    """One HL level as read so far: the NM1 of a party level, or the person of a claim level."""

    hl: str
    statuses: list[StatusInfo] = field(default_factory=list)
    name: str = ""
    first_name: str = ""
    entity_type: str = ""
    id_qualifier: str = ""
    id: str = ""
    trace_number: str = ""
    person: StatusPerson | None = None

    def party(self) -> StatusParty:
        """The level as a StatusParty (source, receiver or provider)."""
        return StatusParty(name=self.name, id=self.id, id_qualifier=self.id_qualifier,
                           entity_type=self.entity_type, first_name=self.first_name,
                           trace_number=self.trace_number, statuses=tuple(self.statuses))


@dataclass
class _ClaimStatusFields:
    """2200D/2200E claim status as read so far (opened by its TRN)."""

    trace_number: str
    hl: str
    level: str
    person: StatusPerson | None
    statuses: list[StatusInfo] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # REF01 1K, EJ, D9, BLT -> REF02
    service_from: date | None = None
    service_to: date | None = None


class _ClaimStatus277Reader:
    """The state of one 277CA/277 transaction set while its segments are read in order."""

    def __init__(self, tx: TransactionSet, delims: Delimiters, kind: StatusKind) -> None:
        self.tx = tx
        self.kind = kind
        self.cs = delims.component
        self.c = IssueCollector()
        self.bht: Segment | None = None
        self.parties: dict[str, _LevelFields] = {}  # by HL level: "20" source, "21" receiver
        self.providers: dict[str, _LevelFields] = {}  # by HL id
        self.hl_parent: dict[str, str] = {}
        self.subscriber_by_hl: dict[str, StatusPerson] = {}
        self.level = ""
        self.cur_hl = ""
        self.cur: _LevelFields | None = None
        self.claim: _ClaimStatusFields | None = None
        self.claims: list[_ClaimStatusFields] = []
        self.in_line = False
        self.received_date: date | None = None
        self.processed_date: date | None = None

    def read(self) -> tuple[ClaimStatusReport | None, list[X12Issue]]:
        """Read every segment between ST and SE; the report (None if unusable) and the issues."""
        for seg in transaction_body(self.tx):
            self._read_segment(seg)
        return self._document(), self.c.issues

    def _read_segment(self, seg: Segment) -> None:
        """Hand one segment to the reader of the HL level it sits under."""
        if seg.id == "BHT":
            self.bht = seg
            self.c.date8(seg, 4, "creation date")
        elif seg.id == "HL":
            self._read_hl(seg)
        elif self.cur is None:
            return  # nothing is read before the first HL
        elif self.level in _CLAIM_LEVELS:
            self._read_2000d_2000e_claim_status(seg, self.cur)
        else:
            self._read_2000a_to_2000c_party(seg, self.cur)

    def _read_hl(self, seg: Segment) -> None:
        """HL: opens 2000A source (20), 2000B receiver (21), 2000C provider (19) or a claim level."""
        c = self.c
        self.cur_hl = c.req(seg, 1, "hierarchical id")
        self.hl_parent[self.cur_hl] = seg.get(2)
        self.level = level = c.req(seg, 3, "hierarchical level code")
        self.claim = None
        self.in_line = False
        c.loop = _HL_LOOPS.get(level, "2000?")
        self.cur = _LevelFields(self.cur_hl)
        if level in ("20", "21"):
            self.parties[level] = self.cur
        elif level == "19":
            self.providers[self.cur_hl] = self.cur
        elif level not in _CLAIM_LEVELS:
            c.element(seg, 3, "7", f"HL03 level code {level!r} is not used in a 277")

    def _read_2000a_to_2000c_party(self, seg: Segment, cur: _LevelFields) -> None:
        """2000A-C: NM1 (2100A-C), TRN and STC (2200A-C), DTP*050/009 (2200A); SVC skipped."""
        sid = seg.id
        if sid == "NM1":
            if self.level in ("20", "21", "19"):
                cur.name = self.c.req(seg, 3, "name")
                cur.first_name, cur.entity_type = seg.get(4), seg.get(2)
                cur.id_qualifier, cur.id = seg.get(8), seg.get(9)
        elif sid == "TRN":
            cur.trace_number = seg.get(2)
        elif sid == "SVC":
            self.in_line = True  # service-line statuses are not modelled
        elif self.in_line:
            return
        elif sid == "STC":
            cur.statuses.append(_stc(seg, self.cs, self.c))
        elif sid == "DTP" and self.level == "20":
            if seg.get(1) == "050":
                self.received_date = self.c.date8(seg, 3, "receipt date")
            elif seg.get(1) == "009":
                self.processed_date = self.c.date8(seg, 3, "process date")

    def _read_2000d_2000e_claim_status(self, seg: Segment, cur: _LevelFields) -> None:
        """2000D/E: NM1 (2100D/E); TRN opens 2200D/E claim status: STC, REF, DTP*472; SVC skipped."""
        sid, c, claim = seg.id, self.c, self.claim
        if sid == "NM1":
            person = StatusPerson(seg.get(3), seg.get(4), seg.get(9))
            cur.person = person
            if self.level == "22":
                self.subscriber_by_hl[self.cur_hl] = person
        elif sid == "TRN":
            self.claim = _ClaimStatusFields(trace_number=c.req(seg, 2, "trace number"), hl=self.cur_hl,
                                            level=self.level, person=cur.person)
            self.claims.append(self.claim)
            self.in_line = False
        elif sid == "SVC":
            self.in_line = True  # 2220D/E service-line statuses are not modelled
        elif self.in_line:
            return
        elif sid == "STC":
            (claim.statuses if claim is not None else cur.statuses).append(_stc(seg, self.cs, c))
        elif claim is None:
            return
        elif sid == "DTP" and seg.get(1) == "472":
            claim.service_from, claim.service_to = c.date_period(seg, 2, 3, "service date")
        elif sid == "REF" and seg.get(1) in ("1K", "EJ", "D9", "BLT"):
            claim.refs[seg.get(1)] = seg.get(2)

    def _provider_for(self, hl: str) -> StatusParty:
        """The 2000C provider above claim level ``hl`` (walking up at most 10 parents)."""
        seen = 0
        while hl and seen < 10:
            if hl in self.providers:
                return self.providers[hl].party()
            hl = self.hl_parent.get(hl, "")
            seen += 1
        return StatusParty("", "")

    def _document(self) -> ClaimStatusReport | None:
        """The report from what was read, after the checks that need the whole set."""
        c, first, bht = self.c, self.tx.segments[0], self.bht
        c.loop = None
        if bht is None:
            c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
        if "20" not in self.parties:
            c.missing("HL", "2000A", first, "information source level")
        if "21" not in self.parties:
            c.missing("HL", "2000B", first, "information receiver level")
        if bht is None or "20" not in self.parties or "21" not in self.parties:
            return None
        return ClaimStatusReport(
            kind=self.kind, reference=bht.get(3), created=parse_date8(bht.get(4)) or date(1900, 1, 1),
            created_time=bht.get(5), source=self.parties["20"].party(),
            receiver=self.parties["21"].party(), claims=tuple(self._claim_status(cl) for cl in self.claims),
            received_date=self.received_date, processed_date=self.processed_date,
        )

    def _claim_status(self, cl: _ClaimStatusFields) -> ClaimStatus:
        """One 2200D/E as a ClaimStatus, with its provider and (277, dependent) subscriber."""
        person = cl.person
        if person is None:
            self.c.missing("NM1", "2100D", self.tx.segments[0], "patient name")
            person = StatusPerson("")
        subscriber = None
        if cl.level == "23":
            subscriber = self.subscriber_by_hl.get(self.hl_parent.get(cl.hl, ""))
        ca = self.kind == "277CA"
        return ClaimStatus(
            patient=person, statuses=tuple(cl.statuses), provider=self._provider_for(cl.hl),
            patient_control_number=cl.trace_number if ca else cl.refs.get("EJ", ""),
            trace_number="" if ca else cl.trace_number,
            payer_claim_control_number=cl.refs.get("1K", ""),
            clearinghouse_trace=cl.refs.get("D9", ""), bill_type=cl.refs.get("BLT", ""),
            service_from=cl.service_from, service_to=cl.service_to, subscriber=subscriber,
        )


def read_277_transaction(tx: TransactionSet, delims: Delimiters,
                         kind: StatusKind) -> tuple[ClaimStatusReport | None, list[X12Issue]]:
    """Parse one 277CA/277 ST..SE; returns the report (None if unusable) and the issues."""
    return _ClaimStatus277Reader(tx, delims, kind).read()


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
    _write_2000a_source(w, doc, ca)
    _write_2000b_receiver(w, doc)
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
            _write_2100c_2200c_provider(w, cl.provider, ca)
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
        _write_2200d_claim_status(w, cl, ca)
    return w


def _write_2000a_source(w: SegmentWriter, doc: ClaimStatusReport, ca: bool) -> None:
    """2000A information source HL*20, 2100A NM1*PR, 2200A TRN and DTP*050/009."""
    w.seg("HL", "1", None, "20", "1")
    _write_party_nm1(w, "PR", doc.source)
    if ca or doc.source.trace_number:
        w.seg("TRN", "1", doc.source.trace_number or doc.reference)
    if doc.received_date:
        w.seg("DTP", "050", "D8", format_date8(doc.received_date))
    if doc.processed_date:
        w.seg("DTP", "009", "D8", format_date8(doc.processed_date))


def _write_2000b_receiver(w: SegmentWriter, doc: ClaimStatusReport) -> None:
    """2000B information receiver HL*21, 2100B NM1*41, 2200B TRN and STC."""
    w.seg("HL", "2", "1", "21", "1" if doc.claims else "0")
    _write_party_nm1(w, "41", doc.receiver)
    if doc.receiver.trace_number or doc.receiver.statuses:
        w.seg("TRN", "2", doc.receiver.trace_number or doc.reference)
    for s in doc.receiver.statuses:
        _write_stc(w, s)


def _write_2100c_2200c_provider(w: SegmentWriter, provider: StatusParty, ca: bool) -> None:
    """2100C provider NM1*85 (277CA) or NM1*1P (277), 2200C TRN and STC (after its HL*19)."""
    _write_party_nm1(w, "85" if ca else "1P", provider)
    if ca or provider.trace_number or provider.statuses:
        w.seg("TRN", "1", provider.trace_number or "0")
    for s in provider.statuses:
        # 277CA 2200C: STC02 is "not used" at the provider level.
        _write_stc(w, s, with_date=not ca)


def _write_2200d_claim_status(w: SegmentWriter, cl: ClaimStatus, ca: bool) -> None:
    """2200D/E claim status after its TRN: STC, REF*1K/D9/BLT (and EJ in a 277), DTP*472."""
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


def write_277ca(doc: ClaimStatusReport, envelope: EnvelopeParams) -> str:
    """Write a 277CA (005010X214) interchange for ``doc`` (``doc.kind`` must be "277CA")."""
    return write_interchange(envelope, "HN", X277CA, [("277", write_277_body(doc, envelope.delimiters))])


def write_277(doc: ClaimStatusReport, envelope: EnvelopeParams) -> str:
    """Write a 277 claim status response (005010X212) interchange (``doc.kind`` "277")."""
    return write_interchange(envelope, "HN", X276_277,
                             [("277", write_277_body(doc, envelope.delimiters))])
