"""X12 5010 documents the sandbox sends: TA1, 999, 277CA, 271, 277 and 835.

Built on the shared toolkit's segment writer and envelope (:mod:`rcm_shared.x12.writer`);
the layouts follow the implementation guides named in each function. The sandbox writes
these itself because they are the payer's side of the conversation, which the platform
only reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from rcm_shared.x12.syntax import Delimiters
from rcm_shared.x12.writer import (
    Element,
    EnvelopeParams,
    SegmentWriter,
    format_date8,
    write_interchange,
)

from rcm_sandbox.config import PayerKind, SandboxConfig
from rcm_sandbox.domain.eligibility import EligibilityResult
from rcm_sandbox.domain.model import (
    Adjustment,
    ClaimPayment,
    Remittance,
)
from rcm_sandbox.service import AcceptedClaim, StatusAnswer

X999 = "005010X231A1"
X277CA = "005010X214"
X271 = "005010X279A1"
X277 = "005010X212"
X835 = "005010X221A1"


@dataclass(frozen=True)
class Outbound:
    """Who the sandbox writes to and the control number and time to use."""

    sender_id: str
    receiver_id: str
    control_number: int
    now: datetime
    usage_indicator: str = "T"

    def envelope(self) -> EnvelopeParams:
        return EnvelopeParams(
            sender_id=self.sender_id[:15],
            receiver_id=self.receiver_id[:15] or "UNKNOWN",
            interchange_control_number=self.control_number,
            group_control_number=self.control_number,
            transaction_control_number=1,
            date=self.now.date(),
            time=self.now.strftime("%H%M"),
            usage_indicator=self.usage_indicator if self.usage_indicator in ("P", "T") else "T",
        )


def _w() -> SegmentWriter:
    return SegmentWriter(Delimiters())


def ack_277ca(
    out: Outbound,
    config: SandboxConfig,
    submitter_id: str,
    submitter_name: str,
    decisions: Sequence[AcceptedClaim],
) -> str:
    """277CA (005010X214): one acknowledgement per claim, grouped by billing provider."""
    w = _w()
    today = format_date8(out.now.date())
    w.seg("BHT", "0085", "08", f"SBX{out.control_number}", today, out.now.strftime("%H%M"), "TH")
    w.seg("HL", 1, None, "20", 1)
    w.seg(
        "NM1",
        "AY",
        "2",
        config.clearinghouse_name,
        None,
        None,
        None,
        None,
        "46",
        config.clearinghouse_id,
    )
    w.seg("TRN", "1", f"SBX{out.control_number}")
    w.seg("DTP", "050", "D8", today)
    w.seg("DTP", "009", "D8", today)
    w.seg("HL", 2, 1, "21", 1)
    w.seg(
        "NM1",
        "41",
        "2",
        submitter_name or "SUBMITTER",
        None,
        None,
        None,
        None,
        "46",
        submitter_id or "UNKNOWN",
    )
    w.seg("TRN", "2", f"SBX{out.control_number}")
    accepted = [d for d in decisions if d.ack.accepted]
    rejected = [d for d in decisions if not d.ack.accepted]
    w.seg(
        "STC",
        ["A1", "19", "PR"],
        today,
        "WQ",
        sum((d.claim.total_charge for d in decisions), start=0),
    )
    if accepted:
        w.seg("QTY", "90", len(accepted))
    if rejected:
        w.seg("QTY", "AA", len(rejected))
    if accepted:
        w.seg("AMT", "YU", sum((d.claim.total_charge for d in accepted), start=0))
    if rejected:
        w.seg("AMT", "YY", sum((d.claim.total_charge for d in rejected), start=0))
    by_provider: dict[str, list[AcceptedClaim]] = defaultdict(list)
    for d in decisions:
        by_provider[d.claim.billing_npi].append(d)
    hl = 2
    for npi, group in by_provider.items():
        hl += 1
        provider_hl = hl
        w.seg("HL", provider_hl, 2, "19", 1)
        w.seg("NM1", "85", "2", "BILLING PROVIDER", None, None, None, None, "XX", npi or "0000000000")
        w.seg("TRN", "1", f"SBX{out.control_number}-{provider_hl}")
        w.seg(
            "STC",
            ("A1", "19", "85"),
            None,  # STC02 is "not used" at the billing provider level
            "WQ",
            sum((d.claim.total_charge for d in group), start=0),
        )
        ok = [d for d in group if d.ack.accepted]
        bad = [d for d in group if not d.ack.accepted]
        if ok:
            w.seg("QTY", "QA", len(ok))
        if bad:
            w.seg("QTY", "QC", len(bad))
        if ok:
            w.seg("AMT", "YU", sum((d.claim.total_charge for d in ok), start=0))
        if bad:
            w.seg("AMT", "YY", sum((d.claim.total_charge for d in bad), start=0))
        for d in group:
            hl += 1
            c = d.claim
            w.seg("HL", hl, provider_hl, "PT")
            w.seg(
                "NM1",
                "QC",
                "1",
                c.subscriber_last_name,
                c.subscriber_first_name or None,
                None,
                None,
                None,
                "MI",
                c.member_id or "UNKNOWN",
            )
            w.seg("TRN", "2", c.patient_control_number)
            stc1 = [d.ack.category.value, d.ack.status_code, d.ack.entity_code]
            w.seg("STC", stc1, today, "WQ" if d.ack.accepted else "U", c.total_charge)
            if d.payer_claim_id:
                w.seg("REF", "1K", d.payer_claim_id)
            if c.lines:
                last = max(ln.service_date for ln in c.lines)
                w.seg(
                    "DTP",
                    "472",
                    "RD8",
                    f"{format_date8(c.first_service_date)}-{format_date8(last)}",
                )
    return str(write_interchange(out.envelope(), "HN", X277CA, [("277", w)]))


@dataclass(frozen=True)
class EligibilityContext:
    """What the 271 echoes from the 270: source, receiver, subscriber trace."""

    payer_id: str
    payer_name: str
    receiver_name: str
    receiver_id: str
    receiver_qualifier: str
    trace_number: str
    trace_originator: str
    result: EligibilityResult


def eligibility_271(
    out: Outbound,
    reference: str,
    answers: Sequence[EligibilityContext],
    kinds: dict[str, PayerKind],
) -> str:
    """271 (005010X279A1): AAA for rejections, EB*6 for inactive, EB 1/B/C/A/G for active."""
    w = _w()
    w.seg(
        "BHT",
        "0022",
        "11",
        reference or f"SBX{out.control_number}",
        format_date8(out.now.date()),
        out.now.strftime("%H%M"),
    )
    hl = 0
    insurance = {PayerKind.COMMERCIAL: "PR", PayerKind.MEDICARE: "MB", PayerKind.MEDICAID: "MC"}
    for a in answers:
        hl += 1
        source = hl
        w.seg("HL", source, None, "20", 1)
        w.seg("NM1", "PR", "2", a.payer_name, None, None, None, None, "PI", a.payer_id)
        hl += 1
        receiver = hl
        w.seg("HL", receiver, source, "21", 1)
        w.seg(
            "NM1",
            "1P",
            "2",
            a.receiver_name or "PROVIDER",
            None,
            None,
            None,
            None,
            a.receiver_qualifier or "XX",
            a.receiver_id or "0000000000",
        )
        hl += 1
        w.seg("HL", hl, receiver, "22", 0)
        w.seg("TRN", "2", a.trace_number or "0", a.trace_originator or "9SANDBOXCH")
        r = a.result
        inquiry = r.inquiry
        member = r.member
        last = member.record_last_name if member else inquiry.last_name
        first = member.record_first_name if member else inquiry.first_name
        w.seg(
            "NM1",
            "IL",
            "1",
            last or "UNKNOWN",
            first or None,
            None,
            None,
            None,
            "MI",
            inquiry.member_id or None,
        )
        if r.reject_reason is not None:
            w.seg("AAA", "N", None, r.reject_reason.value, "C")
            if inquiry.birth_date is not None:
                w.seg("DMG", "D8", format_date8(inquiry.birth_date))
            continue
        assert member is not None
        w.seg("DMG", "D8", format_date8(member.record_birth_date), member.sex)
        w.seg("DTP", "346", "D8", format_date8(member.coverage_start))
        if member.coverage_end is not None:
            w.seg("DTP", "347", "D8", format_date8(member.coverage_end))
        if not r.active or r.benefits is None:
            w.seg("EB", "6", "IND", "30")
            continue
        b = r.benefits
        ins = insurance.get(kinds.get(member.payer_id, PayerKind.COMMERCIAL), "PR")
        w.seg("EB", "1", "IND", "30", ins, b.plan.name)
        if b.plan.copay > 0:
            w.seg("EB", "B", "IND", "30", None, None, "27", b.plan.copay, None, None, None, None, "Y")
        w.seg("EB", "C", "IND", "30", None, None, "23", b.plan.deductible, None, None, None, None, "Y")
        w.seg(
            "EB",
            "C",
            "IND",
            "30",
            None,
            None,
            "29",
            b.deductible_remaining,
            None,
            None,
            None,
            None,
            "Y",
        )
        w.seg(
            "EB",
            "A",
            "IND",
            "30",
            None,
            None,
            None,
            None,
            b.plan.coinsurance_rate,
            None,
            None,
            None,
            "Y",
        )
        if b.plan.out_of_pocket_max is not None and b.out_of_pocket_remaining is not None:
            w.seg(
                "EB",
                "G",
                "IND",
                "30",
                None,
                None,
                "23",
                b.plan.out_of_pocket_max,
                None,
                None,
                None,
                None,
                "Y",
            )
            w.seg(
                "EB",
                "G",
                "IND",
                "30",
                None,
                None,
                "29",
                b.out_of_pocket_remaining,
                None,
                None,
                None,
                None,
                "Y",
            )
    return str(write_interchange(out.envelope(), "HB", X271, [("271", w)]))


@dataclass(frozen=True)
class StatusContext:
    """What the 277 echoes from the 276 for one claim inquiry."""

    payer_id: str
    payer_name: str
    receiver_name: str
    receiver_id: str
    provider_npi: str
    member_id: str
    last_name: str
    first_name: str
    trace_number: str
    service_date: date | None
    answer: StatusAnswer


def claim_status_277(out: Outbound, reference: str, answers: Sequence[StatusContext]) -> str:
    """277 (005010X212) answering a 276, one claim status (STC) per inquiry."""
    w = _w()
    today = format_date8(out.now.date())
    w.seg(
        "BHT",
        "0010",
        "08",
        reference or f"SBX{out.control_number}",
        today,
        out.now.strftime("%H%M"),
        "DG",
    )
    hl = 0
    for a in answers:
        hl += 1
        src = hl
        w.seg("HL", src, None, "20", 1)
        w.seg("NM1", "PR", "2", a.payer_name, None, None, None, None, "PI", a.payer_id)
        hl += 1
        rcv = hl
        w.seg("HL", rcv, src, "21", 1)
        w.seg(
            "NM1",
            "41",
            "2",
            a.receiver_name or "RECEIVER",
            None,
            None,
            None,
            None,
            "46",
            a.receiver_id or "0",
        )
        hl += 1
        prov = hl
        w.seg("HL", prov, rcv, "19", 1)
        w.seg(
            "NM1",
            "1P",
            "2",
            "PROVIDER",
            None,
            None,
            None,
            None,
            "XX",
            a.provider_npi or "0000000000",
        )
        hl += 1
        w.seg("HL", hl, prov, "22", 0)
        w.seg(
            "NM1",
            "IL",
            "1",
            a.last_name or "UNKNOWN",
            a.first_name or None,
            None,
            None,
            None,
            "MI",
            a.member_id or "UNKNOWN",
        )
        w.seg("TRN", "2", a.trace_number or "0")
        s = a.answer
        w.seg(
            "STC",
            [s.category, s.status_code],
            today,
            None,
            s.charge,
            s.paid,
            s.paid_date.replace("-", "") if s.paid_date else None,
            None,
            s.paid_date.replace("-", "") if s.paid_date else None,
            s.check_number,
        )
        if s.payer_claim_id:
            w.seg("REF", "1K", s.payer_claim_id)
        w.seg("REF", "EJ", s.patient_control_number)
        if a.service_date is not None:
            w.seg("DTP", "472", "D8", format_date8(a.service_date))
    return str(write_interchange(out.envelope(), "HN", X277, [("277", w)]))


def _cas(w: SegmentWriter, adjustments: Sequence[Adjustment]) -> None:
    """CAS segments: one per group code, at most six reason/amount/quantity triples each."""
    by_group: dict[str, list[Adjustment]] = defaultdict(list)
    for a in adjustments:
        by_group[a.group.value].append(a)
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            elements: list[Element] = []
            for a in items[start : start + 6]:
                elements += [a.reason, a.amount, a.quantity]
            w.seg("CAS", group, *elements)


_FILING = {PayerKind.COMMERCIAL: "12", PayerKind.MEDICARE: "MB", PayerKind.MEDICAID: "MC"}


def _clp(w: SegmentWriter, c: ClaimPayment, kind: PayerKind) -> None:
    w.seg(
        "CLP",
        c.patient_control_number,
        c.status.value,
        c.charge,
        c.paid,
        c.patient_responsibility,
        _FILING[kind],
        c.payer_claim_id,
        "11",
        c.frequency_code,
    )
    _cas(w, c.claim_adjustments)
    w.seg(
        "NM1",
        "QC",
        "1",
        c.subscriber_last_name or "UNKNOWN",
        c.subscriber_first_name or None,
        None,
        None,
        None,
        "MI",
        c.member_id,
    )
    if c.remark_codes:
        w.seg("MOA", None, None, *c.remark_codes[:5])
    for ln in c.lines:
        w.seg("SVC", ["HC", ln.procedure_code, *ln.modifiers[:4]], ln.charge, ln.paid, None, ln.units)
        w.seg("DTM", "472", format_date8(ln.service_date))
        _cas(w, ln.adjustments)
        w.seg("REF", "6R", str(ln.line_number))
        w.seg("AMT", "B6", ln.allowed)
        for remark in ln.remark_codes:
            w.seg("LQ", "HE", remark)


def remittance_835(out: Outbound, remittance: Remittance, kind: PayerKind) -> str:
    """835 (005010X221A1): BPR/TRN header, payer/payee, one CLP loop per claim, PLB last."""
    w = _w()
    total = remittance.total_payment
    pay_date = format_date8(remittance.payment_date)
    if total > 0:
        w.seg(
            "BPR",
            "I",
            total,
            "C",
            "CHK",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            pay_date,
        )
    else:
        w.seg(
            "BPR",
            "H",
            total,
            "C",
            "NON",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            pay_date,
        )
    w.seg("TRN", "1", remittance.trace_number, "1" + remittance.payer_id[:9].rjust(9, "0"))
    w.seg("DTM", "405", pay_date)
    w.seg("N1", "PR", remittance.payer_name)
    w.seg("N3", "1 SANDBOX WAY")
    w.seg("N4", "TESTVILLE", "CA", "94000")
    w.seg("PER", "BL", "EDI SUPPORT", "TE", "8005550100")
    w.seg("N1", "PE", "PAYEE", "XX", remittance.payee_npi)
    for number, claim in enumerate(remittance.claims, start=1):
        w.seg("LX", number)
        _clp(w, claim, kind)
    fiscal = f"{remittance.payment_date.year}1231"
    plbs = remittance.provider_adjustments
    for start in range(0, len(plbs), 6):
        elements: list[Element] = []
        for adj in plbs[start : start + 6]:
            elements += [(adj.reason_code, adj.reference), adj.amount]
        w.seg("PLB", remittance.payee_npi, fiscal, *elements)
    # The 835 guide marks ST03 "not used" (pyx12 rejects it), unlike the other guides.
    return str(write_interchange(out.envelope(), "HP", X835, [("835", w)], st03=False))
