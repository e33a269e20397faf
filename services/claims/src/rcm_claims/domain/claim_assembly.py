"""Claim assembly: scrub the joined intake, price its lines, build the original claim."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from rcm_claims.domain.errors import ClaimNotBuildableError
from rcm_claims.domain.model import (
    Chargemaster,
    Claim,
    ClaimLine,
    CodedEncounter,
    CoverageFacts,
    EncounterFacts,
    claim_id_for,
)

CENT = Decimal("0.01")


def price_lines(coding: CodedEncounter, chargemaster: Chargemaster) -> tuple[ClaimLine, ...]:
    """Price each coded line from the provider's chargemaster (unit price x units, to the cent)."""
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
                modifiers=line.modifiers,
                units=line.units,
                unit_price=unit_price,
                charge=(unit_price * line.units).quantize(CENT, rounding=ROUND_HALF_UP),
                diagnosis_pointers=line.diagnosis_pointers,
                date_of_service=coding.date_of_service,
            )
        )
    return tuple(priced)


def scrub_claim(encounter: EncounterFacts, coverage: CoverageFacts, coding: CodedEncounter) -> list[str]:
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
    encounter: EncounterFacts,
    coverage: CoverageFacts,
    coding: CodedEncounter,
    chargemaster: Chargemaster,
) -> Claim:
    """Assemble and scrub the original claim (frequency 1) of an encounter.

    Raises :class:`ClaimNotBuildableError` with every scrub finding, or naming the codes
    the chargemaster has no price for.
    """
    findings = scrub_claim(encounter, coverage, coding)
    if findings:
        raise ClaimNotBuildableError(findings)
    diagnoses = tuple(d.code for d in sorted(coding.diagnoses, key=lambda d: d.rank))
    return Claim(
        claim_id=claim_id_for(encounter.encounter_id),
        encounter_id=encounter.encounter_id,
        payer_id=encounter.coverage.payer_id,
        frequency_code="1",
        diagnoses=diagnoses,
        lines=price_lines(coding, chargemaster),
    )
