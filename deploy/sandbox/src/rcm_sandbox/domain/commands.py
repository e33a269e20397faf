"""What the clearinghouse is asked to do, one command per kind of inbound work.

Each carries the domain's own values, already read out of the X12 by the inbound adapter:
``sender_id``/``usage_indicator`` are the inbound ISA06/ISA15 the answer goes back to.
"""

from __future__ import annotations

from dataclasses import dataclass

from rcm_sandbox.domain.eligibility import EligibilityInquiry
from rcm_sandbox.domain.model import Claim


@dataclass(frozen=True, kw_only=True)
class ReceiveClaims:
    """Take in an 837 interchange: refuse a resent one, otherwise acknowledge it (999), edit
    and adjudicate its readable claims and acknowledge them (277CA).

    ``control_number`` is its ISA13 (a sender never reuses one); ``syntax_accepted`` is whether
    its 999 accepts at least one transaction set; ``submitter_id``/``submitter_name`` (1000A)
    receive the 277CA.
    """

    sender_id: str
    control_number: str
    usage_indicator: str
    syntax_accepted: bool
    submitter_id: str
    submitter_name: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True, kw_only=True)
class AnswerEligibility:
    """Answer the inquiries of a 270 interchange (one 271 answer each)."""

    sender_id: str
    usage_indicator: str
    inquiries: tuple[EligibilityInquiry, ...]


@dataclass(frozen=True)
class StatusInquiry:
    """What a 276 asks about one claim."""

    patient_control_number: str
    member_id: str


@dataclass(frozen=True, kw_only=True)
class AnswerClaimStatus:
    """Answer the claim inquiries of a 276 interchange (one 277 status each)."""

    sender_id: str
    usage_indicator: str
    inquiries: tuple[StatusInquiry, ...]


@dataclass(frozen=True, kw_only=True)
class RefuseInterchange:
    """Refuse an interchange with a TA1 or a 999 (the caller writes it on the envelope returned).

    ``counted``: the interchange was read (it counts as received); False for envelope errors.
    """

    sender_id: str
    usage_indicator: str
    counted: bool


@dataclass(frozen=True)
class ReleaseRemittances:
    """Put the due 835s in the mailbox.

    ``force`` ignores the remittance delay (not the order: a reversal still waits for its
    original's 835) and repeats until nothing is left.
    """

    force: bool = False
