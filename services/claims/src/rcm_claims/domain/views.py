"""Read-side views the HTTP API answers with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rcm_claims.domain.model import Claim, ClaimStatus, Intake, Submission


@dataclass(frozen=True)
class ClaimsSummary:
    """Claims by status, and the encounters held before a claim could be built."""

    by_status: Mapping[ClaimStatus, int]
    held: int


@dataclass(frozen=True)
class EncounterClaimView:
    """An encounter as claims sees it: its claim and submissions, or its intake when no claim exists."""

    encounter_id: str
    claim: Claim | None = None
    submissions: tuple[Submission, ...] = ()
    intake: Intake | None = None
