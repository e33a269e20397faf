"""In-memory repositories and unit of work for fast handler tests (no database).

They keep what handlers rely on from the SQL ones: a part replaces the earlier one, the
oldest pending submission comes first, control numbers never repeat, and every change is
kept only when the unit of work commits (see ``rcm_shared.db.memory``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rcm_shared.db.memory import InMemoryStore, InMemoryUnitOfWork
from rcm_shared.envelope import Cause

from rcm_claims.domain.acknowledgements import Acknowledgement, SubmissionOutcome
from rcm_claims.domain.model import (
    CLAIM_STATUSES,
    Claim,
    ClaimStatus,
    CodedEncounter,
    CoverageFacts,
    EncounterFacts,
    Intake,
    IntakePart,
    Submission,
)
from rcm_claims.service.ports import (
    ClaimCauses,
    ClaimRepository,
    ControlNumbers,
    IntakeRepository,
    SubmissionRepository,
)


@dataclass
class StoredClaim:
    claim: Claim
    built_by: Cause | None
    submitted_by: Cause | None = None


@dataclass
class ClaimsStore(InMemoryStore):
    """The claims database as dicts (plus the messaging tables of :class:`InMemoryStore`)."""

    intakes: dict[str, Intake] = field(default_factory=dict)
    claims: dict[str, StoredClaim] = field(default_factory=dict)
    submissions: dict[int, Submission] = field(default_factory=dict)
    acks: dict[str, list[Acknowledgement]] = field(default_factory=dict)
    last_control_number: int = 0


class InMemoryIntakeRepository:
    def __init__(self, state: ClaimsStore) -> None:
        self.state = state

    async def merge(self, part: IntakePart) -> Intake:
        intake = self.state.intakes.get(part.encounter_id) or Intake(encounter_id=part.encounter_id)
        if isinstance(part, EncounterFacts):
            intake = dataclasses.replace(intake, encounter=part)
        elif isinstance(part, CoverageFacts):
            intake = dataclasses.replace(intake, coverage=part)
        elif isinstance(part, CodedEncounter):
            intake = dataclasses.replace(intake, coding=part)
        self.state.intakes[part.encounter_id] = intake
        return intake

    async def get(self, encounter_id: str) -> Intake | None:
        return self.state.intakes.get(encounter_id)

    async def set_outcome(self, encounter_id: str, *, claim_id: str | None,
                          held_reasons: tuple[str, ...] | None) -> None:
        intake = self.state.intakes.get(encounter_id)
        if intake is not None:
            self.state.intakes[encounter_id] = dataclasses.replace(intake, claim_id=claim_id,
                                                                   held_reasons=held_reasons)

    async def count_held(self) -> int:
        return sum(1 for i in self.state.intakes.values() if i.held_reasons is not None)


class InMemoryClaimRepository:
    def __init__(self, state: ClaimsStore) -> None:
        self.state = state

    async def add(self, claim: Claim, *, cause: Cause | None) -> None:
        if claim.claim_id in self.state.claims or any(
                s.claim.encounter_id == claim.encounter_id for s in self.state.claims.values()):
            raise ValueError(f"claim {claim.claim_id} is already stored")  # the SQL keys' guarantee
        self.state.claims[claim.claim_id] = StoredClaim(claim, cause)

    async def get(self, claim_id: str) -> Claim | None:
        stored = self.state.claims.get(claim_id)
        return None if stored is None else stored.claim

    async def get_by_encounter(self, encounter_id: str) -> Claim | None:
        return next((s.claim for s in self.state.claims.values() if s.claim.encounter_id == encounter_id), None)

    async def set_status(self, claim_id: str, status: ClaimStatus) -> None:
        stored = self.state.claims.get(claim_id)
        if stored is not None:
            stored.claim = dataclasses.replace(stored.claim, status=status)

    async def causes(self, claim_id: str) -> ClaimCauses:
        stored = self.state.claims.get(claim_id)
        if stored is None:
            return ClaimCauses(built_by=None, submitted_by=None)
        return ClaimCauses(built_by=stored.built_by, submitted_by=stored.submitted_by)

    async def set_submitted_cause(self, claim_id: str, cause: Cause) -> None:
        stored = self.state.claims.get(claim_id)
        if stored is not None:
            stored.submitted_by = cause

    async def add_ack(self, claim_id: str, ack: Acknowledgement) -> None:
        self.state.acks.setdefault(claim_id, []).append(ack)

    async def acks(self, claim_id: str) -> list[Acknowledgement]:
        return list(self.state.acks.get(claim_id, []))

    async def count_by_status(self) -> dict[ClaimStatus, int]:
        counts = {s: sum(1 for c in self.state.claims.values() if c.claim.status == s) for s in CLAIM_STATUSES}
        return {s: n for s, n in counts.items() if n}


class InMemorySubmissionRepository:
    def __init__(self, state: ClaimsStore) -> None:
        self.state = state

    async def add(self, claim_id: str, *, interchange_control_number: str, x12: str) -> Submission:
        if any(s.interchange_control_number == interchange_control_number for s in self.state.submissions.values()):
            raise ValueError(f"interchange control number {interchange_control_number} is already used")
        submission = Submission(id=max(self.state.submissions, default=0) + 1, claim_id=claim_id,
                                interchange_control_number=interchange_control_number, x12=x12)
        self.state.submissions[submission.id] = submission
        return submission

    async def next_pending(self) -> Submission | None:
        pending = [s for s in self.state.submissions.values() if s.status == "pending"]
        return min(pending, key=lambda s: s.id, default=None)

    async def finish(self, submission_id: int, *, outcome: SubmissionOutcome, reply: str) -> None:
        s = self.state.submissions[submission_id]
        self.state.submissions[submission_id] = dataclasses.replace(
            s, status=outcome.submission_status, reply_result=outcome.result, reply=reply,
            sent_at=datetime.now(UTC), attempts=s.attempts + 1)

    async def for_claim(self, claim_id: str) -> list[Submission]:
        return sorted((s for s in self.state.submissions.values() if s.claim_id == claim_id), key=lambda s: s.id)


class InMemoryControlNumbers:
    def __init__(self, state: ClaimsStore) -> None:
        self.state = state

    async def next_value(self) -> int:
        self.state.last_control_number = self.state.last_control_number % 999_999_999 + 1
        return self.state.last_control_number


class FakeClaimsUnitOfWork(InMemoryUnitOfWork[ClaimsStore]):
    """The claims unit of work over a :class:`ClaimsStore`: commit applies, leaving without it rolls back."""

    # Typed as the ports: mypy checks here that each in-memory repository implements its port.
    intakes: IntakeRepository
    claims: ClaimRepository
    submissions: SubmissionRepository
    control_numbers: ControlNumbers

    def _open_repositories(self, state: ClaimsStore) -> None:
        self.intakes = InMemoryIntakeRepository(state)
        self.claims = InMemoryClaimRepository(state)
        self.submissions = InMemorySubmissionRepository(state)
        self.control_numbers = InMemoryControlNumbers(state)
