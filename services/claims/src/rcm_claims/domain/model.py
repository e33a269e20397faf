"""Claims: what an encounter, its coverage answer and its codes become.

The claim id is the patient control number (CLM01, at most 20 characters). It is derived
from the encounter id so that replaying the event history rebuilds the same claims.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted

from rcm_claims.domain.errors import ClaimNotBuildableError

CENT = Decimal("0.01")


def claim_id_for(encounter_id: str, frequency_code: str = "1") -> str:
    """Deterministic patient control number for an encounter's claim (17 characters)."""
    digest = hashlib.sha256(f"{encounter_id}|{frequency_code}".encode()).hexdigest()[:16].upper()
    return f"C{digest}"


@dataclass(frozen=True)
class ClaimLine:
    line_number: int
    code: str
    code_system: str
    modifiers: tuple[str, ...]
    units: Decimal
    unit_price: Decimal
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]
    date_of_service: date


@dataclass(frozen=True)
class Claim:
    claim_id: str
    encounter_id: str
    frequency_code: str
    encounter: EncounterCompleted
    coverage: EligibilityChecked
    diagnoses: tuple[str, ...]  # principal first, as in the code set (with the decimal point)
    lines: tuple[ClaimLine, ...]

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))


def price_lines(coding: EncounterCoded, chargemaster: Mapping[str, Decimal]) -> tuple[ClaimLine, ...]:
    """Price each coded line from the provider's chargemaster (unit price x units)."""
    missing = sorted({line.code for line in coding.lines if line.code not in chargemaster})
    if missing:
        raise ClaimNotBuildableError([f"no chargemaster price for code(s) {', '.join(missing)}"])
    priced = []
    for number, line in enumerate(coding.lines, start=1):
        unit_price = chargemaster[line.code]
        priced.append(
            ClaimLine(
                line_number=number,
                code=line.code,
                code_system=line.code_system,
                modifiers=tuple(line.modifiers),
                units=line.units,
                unit_price=unit_price,
                charge=(unit_price * line.units).quantize(CENT, rounding=ROUND_HALF_UP),
                diagnosis_pointers=tuple(line.diagnosis_pointers),
                date_of_service=coding.date_of_service,
            )
        )
    return tuple(priced)


def scrub(encounter: EncounterCompleted, coverage: EligibilityChecked, coding: EncounterCoded) -> list[str]:
    """Claim-level checks before a claim may be sent; each finding says what to fix.

    MINIMAL (walking skeleton): coverage, pointers and date consistency only. The coding
    edits (NCCI, MUE, Excludes1, age/sex) join the scrubber in the claims issue.
    """
    findings: list[str] = []
    if coverage.status != "active":
        codes = f" (AAA {', '.join(coverage.rejection_codes)})" if coverage.rejection_codes else ""
        findings.append(f"coverage is {coverage.status} on {coverage.date_of_service}{codes}: verify the insurance")
    if coverage.member_id != encounter.coverage.member_id or coverage.payer_id != encounter.coverage.payer_id:
        findings.append("eligibility answer is for another payer or member than the encounter's coverage")
    if coding.date_of_service != encounter.date_of_service:
        findings.append("coded date of service differs from the encounter's")
    count = len(coding.diagnoses)
    for n, line in enumerate(coding.lines, start=1):
        bad = [p for p in line.diagnosis_pointers if p < 1 or p > count]
        if bad:
            findings.append(f"line {n} ({line.code}) points to diagnosis {bad} but the claim has {count}")
    return findings


def build_claim(
    encounter: EncounterCompleted,
    coverage: EligibilityChecked,
    coding: EncounterCoded,
    chargemaster: Mapping[str, Decimal],
) -> Claim:
    """Assemble and scrub the original claim (frequency 1) of an encounter."""
    findings = scrub(encounter, coverage, coding)
    if findings:
        raise ClaimNotBuildableError(findings)
    diagnoses = tuple(d.code for d in sorted(coding.diagnoses, key=lambda d: d.rank))
    return Claim(
        claim_id=claim_id_for(encounter.encounter_id),
        encounter_id=encounter.encounter_id,
        frequency_code="1",
        encounter=encounter,
        coverage=coverage,
        diagnoses=diagnoses,
        lines=price_lines(coding, chargemaster),
    )
