"""What the payers keep between interchanges: their claim records, the remittance queue, the
ledger of checks sent and the clearinghouse's mailbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from rcm_sandbox.domain.model import AckCategory, ClaimPayment, ClaimStatusCode


class ClaimState(StrEnum):
    """Where a received claim stands at the payer."""

    REJECTED = "rejected"  # refused at the front end (277CA), never adjudicated
    ADJUDICATED = "adjudicated"  # decided; its payment waits for the next 835
    PAID = "paid"  # its 835 went out, CLP02 1
    DENIED = "denied"  # its 835 went out, CLP02 4
    REPLACED = "replaced"  # a frequency-7 claim replaced it
    VOIDED = "voided"  # a frequency-8 claim voided it (or it is that void)


# States of claims that count as "the same services already adjudicated" (CO-18).
ADJUDICATED_STATES = frozenset({ClaimState.ADJUDICATED, ClaimState.PAID, ClaimState.DENIED})


@dataclass(frozen=True, kw_only=True)
class ClaimRecord:
    """One received claim, keyed by (patient control number, frequency code)."""

    patient_control_number: str
    frequency_code: str
    payer_id: str
    member_id: str
    status: ClaimState
    charge: Decimal
    line_signature: str
    first_service_date: date | None  # None for a claim without lines
    received_at: datetime
    payee_npi: str
    ack_category: AckCategory
    ack_code: str
    paid: Decimal = Decimal("0.00")
    times_received: int = 1
    carc_codes: tuple[str, ...] = ()
    payer_claim_id: str | None = None
    claim_status: ClaimStatusCode | None = None  # CLP02 of its latest payment
    check_number: str | None = None
    paid_date: date | None = None
    payment: ClaimPayment | None = None  # the latest adjudication (the corrected one after a reprocess)
    last_item: int | None = None  # its latest item in the remittance queue

    @property
    def key(self) -> tuple[str, str]:
        """(patient control number, frequency code)."""
        return self.patient_control_number, self.frequency_code

    @property
    def counts_as_prior_claim(self) -> bool:
        """True when a later claim with the same services under another PCN is a duplicate (CO-18)."""
        return self.status in ADJUDICATED_STATES and not any("CO-18" in code for code in self.carc_codes)


@dataclass(frozen=True, kw_only=True)
class QueuedPayment:
    """A claim payment waiting for (or already in) an 835."""

    id: int
    payer_id: str
    payee_npi: str
    due_at: datetime
    payment: ClaimPayment
    patient_control_number: str
    frequency_code: str
    after_item: int | None = None  # it travels only in an 835 after this item's
    sent_in: str | None = None  # file id of the 835 that carried it


@dataclass(frozen=True, kw_only=True)
class SentRemittance:
    """The totals of one 835 sent (for the stats)."""

    file_id: str
    payer_id: str
    trace_number: str
    claims_paid: Decimal  # sum of CLP04
    check_amount: Decimal  # BPR02
    created_at: datetime


class MailboxKind(StrEnum):
    """Files the mailbox holds."""

    ACK_999 = "999"
    ACK_277CA = "277CA"
    REMITTANCE_835 = "835"


@dataclass(frozen=True, kw_only=True)
class MailboxFile:
    """One file of the mailbox; ``seq`` is its cursor position (files are never consumed)."""

    seq: int
    file_id: str
    kind: MailboxKind
    created_at: datetime
    content: str

