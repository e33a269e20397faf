"""Builders for tests (the sandbox's own and the platform's): members and claims from the config.

Kept in the package rather than a conftest so any test can import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from rcm_sandbox.config import Member, MemberScenario, MemberStatus, SandboxConfig
from rcm_sandbox.domain.model import Claim, ServiceLine

# A synthetic NPI with a valid check digit.
BILLING_NPI = "1234567893"


def pick_member(
    config: SandboxConfig,
    payer_id: str,
    *,
    status: MemberStatus = MemberStatus.ACTIVE,
    scenario: MemberScenario = MemberScenario.NONE,
    plan_id: str | None = None,
) -> Member:
    """The first roster member matching these criteria (raises if none)."""
    for member in config.members:
        if (
            member.payer_id == payer_id
            and member.status is status
            and member.scenario is scenario
            and (plan_id is None or member.plan_id == plan_id)
            and member.deductible_met == 0
        ):
            return member
    raise LookupError(f"no {status} member with scenario {scenario} at {payer_id}")


def make_claim(
    member: Member,
    lines: Sequence[tuple[str, str]] | Sequence[tuple[str, str, tuple[str, ...]]],
    *,
    pcn: str = "PCN0001",
    service_date: date = date(2026, 11, 2),
    diagnoses: tuple[str, ...] = ("Z0000",),
    payer_id: str | None = None,
    frequency_code: str = "1",
    ndc: str | None = None,
    units: Decimal = Decimal("1"),
) -> Claim:
    """A claim for ``member`` with lines given as (code, charge) or (code, charge, modifiers)."""
    built: list[ServiceLine] = []
    for number, spec in enumerate(lines, start=1):
        code, charge = spec[0], spec[1]
        modifiers: tuple[str, ...] = spec[2] if len(spec) > 2 else ()  # type: ignore[misc]
        built.append(
            ServiceLine(
                line_number=number,
                procedure_code=code,
                charge=Decimal(charge),
                units=units,
                service_date=service_date,
                modifiers=modifiers,
                diagnosis_codes=diagnoses,
                ndc=ndc,
            )
        )
    return Claim(
        patient_control_number=pcn,
        payer_id=payer_id or member.payer_id,
        member_id=member.member_id,
        subscriber_last_name=member.last_name,
        subscriber_first_name=member.first_name,
        subscriber_birth_date=member.birth_date,
        billing_npi=BILLING_NPI,
        total_charge=sum((ln.charge for ln in built), Decimal("0")),
        lines=tuple(built),
        diagnosis_codes=diagnoses,
        frequency_code=frequency_code,
    )
