"""SQLite repositories: rows of :mod:`.storage` to and from the domain's records.

They run on the storage's connection inside a :class:`~.unit_of_work.SqliteUnitOfWork`
transaction. Decimals are stored as their strings, datetimes and dates as ISO 8601, claim
payments as JSON (:mod:`.serialization`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rcm_sandbox.adapters.serialization import payment_from_dict, payment_to_dict
from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.model import AckCategory, ClaimPayment, ClaimStatusCode
from rcm_sandbox.domain.records import ClaimRecord, ClaimState, MailboxFile, MailboxKind, QueuedPayment, SentRemittance


def _one(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(sql, params).fetchone()
    return row


class SqlCounterRepository:
    """Counters in the ``counters`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def increment(self, name: str, by: int = 1) -> int:
        self._conn.execute(
            "INSERT INTO counters(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (name, by),
        )
        row = _one(self._conn, "SELECT value FROM counters WHERE name = ?", (name,))
        assert row is not None
        return int(row["value"])

    def value(self, name: str) -> int:
        row = _one(self._conn, "SELECT value FROM counters WHERE name = ?", (name,))
        return int(row["value"]) if row else 0


class SqlInterchangeRepository:
    """Received interchanges in the ``interchanges`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def remember(self, sender: str, control_number: str, kind: str, received_at: datetime) -> bool:
        cursor = self._conn.execute(
            "INSERT INTO interchanges(sender, control_number, kind, received_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(sender, control_number) DO NOTHING",
            (sender, control_number, kind, received_at.isoformat()),
        )
        if cursor.rowcount == 1:
            return True
        self._conn.execute(
            "UPDATE interchanges SET times_seen = times_seen + 1 WHERE sender = ? AND control_number = ?",
            (sender, control_number),
        )
        return False


_CLAIM_COLUMNS = (
    "patient_control_number",
    "frequency_code",
    "payer_id",
    "member_id",
    "status",
    "charge",
    "paid",
    "times_received",
    "carc_codes",
    "payer_claim_id",
    "line_signature",
    "first_service_date",
    "received_at",
    "payee_npi",
    "claim_status",
    "check_number",
    "paid_date",
    "payment",
    "last_item",
    "ack_category",
    "ack_code",
)


def _claim_values(c: ClaimRecord) -> tuple[Any, ...]:
    """Column values in :data:`_CLAIM_COLUMNS` order."""
    return (
        c.patient_control_number,
        c.frequency_code,
        c.payer_id,
        c.member_id,
        c.status.value,
        str(c.charge),
        str(c.paid),
        c.times_received,
        json.dumps(list(c.carc_codes)),
        c.payer_claim_id,
        c.line_signature,
        c.first_service_date.isoformat() if c.first_service_date is not None else "",
        c.received_at.isoformat(),
        c.payee_npi,
        c.claim_status.value if c.claim_status is not None else None,
        c.check_number,
        c.paid_date.isoformat() if c.paid_date is not None else None,
        json.dumps(payment_to_dict(c.payment)) if c.payment is not None else None,
        c.last_item,
        c.ack_category.value,
        c.ack_code,
    )


def _claim_of(row: sqlite3.Row) -> ClaimRecord:
    payment: ClaimPayment | None = payment_from_dict(json.loads(row["payment"])) if row["payment"] else None
    return ClaimRecord(
        patient_control_number=row["patient_control_number"],
        frequency_code=row["frequency_code"],
        payer_id=row["payer_id"],
        member_id=row["member_id"],
        status=ClaimState(row["status"]),
        charge=Decimal(row["charge"]),
        paid=Decimal(row["paid"]),
        times_received=int(row["times_received"]),
        carc_codes=tuple(json.loads(row["carc_codes"])),
        payer_claim_id=row["payer_claim_id"],
        line_signature=row["line_signature"],
        first_service_date=date.fromisoformat(row["first_service_date"]) if row["first_service_date"] else None,
        received_at=datetime.fromisoformat(row["received_at"]),
        payee_npi=row["payee_npi"],
        claim_status=ClaimStatusCode(row["claim_status"]) if row["claim_status"] is not None else None,
        check_number=row["check_number"],
        paid_date=date.fromisoformat(row["paid_date"]) if row["paid_date"] else None,
        payment=payment,
        last_item=row["last_item"],
        ack_category=AckCategory(row["ack_category"]),
        ack_code=row["ack_code"],
    )


class SqlClaimRepository:
    """Claim records in the ``claims`` table; arrival order is (received_at, rowid)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(self, claim: ClaimRecord) -> None:
        marks = ", ".join("?" for _ in _CLAIM_COLUMNS)
        self._conn.execute(f"INSERT INTO claims({', '.join(_CLAIM_COLUMNS)}) VALUES ({marks})", _claim_values(claim))

    def update(self, claim: ClaimRecord) -> None:
        values = _claim_values(claim)
        sets = ", ".join(f"{column} = ?" for column in _CLAIM_COLUMNS[2:])
        self._conn.execute(
            f"UPDATE claims SET {sets} WHERE patient_control_number = ? AND frequency_code = ?",
            (*values[2:], *values[:2]),
        )

    def get(self, patient_control_number: str, frequency_code: str) -> ClaimRecord | None:
        row = _one(
            self._conn,
            "SELECT * FROM claims WHERE patient_control_number = ? AND frequency_code = ?",
            (patient_control_number, frequency_code),
        )
        return _claim_of(row) if row is not None else None

    def by_payer_claim_id(self, payer_claim_id: str) -> ClaimRecord | None:
        row = _one(self._conn, "SELECT * FROM claims WHERE payer_claim_id = ? ORDER BY rowid", (payer_claim_id,))
        return _claim_of(row) if row is not None else None

    def by_patient_control_number(self, patient_control_number: str) -> list[ClaimRecord]:
        return self._many("WHERE patient_control_number = ?", (patient_control_number,))

    def of_member(self, member_id: str) -> list[ClaimRecord]:
        return self._many("WHERE member_id = ?", (member_id,))

    def all(self) -> list[ClaimRecord]:
        return self._many("", ())

    def _many(self, where: str, params: tuple[Any, ...]) -> list[ClaimRecord]:
        rows = self._conn.execute(f"SELECT * FROM claims {where} ORDER BY received_at, rowid", params)
        return [_claim_of(row) for row in rows]


class SqlAccumulatorRepository:
    """Accumulators in the ``accumulators`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, member_id: str, year: int) -> Accumulator | None:
        row = _one(
            self._conn,
            "SELECT deductible_met, out_of_pocket_met FROM accumulators WHERE member_id = ? AND year = ?",
            (member_id, year),
        )
        return Accumulator(Decimal(row["deductible_met"]), Decimal(row["out_of_pocket_met"])) if row else None

    def save(self, member_id: str, year: int, accumulator: Accumulator) -> None:
        self._conn.execute(
            "INSERT INTO accumulators VALUES (?, ?, ?, ?) "
            "ON CONFLICT(member_id, year) DO UPDATE SET "
            "deductible_met = excluded.deductible_met, out_of_pocket_met = excluded.out_of_pocket_met",
            (member_id, year, str(accumulator.deductible_met), str(accumulator.out_of_pocket_met)),
        )


class SqlRemittanceQueue:
    """Queued payments in the ``remit_items`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

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
        cursor = self._conn.execute(
            "INSERT INTO remit_items(payer_id, payee_npi, due_at, after_item, payment, "
            "patient_control_number, frequency_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                payer_id,
                payee_npi,
                due_at.isoformat(),
                after_item,
                json.dumps(payment_to_dict(payment)),
                patient_control_number,
                frequency_code,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def releasable(self, now: datetime | None) -> list[QueuedPayment]:
        # ISO 8601 strings of one offset compare as the instants they name.
        due_by = None if now is None else now.isoformat()
        rows = self._conn.execute(
            "SELECT i.* FROM remit_items i LEFT JOIN remit_items p ON p.id = i.after_item "
            "WHERE i.sent_in IS NULL AND (i.after_item IS NULL OR p.sent_in IS NOT NULL) "
            "AND (? IS NULL OR i.due_at <= ?) ORDER BY i.id",
            (due_by, due_by),
        )
        return [
            QueuedPayment(
                id=r["id"],
                payer_id=r["payer_id"],
                payee_npi=r["payee_npi"],
                due_at=datetime.fromisoformat(r["due_at"]),
                payment=payment_from_dict(json.loads(r["payment"])),
                patient_control_number=r["patient_control_number"],
                frequency_code=r["frequency_code"],
                after_item=r["after_item"],
                sent_in=r["sent_in"],
            )
            for r in rows
        ]

    def mark_sent(self, item_ids: Sequence[int], file_id: str) -> None:
        self._conn.executemany("UPDATE remit_items SET sent_in = ? WHERE id = ?", [(file_id, i) for i in item_ids])

    def pending_count(self) -> int:
        row = _one(self._conn, "SELECT COUNT(*) AS n FROM remit_items WHERE sent_in IS NULL")
        return int(row["n"]) if row else 0


class SqlRemittanceLedger:
    """Sent 835s in the ``remittances`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def record(self, remittance: SentRemittance) -> None:
        self._conn.execute(
            "INSERT INTO remittances VALUES (?, ?, ?, ?, ?, ?)",
            (
                remittance.file_id,
                remittance.payer_id,
                remittance.trace_number,
                str(remittance.claims_paid),
                str(remittance.check_amount),
                remittance.created_at.isoformat(),
            ),
        )

    def totals(self) -> tuple[int, Decimal]:
        rows = list(self._conn.execute("SELECT claims_paid FROM remittances"))
        return len(rows), sum((Decimal(r["claims_paid"]) for r in rows), Decimal("0.00"))


class SqlMailbox:
    """Mailbox files in the ``mailbox`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def put(self, file_id: str, kind: MailboxKind, created_at: datetime, content: str) -> int:
        cursor = self._conn.execute(
            "INSERT INTO mailbox(file_id, kind, created_at, content) VALUES (?, ?, ?, ?)",
            (file_id, kind.value, created_at.isoformat(), content),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def files(self, kind: MailboxKind | None, after: int, limit: int) -> list[MailboxFile]:
        wanted = kind.value if kind is not None else None
        rows = self._conn.execute(
            "SELECT * FROM mailbox WHERE seq > ? AND (? IS NULL OR kind = ?) ORDER BY seq LIMIT ?",
            (after, wanted, wanted, limit),
        )
        return [
            MailboxFile(
                seq=r["seq"],
                file_id=r["file_id"],
                kind=MailboxKind(r["kind"]),
                created_at=datetime.fromisoformat(r["created_at"]),
                content=r["content"],
            )
            for r in rows
        ]
