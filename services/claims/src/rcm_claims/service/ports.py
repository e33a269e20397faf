"""Ports the claims handlers need; adapters implement them with the X12 toolkit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rcm_shared.clearinghouse import X12Reply

from rcm_claims.domain.model import Claim


@dataclass(frozen=True)
class SubmissionOutcome:
    """What the clearinghouse's synchronous answer (999 or TA1) says of one interchange."""

    accepted: bool
    duplicate: bool
    level: str  # "999" or "TA1"
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimStatusAck:
    """One claim's status in a 277CA."""

    claim_id: str
    accepted: bool
    status_codes: tuple[str, ...]


class ClaimWriter(Protocol):
    def render(self, claim: Claim, control_number: int, created_at: datetime) -> str:
        """The 837 interchange carrying ``claim``."""
        ...


class ReplyReader(Protocol):
    def read(self, reply: X12Reply) -> SubmissionOutcome: ...


class AckReader(Protocol):
    def read_277ca(self, content: str) -> list[ClaimStatusAck]: ...


class Clearinghouse(Protocol):
    async def send_x12(self, interchange: str) -> X12Reply: ...
