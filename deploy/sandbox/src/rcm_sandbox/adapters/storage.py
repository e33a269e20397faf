"""The sandbox's SQLite file: its schema, its one connection and the lock around it.

One process, often started by a test: a file needs no server, no credentials and no
migrations (the schema is created if missing), yet it keeps received interchanges, claims,
accumulators and the mailbox across restarts. Repositories (:mod:`.repositories`) run on the
connection inside a unit of work (:mod:`.unit_of_work`), one ``BEGIN IMMEDIATE`` transaction
each.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

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


class SqliteStorage:
    """One SQLite file and its connection; a unit of work holds :attr:`lock` for its whole
    transaction (FastAPI runs the handlers in worker threads)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.row_factory = sqlite3.Row
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(SCHEMA)
        self.lock = threading.RLock()

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.connection.close()
