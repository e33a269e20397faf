"""837P (005010X222A1) and 837I (005010X223A2) claims: models, reader, writer.

Diagnosis codes are kept exactly as the model or the sender gave them. On the wire X12
forbids the decimal point in ICD-10-CM codes, so the writer drops a "." if one is present;
the reader returns the wire value (``"E119"``). Store codes without the point to round-trip.

One :class:`Claim837` is one transaction set; each :class:`Claim` carries its own billing
provider, subscriber, payer and (when not the subscriber) patient, and the writer rebuilds
the HL hierarchy from consecutive claims that share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from rcm_x12._elements import IssueCollector, comp, components, transaction_body
from rcm_x12.common import Address
from rcm_x12.errors import X12Issue
from rcm_x12.guides import ACCEPTED_837I, ACCEPTED_837P, X837I, X837P
from rcm_x12.syntax import Delimiters, Segment, TransactionSet, parse_date8
from rcm_x12.writer import EnvelopeParams, SegmentWriter, format_date8, write_interchange

ClaimKind = Literal["P", "I"]
_NUMERIC = re.compile(r"^[0-9]{1,2}(?:\.[0-9]*)?$")


@dataclass(frozen=True, slots=True)
class Submitter:
    """1000A: NM1*41 + PER*IC."""

    name: str
    id: str
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True, slots=True)
class Receiver:
    """1000B: NM1*40."""

    name: str
    id: str


@dataclass(frozen=True, slots=True)
class BillingProvider:
    """2010AA: NM1*85 (organisation unless ``first_name`` is set), N3/N4, REF*EI tax id."""

    name: str
    npi: str
    tax_id: str
    address: Address
    first_name: str = ""
    taxonomy: str = ""


@dataclass(frozen=True, slots=True)
class Subscriber:
    """2000B SBR + 2010BA NM1*IL/DMG. ``relationship`` is SBR02 ("18" self, "" otherwise)."""

    member_id: str
    last_name: str
    first_name: str = ""
    birth_date: date | None = None
    sex: str = ""
    relationship: str = "18"
    payer_responsibility: str = "P"
    group_number: str = ""
    claim_filing_indicator: str = "CI"
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    """2010BB: NM1*PR with payer id (PI)."""

    name: str
    payer_id: str
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Patient:
    """2000C/2010CA, only when the patient is not the subscriber; PAT01 relationship."""

    last_name: str
    first_name: str
    birth_date: date | None
    sex: str
    relationship: str
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    """A person provider by NPI (2310B rendering NM1*82, 2310A attending NM1*71)."""

    last_name: str
    first_name: str
    npi: str
    taxonomy: str = ""


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """2400: SV1 (837P) or SV2 (837I, with ``revenue_code``), DTP*472, REF*6R."""

    procedure_code: str
    charge: Decimal
    units: Decimal
    service_date: date | None = None
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = (1,)
    unit_basis: str = "UN"
    procedure_qualifier: str = "HC"
    revenue_code: str = ""
    line_control_number: str = ""
    place_of_service: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """2300 claim. ``place_of_service`` is CLM05-1: the place of service (837P) or the
    facility type code (837I). ``diagnoses``: ICD-10-CM, principal first (HI ABK, then ABF)."""

    patient_control_number: str
    total_charge: Decimal
    place_of_service: str
    billing_provider: BillingProvider
    subscriber: Subscriber
    payer: Payer
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    frequency_code: str = "1"
    payer_claim_control_number: str = ""
    prior_authorization: str = ""
    patient: Patient | None = None
    rendering_provider: Provider | None = None
    provider_signature: str = "Y"
    assignment: str = "A"
    benefits_assignment: str = "Y"
    release_of_information: str = "Y"
    # 837I only
    attending_provider: Provider | None = None
    statement_from: date | None = None
    statement_to: date | None = None
    admission_type: str = ""
    admission_source: str = ""
    patient_status: str = ""


@dataclass(frozen=True, slots=True)
class Claim837:
    """One 837 transaction set: BHT, submitter, receiver and its claims."""

    kind: ClaimKind
    submitter: Submitter
    receiver: Receiver
    reference: str
    created: date
    claims: tuple[Claim, ...]
    created_time: str = "1200"
    purpose: str = "00"
    transaction_type: str = "CH"


def claim_kind_for_guide(guide: str) -> ClaimKind | None:
    """'P' or 'I' for an accepted 837 GS08/ST03 value, else None."""
    if guide in ACCEPTED_837P:
        return "P"
    if guide in ACCEPTED_837I:
        return "I"
    return None


# --------------------------------------------------------------------------- reader
#
# One pass over the segments, keeping the loop we are in (``loop``) the way the guide nests
# them. Each loop has its reader below; the billing provider, subscriber and patient loops
# are collected as they come and turned into models when the next HL or CLM closes them,
# so every claim gets the parties of the HL it sits under.
#
#   HEADER  BHT                        1000A  NM1*41 PER          1000B  NM1*40
#   2000A   HL*20 PRV                  2010AA NM1*85 N3 N4 REF*EI/SY
#   2000B   HL*22 SBR                  2010BA NM1*IL N3 N4 DMG    2010BB NM1*PR N3 N4
#   2000C   HL*23 PAT                  2010CA NM1*QC N3 N4 DMG
#   2300    CLM DTP*434 CL1 REF*F8/G1 HI    2310A/2310B NM1*71/82 PRV    2320 (SBR..) skipped
#   2400    LX SV1/SV2 DTP*472 REF*6R       2420 (NM1..) skipped
#
# A loop id ending in "?" (2010A?, 2010B?, 2010C?, 2310?) is a loop the models do not hold
# (pay-to, other payer names, referring providers, ...): its segments are skipped.

_HEADER_LOOPS = ("HEADER", "1000A", "1000B")


@dataclass
class _BillingProviderFields:
    """2000A/2010AA as read so far; ``built`` once the loop is closed."""

    hl: Segment
    name: str | None = None
    first_name: str = ""
    npi: str = ""
    tax_id: str = ""
    taxonomy: str = ""
    address: Address | None = None
    built: BillingProvider | None = None


@dataclass
class _PayerFields:
    """2010BB as read so far."""

    name: str
    id: str
    address: Address | None = None


@dataclass
class _SubscriberFields:
    """2000B/2010BA as read so far; ``built`` (with its 2010BB payer) once closed."""

    hl: Segment
    responsibility: str = ""
    relationship: str = ""
    group: str = ""
    filing: str = ""
    member_id: str | None = None
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: Address | None = None
    payer: _PayerFields | None = None
    built: Subscriber | None = None
    built_payer: Payer | None = None


@dataclass
class _PatientFields:
    """2000C/2010CA as read so far; ``built`` once closed."""

    hl: Segment
    relationship: str = ""
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: Address | None = None
    built: Patient | None = None


@dataclass
class _LineFields:
    """2400 as read so far; the SV1/SV2 fields are set together (``has_service``)."""

    start: Segment
    has_service: bool = False
    procedure_qualifier: str = ""
    procedure_code: str = ""
    modifiers: tuple[str, ...] = ()
    charge: Decimal = Decimal(0)
    unit_basis: str = ""
    units: Decimal = Decimal(0)
    diagnosis_pointers: tuple[int, ...] = ()
    revenue_code: str = ""
    place_of_service: str = ""
    service_date: date | None = None
    line_control_number: str = ""


@dataclass
class _ClaimFields:
    """2300 as read so far, with the parties of the HL it sits under."""

    start: Segment
    billing_provider: BillingProvider | None
    subscriber: Subscriber | None
    payer: Payer | None
    patient: Patient | None
    patient_control_number: str
    total_charge: Decimal
    place_of_service: str
    frequency_code: str
    provider_signature: str
    assignment: str
    benefits_assignment: str
    release_of_information: str
    payer_claim_control_number: str = ""
    prior_authorization: str = ""
    statement_from: date | None = None
    statement_to: date | None = None
    admission_type: str = ""
    admission_source: str = ""
    patient_status: str = ""
    has_principal: bool = False
    diagnoses: list[str] = field(default_factory=list)
    # By loop id: "2310A" attending, "2310B" rendering.
    providers: dict[str, Provider] = field(default_factory=dict)
    lines: list[_LineFields] = field(default_factory=list)


def _integral_pointer(value: str) -> int | None:
    """A diagnosis pointer written as a decimal ("1.00") as its integer, if it is 1-12."""
    try:
        number = Decimal(value) if _NUMERIC.match(value) else None
    except ArithmeticError:
        return None
    if number is None or number != number.to_integral_value() or not 1 <= number <= 12:
        return None
    return int(number)


def _address(n3: Segment | None, n4: Segment) -> Address:
    """N3 (optional) and N4 as an Address."""
    return Address(line1=n3.get(1) if n3 else "", line2=n3.get(2) if n3 else "",
                   city=n4.get(1), state=n4.get(2), postal_code=n4.get(3))


class _Claim837Reader:
    """The state of one 837 transaction set while its segments are read in order."""

    def __init__(self, tx: TransactionSet, delims: Delimiters, kind: ClaimKind) -> None:
        self.tx = tx
        self.kind = kind
        self.cs = delims.component
        self.c = IssueCollector()
        self.loop = "HEADER"
        self.bht: Segment | None = None
        self.submitter: Submitter | None = None
        self.receiver: Receiver | None = None
        self.hl_ids: dict[str, str] = {}
        self.bp: _BillingProviderFields | None = None
        self.sub: _SubscriberFields | None = None
        self.pat: _PatientFields | None = None
        self.claim: _ClaimFields | None = None
        self.line: _LineFields | None = None
        self.claims: list[_ClaimFields] = []
        self.last_n3: Segment | None = None
        self.last = tx.segments[0]

    def read(self) -> tuple[Claim837 | None, list[X12Issue]]:
        """Read every segment between ST and SE; the document (None if unusable) and the issues."""
        for seg in transaction_body(self.tx):
            self.last = seg
            self.c.loop = self.loop
            self._read_segment(seg)
        if self.claim is not None:
            self.claims.append(self.claim)
        self._close_party_loops()
        return self._document(), self.c.issues

    def _read_segment(self, seg: Segment) -> None:
        """Hand one segment to the reader of its loop.

        BHT, HL, N3/N4, CLM and LX are taken in any loop (they open or close loops, or an N3
        waits for its N4); every other segment only in the loop that holds it.
        """
        sid, loop = seg.id, self.loop
        if sid == "BHT":
            self.bht = seg
            self.c.date8(seg, 4, "transaction creation date")
        elif sid == "HL":
            self._read_hl(seg)
        elif loop == "UNKNOWN":
            return  # under an HL level we do not read
        elif sid in ("N3", "N4"):
            self._read_address(seg)
        elif sid == "CLM":
            self._start_2300_claim(seg)
        elif sid == "LX":
            self._start_2400_service_line(seg)
        elif loop in _HEADER_LOOPS:
            self._read_1000_submitter_receiver(seg)
        elif self.claim is None:
            if loop in ("2000A", "2010AA", "2010A?"):
                self._read_2000a_billing_provider(seg)
            elif loop in ("2000B", "2010BA", "2010BB", "2010B?"):
                self._read_2000b_subscriber(seg)
            elif loop in ("2000C", "2010CA", "2010C?"):
                self._read_2000c_patient(seg)
        elif sid == "SBR":
            self.loop = "2320"  # other subscriber (COB) loops: not modelled, skip their segments
        elif loop == "2300":
            self._read_2300_claim(seg, self.claim)
        elif loop in ("2310A", "2310B", "2310?"):
            self._read_2310_provider(seg, self.claim)
        elif loop == "2400" and self.line is not None:
            self._read_2400_service_line(seg, self.line)

    def _read_1000_submitter_receiver(self, seg: Segment) -> None:
        """1000A submitter (NM1*41, PER) and 1000B receiver (NM1*40)."""
        c = self.c
        if seg.id == "NM1" and seg.get(1) in ("41", "40"):
            self.loop = c.loop = "1000A" if seg.get(1) == "41" else "1000B"
            name = c.req(seg, 3, "name")
            ident = c.req(seg, 9, "identifier")
            if self.loop == "1000A":
                self.submitter = Submitter(name=name, id=ident)
            else:
                self.receiver = Receiver(name=name, id=ident)
        elif seg.id == "PER" and self.loop == "1000A" and self.submitter is not None:
            phone = ""
            for q, v in ((seg.get(3), seg.get(4)), (seg.get(5), seg.get(6)), (seg.get(7), seg.get(8))):
                if q == "TE":
                    phone = v
                    break
            self.submitter = Submitter(self.submitter.name, self.submitter.id, seg.get(2), phone)

    def _read_hl(self, seg: Segment) -> None:
        """HL: closes the open claim and opens 2000A (20), 2000B (22) or 2000C (23)."""
        c = self.c
        self.line = None
        hl_id = c.req(seg, 1, "hierarchical id")
        parent = seg.get(2)
        level = c.req(seg, 3, "hierarchical level code")
        if hl_id in self.hl_ids:
            c.element(seg, 1, "7", f"HL01 {hl_id!r} is used twice")
        if parent and parent not in self.hl_ids:
            c.element(seg, 2, "7", f"HL02 parent {parent!r} does not precede this HL")
        self.hl_ids[hl_id] = level
        if self.claim is not None:
            self.claims.append(self.claim)
            self.claim = None
        if level == "20":
            self._close_party_loops()
            self.loop = "2000A"
            self.bp, self.sub, self.pat = _BillingProviderFields(seg), None, None
        elif level == "22":
            self._close_party_loops()
            if parent and self.hl_ids.get(parent) != "20":
                c.element(seg, 2, "7", "subscriber HL must have a billing provider HL as parent")
            self.loop = "2000B"
            self.sub, self.pat = _SubscriberFields(seg), None
        elif level == "23":
            self._close_2000b_subscriber()
            self._close_2000c_patient()
            if parent and self.hl_ids.get(parent) != "22":
                c.element(seg, 2, "7", "patient HL must have a subscriber HL as parent")
            self.loop = "2000C"
            self.pat = _PatientFields(seg)
        else:
            c.element(seg, 3, "7", f"HL03 level code {level!r} is not 20, 22 or 23")
            self.loop = "UNKNOWN"

    def _read_2000a_billing_provider(self, seg: Segment) -> None:
        """2000A billing provider (PRV) and 2010AA its name (NM1*85) and tax id (REF*EI/SY)."""
        bp, c = self.bp, self.c
        if seg.id == "PRV" and self.loop == "2000A" and bp is not None:
            bp.taxonomy = seg.get(3)
        elif seg.id == "NM1" and self.loop != "2010A?":  # a skipped 2010A loop skips its NM1s too
            if seg.get(1) == "85" and bp is not None:
                self.loop = c.loop = "2010AA"
                bp.name = c.req(seg, 3, "billing provider name")
                bp.first_name = seg.get(4)
                bp.npi = c.req(seg, 9, "billing provider NPI")
            else:
                self.loop = "2010A?"  # pay-to and other 2010A loops: not modelled
        elif seg.id == "REF" and self.loop == "2010AA" and bp is not None and seg.get(1) in ("EI", "SY"):
            bp.tax_id = c.req(seg, 2, "tax id")

    def _read_2000b_subscriber(self, seg: Segment) -> None:
        """2000B subscriber (SBR), 2010BA its name (NM1*IL) and DMG, 2010BB the payer (NM1*PR)."""
        sub, c = self.sub, self.c
        if seg.id == "SBR" and self.loop == "2000B" and sub is not None:
            c.req(seg, 1, "payer responsibility")
            sub.responsibility, sub.relationship = seg.get(1), seg.get(2)
            sub.group, sub.filing = seg.get(3), seg.get(9)
        elif seg.id == "NM1" and self.loop != "2010B?":
            if seg.get(1) == "IL" and sub is not None:
                self.loop = "2010BA"
                sub.last_name = c.req(seg, 3, "subscriber last name")
                sub.first_name = seg.get(4)
                sub.member_id = c.req(seg, 9, "member id")
            elif seg.get(1) == "PR":
                self.loop = "2010BB"
                payer = _PayerFields(name=c.req(seg, 3, "payer name"), id=c.req(seg, 9, "payer id"))
                if sub is not None:
                    sub.payer = payer
            else:
                self.loop = "2010B?"
        elif seg.id == "DMG" and self.loop == "2010BA" and sub is not None:
            self._read_dmg(seg, sub)

    def _read_2000c_patient(self, seg: Segment) -> None:
        """2000C patient (PAT) and 2010CA its name (NM1*QC) and DMG."""
        pat, c = self.pat, self.c
        if seg.id == "PAT" and self.loop == "2000C" and pat is not None:
            pat.relationship = c.req(seg, 1, "patient relationship")
        elif seg.id == "NM1" and self.loop != "2010C?":
            if seg.get(1) == "QC" and pat is not None:
                self.loop = "2010CA"
                pat.last_name = c.req(seg, 3, "patient last name")
                pat.first_name = seg.get(4)
            else:
                self.loop = "2010C?"
        elif seg.id == "DMG" and self.loop == "2010CA" and pat is not None:
            self._read_dmg(seg, pat)

    def _read_dmg(self, seg: Segment, person: _SubscriberFields | _PatientFields) -> None:
        """DMG of 2010BA or 2010CA: D8 birth date and sex."""
        if seg.get(1) != "D8":
            self.c.element(seg, 1, "7", "DMG01 must be D8")
        person.birth_date = self.c.date8(seg, 2, "birth date")
        person.sex = seg.get(3)

    def _read_address(self, seg: Segment) -> None:
        """N3/N4 of 2010AA, 2010BA, 2010BB or 2010CA (N3 is kept until its N4 arrives)."""
        if seg.id == "N3":
            self.last_n3 = seg
            return
        addr = _address(self.last_n3, seg)
        self.last_n3 = None
        loop = self.loop
        if loop == "2010AA" and self.bp is not None:
            self.bp.address = addr
        elif loop == "2010BA" and self.sub is not None:
            self.sub.address = addr
        elif loop == "2010BB" and self.sub is not None and self.sub.payer is not None:
            self.sub.payer.address = addr
        elif loop == "2010CA" and self.pat is not None:
            self.pat.address = addr

    def _close_2000a_billing_provider(self) -> None:
        """Build the BillingProvider of the open 2000A once, reporting what it lacks."""
        bp = self.bp
        if bp is None or bp.built is not None:
            return
        c = self.c
        if bp.name is None:
            c.missing("NM1", "2010AA", bp.hl, "billing provider name")
        if not bp.tax_id:
            c.missing("REF", "2010AA", bp.hl, "billing provider tax id REF*EI")
        if bp.address is None:
            c.missing("N4", "2010AA", bp.hl, "billing provider address")
        bp.built = BillingProvider(
            name=bp.name or "", first_name=bp.first_name, npi=bp.npi, tax_id=bp.tax_id,
            address=bp.address or Address("", "", "", ""), taxonomy=bp.taxonomy,
        )

    def _close_2000b_subscriber(self) -> None:
        """Build the Subscriber and Payer of the open 2000B once, reporting what they lack."""
        sub = self.sub
        if sub is None or sub.built is not None:
            return
        c = self.c
        if sub.member_id is None:
            c.missing("NM1", "2010BA", sub.hl, "subscriber name NM1*IL")
        sub.built = Subscriber(
            member_id=sub.member_id or "", last_name=sub.last_name, first_name=sub.first_name,
            birth_date=sub.birth_date, sex=sub.sex, relationship=sub.relationship,
            payer_responsibility=sub.responsibility, group_number=sub.group,
            claim_filing_indicator=sub.filing, address=sub.address,
        )
        if sub.payer is None:
            c.missing("NM1", "2010BB", sub.hl, "payer name NM1*PR")
            sub.built_payer = Payer("", "")
        else:
            sub.built_payer = Payer(name=sub.payer.name, payer_id=sub.payer.id, address=sub.payer.address)

    def _close_2000c_patient(self) -> None:
        """Build the Patient of the open 2000C once."""
        pat = self.pat
        if pat is None or pat.built is not None:
            return
        pat.built = Patient(
            last_name=pat.last_name, first_name=pat.first_name, birth_date=pat.birth_date,
            sex=pat.sex, relationship=pat.relationship, address=pat.address,
        )

    def _close_party_loops(self) -> None:
        """Close 2000A, 2000B and 2000C (a claim or the next HL needs their models)."""
        self._close_2000a_billing_provider()
        self._close_2000b_subscriber()
        self._close_2000c_patient()

    def _start_2300_claim(self, seg: Segment) -> None:
        """CLM: closes the open claim and party loops and opens 2300."""
        c = self.c
        if self.claim is not None:
            self.claims.append(self.claim)
        self.line = None
        self._close_party_loops()
        bp, sub, pat = self.bp, self.sub, self.pat
        subscriber = sub.built if sub is not None else None
        if subscriber is None:
            c.segment(seg, "CLM", "2", "CLM found outside a subscriber or patient HL")
        self.loop = c.loop = "2300"
        clm05 = components(seg.get(5), self.cs)
        total = c.amount(seg, 2, "total claim charge")
        self.claim = _ClaimFields(
            start=seg, billing_provider=bp.built if bp is not None else None, subscriber=subscriber,
            payer=sub.built_payer if sub is not None else None,
            patient=pat.built if pat is not None else None,
            patient_control_number=c.req(seg, 1, "patient control number"),
            total_charge=total if total is not None else Decimal(0),
            place_of_service=comp(clm05, 1), frequency_code=comp(clm05, 3),
            provider_signature=seg.get(6), assignment=seg.get(7),
            benefits_assignment=seg.get(8), release_of_information=seg.get(9),
        )
        if not comp(clm05, 1) or not comp(clm05, 3):
            c.element(seg, 5, "1", "CLM05 needs the place of service/facility code and the "
                      "claim frequency code")

    def _read_2300_claim(self, seg: Segment, claim: _ClaimFields) -> None:
        """2300 claim: DTP*434 statement dates, CL1, REF*F8/G1, HI diagnoses; NM1 opens 2310."""
        c, sid = self.c, seg.id
        if sid == "DTP" and seg.get(1) == "434":
            claim.statement_from, claim.statement_to = c.date_period(seg, 2, 3, "statement dates")
        elif sid == "CL1":
            claim.admission_type, claim.admission_source = seg.get(1), seg.get(2)
            claim.patient_status = seg.get(3)
        elif sid == "REF" and seg.get(1) == "F8":
            claim.payer_claim_control_number = c.req(seg, 2, "payer claim control number")
        elif sid == "REF" and seg.get(1) == "G1":
            claim.prior_authorization = c.req(seg, 2, "prior authorization")
        elif sid == "HI":
            self._read_2300_hi(seg, claim)
        elif sid == "NM1":
            self._read_2310_nm1(seg, claim)

    def _read_2300_hi(self, seg: Segment, claim: _ClaimFields) -> None:
        """HI: principal diagnosis (ABK/BK) first, other diagnoses (ABF/BF) after it."""
        c = self.c
        for pos, value in enumerate(seg.elements, start=1):
            parts = components(value, self.cs)
            qual, code = comp(parts, 1), comp(parts, 2)
            if qual in ("ABK", "BK"):
                if claim.diagnoses and claim.has_principal:
                    c.element(seg, pos, "7", "a second principal diagnosis (ABK)")
                claim.diagnoses.insert(0, code)
                claim.has_principal = True
                if not code:
                    c.element(seg, pos, "1", "principal diagnosis code missing", component=2)
            elif qual in ("ABF", "BF"):
                claim.diagnoses.append(code)
                if not code:
                    c.element(seg, pos, "1", "diagnosis code missing", component=2)

    def _read_2310_provider(self, seg: Segment, claim: _ClaimFields) -> None:
        """2310A attending (NM1*71) and 2310B rendering (NM1*82) provider with its PRV."""
        if seg.id == "PRV" and self.loop in ("2310A", "2310B"):
            provider = claim.providers.get(self.loop)
            if provider is not None:
                claim.providers[self.loop] = replace(provider, taxonomy=seg.get(3))
        elif seg.id == "NM1":
            self._read_2310_nm1(seg, claim)

    def _read_2310_nm1(self, seg: Segment, claim: _ClaimFields) -> None:
        """NM1 in 2300/2310: opens 2310A (71) or 2310B (82); other 2310 loops are skipped."""
        if seg.get(1) not in ("82", "71"):
            self.loop = "2310?"
            return
        self.loop = "2310B" if seg.get(1) == "82" else "2310A"
        claim.providers[self.loop] = Provider(self.c.req(seg, 3, "provider last name"), seg.get(4), seg.get(9))

    def _start_2400_service_line(self, seg: Segment) -> None:
        """LX: opens 2400 in the current claim (an LX outside a claim is an error)."""
        c = self.c
        if self.claim is None:
            c.segment(seg, "LX", "2", "service line found outside a claim")
            return
        self.loop = c.loop = "2400"
        c.integer(seg, 1, "line number")
        self.line = _LineFields(seg)
        self.claim.lines.append(self.line)

    def _read_2400_service_line(self, seg: Segment, line: _LineFields) -> None:
        """2400 service line: SV1 (837P) or SV2 (837I), DTP*472, REF*6R; NM1 opens 2420."""
        sid = seg.id
        if sid in ("SV1", "SV2"):
            self._read_2400_sv1_sv2(seg, line)
        elif sid == "DTP" and seg.get(1) == "472":
            line.service_date, _ = self.c.date_period(seg, 2, 3, "service date")
        elif sid == "REF" and seg.get(1) == "6R":
            line.line_control_number = seg.get(2)
        elif sid == "NM1":
            self.loop = "2420"  # line-level providers: not modelled

    def _read_2400_sv1_sv2(self, seg: Segment, line: _LineFields) -> None:
        """SV1 professional or SV2 institutional service: procedure, charge, units, pointers."""
        c, sid, cs = self.c, seg.id, self.cs
        if (sid == "SV1") != (self.kind == "P"):
            c.segment(seg, sid, "2", f"{sid} is not used in an 837{self.kind}")
        proc_pos = 1 if sid == "SV1" else 2
        if sid == "SV2":
            line.revenue_code = c.req(seg, 1, "revenue code")
        parts = components(seg.get(proc_pos), cs)
        if sid == "SV1" and not parts:
            c.element(seg, 1, "1", "SV101 procedure is required")
        # No SV202 composite (revenue code only): keep the model default qualifier.
        line.procedure_qualifier = comp(parts, 1) or "HC"
        line.procedure_code = comp(parts, 2)
        line.modifiers = tuple(m for m in parts[2:6] if m)
        charge = c.amount(seg, proc_pos + 1, "line charge")
        line.charge = charge if charge is not None else Decimal(0)
        line.unit_basis = seg.get(proc_pos + 2)
        units = c.amount(seg, proc_pos + 3, "units")
        line.units = units if units is not None else Decimal(0)
        if sid == "SV1":
            line.place_of_service = seg.get(5)
            pointers: list[int] = []
            for p in components(seg.get(7), cs):
                if p.isdigit() and 1 <= int(p) <= 12:
                    pointers.append(int(p))
                elif (whole := _integral_pointer(p)) is not None:
                    # Some senders write "1.00"; the value is unambiguous, so keep it
                    # and warn instead of rejecting the claim.
                    pointers.append(whole)
                    c.element(seg, 7, "6", f"diagnosis pointer {p!r} should be an "
                              "integer", severity="warning")
                else:
                    c.element(seg, 7, "7", f"diagnosis pointer {p!r} must be 1-12")
            line.diagnosis_pointers = tuple(pointers)
        else:
            line.diagnosis_pointers = ()
        line.has_service = True

    def _document(self) -> Claim837 | None:
        """The Claim837 from what was read, after the checks that need the whole set."""
        c, first = self.c, self.tx.segments[0]
        c.loop = None
        if self.bht is None:
            c.missing("BHT", "HEADER", first, "beginning of hierarchical transaction")
        if self.submitter is None:
            c.missing("NM1", "1000A", first, "submitter name NM1*41")
        if self.receiver is None:
            c.missing("NM1", "1000B", first, "receiver name NM1*40")
        if not self.claims:
            c.missing("CLM", "2300", self.last, "claim information")
        claims = [claim for fields in self.claims if (claim := self._claim(fields)) is not None]
        if self.submitter is None or self.receiver is None or self.bht is None:
            return None
        bht = self.bht
        return Claim837(
            kind=self.kind, submitter=self.submitter, receiver=self.receiver, reference=bht.get(3),
            created=parse_date8(bht.get(4)) or date(1900, 1, 1), created_time=bht.get(5),
            purpose=bht.get(2), transaction_type=bht.get(6), claims=tuple(claims),
        )

    def _claim(self, cf: _ClaimFields) -> Claim | None:
        """One 2300 loop as a Claim (None when its parties are unusable), with its checks."""
        c = self.c
        c.loop = "2300"
        if not cf.diagnoses or not cf.has_principal:
            c.missing("HI", "2300", cf.start, "principal diagnosis HI*ABK")
        if not cf.lines:
            c.missing("LX", "2400", cf.start, "service line")
        lines: list[ServiceLine] = []
        for ln in cf.lines:
            if not ln.has_service:
                c.missing("SV1" if self.kind == "P" else "SV2", "2400", ln.start, "service line detail")
                continue
            lines.append(ServiceLine(
                procedure_code=ln.procedure_code, charge=ln.charge, units=ln.units,
                service_date=ln.service_date, modifiers=ln.modifiers,
                diagnosis_pointers=ln.diagnosis_pointers, unit_basis=ln.unit_basis,
                procedure_qualifier=ln.procedure_qualifier, revenue_code=ln.revenue_code,
                line_control_number=ln.line_control_number, place_of_service=ln.place_of_service,
            ))
        if lines and sum((ln.charge for ln in lines), Decimal(0)) != cf.total_charge:
            c.element(cf.start, 2, "I12", "CLM02 total charge is not the sum of the line charges",
                      severity="warning")
        if cf.billing_provider is None or cf.subscriber is None or cf.payer is None:
            return None
        claim = Claim(
            patient_control_number=cf.patient_control_number, total_charge=cf.total_charge,
            place_of_service=cf.place_of_service, frequency_code=cf.frequency_code,
            billing_provider=cf.billing_provider, subscriber=cf.subscriber, payer=cf.payer,
            patient=cf.patient, diagnoses=tuple(cf.diagnoses), lines=tuple(lines),
            payer_claim_control_number=cf.payer_claim_control_number,
            prior_authorization=cf.prior_authorization,
            rendering_provider=cf.providers.get("2310B"), attending_provider=cf.providers.get("2310A"),
            provider_signature=cf.provider_signature, assignment=cf.assignment,
            benefits_assignment=cf.benefits_assignment,
            release_of_information=cf.release_of_information,
            statement_from=cf.statement_from, statement_to=cf.statement_to,
            admission_type=cf.admission_type, admission_source=cf.admission_source,
            patient_status=cf.patient_status,
        )
        if cf.frequency_code in ("7", "8") and not cf.payer_claim_control_number:
            c.missing("REF", "2300", cf.start, "payer claim control number REF*F8 for a "
                      "replacement or void")
        return claim


def read_837_transaction(tx: TransactionSet, delims: Delimiters,
                         kind: ClaimKind) -> tuple[Claim837 | None, list[X12Issue]]:
    """Parse one 837 ST..SE; returns the document (None if unusable) and the issues found."""
    return _Claim837Reader(tx, delims, kind).read()


# --------------------------------------------------------------------------- writer


def _dx(code: str) -> str:
    return code.replace(".", "")


def _write_address(w: SegmentWriter, a: Address) -> None:
    w.seg("N3", a.line1, a.line2 or None)
    w.seg("N4", a.city, a.state, a.postal_code)


def write_837_body(doc: Claim837, delimiters: Delimiters) -> SegmentWriter:
    """The segments between ST and SE for ``doc``."""
    w = SegmentWriter(delimiters)
    w.seg("BHT", "0019", doc.purpose, doc.reference, format_date8(doc.created), doc.created_time,
          doc.transaction_type)
    s = doc.submitter
    w.seg("NM1", "41", "2", s.name, None, None, None, None, "46", s.id)
    w.seg("PER", "IC", s.contact_name, "TE" if s.contact_phone else None, s.contact_phone or None)
    r = doc.receiver
    w.seg("NM1", "40", "2", r.name, None, None, None, None, "46", r.id)
    hl = 0
    prev_bp: BillingProvider | None = None
    prev_sub: tuple[Subscriber, Payer] | None = None
    prev_pat: Patient | None = None
    bp_hl = sub_hl = 0
    claims = doc.claims
    for claim in claims:
        if claim.billing_provider != prev_bp:
            hl += 1
            bp_hl = hl
            w.seg("HL", str(hl), None, "20", "1")
            bp = claim.billing_provider
            if bp.taxonomy:
                w.seg("PRV", "BI", "PXC", bp.taxonomy)
            w.seg("NM1", "85", "1" if bp.first_name else "2", bp.name, bp.first_name or None,
                  None, None, None, "XX", bp.npi)
            _write_address(w, bp.address)
            w.seg("REF", "EI", bp.tax_id)
            prev_bp, prev_sub, prev_pat = bp, None, None
        if (claim.subscriber, claim.payer) != prev_sub:
            hl += 1
            sub_hl = hl
            sb = claim.subscriber
            has_patient = claim.patient is not None
            w.seg("HL", str(hl), str(bp_hl), "22", "1" if has_patient else "0")
            w.seg("SBR", sb.payer_responsibility, None if has_patient else sb.relationship,
                  sb.group_number or None, None, None, None, None, None, sb.claim_filing_indicator)
            w.seg("NM1", "IL", "1", sb.last_name, sb.first_name or None, None, None, None, "MI",
                  sb.member_id)
            if sb.address:
                _write_address(w, sb.address)
            if sb.birth_date:
                w.seg("DMG", "D8", format_date8(sb.birth_date), sb.sex)
            p = claim.payer
            w.seg("NM1", "PR", "2", p.name, None, None, None, None, "PI", p.payer_id)
            if p.address:
                _write_address(w, p.address)
            prev_sub, prev_pat = (claim.subscriber, claim.payer), None
        if claim.patient is not None and claim.patient != prev_pat:
            hl += 1
            pt = claim.patient
            w.seg("HL", str(hl), str(sub_hl), "23", "0")
            w.seg("PAT", pt.relationship)
            w.seg("NM1", "QC", "1", pt.last_name, pt.first_name or None)
            if pt.address:
                _write_address(w, pt.address)
            if pt.birth_date:
                w.seg("DMG", "D8", format_date8(pt.birth_date), pt.sex)
            prev_pat = pt
        _write_claim(w, doc.kind, claim)
    return w


def _write_claim(w: SegmentWriter, kind: ClaimKind, claim: Claim) -> None:
    w.seg("CLM", claim.patient_control_number, claim.total_charge, None, None,
          (claim.place_of_service, "B" if kind == "P" else "A", claim.frequency_code),
          # CLM06 is "not used" in 837I; written only when the model carries it (set it to
          # "" for 837I claims you create).
          claim.provider_signature or None, claim.assignment,
          claim.benefits_assignment, claim.release_of_information)
    if kind == "I" and claim.statement_from:
        end = claim.statement_to or claim.statement_from
        w.seg("DTP", "434", "RD8", f"{format_date8(claim.statement_from)}-{format_date8(end)}")
    if kind == "I" and (claim.admission_type or claim.patient_status):
        w.seg("CL1", claim.admission_type, claim.admission_source or None, claim.patient_status)
    if claim.prior_authorization:
        w.seg("REF", "G1", claim.prior_authorization)
    if claim.payer_claim_control_number:
        w.seg("REF", "F8", claim.payer_claim_control_number)
    if claim.diagnoses:
        composites: list[tuple[str, str]] = [("ABK", _dx(claim.diagnoses[0]))]
        composites += [("ABF", _dx(code)) for code in claim.diagnoses[1:]]
        # 837P allows 12 diagnoses on one HI; 837I puts other diagnoses on their own HI.
        if kind == "P":
            w.seg("HI", *composites[:12])
        else:
            w.seg("HI", composites[0])
            for k in range(1, len(composites), 12):
                w.seg("HI", *composites[k:k + 12])
    for key, prov in (("71", claim.attending_provider), ("82", claim.rendering_provider)):
        if prov is None or (kind == "P" and key == "71"):
            continue
        w.seg("NM1", key, "1", prov.last_name, prov.first_name or None, None, None, None, "XX",
              prov.npi)
        if prov.taxonomy:
            w.seg("PRV", "AT" if key == "71" else "PE", "PXC", prov.taxonomy)
    for n, ln in enumerate(claim.lines, start=1):
        w.seg("LX", str(n))
        proc = (ln.procedure_qualifier, ln.procedure_code, *ln.modifiers[:4]) if ln.procedure_code \
            else None
        if kind == "P":
            w.seg("SV1", proc, ln.charge, ln.unit_basis, ln.units, ln.place_of_service or None,
                  None, tuple(str(p) for p in ln.diagnosis_pointers[:4]) or None)
        else:
            w.seg("SV2", ln.revenue_code, proc, ln.charge, ln.unit_basis, ln.units)
        if ln.service_date:
            w.seg("DTP", "472", "D8", format_date8(ln.service_date))
        if ln.line_control_number:
            w.seg("REF", "6R", ln.line_control_number)


def write_837(doc: Claim837, envelope: EnvelopeParams) -> str:
    """Write an 837P or 837I interchange (one transaction set) for ``doc``."""
    body = write_837_body(doc, envelope.delimiters)
    return write_interchange(envelope, "HC", X837P if doc.kind == "P" else X837I, [("837", body)])
