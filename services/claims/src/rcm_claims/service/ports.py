"""Ports the claims handlers need: repositories (over the service's own database) and the
X12/clearinghouse boundary. They speak the domain's value types, never rows or contracts.

SQL implementations live in ``adapters/repositories.py``, in-memory ones in
``adapters/memory.py``; both pass the contract suite in ``tests/contract``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rcm_shared.clearinghouse import X12Reply
from rcm_shared.envelope import Cause

from rcm_claims.domain.acknowledgements import Acknowledgement, ClaimStatusAck, SubmissionOutcome
from rcm_claims.domain.model import Claim, ClaimStatus, EncounterFacts, Intake, IntakePart, Submission


class IntakeRepository(Protocol):
    async def merge(self, part: IntakePart) -> Intake:
        """Store one part (encounter, coverage or coding; a later one replaces it) and return the whole intake.

        The SQL implementation locks the row until the transaction ends, so two parts
        arriving at once are serialised and the second sees the first: the claim is built once.
        """
        ...

    async def get(self, encounter_id: str) -> Intake | None: ...

    async def set_outcome(self, encounter_id: str, *, claim_id: str | None,
                          held_reasons: tuple[str, ...] | None) -> None:
        """Record the claim built from the intake, or why it is held."""
        ...

    async def count_held(self) -> int:
        """Intakes held with reasons (no claim built)."""
        ...


@dataclass(frozen=True)
class ClaimCauses:
    """Where a claim's next event continues the causation chain from."""

    built_by: Cause | None  # the event that completed the intake (None for claims stored before causes were)
    submitted_by: Cause | None  # the claim's ClaimSubmitted event, once sent


class ClaimRepository(Protocol):
    async def add(self, claim: Claim, *, cause: Cause | None) -> None:
        """Store a built claim with the cause of its build."""
        ...

    async def get(self, claim_id: str) -> Claim | None: ...

    async def get_by_encounter(self, encounter_id: str) -> Claim | None: ...

    async def set_status(self, claim_id: str, status: ClaimStatus) -> None: ...

    async def causes(self, claim_id: str) -> ClaimCauses: ...

    async def set_submitted_cause(self, claim_id: str, cause: Cause) -> None:
        """Remember the claim's ClaimSubmitted event: later acknowledgements continue from it."""
        ...

    async def add_ack(self, claim_id: str, ack: Acknowledgement) -> None: ...

    async def acks(self, claim_id: str) -> list[Acknowledgement]:
        """The claim's acknowledgements, oldest first."""
        ...

    async def count_by_status(self) -> dict[ClaimStatus, int]:
        """Claims per status (statuses without claims left out)."""
        ...


class SubmissionRepository(Protocol):
    async def add(self, claim_id: str, *, interchange_control_number: str, x12: str) -> Submission:
        """Store a pending 837 interchange of ``claim_id``."""
        ...

    async def next_pending(self) -> Submission | None:
        """The oldest pending submission, locked for this transaction.

        The SQL implementation skips rows another transaction holds (``FOR UPDATE SKIP
        LOCKED``), so two dispatchers never send the same claim.
        """
        ...

    async def finish(self, submission_id: int, *, outcome: SubmissionOutcome, reply: str) -> None:
        """Record the clearinghouse's answer (status, result, reply, sent time, one more attempt)."""
        ...

    async def for_claim(self, claim_id: str) -> list[Submission]:
        """The claim's submissions, oldest first."""
        ...


class ControlNumbers(Protocol):
    async def next_value(self) -> int:
        """The next interchange control number (unique and persistent per sender; 1..999,999,999)."""
        ...


class ClaimWriter(Protocol):
    def render(self, claim: Claim, encounter: EncounterFacts, control_number: int, created_at: datetime) -> str:
        """The 837 interchange carrying ``claim``."""
        ...


class ReplyReader(Protocol):
    def read(self, reply: X12Reply) -> SubmissionOutcome:
        """What the clearinghouse's synchronous answer says of the interchange."""
        ...


class AckReader(Protocol):
    def read_277ca(self, content: str) -> list[ClaimStatusAck]:
        """Each claim's status in a 277CA interchange."""
        ...


class Clearinghouse(Protocol):
    async def send_x12(self, interchange: str) -> X12Reply:
        """Send an interchange; raise ``TransientError`` when the clearinghouse cannot answer."""
        ...
