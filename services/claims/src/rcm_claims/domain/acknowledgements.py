"""What the clearinghouse answers about our claims, and what each answer means for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rcm_claims.domain.model import ClaimStatus, ReplyResult, SubmissionStatus

AckLevel = Literal["999", "277CA", "TA1"]


@dataclass(frozen=True)
class SubmissionOutcome:
    """What the clearinghouse's synchronous answer (999 or TA1) says of one interchange.

    A duplicate interchange (TA1 note 025) means an earlier send of the same bytes got
    through (we crashed before recording it): the claim counts as sent.
    """

    accepted: bool
    duplicate: bool
    level: Literal["999", "TA1"]
    codes: tuple[str, ...] = ()

    @property
    def sent(self) -> bool:
        return self.accepted or self.duplicate

    @property
    def submission_status(self) -> SubmissionStatus:
        return "sent" if self.sent else "rejected"

    @property
    def result(self) -> ReplyResult:
        return "duplicate" if self.duplicate else ("accepted" if self.accepted else "rejected")

    @property
    def claim_status(self) -> ClaimStatus:
        return "submitted" if self.sent else "rejected"


@dataclass(frozen=True)
class ClaimStatusAck:
    """One claim's status in a 277CA."""

    claim_id: str
    accepted: bool
    status_codes: tuple[str, ...]

    @property
    def claim_status(self) -> ClaimStatus:
        return "accepted" if self.accepted else "rejected"


@dataclass(frozen=True)
class Acknowledgement:
    """An acknowledgement recorded against a claim (sync 999/TA1 or a 277CA file)."""

    file_id: str
    level: AckLevel
    accepted: bool
    status_codes: tuple[str, ...]
