"""Reading 837P claims into the sandbox's domain claims.

WORKAROUND: the shared toolkit's ``read_837_transaction`` currently drops every service
line (an ``LX`` inside loop 2300 is swallowed by the 2300 branch, so each claim reports
"required segment LX missing"). Until that is fixed this module reads the few 837P fields
the payer needs at segment level, on top of the toolkit's tokenizer and envelope scan,
and reports the required segments it relies on as 999 issues. Switch back by returning
``_from_toolkit`` results in :func:`read_claims` once the toolkit reads lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm_shared.x12.errors import X12Issue
from rcm_shared.x12.syntax import Delimiters, Segment, TransactionSet, parse_date8

from rcm_sandbox.domain.model import Claim, ServiceLine

_NUMBER = re.compile(r"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$")


@dataclass
class ClaimsRead:
    """Claims of one transaction set, the issues for its 999, and the submitter."""

    claims: list[Claim] = field(default_factory=list)
    issues: list[X12Issue] = field(default_factory=list)
    submitter_id: str = ""
    submitter_name: str = ""


def _issue(
    seg: Segment, reason: str, element: int | None = None, code: str = "7", loop: str | None = None
) -> X12Issue:
    if element is None:
        return X12Issue(
            reason=reason,
            level="segment",
            code=code,
            segment_position=seg.position,
            segment_id=seg.id,
            loop_id=loop,
        )
    return X12Issue(
        reason=reason,
        level="element",
        code=code,
        segment_position=seg.position,
        segment_id=seg.id,
        element_position=element,
        loop_id=loop,
        bad_value=seg.get(element) or None,
    )


def _amount(seg: Segment, pos: int, issues: list[X12Issue]) -> Decimal:
    value = seg.get(pos)
    if not _NUMBER.match(value):
        issues.append(_issue(seg, f"{seg.id}{pos:02d} is not a number", pos, "6" if value else "1"))
        return Decimal("0")
    return Decimal(value)


def read_claims(tx: TransactionSet, delimiters: Delimiters, received_on: date) -> ClaimsRead:
    """Claims of one 837P transaction set with the issues that make it unusable."""
    out = ClaimsRead()
    cs = delimiters.component
    billing_npi = ""
    has_tax_id = True
    billing_hl: Segment | None = None
    member: dict[str, str] = {}
    payer_id = ""
    current: dict[str, object] | None = None
    lines: list[dict[str, object]] = []
    built: list[tuple[dict[str, object], list[dict[str, object]]]] = []
    level = ""

    def close_billing() -> None:
        if billing_hl is not None and not has_tax_id:
            out.issues.append(
                X12Issue(
                    reason="required segment REF (billing provider tax id REF*EI) missing "
                    "in loop 2010AA",
                    level="segment",
                    code="3",
                    segment_position=billing_hl.position,
                    segment_id="REF",
                    loop_id="2010AA",
                )
            )

    for seg in tx.segments:
        sid = seg.id
        if sid == "NM1" and seg.get(1) == "41":
            out.submitter_id, out.submitter_name = seg.get(9), seg.get(3)
        elif sid == "HL":
            level = seg.get(3)
            current = None
            if level == "20":
                close_billing()
                billing_hl, has_tax_id, billing_npi = seg, False, ""
            elif level == "22":
                member, payer_id = {}, ""
        elif sid == "NM1" and seg.get(1) == "85":
            billing_npi = seg.get(9)
        elif sid == "REF" and seg.get(1) in ("EI", "SY") and current is None and level == "20":
            has_tax_id = True
        elif sid == "NM1" and seg.get(1) == "IL":
            member = {"last": seg.get(3), "first": seg.get(4), "id": seg.get(9)}
        elif sid == "DMG" and level == "22" and current is None:
            member["dob"] = seg.get(2)
        elif sid == "NM1" and seg.get(1) == "PR" and current is None:
            payer_id = seg.get(9)
        elif sid == "CLM":
            clm05 = seg.get(5).split(cs)
            current = {
                "seg": seg,
                "pcn": seg.get(1),
                "total": _amount(seg, 2, out.issues),
                "pos": clm05[0] if clm05 else "",
                "freq": clm05[2] if len(clm05) > 2 else "1",
                "npi": billing_npi,
                "member": dict(member),
                "payer": payer_id,
                "dx": [],
                "f8": "",
            }
            lines = []
            built.append((current, lines))
            if not seg.get(1):
                out.issues.append(_issue(seg, "CLM01 patient control number is required", 1, "1"))
        elif current is None:
            continue
        elif sid == "REF" and seg.get(1) == "F8":
            current["f8"] = seg.get(2)
        elif sid == "HI":
            dx = current["dx"]
            assert isinstance(dx, list)
            for value in seg.elements:
                parts = value.split(cs)
                if len(parts) > 1 and parts[0] in ("ABK", "ABF", "BK", "BF"):
                    dx.append(parts[1])
        elif sid == "LX":
            lines.append({"seg": seg})
        elif sid == "SV1" and lines:
            parts = seg.get(1).split(cs)
            pointed = [int(p) for p in seg.get(7).split(cs) if p.isdigit()]
            lines[-1].update(
                code=parts[1] if len(parts) > 1 else "",
                mods=tuple(p for p in parts[2:6] if p),
                charge=_amount(seg, 2, out.issues),
                units=_amount(seg, 4, out.issues),
                pointers=tuple(pointed),
            )
        elif sid == "DTP" and seg.get(1) == "472" and lines:
            lines[-1]["date"] = parse_date8(seg.get(3)[:8])
        elif sid == "LIN" and seg.get(2) == "N4" and lines:
            lines[-1]["ndc"] = seg.get(3)
    close_billing()

    for claim, claim_lines in built:
        start = claim["seg"]
        assert isinstance(start, Segment)
        dx_list = claim["dx"]
        assert isinstance(dx_list, list)
        dx = tuple(str(d) for d in dx_list)
        if not dx:
            out.issues.append(
                X12Issue(
                    reason="required segment HI (principal diagnosis) missing in loop 2300",
                    level="segment",
                    code="3",
                    segment_position=start.position,
                    segment_id="HI",
                    loop_id="2300",
                )
            )
        if not claim_lines:
            out.issues.append(
                X12Issue(
                    reason="required segment LX (service line) missing in loop 2400",
                    level="segment",
                    code="3",
                    segment_position=start.position,
                    segment_id="LX",
                    loop_id="2400",
                )
            )
        domain_lines: list[ServiceLine] = []
        for number, ln in enumerate(claim_lines, start=1):
            lx = ln["seg"]
            assert isinstance(lx, Segment)
            if "code" not in ln:
                out.issues.append(
                    X12Issue(
                        reason="required segment SV1 missing in loop 2400",
                        level="segment",
                        code="3",
                        segment_position=lx.position,
                        segment_id="SV1",
                        loop_id="2400",
                    )
                )
                continue
            pointers: tuple[int, ...] = ln["pointers"]  # type: ignore[assignment]
            line_date = ln.get("date")
            domain_lines.append(
                ServiceLine(
                    line_number=number,
                    procedure_code=str(ln["code"]),
                    charge=ln["charge"],  # type: ignore[arg-type]
                    units=ln["units"],  # type: ignore[arg-type]
                    # A line without DTP*472 is dated the day of receipt.
                    service_date=line_date if isinstance(line_date, date) else received_on,
                    modifiers=ln["mods"],  # type: ignore[arg-type]
                    diagnosis_codes=tuple(dx[p - 1] for p in pointers if 0 < p <= len(dx)),
                    ndc=str(ln["ndc"]) if ln.get("ndc") else None,
                )
            )
        m: dict[str, str] = claim["member"]  # type: ignore[assignment]
        out.claims.append(
            Claim(
                patient_control_number=str(claim["pcn"]),
                payer_id=str(claim["payer"]),
                member_id=m.get("id", "").upper(),
                subscriber_last_name=m.get("last", ""),
                subscriber_first_name=m.get("first", ""),
                subscriber_birth_date=parse_date8(m.get("dob", "")),
                billing_npi=str(claim["npi"]),
                total_charge=claim["total"],  # type: ignore[arg-type]
                lines=tuple(domain_lines),
                diagnosis_codes=dx,
                frequency_code=str(claim["freq"]) or "1",
                place_of_service=str(claim["pos"]),
                original_payer_claim_id=str(claim["f8"]) or None,
            )
        )
    return out
