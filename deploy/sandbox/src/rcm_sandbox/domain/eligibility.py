"""Real-time eligibility: the decision behind a 271 (benefits or an AAA rejection)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.payers import Member, Plan, SandboxConfig

MEMBER_ID_PATTERN = re.compile(r"^[A-Z0-9]{6,20}$")


class RejectReason(StrEnum):
    """AAA03 reject reason codes."""

    INVALID_DOB = "58"
    INVALID_MEMBER_ID = "72"
    INVALID_NAME = "73"
    SUBSCRIBER_NOT_FOUND = "75"


@dataclass(frozen=True)
class EligibilityInquiry:
    """What a 270 asks about one subscriber."""

    payer_id: str
    member_id: str
    last_name: str
    first_name: str
    birth_date: date | None
    service_date: date


@dataclass(frozen=True)
class Benefits:
    """EB data for an active member: plan amounts and what is left this year."""

    plan: Plan
    deductible_remaining: Decimal
    out_of_pocket_remaining: Decimal | None


@dataclass(frozen=True)
class EligibilityResult:
    """Either a rejection (AAA), inactive coverage (EB*6) or active coverage with benefits."""

    inquiry: EligibilityInquiry
    member: Member | None
    reject_reason: RejectReason | None = None
    active: bool = False
    benefits: Benefits | None = None


def check_eligibility(
    inquiry: EligibilityInquiry, config: SandboxConfig, accumulator: Accumulator | None
) -> EligibilityResult:
    """Answer an inquiry; ``accumulator`` is the member's for the service year (None = opening)."""
    member_id = inquiry.member_id.strip().upper()
    if not MEMBER_ID_PATTERN.match(member_id):
        return EligibilityResult(inquiry, None, RejectReason.INVALID_MEMBER_ID)
    member = config.member(member_id)
    if member is None or member.payer_id != inquiry.payer_id:
        return EligibilityResult(inquiry, None, RejectReason.SUBSCRIBER_NOT_FOUND)
    if inquiry.last_name.strip().upper() != member.record_last_name.upper():
        return EligibilityResult(inquiry, member, RejectReason.INVALID_NAME)
    if inquiry.birth_date is not None and inquiry.birth_date != member.record_birth_date:
        return EligibilityResult(inquiry, member, RejectReason.INVALID_DOB)
    if not member.covered_on(inquiry.service_date):
        return EligibilityResult(inquiry, member, active=False)
    plan = config.plan_of(member)
    acc = accumulator if accumulator is not None else Accumulator.opening(member)
    benefits = Benefits(plan, acc.deductible_remaining(plan), acc.out_of_pocket_remaining(plan))
    return EligibilityResult(inquiry, member, active=True, benefits=benefits)
