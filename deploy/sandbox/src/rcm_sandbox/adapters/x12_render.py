"""X12 5010 documents the sandbox sends: TA1, 999, 277CA, 271, 277 and 835.

Each function maps the sandbox's domain objects onto the shared toolkit's models
(:mod:`rcm_x12`) and lets the toolkit's writer produce the X12, so there is one
writer per transaction in the codebase. The few segments/elements the toolkit models cannot
carry are added to the toolkit-written transaction body, each marked with the gap.

:class:`X12ClaimReplies` and :class:`X12RemittanceWriter` implement the handlers' writer ports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from rcm_x12.ack999 import Ack999, group_ack, transaction_ack_from_issues, write_999
from rcm_x12.common import Address, Party, Person
from rcm_x12.eligibility import (
    Benefit,
    CoverageDate,
    Eligibility270,
    Eligibility271,
    EligibilityResponse,
    Rejection,
    write_271,
    write_271_body,
)
from rcm_x12.eligibility import EligibilityInquiry as X12EligibilityInquiry
from rcm_x12.errors import X12Issue
from rcm_x12.guides import X270_271, X276_277, X277CA, X835
from rcm_x12.remit835 import (
    Adjustment as RemitAdjustment,
)
from rcm_x12.remit835 import (
    ProviderAdjustment as RemitProviderAdjustment,
)
from rcm_x12.remit835 import (
    RemitClaim,
    RemitPatient,
    RemitPayee,
    RemitPayer,
    RemitServiceLine,
    Remittance835,
    write_835_body,
)
from rcm_x12.status276 import ClaimStatusRequest276
from rcm_x12.status276 import StatusInquiry as X12StatusInquiry
from rcm_x12.status277 import (
    ClaimStatus,
    ClaimStatusReport,
    StatusInfo,
    StatusParty,
    StatusPerson,
    write_277_body,
)
from rcm_x12.syntax import Delimiters, Interchange, InterchangeHeader
from rcm_x12.ta1 import Ta1, write_ta1
from rcm_x12.writer import Element, EnvelopeParams, SegmentWriter, format_date8, write_interchange

from rcm_sandbox.domain.eligibility import EligibilityResult
from rcm_sandbox.domain.model import (
    AcceptedClaim,
    Adjustment,
    ClaimPayment,
    LinePayment,
    Outbound,
    Remittance,
    StatusAnswer,
)
from rcm_sandbox.domain.payers import PayerKind, SandboxConfig


def envelope_params(out: Outbound) -> EnvelopeParams:
    """The toolkit's envelope for an outbound document (ids cut to ISA width, usage P or T)."""
    return EnvelopeParams(
        sender_id=out.sender_id[:15],
        receiver_id=out.receiver_id[:15] or "UNKNOWN",
        interchange_control_number=out.control_number,
        group_control_number=out.control_number,
        transaction_control_number=1,
        date=out.now.date(),
        time=out.now.strftime("%H%M"),
        usage_indicator=out.usage_indicator if out.usage_indicator in ("P", "T") else "T",
    )


def _hhmm(out: Outbound) -> str:
    return out.now.strftime("%H%M")


# Hand-written additions to a toolkit-written body ----------------------------------------
Patch = Callable[[list[str]], list[str]]


def _segment(delimiters: Delimiters, seg_id: str, *elements: Element) -> str:
    """One segment written by the toolkit's SegmentWriter (for the pieces it cannot model)."""
    w = SegmentWriter(delimiters)
    w.seg(seg_id, *elements)
    return str(w.segments[0])


def _patched(body: SegmentWriter, patch: Patch) -> SegmentWriter:
    out = SegmentWriter(body.d)
    for seg in patch(list(body.segments)):
        out.raw(seg)
    return out


def _element(seg: str, d: Delimiters, n: int) -> str:
    parts = seg.split(d.element)
    return parts[n] if len(parts) > n else ""


# 277CA -----------------------------------------------------------------------------------
def _ack_totals(d: Delimiters, decisions: Sequence[AcceptedClaim], accepted_qty: str, rejected_qty: str) -> list[str]:
    # Toolkit gap: StatusParty has no QTY/AMT (2200B/2200C accepted/rejected counts and totals).
    ok = [x for x in decisions if x.ack.accepted]
    bad = [x for x in decisions if not x.ack.accepted]
    segments = []
    if ok:
        segments.append(_segment(d, "QTY", accepted_qty, len(ok)))
    if bad:
        segments.append(_segment(d, "QTY", rejected_qty, len(bad)))
    if ok:
        segments.append(_segment(d, "AMT", "YU", _total(ok)))
    if bad:
        segments.append(_segment(d, "AMT", "YY", _total(bad)))
    return segments


def _total(decisions: Sequence[AcceptedClaim]) -> Decimal:
    return sum((x.claim.total_charge for x in decisions), start=Decimal(0))


def ack_277ca(
    out: Outbound,
    config: SandboxConfig,
    submitter_id: str,
    submitter_name: str,
    decisions: Sequence[AcceptedClaim],
) -> str:
    """277CA (005010X214): one acknowledgement per claim, grouped by billing provider."""
    today = out.now.date()
    trace = f"SBX{out.control_number}"
    by_provider: dict[str, list[AcceptedClaim]] = {}
    for x in decisions:
        by_provider.setdefault(x.claim.billing_npi, []).append(x)
    claims: list[ClaimStatus] = []
    hl = 2
    for npi, group in by_provider.items():
        hl += 1
        provider = StatusParty(
            name="BILLING PROVIDER",
            id=npi or "0000000000",
            id_qualifier="XX",
            trace_number=f"{trace}-{hl}",
            statuses=(StatusInfo("A1", "19", "85", action_code="WQ", charge_amount=_total(group)),),
        )
        for x in group:
            hl += 1
            c, ack = x.claim, x.ack
            status = StatusInfo(
                ack.category.value,
                ack.status_code,
                ack.entity_code or "",
                today,
                "WQ" if ack.accepted else "U",
                c.total_charge,
            )
            claims.append(
                ClaimStatus(
                    patient=StatusPerson(c.subscriber_last_name, c.subscriber_first_name, c.member_id or "UNKNOWN"),
                    statuses=(status,),
                    provider=provider,
                    patient_control_number=c.patient_control_number,
                    payer_claim_control_number=x.payer_claim_id or "",
                    service_from=c.first_service_date if c.lines else None,
                    service_to=max(ln.service_date for ln in c.lines) if c.lines else None,
                )
            )
    report = ClaimStatusReport(
        kind="277CA",
        reference=trace,
        created=today,
        created_time=_hhmm(out),
        source=StatusParty(config.clearinghouse_name, config.clearinghouse_id, "46", trace_number=trace),
        receiver=StatusParty(
            submitter_name or "SUBMITTER",
            submitter_id or "UNKNOWN",
            "46",
            trace_number=trace,
            statuses=(StatusInfo("A1", "19", "PR", today, "WQ", _total(decisions)),),
        ),
        claims=tuple(claims),
        received_date=today,
        processed_date=today,
    )
    env = envelope_params(out)
    d = env.delimiters
    provider_totals = [_ack_totals(d, group, "QA", "QC") for group in by_provider.values()]

    def add_totals(segments: list[str]) -> list[str]:
        result, level, providers = [], "", iter(provider_totals)
        for seg in segments:
            result.append(seg)
            if seg.startswith(f"HL{d.element}"):
                level = _element(seg, d, 3)
            elif seg.startswith(f"STC{d.element}") and level == "21":
                result += _ack_totals(d, decisions, "90", "AA")
            elif seg.startswith(f"STC{d.element}") and level == "19":
                result += next(providers)
        return result

    # write_277ca(report, env) plus the QTY/AMT the toolkit model lacks.
    body = _patched(write_277_body(report, d), add_totals)
    return str(write_interchange(env, "HN", X277CA, [("277", body)]))


# 271 -------------------------------------------------------------------------------------
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


_INSURANCE_TYPE = {PayerKind.COMMERCIAL: "PR", PayerKind.MEDICARE: "MB", PayerKind.MEDICAID: "MC"}


def _benefit(
    code: str,
    *,
    insurance_type: str = "",
    plan_description: str = "",
    time_period: str = "",
    amount: Decimal | None = None,
    percent: Decimal | None = None,
    in_network: str = "",
) -> Benefit:
    """EB for the individual (IND), health benefit plan coverage (30)."""
    return Benefit(
        code,
        "IND",
        ("30",),
        insurance_type=insurance_type,
        plan_description=plan_description,
        time_period=time_period,
        amount=amount,
        percent=percent,
        in_network=in_network,
    )


def _eligibility_response(a: EligibilityContext, kinds: dict[str, PayerKind]) -> EligibilityResponse:
    r = a.result
    inquiry, member = r.inquiry, r.member
    trace_number, trace_originator = a.trace_number or "0", a.trace_originator or "9SANDBOXCH"
    last_name = (member.record_last_name if member else inquiry.last_name) or "UNKNOWN"
    first_name = (member.record_first_name if member else inquiry.first_name) or ""
    member_id = inquiry.member_id or ""
    if r.reject_reason is not None:
        return EligibilityResponse(
            subscriber=Person(last_name, first_name, member_id, birth_date=inquiry.birth_date),
            rejections=(Rejection("N", r.reject_reason.value, "C"),),
            trace_number=trace_number,
            trace_originator=trace_originator,
        )
    assert member is not None
    dates = [CoverageDate("346", member.coverage_start)]
    if member.coverage_end is not None:
        dates.append(CoverageDate("347", member.coverage_end))
    benefits: list[Benefit] = []
    if not r.active or r.benefits is None:
        benefits.append(_benefit("6"))
    else:
        b, plan = r.benefits, r.benefits.plan
        ins = _INSURANCE_TYPE.get(kinds.get(member.payer_id, PayerKind.COMMERCIAL), "PR")
        benefits.append(_benefit("1", insurance_type=ins, plan_description=plan.name))
        if plan.copay > 0:
            benefits.append(_benefit("B", time_period="27", amount=plan.copay, in_network="Y"))
        benefits.append(_benefit("C", time_period="23", amount=plan.deductible, in_network="Y"))
        benefits.append(_benefit("C", time_period="29", amount=b.deductible_remaining, in_network="Y"))
        benefits.append(_benefit("A", percent=plan.coinsurance_rate, in_network="Y"))
        if plan.out_of_pocket_max is not None and b.out_of_pocket_remaining is not None:
            benefits.append(_benefit("G", time_period="23", amount=plan.out_of_pocket_max, in_network="Y"))
            benefits.append(_benefit("G", time_period="29", amount=b.out_of_pocket_remaining, in_network="Y"))
    return EligibilityResponse(
        subscriber=Person(last_name, first_name, member_id, birth_date=member.record_birth_date, sex=member.sex),
        dates=tuple(dates),
        benefits=tuple(benefits),
        trace_number=trace_number,
        trace_originator=trace_originator,
    )


def eligibility_271(
    out: Outbound,
    reference: str,
    answers: Sequence[EligibilityContext],
    kinds: dict[str, PayerKind],
) -> str:
    """271 (005010X279A1): AAA for rejections, EB*6 for inactive, EB 1/B/C/A/G for active.

    One 271 transaction per information source/receiver pair (normally one per 270).
    """
    by_parties: dict[tuple[Party, Party], list[EligibilityResponse]] = {}
    for a in answers:
        source = Party(a.payer_name, a.payer_id, "PI")
        receiver = Party(a.receiver_name or "PROVIDER", a.receiver_id or "0000000000", a.receiver_qualifier or "XX")
        by_parties.setdefault((source, receiver), []).append(_eligibility_response(a, kinds))
    documents = [
        Eligibility271(
            reference=reference or f"SBX{out.control_number}",
            created=out.now.date(),
            created_time=_hhmm(out),
            source=source,
            receiver=receiver,
            responses=tuple(responses),
        )
        for (source, receiver), responses in by_parties.items()
    ]
    env = envelope_params(out)
    if len(documents) == 1:
        return str(write_271(documents[0], env))
    # An Eligibility271 has one source and receiver: answers for several payers are one
    # transaction set each, in one interchange.
    return str(write_interchange(env, "HB", X270_271,
                                 [("271", write_271_body(doc, env.delimiters)) for doc in documents]))


# 277 -------------------------------------------------------------------------------------
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


def _full_stc(d: Delimiters, s: StatusAnswer, today: date) -> str:
    paid_date = format_date8(s.paid_date) if s.paid_date else None
    status = [s.category, s.status_code]
    return _segment(
        d, "STC", status, format_date8(today), None, s.charge, s.paid, paid_date, None, paid_date, s.check_number
    )


def _replace_stcs(d: Delimiters, stcs: list[str], segments: list[str]) -> list[str]:
    replacements = iter(stcs)
    return [next(replacements) if seg.startswith(f"STC{d.element}") else seg for seg in segments]


def claim_status_277(out: Outbound, reference: str, answers: Sequence[StatusContext]) -> str:
    """277 (005010X212) answering a 276, one claim status (STC) per inquiry.

    One 277 transaction per information source/receiver pair (normally one per 276).
    """
    today = out.now.date()
    env = envelope_params(out)
    d = env.delimiters
    by_parties: dict[tuple[StatusParty, StatusParty], list[StatusContext]] = {}
    for a in answers:
        source = StatusParty(a.payer_name, a.payer_id, "PI")
        receiver = StatusParty(a.receiver_name or "RECEIVER", a.receiver_id or "0", "46")
        by_parties.setdefault((source, receiver), []).append(a)
    bodies: list[SegmentWriter] = []
    for (source, receiver), group in by_parties.items():
        claims = []
        for a in group:
            s = a.answer
            claims.append(
                ClaimStatus(
                    patient=StatusPerson(a.last_name or "UNKNOWN", a.first_name, a.member_id or "UNKNOWN"),
                    statuses=(StatusInfo(s.category, s.status_code, "", today, "", s.charge, s.paid),),
                    provider=StatusParty("PROVIDER", a.provider_npi or "0000000000", "XX"),
                    patient_control_number=s.patient_control_number,
                    trace_number=a.trace_number or "0",
                    payer_claim_control_number=s.payer_claim_id or "",
                    service_from=a.service_date,
                )
            )
        report = ClaimStatusReport(
            kind="277",
            reference=reference or f"SBX{out.control_number}",
            created=today,
            created_time=_hhmm(out),
            source=source,
            receiver=receiver,
            claims=tuple(claims),
        )
        # Toolkit gap: StatusInfo stops at STC05; the paid date (STC06/STC08) and check
        # number (STC09) are written here. Only the claims carry STCs in this report.
        stcs = [_full_stc(d, a.answer, today) for a in group]
        bodies.append(_patched(write_277_body(report, d), partial(_replace_stcs, d, stcs)))
    # write_277(report, env) per report, in one interchange.
    return str(write_interchange(env, "HN", X276_277, [("277", body) for body in bodies]))


# 835 -------------------------------------------------------------------------------------
_FILING = {PayerKind.COMMERCIAL: "12", PayerKind.MEDICARE: "MB", PayerKind.MEDICAID: "MC"}
_PAYER_ADDRESS = Address("1 SANDBOX WAY", "TESTVILLE", "CA", "94000")


def _adjustments(adjustments: Sequence[Adjustment]) -> tuple[RemitAdjustment, ...]:
    """Ordered by group (first appearance) so the toolkit writes one CAS per group."""
    groups = list(dict.fromkeys(a.group for a in adjustments))
    ordered = sorted(adjustments, key=lambda a: groups.index(a.group))
    return tuple(RemitAdjustment(a.group.value, a.reason, a.amount, a.quantity) for a in ordered)


def _remit_line(ln: LinePayment) -> RemitServiceLine:
    return RemitServiceLine(
        procedure_code=ln.procedure_code,
        charge=ln.charge,
        paid=ln.paid,
        modifiers=ln.modifiers[:4],
        units=ln.units,
        service_date=ln.service_date,
        adjustments=_adjustments(ln.adjustments),
        allowed=ln.allowed,
        line_control_number=str(ln.line_number),
        remark_codes=ln.remark_codes,
    )


def _remit_claim(c: ClaimPayment, kind: PayerKind) -> RemitClaim:
    return RemitClaim(
        patient_control_number=c.patient_control_number,
        status=c.status.value,
        charge=c.charge,
        paid=c.paid,
        payer_claim_control_number=c.payer_claim_id,
        patient_responsibility=c.patient_responsibility,
        filing_indicator=_FILING[kind],
        facility_code="11",
        frequency_code=c.frequency_code,
        patient=RemitPatient(c.subscriber_last_name or "UNKNOWN", c.subscriber_first_name, c.member_id),
        adjustments=_adjustments(c.claim_adjustments),
        lines=tuple(_remit_line(ln) for ln in c.lines),
    )


def remittance_835(out: Outbound, remittance: Remittance, kind: PayerKind) -> str:
    """835 (005010X221A1): BPR/TRN header, payer/payee, one CLP loop per claim, PLB last."""
    total = remittance.total_payment
    fiscal_end = date(remittance.payment_date.year, 12, 31)
    doc = Remittance835(
        handling_code="I" if total > 0 else "H",
        payment_amount=total,
        credit_debit="C",
        payment_method="CHK" if total > 0 else "NON",
        payment_date=remittance.payment_date,
        trace_number=remittance.trace_number,
        originator_id="1" + remittance.payer_id[:9].rjust(9, "0"),
        production_date=remittance.payment_date,
        payer=RemitPayer(remittance.payer_name, _PAYER_ADDRESS, contact_name="EDI SUPPORT", contact_phone="8005550100"),
        payee=RemitPayee("PAYEE", remittance.payee_npi, "XX"),
        claims=tuple(_remit_claim(c, kind) for c in remittance.claims),
        provider_adjustments=tuple(
            RemitProviderAdjustment(remittance.payee_npi, fiscal_end, p.reason_code, p.amount, p.reference)
            for p in remittance.provider_adjustments
        ),
    )
    env = envelope_params(out)
    d = env.delimiters
    # Toolkit gap: RemitClaim has no MOA (claim-level remark codes, MOA03-MOA07); it goes
    # right after the claim's NM1*QC, as the 2100 loop orders it.
    moas = [_segment(d, "MOA", None, None, *c.remark_codes[:5]) if c.remark_codes else "" for c in remittance.claims]

    def add_moa(segments: list[str]) -> list[str]:
        result, claim = [], -1
        for seg in segments:
            result.append(seg)
            if seg.startswith(f"CLP{d.element}"):
                claim += 1
            elif seg.startswith(f"NM1{d.element}QC{d.element}") and claim >= 0 and moas[claim]:
                result.append(moas[claim])
        return result

    # write_835(doc, env) plus the MOA segments; the 835 guide marks ST03 "not used".
    body = _patched(write_835_body(doc, d), add_moa)
    return str(write_interchange(env, "HP", X835, [("835", body)], st03=False))


# Answers built from what the inbound adapter read ---------------------------------------
def answer_271(
    out: Outbound,
    reference: str,
    asked: Sequence[tuple[Eligibility270, X12EligibilityInquiry]],
    results: Sequence[EligibilityResult],
    config: SandboxConfig,
) -> str:
    """The 271 answering the inquiries of a 270 (``results`` in the order of ``asked``); ``reference``
    is the BHT03 of the first 270."""
    contexts: list[EligibilityContext] = []
    for (doc, inq), result in zip(asked, results, strict=True):
        payer = config.payer(doc.source.id)
        contexts.append(
            EligibilityContext(
                payer_id=doc.source.id or "UNKNOWN",
                payer_name=payer.name if payer else doc.source.name or "UNKNOWN PAYER",
                receiver_name=doc.receiver.name,
                receiver_id=doc.receiver.id,
                receiver_qualifier=doc.receiver.id_qualifier,
                trace_number=inq.trace_number,
                trace_originator=inq.trace_originator,
                result=result,
            )
        )
    kinds = {p.payer_id: p.kind for p in config.payers}
    return eligibility_271(out, reference, contexts, kinds)


def answer_277(
    out: Outbound,
    reference: str,
    asked: Sequence[tuple[ClaimStatusRequest276, X12StatusInquiry]],
    answers: Sequence[StatusAnswer],
    config: SandboxConfig,
) -> str:
    """The 277 answering the claim inquiries of a 276 (``answers`` in the order of ``asked``);
    ``reference`` is the BHT03 of the first 276."""
    contexts: list[StatusContext] = []
    for (doc, inq), answer in zip(asked, answers, strict=True):
        payer = config.payer(doc.source.id)
        contexts.append(
            StatusContext(
                payer_id=doc.source.id or "UNKNOWN",
                payer_name=payer.name if payer else doc.source.name or "UNKNOWN PAYER",
                receiver_name=doc.receiver.name,
                receiver_id=doc.receiver.id,
                provider_npi=inq.provider.id,
                member_id=inq.subscriber.member_id,
                last_name=inq.subscriber.last_name,
                first_name=inq.subscriber.first_name,
                trace_number=inq.trace_number,
                service_date=inq.service_from,
                answer=answer,
            )
        )
    return claim_status_277(out, reference, contexts)


def rejecting_999(inter: Interchange, issues: Sequence[X12Issue], out: Outbound) -> str | None:
    """A 999 rejecting every transaction set of ``inter`` with its issue (one per set, in order);
    None when the interchange has no functional group."""
    remaining = iter(issues)
    acks: list[Ack999] = []
    for group in inter.groups:
        tx_acks = [transaction_ack_from_issues(tx, [next(remaining)]) for tx in group.transactions]
        acks.append(
            group_ack(
                group.header.functional_id,
                group.header.control_number,
                group.header.version,
                len(group.transactions),
                tx_acks,
            )
        )
    return write_999(acks, envelope_params(out)) if acks else None


class X12ClaimReplies:
    """The answers to one received 837 interchange: TA1 025 if resent, its 999, the 277CA."""

    def __init__(
        self,
        header: InterchangeHeader,
        acks: Sequence[Ack999],
        config: SandboxConfig,
        submitter_id: str,
        submitter_name: str,
    ) -> None:
        self._header = header
        self._acks = list(acks)
        self._config = config
        self._submitter_id = submitter_id
        self._submitter_name = submitter_name

    def duplicate_notice(self, envelope: Outbound) -> str:
        h = self._header
        return write_ta1(Ta1(h.control_number, h.date, h.time, "R", "025"), envelope_params(envelope))

    def syntax_acknowledgement(self, envelope: Outbound) -> str:
        return write_999(self._acks, envelope_params(envelope))

    def claim_acknowledgements(self, envelope: Outbound, decisions: Sequence[AcceptedClaim]) -> str:
        return ack_277ca(envelope, self._config, self._submitter_id, self._submitter_name, decisions)


class X12RemittanceWriter:
    """Writes 835s with :func:`remittance_835`."""

    def remittance_835(self, envelope: Outbound, remittance: Remittance, kind: PayerKind) -> str:
        return remittance_835(envelope, remittance, kind)
