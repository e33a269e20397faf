"""Test doubles and synthetic inputs for the claims service's tests (never imported by the service).

Kept in the package rather than a conftest so unit, contract and integration tests share them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from rcm_shared.clearinghouse import X12Reply
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived, FileKind
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.db.uow import build_event
from rcm_shared.envelope import Envelope
from rcm_shared.messaging.errors import TransientError
from rcm_shared.testing.samples import encounter_payload

from rcm_claims.domain.acknowledgements import ClaimStatusAck, SubmissionOutcome
from rcm_claims.domain.model import Claim, EncounterFacts

DOS = date(2026, 10, 14)
AT = datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
PRICES = {"99213": Decimal("185.00"), "99214": Decimal("265.00"), "83036": Decimal("45.00"),
          "96372": Decimal("55.10"), "J1100": Decimal("12.35")}
ONE_LINE = [{"code": "99213", "code_system": "CPT", "diagnosis_pointers": [1]}]


def encounter_completed(encounter_id: str, **overrides: Any) -> EncounterCompleted:
    """A synthetic documented office visit (date of service :data:`DOS`)."""
    return EncounterCompleted.model_validate(encounter_payload(encounter_id, **overrides))


def eligibility_checked(encounter_id: str, status: str = "active", **overrides: Any) -> EligibilityChecked:
    """The sandbox PPO's answer for the synthetic member of :func:`encounter_completed`."""
    return EligibilityChecked.model_validate({
        "encounter_id": encounter_id, "payer_id": "SBXPPO01", "member_id": "SBX0000001", "date_of_service": DOS,
        "status": status, "checked_at": AT, **overrides})


def encounter_coded(encounter_id: str, lines: list[dict[str, Any]] | None = None, **overrides: Any) -> EncounterCoded:
    """Codes for the visit: I10 and the given lines (one 99213 by default)."""
    return EncounterCoded.model_validate({
        "encounter_id": encounter_id, "date_of_service": DOS, "coded_by": "engine",
        "diagnoses": [{"code": "I10", "rank": 1}], "lines": lines or ONE_LINE, **overrides})


def clearinghouse_file(content: str, *, kind: FileKind = "277CA",
                       file_id: str = "F-277-1") -> ClearinghouseFileReceived:
    return ClearinghouseFileReceived(file_id=file_id, kind=kind, mailbox_seq=1, content=content, received_at=AT)


def event_of(payload: EncounterCompleted | EligibilityChecked | EncounterCoded | ClearinghouseFileReceived, *,
             source: str = "test", cause: Envelope | None = None) -> Envelope:
    """``payload`` as the event its producer publishes (caused by ``cause`` when given)."""
    key = payload.file_id if isinstance(payload, ClearinghouseFileReceived) else payload.encounter_id
    return build_event(payload, source=source, cause=cause, key=key)


class StubClaimWriter:
    """Renders a claim as a short marker naming it and its control number."""

    def __init__(self, *, fail: Exception | None = None) -> None:
        self.fail = fail
        self.rendered: list[tuple[str, int]] = []

    def render(self, claim: Claim, encounter: EncounterFacts, control_number: int, created_at: datetime) -> str:
        if self.fail is not None:
            raise self.fail
        self.rendered.append((claim.claim_id, control_number))
        return f"837|{claim.claim_id}|{control_number:09d}|{claim.total_charge}"


class FakeClearinghouse:
    """Answers every interchange with ``reply`` (or fails as the real client does when down)."""

    def __init__(self, reply: X12Reply | None = None, *, down: bool = False) -> None:
        self.reply = reply or X12Reply(200, "999 accepted", "accepted")
        self.down = down
        self.sent: list[str] = []

    async def send_x12(self, interchange: str) -> X12Reply:
        if self.down:
            raise TransientError("clearinghouse unreachable: ConnectError")
        self.sent.append(interchange)
        return self.reply


class StubReplyReader:
    """Reads every reply as ``outcome``."""

    def __init__(self, outcome: SubmissionOutcome) -> None:
        self.outcome = outcome

    def read(self, reply: X12Reply) -> SubmissionOutcome:
        return self.outcome


ACCEPTED_999 = SubmissionOutcome(accepted=True, duplicate=False, level="999", codes=("A",))
REJECTED_999 = SubmissionOutcome(accepted=False, duplicate=False, level="999", codes=("R", "I12"))
DUPLICATE_TA1 = SubmissionOutcome(accepted=False, duplicate=True, level="TA1", codes=("025",))


class StubAckReader:
    """Reads every 277CA as ``statuses``; counts the files read."""

    def __init__(self, statuses: list[ClaimStatusAck] | None = None) -> None:
        self.statuses = statuses or []
        self.files_read = 0

    def read_277ca(self, content: str) -> list[ClaimStatusAck]:
        self.files_read += 1
        return list(self.statuses)


__all__ = [
    "ACCEPTED_999", "AT", "DOS", "DUPLICATE_TA1", "ONE_LINE", "PRICES", "REJECTED_999", "FakeClearinghouse",
    "StubAckReader", "StubClaimWriter", "StubReplyReader", "clearinghouse_file", "encounter_coded",
    "encounter_completed", "eligibility_checked", "event_of",
]
