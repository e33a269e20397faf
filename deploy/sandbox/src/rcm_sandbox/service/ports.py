"""The ports the handlers need: the payers' storage (repositories, speaking domain values),
the clock, and the writers of the X12 documents the sandbox stores in its mailbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.model import AcceptedClaim, ClaimPayment, Outbound, Remittance
from rcm_sandbox.domain.payers import PayerKind
from rcm_sandbox.domain.records import ClaimRecord, MailboxFile, MailboxKind, QueuedPayment, SentRemittance

Clock = Callable[[], datetime]
"""Now, timezone-aware (UTC)."""


class CounterRepository(Protocol):
    """Named counters; also the sequences behind control numbers and ids."""

    def increment(self, name: str, by: int = 1) -> int:
        """Add ``by`` to the counter and return its new value (a new counter starts at 0)."""
        ...

    def value(self, name: str) -> int:
        """The counter's value (0 if never incremented)."""
        ...


class InterchangeRepository(Protocol):
    """Interchanges received, by sender and ISA13 (duplicate detection)."""

    def remember(self, sender: str, control_number: str, kind: str, received_at: datetime) -> bool:
        """Record an interchange; False (and one more sighting) when the sender already used the number."""
        ...


class ClaimRepository(Protocol):
    """The payer's claim records, keyed by (patient control number, frequency code)."""

    def add(self, claim: ClaimRecord) -> None:
        """Store a newly received claim (its key is new)."""
        ...

    def update(self, claim: ClaimRecord) -> None:
        """Replace the stored claim with the same key."""
        ...

    def get(self, patient_control_number: str, frequency_code: str) -> ClaimRecord | None:
        """The claim with this key, or None."""
        ...

    def by_payer_claim_id(self, payer_claim_id: str) -> ClaimRecord | None:
        """The claim the payer knows under this control number (CLP07 / REF*F8), or None."""
        ...

    def by_patient_control_number(self, patient_control_number: str) -> list[ClaimRecord]:
        """Every frequency of one patient control number, in arrival order."""
        ...

    def of_member(self, member_id: str) -> list[ClaimRecord]:
        """The member's claims, in arrival order."""
        ...

    def all(self) -> list[ClaimRecord]:
        """Every claim, in arrival order."""
        ...


class AccumulatorRepository(Protocol):
    """Deductible and out-of-pocket met, per member and calendar year."""

    def get(self, member_id: str, year: int) -> Accumulator | None:
        """The member's accumulator for ``year``, or None when the year is not tracked yet."""
        ...

    def save(self, member_id: str, year: int, accumulator: Accumulator) -> None:
        """Store the member's accumulator for ``year``."""
        ...


class RemittanceQueue(Protocol):
    """Claim payments waiting for an 835."""

    def add(
        self,
        *,
        payer_id: str,
        payee_npi: str,
        due_at: datetime,
        payment: ClaimPayment,
        patient_control_number: str,
        frequency_code: str,
        after_item: int | None = None,
    ) -> int:
        """Queue a payment; returns its item id (ids increase)."""
        ...

    def releasable(self, now: datetime | None) -> list[QueuedPayment]:
        """Unsent items due by ``now`` (all when None) whose ``after_item`` went out in an earlier
        835, by item id."""
        ...

    def mark_sent(self, item_ids: Sequence[int], file_id: str) -> None:
        """These items went out in the 835 ``file_id``."""
        ...

    def pending_count(self) -> int:
        """Items not yet in any 835."""
        ...


class RemittanceLedger(Protocol):
    """The 835s sent."""

    def record(self, remittance: SentRemittance) -> None:
        """Remember a sent 835's totals."""
        ...

    def totals(self) -> tuple[int, Decimal]:
        """(number of 835s sent, sum of their CLP04)."""
        ...


class Mailbox(Protocol):
    """The clearinghouse's outbound files, read with a cursor and never consumed."""

    def put(self, file_id: str, kind: MailboxKind, created_at: datetime, content: str) -> int:
        """Store a file; returns its sequence number (they increase)."""
        ...

    def files(self, kind: MailboxKind | None, after: int, limit: int) -> list[MailboxFile]:
        """Up to ``limit`` files (of ``kind`` when given) with a sequence number above ``after``, oldest first."""
        ...


class ClaimInterchangeReplies(Protocol):
    """The X12 one received 837 interchange is answered with (its 999 is fixed by what was read)."""

    def duplicate_notice(self, envelope: Outbound) -> str:
        """TA1 note 025: this interchange was already received."""
        ...

    def syntax_acknowledgement(self, envelope: Outbound) -> str:
        """The 999 of the interchange."""
        ...

    def claim_acknowledgements(self, envelope: Outbound, decisions: Sequence[AcceptedClaim]) -> str:
        """The 277CA: the front-end decision on each claim."""
        ...


class RemittanceWriter(Protocol):
    """Writes the 835 of a remittance."""

    def remittance_835(self, envelope: Outbound, remittance: Remittance, kind: PayerKind) -> str:
        """The 835 interchange carrying ``remittance``."""
        ...
