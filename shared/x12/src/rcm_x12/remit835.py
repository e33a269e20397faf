"""835 (005010X221A1) remittance advice: model, reader, writer and balancing checks.

Balancing follows the 835 guide (section 1.10.2): per line SVC02 - SVC03 = sum of the line's
CAS amounts; per claim CLP03 - CLP04 = sum of claim and line CAS amounts; per transaction
BPR02 = sum of CLP04 - sum of PLB amounts. An 835 that does not balance should be held for
review, never half-posted; :func:`balance_problems` tells which level is off and by how much.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from rcm_x12._elements import IssueCollector, comp, components, transaction_body
from rcm_x12.common import Address
from rcm_x12.errors import X12Issue
from rcm_x12.guides import X835
from rcm_x12.syntax import Delimiters, Segment, TransactionSet, parse_date8
from rcm_x12.writer import EnvelopeParams, SegmentWriter, format_date8, write_interchange

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS reason/amount/quantity triple with its group code (CO, PR, OA, PI, CR)."""

    group_code: str
    reason_code: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class RemitServiceLine:
    """2110: SVC, DTM*472, CAS, REF*6R, AMT*B6, LQ*HE."""

    procedure_code: str
    charge: Decimal
    paid: Decimal
    procedure_qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    units: Decimal | None = None
    service_date: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    allowed: Decimal | None = None
    line_control_number: str = ""
    remark_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemitPatient:
    """2100 NM1*QC."""

    last_name: str
    first_name: str = ""
    member_id: str = ""


@dataclass(frozen=True, slots=True)
class RemitClaim:
    """2100: CLP01..CLP09, claim CAS, patient, dates and lines."""

    patient_control_number: str
    status: str
    charge: Decimal
    paid: Decimal
    payer_claim_control_number: str
    patient_responsibility: Decimal | None = None
    filing_indicator: str = ""
    facility_code: str = ""
    frequency_code: str = ""
    patient: RemitPatient | None = None
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[RemitServiceLine, ...] = ()
    service_from: date | None = None
    service_to: date | None = None
    received_date: date | None = None


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB adjustment (PLB03..PLB14 pair): reason code (e.g. L6 interest, WO recoupment,
    FB forward balance), reference and amount. Positive amounts reduce the payment."""

    provider_id: str
    fiscal_period_end: date
    reason_code: str
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True, slots=True)
class RemitPayer:
    """1000A N1*PR with address, payer id (REF*2U) and technical contact PER*BL."""

    name: str
    address: Address | None = None
    payer_id: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True, slots=True)
class RemitPayee:
    """1000B N1*PE: NPI (XX) or other id, tax id REF*TJ."""

    name: str
    id: str
    id_qualifier: str = "XX"
    tax_id: str = ""
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Remittance835:
    """One 835 transaction set: one payment (check/EFT) and the claims it pays."""

    payment_amount: Decimal
    payment_method: str
    payment_date: date | None
    trace_number: str
    payer: RemitPayer
    payee: RemitPayee
    claims: tuple[RemitClaim, ...]
    handling_code: str = "I"
    credit_debit: str = "C"
    payment_format: str = ""
    # BPR06..BPR15 (DFI and account ids) kept verbatim; only needed for ACH.
    bank_details: tuple[str, ...] = ()
    originator_id: str = ""
    production_date: date | None = None
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()


# --------------------------------------------------------------------------- balancing

BalanceLevel = Literal["line", "claim", "transaction"]


@dataclass(frozen=True, slots=True)
class BalanceProblem:
    """A balancing rule that fails: ``difference`` = left side - right side."""

    level: BalanceLevel
    reason: str
    difference: Decimal
    patient_control_number: str = ""
    line_number: int | None = None


def line_adjustment_total(line: RemitServiceLine) -> Decimal:
    """Sum of the line's CAS amounts."""
    return sum((a.amount for a in line.adjustments), ZERO)


def line_balance_difference(line: RemitServiceLine) -> Decimal:
    """SVC02 - SVC03 - sum(line CAS); zero when the line balances."""
    return line.charge - line.paid - line_adjustment_total(line)


def claim_balance_difference(claim: RemitClaim) -> Decimal:
    """CLP03 - CLP04 - sum(claim CAS) - sum(line CAS); zero when the claim balances."""
    total = sum((a.amount for a in claim.adjustments), ZERO)
    total += sum((line_adjustment_total(ln) for ln in claim.lines), ZERO)
    return claim.charge - claim.paid - total


def transaction_balance_difference(remit: Remittance835) -> Decimal:
    """sum(CLP04) - sum(PLB) - BPR02; zero when the payment balances."""
    paid = sum((c.paid for c in remit.claims), ZERO)
    plb = sum((p.amount for p in remit.provider_adjustments), ZERO)
    return paid - plb - remit.payment_amount


def balance_problems(remit: Remittance835) -> list[BalanceProblem]:
    """Every line, claim and transaction balancing failure of ``remit`` (empty = balanced)."""
    problems: list[BalanceProblem] = []
    for claim in remit.claims:
        for n, line in enumerate(claim.lines, start=1):
            diff = line_balance_difference(line)
            if diff:
                problems.append(BalanceProblem(
                    "line", "SVC02 - SVC03 does not equal the line adjustments", diff,
                    claim.patient_control_number, n))
        diff = claim_balance_difference(claim)
        if diff:
            problems.append(BalanceProblem(
                "claim", "CLP03 - CLP04 does not equal the claim and line adjustments", diff,
                claim.patient_control_number))
    diff = transaction_balance_difference(remit)
    if diff:
        problems.append(BalanceProblem("transaction", "BPR02 is not sum(CLP04) - sum(PLB)", diff))
    return problems


def is_balanced(remit: Remittance835) -> bool:
    """True when every line, claim and the transaction balance to the cent."""
    return not balance_problems(remit)


# --------------------------------------------------------------------------- reader
#
# One pass over the segments, keeping the loop we are in the way the guide nests them:
#
#   HEADER  BPR TRN DTM*405
#   1000A   payer  N1*PR N3 N4 REF*2U PER*BL      1000B  payee  N1*PE N3 N4 REF*TJ
#   2000    LX (header number; closes the open claim)
#   2100    claim payment  CLP CAS NM1*QC DTM*232/233/050
#   2110    service payment  SVC CAS DTM*472/150 AMT*B6 REF*6R LQ*HE
#   PLB     provider adjustments (after the last claim)


def _payment_date(bpr: Segment) -> date | None:
    value = parse_date8(bpr.get(16))
    if value is None and not bpr.get(16) and len(bpr.elements) == 15:
        # Several published 835 samples put the date one element early (BPR15).
        value = parse_date8(bpr.get(15))
    return value


def _check_payment_date(seg: Segment, c: IssueCollector) -> None:
    # BPR16 is required by the guide, but the money (BPR02, CLP04, PLB) posts correctly
    # without it; report it as a warning (999 "E") so the remittance is not thrown away.
    if _payment_date(seg) is None:
        c.element(seg, 16, "8" if seg.get(16) else "1",
                  "BPR16 (payment date) is missing or not a CCYYMMDD date", severity="warning")
    elif not seg.get(16):
        c.element(seg, 16, "1", "payment date found in BPR15 instead of BPR16",
                  severity="warning")


def _read_cas(seg: Segment, c: IssueCollector, out: list[Adjustment]) -> None:
    group = c.req(seg, 1, "claim adjustment group code")
    if group and group not in ("CO", "PR", "OA", "PI", "CR"):
        c.element(seg, 1, "7", f"CAS01 group code {group!r} is not CO, PR, OA, PI or CR")
    for k in range(6):
        reason_pos = 2 + 3 * k
        reason = seg.get(reason_pos)
        if not reason:
            if k == 0:
                c.element(seg, 2, "1", "CAS02 reason code is required")
            continue
        amount = c.amount(seg, reason_pos + 1, "adjustment amount")
        qty = c.amount(seg, reason_pos + 2, "adjustment quantity", required=False)
        out.append(Adjustment(group, reason, amount if amount is not None else ZERO, qty))


@dataclass
class _PartyFields:
    """1000A payer or 1000B payee as read so far."""

    name: str
    qualifier: str
    id: str
    address: Address | None = None
    payer_id: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    tax_id: str = ""


@dataclass
class _ServicePaymentFields:
    """2110 as read so far."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    revenue_code: str
    units: Decimal | None
    service_date: date | None = None
    allowed: Decimal | None = None
    line_control_number: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)
    remark_codes: list[str] = field(default_factory=list)


@dataclass
class _ClaimPaymentFields:
    """2100 as read so far, with its finished 2110 lines."""

    patient_control_number: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_indicator: str
    payer_claim_control_number: str
    facility_code: str
    frequency_code: str
    patient: RemitPatient | None = None
    service_from: date | None = None
    service_to: date | None = None
    received_date: date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    lines: list[RemitServiceLine] = field(default_factory=list)


class _Remittance835Reader:
    """The state of one 835 transaction set while its segments are read in order."""

    def __init__(self, tx: TransactionSet, delims: Delimiters) -> None:
        self.tx = tx
        self.cs = delims.component
        self.c = IssueCollector()
        self.loop = "HEADER"
        self.bpr: Segment | None = None
        self.trn: Segment | None = None
        self.production: date | None = None
        self.payer: _PartyFields | None = None
        self.payee: _PartyFields | None = None
        self.last_n3: Segment | None = None
        self.claim: _ClaimPaymentFields | None = None
        self.line: _ServicePaymentFields | None = None
        self.claims: list[RemitClaim] = []
        self.plbs: list[ProviderAdjustment] = []

    def read(self) -> tuple[Remittance835 | None, list[X12Issue]]:
        """Read every segment between ST and SE; the document (None if unusable) and the issues."""
        for seg in transaction_body(self.tx):
            self.c.loop = self.loop
            self._read_segment(seg)
        self._close_2100_claim_payment()
        return self._document(), self.c.issues

    def _read_segment(self, seg: Segment) -> None:
        """Hand one segment to the reader of its loop (BPR, LX, CLP and PLB in any loop)."""
        sid = seg.id
        if sid == "BPR":
            self._read_header_bpr(seg)
        elif sid == "LX":
            self._close_2100_claim_payment()
            self.loop = "2000"
        elif sid == "CLP":
            self._start_2100_claim_payment(seg)
        elif sid == "PLB":
            self._read_plb_provider_adjustment(seg)
        elif self.claim is None:
            self._read_header_and_1000(seg)
        elif sid == "SVC":
            self._start_2110_service_payment(seg)
        elif self.line is not None:
            self._read_2110_service_payment(seg, self.line)
        else:
            self._read_2100_claim_payment(seg, self.claim)

    def _read_header_bpr(self, seg: Segment) -> None:
        """BPR financial information (wherever it appears; the last one counts)."""
        c = self.c
        self.bpr = seg
        c.req(seg, 1, "transaction handling code")
        c.amount(seg, 2, "total payment amount")
        c.req(seg, 3, "credit/debit flag")
        c.req(seg, 4, "payment method")
        _check_payment_date(seg, c)

    def _read_header_and_1000(self, seg: Segment) -> None:
        """Header TRN and DTM*405; 1000A payer and 1000B payee: N1, N3/N4, REF, PER."""
        sid, loop = seg.id, self.loop
        if loop == "HEADER" and sid == "TRN":
            self.trn = seg
            self.c.req(seg, 2, "check or EFT trace number")
        elif loop == "HEADER" and sid == "DTM":
            if seg.get(1) == "405":
                self.production = self.c.date8(seg, 2, "production date")
        elif sid == "N1" and seg.get(1) in ("PR", "PE"):
            self.loop = self.c.loop = "1000A" if seg.get(1) == "PR" else "1000B"
            party = _PartyFields(name=self.c.req(seg, 2, "name"), qualifier=seg.get(3), id=seg.get(4))
            if self.loop == "1000A":
                self.payer = party
            else:
                self.payee = party
        elif sid == "N3":
            self.last_n3 = seg
        elif sid == "N4":
            target = self.payer if loop == "1000A" else self.payee if loop == "1000B" else None
            if target is not None:
                n3 = self.last_n3
                target.address = Address(
                    line1=n3.get(1) if n3 else "", line2=n3.get(2) if n3 else "",
                    city=seg.get(1), state=seg.get(2), postal_code=seg.get(3))
            self.last_n3 = None
        elif loop == "1000A" and self.payer is not None:
            self._read_1000a_payer(seg, self.payer)
        elif loop == "1000B" and self.payee is not None:
            self._read_1000b_payee(seg, self.payee)

    def _read_1000a_payer(self, seg: Segment, payer: _PartyFields) -> None:
        """1000A payer: PER*BL technical contact, REF*2U payer id."""
        if seg.id == "PER" and seg.get(1) == "BL":
            payer.contact_name = seg.get(2)
            payer.contact_phone = seg.get(4) if seg.get(3) == "TE" else ""
        elif seg.id == "REF" and seg.get(1) == "2U":
            payer.payer_id = seg.get(2)

    def _read_1000b_payee(self, seg: Segment, payee: _PartyFields) -> None:
        """1000B payee: REF*TJ tax id."""
        if seg.id == "REF" and seg.get(1) == "TJ":
            payee.tax_id = seg.get(2)

    def _start_2100_claim_payment(self, seg: Segment) -> None:
        """CLP: closes the open claim and opens 2100."""
        c = self.c
        self._close_2100_claim_payment()
        self.loop = c.loop = "2100"
        charge = c.amount(seg, 3, "total claim charge")
        paid = c.amount(seg, 4, "claim payment amount")
        pr = c.amount(seg, 5, "patient responsibility", required=False)
        self.claim = _ClaimPaymentFields(
            patient_control_number=c.req(seg, 1, "patient control number"),
            status=c.req(seg, 2, "status"),
            charge=charge if charge is not None else ZERO,
            paid=paid if paid is not None else ZERO, patient_responsibility=pr,
            filing_indicator=seg.get(6), payer_claim_control_number=seg.get(7),
            facility_code=seg.get(8), frequency_code=seg.get(9),
        )

    def _read_2100_claim_payment(self, seg: Segment, claim: _ClaimPaymentFields) -> None:
        """2100 claim payment: CAS, NM1*QC patient, DTM*232/233 statement dates, DTM*050."""
        sid, c = seg.id, self.c
        if sid == "CAS":
            _read_cas(seg, c, claim.adjustments)
        elif sid == "NM1" and seg.get(1) == "QC":
            claim.patient = RemitPatient(seg.get(3), seg.get(4), seg.get(9))
        elif sid == "DTM" and seg.get(1) == "232":
            claim.service_from = c.date8(seg, 2, "claim statement period start")
        elif sid == "DTM" and seg.get(1) == "233":
            claim.service_to = c.date8(seg, 2, "claim statement period end")
        elif sid == "DTM" and seg.get(1) == "050":
            claim.received_date = c.date8(seg, 2, "claim received date")

    def _close_2100_claim_payment(self) -> None:
        """Finish the open 2110 line and the open 2100 claim as a RemitClaim."""
        self._close_2110_service_payment()
        claim = self.claim
        if claim is not None:
            self.claims.append(RemitClaim(
                patient_control_number=claim.patient_control_number, status=claim.status,
                charge=claim.charge, paid=claim.paid,
                patient_responsibility=claim.patient_responsibility,
                filing_indicator=claim.filing_indicator,
                payer_claim_control_number=claim.payer_claim_control_number,
                facility_code=claim.facility_code, frequency_code=claim.frequency_code,
                patient=claim.patient, adjustments=tuple(claim.adjustments), lines=tuple(claim.lines),
                service_from=claim.service_from, service_to=claim.service_to,
                received_date=claim.received_date,
            ))
        self.claim = None

    def _start_2110_service_payment(self, seg: Segment) -> None:
        """SVC: closes the open line and opens 2110 in the current claim."""
        c = self.c
        self._close_2110_service_payment()
        self.loop = c.loop = "2110"
        parts = components(seg.get(1), self.cs)
        if not comp(parts, 2):
            # Posting matches lines by REF*6R / position, not by code, so a line without
            # a code is still postable: warn (999 "E") instead of rejecting the payment.
            c.element(seg, 1, "1", "SVC01 procedure code is missing", component=2,
                      severity="warning")
        charge = c.amount(seg, 2, "line charge")
        paid = c.amount(seg, 3, "line payment")
        self.line = _ServicePaymentFields(
            qualifier=comp(parts, 1), code=comp(parts, 2), modifiers=tuple(m for m in parts[2:6] if m),
            charge=charge if charge is not None else ZERO, paid=paid if paid is not None else ZERO,
            revenue_code=seg.get(4), units=c.amount(seg, 5, "units paid", required=False),
        )

    def _read_2110_service_payment(self, seg: Segment, line: _ServicePaymentFields) -> None:
        """2110 service payment: CAS, DTM*472/150 service date, AMT*B6 allowed, REF*6R, LQ*HE."""
        sid, c = seg.id, self.c
        if sid == "CAS":
            _read_cas(seg, c, line.adjustments)
        elif sid == "DTM" and seg.get(1) in ("472", "150"):
            line.service_date = c.date8(seg, 2, "service date")
        elif sid == "AMT" and seg.get(1) == "B6":
            line.allowed = c.amount(seg, 2, "allowed amount")
        elif sid == "REF" and seg.get(1) == "6R":
            line.line_control_number = seg.get(2)
        elif sid == "LQ" and seg.get(1) == "HE":
            line.remark_codes.append(seg.get(2))

    def _close_2110_service_payment(self) -> None:
        """Finish the open 2110 as a RemitServiceLine of the open claim."""
        line = self.line
        if line is not None and self.claim is not None:
            self.claim.lines.append(RemitServiceLine(
                procedure_code=line.code, procedure_qualifier=line.qualifier,
                modifiers=line.modifiers, charge=line.charge, paid=line.paid,
                revenue_code=line.revenue_code, units=line.units, service_date=line.service_date,
                adjustments=tuple(line.adjustments), allowed=line.allowed,
                line_control_number=line.line_control_number, remark_codes=tuple(line.remark_codes),
            ))
        self.line = None

    def _read_plb_provider_adjustment(self, seg: Segment) -> None:
        """PLB: closes the open claim; up to six adjustment reason/amount pairs."""
        c = self.c
        self._close_2100_claim_payment()
        self.loop = c.loop = "PLB"
        provider = c.req(seg, 1, "provider identifier")
        period = c.date8(seg, 2, "fiscal period date")
        for k in range(6):
            pos = 3 + 2 * k
            if not seg.get(pos):
                if k == 0:
                    c.element(seg, 3, "1", "PLB03 adjustment identifier is required")
                continue
            parts = components(seg.get(pos), self.cs)
            amount = c.amount(seg, pos + 1, "provider adjustment amount")
            self.plbs.append(ProviderAdjustment(
                provider_id=provider, fiscal_period_end=period or date(1900, 1, 1),
                reason_code=comp(parts, 1), reference=comp(parts, 2),
                amount=amount if amount is not None else ZERO))

    def _document(self) -> Remittance835 | None:
        """The Remittance835 from what was read, after the checks that need the whole set."""
        c, first = self.c, self.tx.segments[0]
        c.loop = None
        bpr, trn, payer, payee = self.bpr, self.trn, self.payer, self.payee
        if bpr is None:
            c.missing("BPR", "HEADER", first, "financial information")
        if trn is None:
            c.missing("TRN", "HEADER", first, "reassociation trace number")
        if payer is None:
            c.missing("N1", "1000A", first, "payer identification N1*PR")
        if payee is None:
            c.missing("N1", "1000B", first, "payee identification N1*PE")
        if bpr is None or trn is None or payer is None or payee is None:
            return None
        pay_amount = c.amount(bpr, 2, "total payment amount")
        return Remittance835(
            handling_code=bpr.get(1), payment_amount=pay_amount if pay_amount is not None else ZERO,
            credit_debit=bpr.get(3), payment_method=bpr.get(4), payment_format=bpr.get(5),
            bank_details=tuple(bpr.get(k) for k in range(6, 16)) if any(
                bpr.get(k) for k in range(6, 16)) else (),
            payment_date=_payment_date(bpr),
            trace_number=trn.get(2), originator_id=trn.get(3), production_date=self.production,
            payer=RemitPayer(
                name=payer.name, address=payer.address, payer_id=payer.payer_id,
                contact_name=payer.contact_name, contact_phone=payer.contact_phone),
            payee=RemitPayee(
                name=payee.name, id_qualifier=payee.qualifier, id=payee.id, tax_id=payee.tax_id,
                address=payee.address),
            claims=tuple(self.claims), provider_adjustments=tuple(self.plbs),
        )


def read_835_transaction(tx: TransactionSet,
                         delims: Delimiters) -> tuple[Remittance835 | None, list[X12Issue]]:
    """Parse one 835 ST..SE; returns the document (None if unusable) and the issues found."""
    return _Remittance835Reader(tx, delims).read()


# --------------------------------------------------------------------------- writer


def _write_cas(w: SegmentWriter, adjustments: tuple[Adjustment, ...]) -> None:
    # Consecutive adjustments of the same group share a CAS segment, six triples at most.
    groups: list[tuple[str, list[Adjustment]]] = []
    for adj in adjustments:
        if groups and groups[-1][0] == adj.group_code and len(groups[-1][1]) < 6:
            groups[-1][1].append(adj)
        else:
            groups.append((adj.group_code, [adj]))
    for group, adjs in groups:
        elements: list[str | Decimal | None] = []
        for a in adjs:
            elements += [a.reason_code, a.amount, a.quantity]
        w.seg("CAS", group, *elements)


def _write_address(w: SegmentWriter, a: Address | None) -> None:
    if a is not None:
        w.seg("N3", a.line1, a.line2 or None)
        w.seg("N4", a.city, a.state, a.postal_code)


def write_835_body(doc: Remittance835, delimiters: Delimiters) -> SegmentWriter:
    """The segments between ST and SE for ``doc``."""
    w = SegmentWriter(delimiters)
    bank = list(doc.bank_details) + [""] * (10 - len(doc.bank_details))
    w.seg("BPR", doc.handling_code, doc.payment_amount, doc.credit_debit, doc.payment_method,
          doc.payment_format or None, *bank[:10],
          format_date8(doc.payment_date) if doc.payment_date else None)
    w.seg("TRN", "1", doc.trace_number, doc.originator_id or None)
    if doc.production_date:
        w.seg("DTM", "405", format_date8(doc.production_date))
    p = doc.payer
    w.seg("N1", "PR", p.name)
    _write_address(w, p.address)
    if p.payer_id:
        w.seg("REF", "2U", p.payer_id)
    w.seg("PER", "BL", p.contact_name or None, "TE" if p.contact_phone else None,
          p.contact_phone or None)
    pe = doc.payee
    w.seg("N1", "PE", pe.name, pe.id_qualifier, pe.id)
    _write_address(w, pe.address)
    if pe.tax_id:
        w.seg("REF", "TJ", pe.tax_id)
    if doc.claims:
        w.seg("LX", "1")
    for cl in doc.claims:
        w.seg("CLP", cl.patient_control_number, cl.status, cl.charge, cl.paid,
              cl.patient_responsibility, cl.filing_indicator, cl.payer_claim_control_number,
              cl.facility_code or None, cl.frequency_code or None)
        _write_cas(w, cl.adjustments)
        if cl.patient is not None:
            pt = cl.patient
            w.seg("NM1", "QC", "1", pt.last_name, pt.first_name or None, None, None, None,
                  "MI" if pt.member_id else None, pt.member_id or None)
        if cl.service_from:
            w.seg("DTM", "232", format_date8(cl.service_from))
        if cl.service_to:
            w.seg("DTM", "233", format_date8(cl.service_to))
        if cl.received_date:
            w.seg("DTM", "050", format_date8(cl.received_date))
        for ln in cl.lines:
            w.seg("SVC", (ln.procedure_qualifier, ln.procedure_code, *ln.modifiers), ln.charge,
                  ln.paid, ln.revenue_code or None, ln.units)
            if ln.service_date:
                w.seg("DTM", "472", format_date8(ln.service_date))
            _write_cas(w, ln.adjustments)
            if ln.line_control_number:
                w.seg("REF", "6R", ln.line_control_number)
            if ln.allowed is not None:
                w.seg("AMT", "B6", ln.allowed)
            for rc in ln.remark_codes:
                w.seg("LQ", "HE", rc)
    # PLB: consecutive adjustments of one provider and period share a segment, six at most.
    plb_rows: list[tuple[str, date, list[ProviderAdjustment]]] = []
    for adj in doc.provider_adjustments:
        if plb_rows and plb_rows[-1][:2] == (adj.provider_id, adj.fiscal_period_end) \
                and len(plb_rows[-1][2]) < 6:
            plb_rows[-1][2].append(adj)
        else:
            plb_rows.append((adj.provider_id, adj.fiscal_period_end, [adj]))
    for provider, period, adjs in plb_rows:
        elements: list[tuple[str, str] | Decimal] = []
        for a in adjs:
            elements += [(a.reason_code, a.reference), a.amount]
        w.seg("PLB", provider, format_date8(period), *elements)
    return w


def write_835(doc: Remittance835, envelope: EnvelopeParams) -> str:
    """Write an 835 interchange (one transaction set) for ``doc``."""
    # The 835 guide marks ST03 "not used" (unlike the 837/277/999 guides).
    return write_interchange(envelope, "HP", X835, [("835", write_835_body(doc, envelope.delimiters))],
                             st03=False)
