"""In-memory storage for fast handler tests (no file, no SQLite).

It keeps the guarantees handlers rely on: changes made inside ``with uow:`` reach the store
only through ``commit()``; leaving the block without it rolls them back. It passes the same
repository contract suite as the SQLite storage (``tests/contract``). Single-threaded: the
app itself always runs on SQLite.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Self

from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.model import ClaimPayment
from rcm_sandbox.domain.records import ClaimRecord, MailboxFile, MailboxKind, QueuedPayment, SentRemittance
from rcm_sandbox.service.ports import (
    AccumulatorRepository,
    ClaimRepository,
    CounterRepository,
    InterchangeRepository,
    Mailbox,
    RemittanceLedger,
    RemittanceQueue,
)


@dataclass
class SandboxStore:
    """Everything the sandbox keeps, as plain collections (insertion order = arrival order)."""

    counters: dict[str, int] = field(default_factory=dict)
    interchanges: dict[tuple[str, str], int] = field(default_factory=dict)  # (sender, ISA13) -> times seen
    claims: dict[tuple[str, str], ClaimRecord] = field(default_factory=dict)
    accumulators: dict[tuple[str, int], Accumulator] = field(default_factory=dict)
    remit_items: dict[int, QueuedPayment] = field(default_factory=dict)
    remittances: list[SentRemittance] = field(default_factory=list)
    mailbox: dict[int, MailboxFile] = field(default_factory=dict)
    last_item_id: int = 0
    last_seq: int = 0
    commits: int = 0


State = Callable[[], SandboxStore]


class MemoryCounterRepository:
    def __init__(self, state: State) -> None:
        self._state = state

    def increment(self, name: str, by: int = 1) -> int:
        counters = self._state().counters
        counters[name] = counters.get(name, 0) + by
        return counters[name]

    def value(self, name: str) -> int:
        return self._state().counters.get(name, 0)


class MemoryInterchangeRepository:
    def __init__(self, state: State) -> None:
        self._state = state

    def remember(self, sender: str, control_number: str, kind: str, received_at: datetime) -> bool:
        seen = self._state().interchanges
        key = (sender, control_number)
        fresh = key not in seen
        seen[key] = seen.get(key, 0) + 1
        return fresh


class MemoryClaimRepository:
    def __init__(self, state: State) -> None:
        self._state = state

    def add(self, claim: ClaimRecord) -> None:
        claims = self._state().claims
        if claim.key in claims:
            raise ValueError(f"claim {claim.key} is already stored")
        claims[claim.key] = claim

    def update(self, claim: ClaimRecord) -> None:
        claims = self._state().claims
        if claim.key in claims:  # like an UPDATE matching no row
            claims[claim.key] = claim

    def get(self, patient_control_number: str, frequency_code: str) -> ClaimRecord | None:
        return self._state().claims.get((patient_control_number, frequency_code))

    def by_payer_claim_id(self, payer_claim_id: str) -> ClaimRecord | None:
        return next((c for c in self._state().claims.values() if c.payer_claim_id == payer_claim_id), None)

    def by_patient_control_number(self, patient_control_number: str) -> list[ClaimRecord]:
        return [c for c in self.all() if c.patient_control_number == patient_control_number]

    def of_member(self, member_id: str) -> list[ClaimRecord]:
        return [c for c in self.all() if c.member_id == member_id]

    def all(self) -> list[ClaimRecord]:
        stored = list(enumerate(self._state().claims.values()))
        return [c for _, c in sorted(stored, key=lambda pair: (pair[1].received_at, pair[0]))]


class MemoryAccumulatorRepository:
    def __init__(self, state: State) -> None:
        self._state = state

    def get(self, member_id: str, year: int) -> Accumulator | None:
        return self._state().accumulators.get((member_id, year))

    def save(self, member_id: str, year: int, accumulator: Accumulator) -> None:
        self._state().accumulators[(member_id, year)] = accumulator


class MemoryRemittanceQueue:
    def __init__(self, state: State) -> None:
        self._state = state

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
        state = self._state()
        state.last_item_id += 1
        state.remit_items[state.last_item_id] = QueuedPayment(
            id=state.last_item_id,
            payer_id=payer_id,
            payee_npi=payee_npi,
            due_at=due_at,
            payment=payment,
            patient_control_number=patient_control_number,
            frequency_code=frequency_code,
            after_item=after_item,
        )
        return state.last_item_id

    def releasable(self, now: datetime | None) -> list[QueuedPayment]:
        items = self._state().remit_items

        def predecessor_sent(item: QueuedPayment) -> bool:
            # Like the SQL LEFT JOIN: an unknown predecessor never counts as sent.
            if item.after_item is None:
                return True
            before = items.get(item.after_item)
            return before is not None and before.sent_in is not None

        return [
            item
            for _, item in sorted(items.items())
            if item.sent_in is None and predecessor_sent(item) and (now is None or item.due_at <= now)
        ]

    def mark_sent(self, item_ids: Sequence[int], file_id: str) -> None:
        items = self._state().remit_items
        for item_id in item_ids:
            if item_id in items:
                items[item_id] = replace(items[item_id], sent_in=file_id)

    def pending_count(self) -> int:
        return sum(1 for item in self._state().remit_items.values() if item.sent_in is None)


class MemoryRemittanceLedger:
    def __init__(self, state: State) -> None:
        self._state = state

    def record(self, remittance: SentRemittance) -> None:
        sent = self._state().remittances
        if any(r.file_id == remittance.file_id for r in sent):
            raise ValueError(f"remittance {remittance.file_id} is already recorded")
        sent.append(remittance)

    def totals(self) -> tuple[int, Decimal]:
        sent = self._state().remittances
        return len(sent), sum((r.claims_paid for r in sent), Decimal("0.00"))


class MemoryMailbox:
    def __init__(self, state: State) -> None:
        self._state = state

    def put(self, file_id: str, kind: MailboxKind, created_at: datetime, content: str) -> int:
        state = self._state()
        if any(f.file_id == file_id for f in state.mailbox.values()):
            raise ValueError(f"mailbox already holds {file_id}")
        state.last_seq += 1
        state.mailbox[state.last_seq] = MailboxFile(
            seq=state.last_seq, file_id=file_id, kind=kind, created_at=created_at, content=content
        )
        return state.last_seq

    def files(self, kind: MailboxKind | None, after: int, limit: int) -> list[MailboxFile]:
        wanted = [f for seq, f in sorted(self._state().mailbox.items()) if seq > after and kind in (None, f.kind)]
        return wanted[:limit]


class FakeSandboxUnitOfWork:
    """A unit of work over a :class:`SandboxStore`: the block works on a copy that ``commit``
    applies."""

    def __init__(self, store: SandboxStore) -> None:
        self.store = store
        self._working: SandboxStore | None = None
        self.counters: CounterRepository = MemoryCounterRepository(self._state)
        self.interchanges: InterchangeRepository = MemoryInterchangeRepository(self._state)
        self.claims: ClaimRepository = MemoryClaimRepository(self._state)
        self.accumulators: AccumulatorRepository = MemoryAccumulatorRepository(self._state)
        self.remittance_queue: RemittanceQueue = MemoryRemittanceQueue(self._state)
        self.remittances: RemittanceLedger = MemoryRemittanceLedger(self._state)
        self.mailbox: Mailbox = MemoryMailbox(self._state)

    def _state(self) -> SandboxStore:
        if self._working is None:
            raise RuntimeError("FakeSandboxUnitOfWork used outside 'with'")
        return self._working

    def __enter__(self) -> Self:
        self._working = copy.deepcopy(self.store)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._working = None

    def commit(self) -> None:
        """Apply the working copy to the store (the block goes on with it)."""
        working = self._state()
        working.commits += 1
        self.store.__dict__.update(copy.deepcopy(working).__dict__)
