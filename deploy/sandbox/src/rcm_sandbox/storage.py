"""SQLite storage: what the sandbox received and owes, surviving restarts.

Why SQLite and not a server database: the sandbox is a test double run by one process,
often inside a test run; a file in SANDBOX_DATA_DIR needs no server, no credentials and
no migrations tool, yet still makes duplicate detection hold across restarts. Every
inbound interchange is handled in one transaction (BEGIN IMMEDIATE), so a crash never
leaves an interchange half-recorded.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS interchanges (
    sender TEXT NOT NULL, control_number TEXT NOT NULL, kind TEXT NOT NULL,
    received_at TEXT NOT NULL, times_seen INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (sender, control_number)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS claims (
    patient_control_number TEXT NOT NULL, frequency_code TEXT NOT NULL,
    payer_id TEXT NOT NULL, member_id TEXT NOT NULL, status TEXT NOT NULL,
    charge TEXT NOT NULL, paid TEXT NOT NULL DEFAULT '0.00',
    times_received INTEGER NOT NULL DEFAULT 1,
    carc_codes TEXT NOT NULL DEFAULT '[]', payer_claim_id TEXT,
    line_signature TEXT NOT NULL, first_service_date TEXT NOT NULL, received_at TEXT NOT NULL,
    payee_npi TEXT NOT NULL, claim_status TEXT, check_number TEXT, paid_date TEXT,
    payment TEXT, last_item INTEGER,
    ack_category TEXT NOT NULL DEFAULT '', ack_code TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (patient_control_number, frequency_code)
);
CREATE TABLE IF NOT EXISTS accumulators (
    member_id TEXT NOT NULL, year INTEGER NOT NULL,
    deductible_met TEXT NOT NULL, out_of_pocket_met TEXT NOT NULL,
    PRIMARY KEY (member_id, year)
);
CREATE TABLE IF NOT EXISTS remit_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT, payer_id TEXT NOT NULL, payee_npi TEXT NOT NULL,
    due_at TEXT NOT NULL, after_item INTEGER, payment TEXT NOT NULL, sent_in TEXT,
    patient_control_number TEXT NOT NULL, frequency_code TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS remittances (
    file_id TEXT PRIMARY KEY, payer_id TEXT NOT NULL, trace_number TEXT NOT NULL,
    claims_paid TEXT NOT NULL, check_amount TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mailbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, file_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    created_at TEXT NOT NULL, content TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class MailboxRow:
    """One stored file of the mailbox."""

    seq: int
    file_id: str
    kind: str
    created_at: str
    content: str


@dataclass(frozen=True)
class RemitItemRow:
    """A claim payment waiting for (or already in) an 835."""

    id: int
    payer_id: str
    payee_npi: str
    due_at: datetime
    after_item: int | None
    payment: dict[str, Any]
    patient_control_number: str
    frequency_code: str


class Store:
    """One SQLite file; thread-safe through a lock (FastAPI runs sync work in threads)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row

    # Counters and sequences -------------------------------------------------------------
    def increment(self, name: str, by: int = 1) -> int:
        """Add to a counter and return its new value (also used as a sequence)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO counters(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
                (name, by),
            )
            row = self._one("SELECT value FROM counters WHERE name = ?", (name,))
            assert row is not None
            return int(row["value"])

    def counter(self, name: str) -> int:
        """Current value of a counter (0 if never incremented)."""
        with self._lock:
            row = self._one("SELECT value FROM counters WHERE name = ?", (name,))
            return int(row["value"]) if row else 0

    # Interchanges -----------------------------------------------------------------------
    def remember_interchange(self, sender: str, control_number: str, kind: str, received_at: datetime) -> bool:
        """Record an interchange; False (times_seen + 1) if the sender already used the number."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO interchanges(sender, control_number, kind, received_at) "
                "VALUES (?, ?, ?, ?) "
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

    # Claims -----------------------------------------------------------------------------
    def claim(self, patient_control_number: str, frequency_code: str) -> sqlite3.Row | None:
        """The stored claim with this key, or None."""
        with self._lock:
            return self._one(
                "SELECT * FROM claims WHERE patient_control_number = ? AND frequency_code = ?",
                (patient_control_number, frequency_code),
            )

    def claims_by_pcn(self, patient_control_number: str) -> list[sqlite3.Row]:
        """Every frequency of one patient control number, oldest first."""
        with self._lock:
            return list(
                self._conn.execute(
                    "SELECT * FROM claims WHERE patient_control_number = ? ORDER BY received_at, rowid",
                    (patient_control_number,),
                )
            )

    def claim_by_payer_claim_id(self, payer_claim_id: str) -> sqlite3.Row | None:
        """The claim the payer knows under this control number (CLP07 / REF*F8)."""
        with self._lock:
            return self._one("SELECT * FROM claims WHERE payer_claim_id = ?", (payer_claim_id,))

    def count_claim_again(self, patient_control_number: str, frequency_code: str) -> None:
        """The same claim arrived in a new interchange."""
        with self._lock:
            self._conn.execute(
                "UPDATE claims SET times_received = times_received + 1 "
                "WHERE patient_control_number = ? AND frequency_code = ?",
                (patient_control_number, frequency_code),
            )

    def insert_claim(self, values: dict[str, Any]) -> None:
        """Store a newly received claim."""
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        with self._lock:
            self._conn.execute(f"INSERT INTO claims({columns}) VALUES ({marks})", tuple(values.values()))

    def update_claim(self, patient_control_number: str, frequency_code: str, **values: Any) -> None:
        """Change some columns of a stored claim."""
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            self._conn.execute(
                f"UPDATE claims SET {sets} WHERE patient_control_number = ? AND frequency_code = ?",
                (*values.values(), patient_control_number, frequency_code),
            )

    def all_claims(self) -> list[sqlite3.Row]:
        """Every claim in arrival order."""
        with self._lock:
            return list(self._conn.execute("SELECT * FROM claims ORDER BY received_at, rowid"))

    def adjudicated_signatures(self, member_id: str) -> dict[str, str]:
        """line_signature -> patient control number of this member's claims that count for CO-18."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT line_signature, patient_control_number FROM claims WHERE member_id = ? "
                "AND status IN ('adjudicated', 'paid', 'denied') AND carc_codes NOT LIKE '%CO-18%' "
                "ORDER BY received_at, rowid",
                (member_id,),
            )
            out: dict[str, str] = {}
            for row in rows:
                out.setdefault(row["line_signature"], row["patient_control_number"])
            return out

    # Accumulators -----------------------------------------------------------------------
    def accumulator(self, member_id: str, year: int) -> tuple[Decimal, Decimal] | None:
        """(deductible met, out-of-pocket met) or None when the year is not tracked yet."""
        with self._lock:
            row = self._one(
                "SELECT deductible_met, out_of_pocket_met FROM accumulators WHERE member_id = ? AND year = ?",
                (member_id, year),
            )
            return (Decimal(row["deductible_met"]), Decimal(row["out_of_pocket_met"])) if row else None

    def save_accumulator(self, member_id: str, year: int, deductible_met: Decimal, out_of_pocket_met: Decimal) -> None:
        """Upsert the member's accumulator for a year."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO accumulators VALUES (?, ?, ?, ?) "
                "ON CONFLICT(member_id, year) DO UPDATE SET "
                "deductible_met = excluded.deductible_met, "
                "out_of_pocket_met = excluded.out_of_pocket_met",
                (member_id, year, str(deductible_met), str(out_of_pocket_met)),
            )

    # Remittance queue -------------------------------------------------------------------
    def queue_payment(
        self,
        payer_id: str,
        payee_npi: str,
        due_at: datetime,
        payment: dict[str, Any],
        patient_control_number: str,
        frequency_code: str,
        after_item: int | None = None,
    ) -> int:
        """Queue a claim payment for a later 835; returns its item id."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO remit_items(payer_id, payee_npi, due_at, after_item, payment, "
                "patient_control_number, frequency_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    payer_id,
                    payee_npi,
                    due_at.isoformat(),
                    after_item,
                    json.dumps(payment),
                    patient_control_number,
                    frequency_code,
                ),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def releasable_items(self, now: datetime | None) -> list[RemitItemRow]:
        """Unsent items due by ``now`` (all when None) whose predecessor is in an earlier 835."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT i.* FROM remit_items i LEFT JOIN remit_items p ON p.id = i.after_item "
                "WHERE i.sent_in IS NULL AND (i.after_item IS NULL OR p.sent_in IS NOT NULL) "
                "AND (? IS NULL OR i.due_at <= ?) ORDER BY i.id",
                (
                    None if now is None else now.isoformat(),
                    None if now is None else now.isoformat(),
                ),
            )
            return [
                RemitItemRow(
                    r["id"],
                    r["payer_id"],
                    r["payee_npi"],
                    datetime.fromisoformat(r["due_at"]),
                    r["after_item"],
                    json.loads(r["payment"]),
                    r["patient_control_number"],
                    r["frequency_code"],
                )
                for r in rows
            ]

    def mark_sent(self, item_ids: list[int], file_id: str) -> None:
        """These items went out in the 835 ``file_id``."""
        with self._lock:
            self._conn.executemany("UPDATE remit_items SET sent_in = ? WHERE id = ?", [(file_id, i) for i in item_ids])

    def pending_item_count(self) -> int:
        """Items not yet in any 835."""
        with self._lock:
            row = self._one("SELECT COUNT(*) AS n FROM remit_items WHERE sent_in IS NULL")
            return int(row["n"]) if row else 0

    def record_remittance(
        self,
        file_id: str,
        payer_id: str,
        trace_number: str,
        claims_paid: Decimal,
        check_amount: Decimal,
        created_at: datetime,
    ) -> None:
        """Remember a sent 835's totals for the stats."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO remittances VALUES (?, ?, ?, ?, ?, ?)",
                (
                    file_id,
                    payer_id,
                    trace_number,
                    str(claims_paid),
                    str(check_amount),
                    created_at.isoformat(),
                ),
            )

    def remittance_totals(self) -> tuple[int, Decimal]:
        """(number of 835s sent, sum of CLP04 over them)."""
        with self._lock:
            rows = list(self._conn.execute("SELECT claims_paid FROM remittances"))
            return len(rows), sum((Decimal(r["claims_paid"]) for r in rows), Decimal("0.00"))

    # Mailbox ----------------------------------------------------------------------------
    def put_file(self, file_id: str, kind: str, created_at: datetime, content: str) -> int:
        """Drop a file in the mailbox; returns its sequence number."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT INTO mailbox(file_id, kind, created_at, content) VALUES (?, ?, ?, ?)",
                (file_id, kind, created_at.isoformat(), content),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def files(self, kind: str | None, after: int, limit: int) -> list[MailboxRow]:
        """Mailbox files after a cursor, oldest first; files are never consumed."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM mailbox WHERE seq > ? AND (? IS NULL OR kind = ?) ORDER BY seq LIMIT ?",
                (after, kind, kind, limit),
            )
            return [MailboxRow(r["seq"], r["file_id"], r["kind"], r["created_at"], r["content"]) for r in rows]
