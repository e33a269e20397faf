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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from rcm_x12._elements import IssueCollector, comp, components
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


@dataclass
class _ClaimBuilder:
    start: Segment
    bp: BillingProvider | None
    subscriber: Subscriber | None
    payer: Payer | None
    patient: Patient | None
    fields: dict[str, object] = field(default_factory=dict)
    diagnoses: list[str] = field(default_factory=list)
    lines: list[dict[str, object]] = field(default_factory=list)


def _integral_pointer(value: str) -> int | None:
    try:
        number = Decimal(value) if _NUMERIC.match(value) else None
    except ArithmeticError:
        return None
    if number is None or number != number.to_integral_value() or not 1 <= number <= 12:
        return None
    return int(number)


def _address(n3: Segment | None, n4: Segment) -> Address:
    return Address(line1=n3.get(1) if n3 else "", line2=n3.get(2) if n3 else "",
                   city=n4.get(1), state=n4.get(2), postal_code=n4.get(3))


def read_837_transaction(tx: TransactionSet, delims: Delimiters,
                         kind: ClaimKind) -> tuple[Claim837 | None, list[X12Issue]]:
    """Parse one 837 ST..SE; returns the document (None if unusable) and the issues found."""
    c = IssueCollector()
    cs = delims.component
    submitter: Submitter | None = None
    receiver: Receiver | None = None
    bht: Segment | None = None
    bp: dict[str, object] | None = None
    bp_obj: BillingProvider | None = None
    sub: dict[str, object] | None = None
    sub_obj: Subscriber | None = None
    payer_obj: Payer | None = None
    pat: dict[str, object] | None = None
    pat_obj: Patient | None = None
    claim: _ClaimBuilder | None = None
    line: dict[str, object] | None = None
    claims: list[_ClaimBuilder] = []
    hl_ids: dict[str, str] = {}
    loop = "HEADER"
    last_n3: Segment | None = None
    pending_payer: dict[str, object] | None = None
    last = tx.segments[0]

    def finish_bp() -> None:
        nonlocal bp_obj
        if bp is not None and bp_obj is None:
            if "name" not in bp:
                c.missing("NM1", "2010AA", bp["hl"], "billing provider name")  # type: ignore[arg-type]
            if not bp.get("tax_id"):
                c.missing("REF", "2010AA", bp["hl"], "billing provider tax id REF*EI")  # type: ignore[arg-type]
            if "address" not in bp:
                c.missing("N4", "2010AA", bp["hl"], "billing provider address")  # type: ignore[arg-type]
            bp_obj = BillingProvider(
                name=str(bp.get("name", "")), first_name=str(bp.get("first_name", "")),
                npi=str(bp.get("npi", "")), tax_id=str(bp.get("tax_id", "")),
                address=bp.get("address") or Address("", "", "", ""),  # type: ignore[arg-type]
                taxonomy=str(bp.get("taxonomy", "")),
            )

    def finish_sub() -> None:
        nonlocal sub_obj, payer_obj
        if sub is not None and sub_obj is None:
            if "member_id" not in sub:
                c.missing("NM1", "2010BA", sub["hl"], "subscriber name NM1*IL")  # type: ignore[arg-type]
            sub_obj = Subscriber(
                member_id=str(sub.get("member_id", "")), last_name=str(sub.get("last_name", "")),
                first_name=str(sub.get("first_name", "")),
                birth_date=sub.get("birth_date"),  # type: ignore[arg-type]
                sex=str(sub.get("sex", "")), relationship=str(sub.get("relationship", "")),
                payer_responsibility=str(sub.get("responsibility", "")),
                group_number=str(sub.get("group", "")),
                claim_filing_indicator=str(sub.get("filing", "")),
                address=sub.get("address"),  # type: ignore[arg-type]
            )
            if pending_payer is None:
                c.missing("NM1", "2010BB", sub["hl"], "payer name NM1*PR")  # type: ignore[arg-type]
                payer_obj = Payer("", "")
            else:
                payer_obj = Payer(name=str(pending_payer.get("name", "")),
                                  payer_id=str(pending_payer.get("id", "")),
                                  address=pending_payer.get("address"))  # type: ignore[arg-type]

    def finish_pat() -> None:
        nonlocal pat_obj
        if pat is not None and pat_obj is None:
            pat_obj = Patient(
                last_name=str(pat.get("last_name", "")), first_name=str(pat.get("first_name", "")),
                birth_date=pat.get("birth_date"), sex=str(pat.get("sex", "")),  # type: ignore[arg-type]
                relationship=str(pat.get("relationship", "")),
                address=pat.get("address"),  # type: ignore[arg-type]
            )

    for seg in tx.segments[1:-1] if tx.segments[-1].id == "SE" else tx.segments[1:]:
        last = seg
        sid = seg.id
        c.loop = loop
        if sid == "BHT":
            bht = seg
            c.date8(seg, 4, "transaction creation date")
        elif sid == "NM1" and seg.get(1) in ("41", "40") and loop in ("HEADER", "1000A", "1000B"):
            loop = "1000A" if seg.get(1) == "41" else "1000B"
            c.loop = loop
            name = c.req(seg, 3, "name")
            ident = c.req(seg, 9, "identifier")
            if loop == "1000A":
                submitter = Submitter(name=name, id=ident)
            else:
                receiver = Receiver(name=name, id=ident)
        elif sid == "PER" and loop == "1000A" and submitter is not None:
            phone = ""
            for q, v in ((seg.get(3), seg.get(4)), (seg.get(5), seg.get(6)), (seg.get(7), seg.get(8))):
                if q == "TE":
                    phone = v
                    break
            submitter = Submitter(submitter.name, submitter.id, seg.get(2), phone)
        elif sid == "HL":
            line = None
            hl_id = c.req(seg, 1, "hierarchical id")
            parent = seg.get(2)
            level = c.req(seg, 3, "hierarchical level code")
            if hl_id in hl_ids:
                c.element(seg, 1, "7", f"HL01 {hl_id!r} is used twice")
            if parent and parent not in hl_ids:
                c.element(seg, 2, "7", f"HL02 parent {parent!r} does not precede this HL")
            hl_ids[hl_id] = level
            if claim is not None:
                claims.append(claim)
                claim = None
            if level == "20":
                finish_bp(); finish_sub(); finish_pat()  # noqa: E702
                loop = "2000A"
                bp, bp_obj, sub, sub_obj, pat, pat_obj = {"hl": seg}, None, None, None, None, None
                pending_payer = None
            elif level == "22":
                finish_bp(); finish_sub(); finish_pat()  # noqa: E702
                if parent and hl_ids.get(parent) != "20":
                    c.element(seg, 2, "7", "subscriber HL must have a billing provider HL as parent")
                loop = "2000B"
                sub, sub_obj, pat, pat_obj, pending_payer = {"hl": seg}, None, None, None, None
            elif level == "23":
                finish_sub(); finish_pat()  # noqa: E702
                if parent and hl_ids.get(parent) != "22":
                    c.element(seg, 2, "7", "patient HL must have a subscriber HL as parent")
                loop = "2000C"
                pat, pat_obj = {"hl": seg}, None
            else:
                c.element(seg, 3, "7", f"HL03 level code {level!r} is not 20, 22 or 23")
                loop = "UNKNOWN"
        elif loop == "UNKNOWN":
            continue
        elif sid == "PRV" and loop == "2000A" and bp is not None:
            bp["taxonomy"] = seg.get(3)
        elif sid == "SBR" and loop in ("2000B",) and sub is not None:
            c.req(seg, 1, "payer responsibility")
            sub.update(responsibility=seg.get(1), relationship=seg.get(2), group=seg.get(3),
                       filing=seg.get(9))
        elif sid == "SBR" and claim is not None:
            loop = "2320"  # other subscriber (COB) loops: not modelled, skip their NM1s
        elif sid == "PAT" and loop == "2000C" and pat is not None:
            pat["relationship"] = c.req(seg, 1, "patient relationship")
        elif sid == "NM1" and claim is None and loop in ("2000A", "2010AA", "2010AB", "2010AC"):
            if seg.get(1) == "85" and bp is not None:
                loop = "2010AA"
                c.loop = loop
                bp["name"] = c.req(seg, 3, "billing provider name")
                bp["first_name"] = seg.get(4)
                bp["npi"] = c.req(seg, 9, "billing provider NPI")
            else:
                loop = "2010A?"
        elif sid == "NM1" and claim is None and loop in ("2000B", "2010BA", "2010BB"):
            if seg.get(1) == "IL" and sub is not None:
                loop = "2010BA"
                sub.update(last_name=c.req(seg, 3, "subscriber last name"), first_name=seg.get(4),
                           member_id=c.req(seg, 9, "member id"))
            elif seg.get(1) == "PR":
                loop = "2010BB"
                pending_payer = {"name": c.req(seg, 3, "payer name"), "id": c.req(seg, 9, "payer id")}
            else:
                loop = "2010B?"
        elif sid == "NM1" and claim is None and loop in ("2000C", "2010CA"):
            if seg.get(1) == "QC" and pat is not None:
                loop = "2010CA"
                pat.update(last_name=c.req(seg, 3, "patient last name"), first_name=seg.get(4))
            else:
                loop = "2010C?"
        elif sid == "N3":
            last_n3 = seg
        elif sid == "N4":
            addr = _address(last_n3, seg)
            last_n3 = None
            if loop == "2010AA" and bp is not None:
                bp["address"] = addr
            elif loop == "2010BA" and sub is not None:
                sub["address"] = addr
            elif loop == "2010BB" and pending_payer is not None:
                pending_payer["address"] = addr
            elif loop == "2010CA" and pat is not None:
                pat["address"] = addr
        elif sid == "DMG" and loop in ("2010BA", "2010CA"):
            target = sub if loop == "2010BA" else pat
            if target is not None:
                if seg.get(1) != "D8":
                    c.element(seg, 1, "7", "DMG01 must be D8")
                target["birth_date"] = c.date8(seg, 2, "birth date")
                target["sex"] = seg.get(3)
        elif sid == "REF" and loop == "2010AA" and bp is not None and seg.get(1) in ("EI", "SY"):
            bp["tax_id"] = c.req(seg, 2, "tax id")
        elif sid == "CLM":
            if claim is not None:
                claims.append(claim)
            line = None
            finish_bp(); finish_sub(); finish_pat()  # noqa: E702
            if sub_obj is None:
                c.segment(seg, "CLM", "2", "CLM found outside a subscriber or patient HL")
            loop = "2300"
            c.loop = loop
            claim = _ClaimBuilder(seg, bp_obj, sub_obj, payer_obj, pat_obj if pat else None)
            clm05 = components(seg.get(5), cs)
            total = c.amount(seg, 2, "total claim charge")
            claim.fields.update(
                patient_control_number=c.req(seg, 1, "patient control number"),
                total_charge=total if total is not None else Decimal(0),
                place_of_service=comp(clm05, 1), frequency_code=comp(clm05, 3),
                provider_signature=seg.get(6), assignment=seg.get(7),
                benefits_assignment=seg.get(8), release_of_information=seg.get(9),
            )
            if not comp(clm05, 1) or not comp(clm05, 3):
                c.element(seg, 5, "1", "CLM05 needs the place of service/facility code and the "
                          "claim frequency code")
        elif sid == "LX" and claim is not None:
            loop = "2400"
            c.loop = loop
            c.integer(seg, 1, "line number")
            line = {"start": seg}
            claim.lines.append(line)
        elif claim is not None and loop == "2300":
            if sid == "DTP" and seg.get(1) == "434":
                start, end = c.date_period(seg, 2, 3, "statement dates")
                claim.fields.update(statement_from=start, statement_to=end)
            elif sid == "CL1":
                claim.fields.update(admission_type=seg.get(1), admission_source=seg.get(2),
                                    patient_status=seg.get(3))
            elif sid == "REF" and seg.get(1) == "F8":
                claim.fields["payer_claim_control_number"] = c.req(seg, 2, "payer claim control number")
            elif sid == "REF" and seg.get(1) == "G1":
                claim.fields["prior_authorization"] = c.req(seg, 2, "prior authorization")
            elif sid == "HI":
                for pos, value in enumerate(seg.elements, start=1):
                    parts = components(value, cs)
                    qual, code = comp(parts, 1), comp(parts, 2)
                    if qual in ("ABK", "BK"):
                        if claim.diagnoses and claim.fields.get("has_principal"):
                            c.element(seg, pos, "7", "a second principal diagnosis (ABK)")
                        claim.diagnoses.insert(0, code)
                        claim.fields["has_principal"] = True
                        if not code:
                            c.element(seg, pos, "1", "principal diagnosis code missing", component=2)
                    elif qual in ("ABF", "BF"):
                        claim.diagnoses.append(code)
                        if not code:
                            c.element(seg, pos, "1", "diagnosis code missing", component=2)
            elif sid == "NM1" and seg.get(1) in ("82", "71"):
                loop = "2310B" if seg.get(1) == "82" else "2310A"
                claim.fields["_provider_key"] = loop
                claim.fields[loop] = {"last_name": c.req(seg, 3, "provider last name"),
                                      "first_name": seg.get(4), "npi": seg.get(9)}
            elif sid == "NM1":
                loop = "2310?"
        elif claim is not None and sid == "PRV" and loop in ("2310A", "2310B"):
            prov = claim.fields.get(loop)
            if isinstance(prov, dict):
                prov["taxonomy"] = seg.get(3)
        elif claim is not None and sid == "NM1" and loop in ("2310A", "2310B", "2310?"):
            loop = "2310?" if seg.get(1) not in ("82", "71") else loop
            if seg.get(1) in ("82", "71"):
                loop = "2310B" if seg.get(1) == "82" else "2310A"
                claim.fields[loop] = {"last_name": c.req(seg, 3, "provider last name"),
                                      "first_name": seg.get(4), "npi": seg.get(9)}
        elif line is not None and loop == "2400":
            if sid in ("SV1", "SV2"):
                if (sid == "SV1") != (kind == "P"):
                    c.segment(seg, sid, "2", f"{sid} is not used in an 837{kind}")
                proc_pos = 1 if sid == "SV1" else 2
                if sid == "SV2":
                    line["revenue_code"] = c.req(seg, 1, "revenue code")
                parts = components(seg.get(proc_pos), cs)
                if sid == "SV1" and not parts:
                    c.element(seg, 1, "1", "SV101 procedure is required")
                # No SV202 composite (revenue code only): keep the model default qualifier.
                line["procedure_qualifier"] = comp(parts, 1) or "HC"
                line["procedure_code"] = comp(parts, 2)
                line["modifiers"] = tuple(m for m in parts[2:6] if m)
                charge = c.amount(seg, proc_pos + 1, "line charge")
                line["charge"] = charge if charge is not None else Decimal(0)
                line["unit_basis"] = seg.get(proc_pos + 2)
                units = c.amount(seg, proc_pos + 3, "units")
                line["units"] = units if units is not None else Decimal(0)
                if sid == "SV1":
                    line["place_of_service"] = seg.get(5)
                    pointers = []
                    for p in components(seg.get(7), cs):
                        if p.isdigit() and 1 <= int(p) <= 12:
                            pointers.append(int(p))
                        elif _integral_pointer(p) is not None:
                            # Some senders write "1.00"; the value is unambiguous, so keep it
                            # and warn instead of rejecting the claim.
                            pointers.append(_integral_pointer(p))  # type: ignore[arg-type]
                            c.element(seg, 7, "6", f"diagnosis pointer {p!r} should be an "
                                      "integer", severity="warning")
                        else:
                            c.element(seg, 7, "7", f"diagnosis pointer {p!r} must be 1-12")
                    line["diagnosis_pointers"] = tuple(pointers)
                else:
                    line["diagnosis_pointers"] = ()
                line["has_service"] = True
            elif sid == "DTP" and seg.get(1) == "472":
                start, _ = c.date_period(seg, 2, 3, "service date")
                line["service_date"] = start
            elif sid == "REF" and seg.get(1) == "6R":
                line["line_control_number"] = seg.get(2)
            elif sid == "NM1":
                loop = "2420"
        elif sid == "LX" and claim is None:
            c.segment(seg, "LX", "2", "service line found outside a claim")

    if claim is not None:
        claims.append(claim)
    finish_bp(); finish_sub(); finish_pat()  # noqa: E702
    c.loop = None
    if bht is None:
        c.missing("BHT", "HEADER", tx.segments[0], "beginning of hierarchical transaction")
    if submitter is None:
        c.missing("NM1", "1000A", tx.segments[0], "submitter name NM1*41")
    if receiver is None:
        c.missing("NM1", "1000B", tx.segments[0], "receiver name NM1*40")
    if not claims:
        c.missing("CLM", "2300", last, "claim information")
    result: list[Claim] = []
    for cb in claims:
        c.loop = "2300"
        if not cb.diagnoses or not cb.fields.get("has_principal"):
            c.missing("HI", "2300", cb.start, "principal diagnosis HI*ABK")
        if not cb.lines:
            c.missing("LX", "2400", cb.start, "service line")
        lines: list[ServiceLine] = []
        for ln in cb.lines:
            if not ln.get("has_service"):
                c.missing("SV1" if kind == "P" else "SV2", "2400", ln["start"],  # type: ignore[arg-type]
                          "service line detail")
                continue
            lines.append(ServiceLine(
                procedure_code=str(ln["procedure_code"]), charge=ln["charge"],  # type: ignore[arg-type]
                units=ln["units"], service_date=ln.get("service_date"),  # type: ignore[arg-type]
                modifiers=ln["modifiers"],  # type: ignore[arg-type]
                diagnosis_pointers=ln["diagnosis_pointers"],  # type: ignore[arg-type]
                unit_basis=str(ln["unit_basis"]),
                procedure_qualifier=str(ln["procedure_qualifier"]),
                revenue_code=str(ln.get("revenue_code", "")),
                line_control_number=str(ln.get("line_control_number", "")),
                place_of_service=str(ln.get("place_of_service", "")),
            ))
        f = cb.fields
        total = f["total_charge"]
        if lines and sum((ln.charge for ln in lines), Decimal(0)) != total:
            c.element(cb.start, 2, "I12", "CLM02 total charge is not the sum of the line charges",
                      severity="warning")
        if cb.bp is None or cb.subscriber is None or cb.payer is None:
            continue

        def prov(key: str, fields: dict[str, object] = f) -> Provider | None:
            p = fields.get(key)
            if not isinstance(p, dict):
                return None
            return Provider(p["last_name"], p["first_name"], p["npi"], p.get("taxonomy", ""))

        result.append(Claim(
            patient_control_number=str(f["patient_control_number"]),
            total_charge=total,  # type: ignore[arg-type]
            place_of_service=str(f["place_of_service"]), frequency_code=str(f["frequency_code"]),
            billing_provider=cb.bp, subscriber=cb.subscriber, payer=cb.payer, patient=cb.patient,
            diagnoses=tuple(cb.diagnoses), lines=tuple(lines),
            payer_claim_control_number=str(f.get("payer_claim_control_number", "")),
            prior_authorization=str(f.get("prior_authorization", "")),
            rendering_provider=prov("2310B"), attending_provider=prov("2310A"),
            provider_signature=str(f["provider_signature"]), assignment=str(f["assignment"]),
            benefits_assignment=str(f["benefits_assignment"]),
            release_of_information=str(f["release_of_information"]),
            statement_from=f.get("statement_from"), statement_to=f.get("statement_to"),  # type: ignore[arg-type]
            admission_type=str(f.get("admission_type", "")),
            admission_source=str(f.get("admission_source", "")),
            patient_status=str(f.get("patient_status", "")),
        ))
        if cb.fields.get("frequency_code") in ("7", "8") and not f.get("payer_claim_control_number"):
            c.missing("REF", "2300", cb.start, "payer claim control number REF*F8 for a "
                      "replacement or void")
    if submitter is None or receiver is None or bht is None:
        return None, c.issues
    return Claim837(
        kind=kind, submitter=submitter, receiver=receiver, reference=bht.get(3),
        created=parse_date8(bht.get(4)) or date(1900, 1, 1), created_time=bht.get(5),
        purpose=bht.get(2), transaction_type=bht.get(6), claims=tuple(result),
    ), c.issues


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
