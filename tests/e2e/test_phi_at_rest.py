"""PHI at rest and crypto-shredding across the whole platform (issue 10, item 5).

Marker PHI (names, a birth date, a member id, a street, a note phrase, an MRN) goes in through the
edge, sealed with each patient's data key, and through every service: one encounter ends paid,
one is held after the payer's 271 rejects its member. Then every record of every topic of the run
(values and headers) and every row of every service table are searched for the markers: zero
hits. The paid patient is then forgotten (their key shredded): their sealed values on the topics
and in the tables no longer open, the other patient's still do, the coding API answers 410 Gone
for the forgotten one, every raw 277CA and 835 file naming their claim is unreadable too, and the
A/R figures (the payments summary and the claim's account) and a
digest of the event history are exactly what they were before.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import time
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from rcm_cli.observe import pipeline_counts
from rcm_cli.phi import key_encryption_key, shred
from rcm_cli.processes import SERVICES, Platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters
from rcm_shared.auth import Role
from rcm_shared.db.database import Database
from rcm_shared.phi import PhiCipher, PhiKeyShreddedError, is_sealed
from rcm_shared.phi.codec import TEXT_PREFIX
from rcm_shared.phi.sql import LocalKeyWrapper, SqlKeyring
from rcm_shared.testing.auth import bearer
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import read_topic
from sqlalchemy import text

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

PAID = {"street": "88 Orrery Crescent", "note": "marmalade regatta mishap", "mrn": "MRN-ORRERY-88"}
HELD = {"first_name": "Philomenia", "last_name": "Thraxwood", "birth_date": "1941-03-09",
        "member_id": "PTX44471239", "mrn": "MRN-THRAX-41"}
MARKERS = [*PAID.values(), *HELD.values()]


def _hits(blob: str) -> list[str]:
    lowered = blob.lower()
    return [m for m in MARKERS if m.lower() in lowered]


async def _records(bootstrap: str, namespace: str) -> list[Any]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = sorted(t for t in await admin.list_topics() if t.startswith(f"{namespace}."))
    finally:
        await admin.close()
    out = []
    for topic in topics:
        out += await read_topic(bootstrap, topic, expect=10**9, timeout_s=4)
    return out


def _digest(records: list[Any]) -> str:
    """A digest of the event history: every record's place, key, value and headers."""
    h = hashlib.sha256()
    for r in sorted(records, key=lambda r: (r.topic, r.partition, r.offset)):
        h.update(f"{r.topic}|{r.partition}|{r.offset}|".encode() + (r.key or b"") + b"|" + (r.value or b""))
        for name, value in r.headers or ():
            h.update(name.encode() + b"=" + bytes(value or b""))
    return h.hexdigest()


async def _table_rows(url: str) -> list[tuple[str, str]]:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            tables = [r[0] for r in (await conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).all()]
            rows: list[tuple[str, str]] = []
            for table in tables:
                result = await conn.execute(text(f'SELECT to_jsonb(t)::text FROM "{table}" AS t'))
                rows += [(table, r[0]) for r in result.all()]
            return rows
    finally:
        await db.dispose()


def _sealed_values(node: Any) -> list[dict[str, str]]:
    if is_sealed(node):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _sealed_values(v)]
    if isinstance(node, list):
        return [s for v in node for s in _sealed_values(v)]
    if isinstance(node, str) and node.startswith(TEXT_PREFIX):
        return _sealed_values(json.loads(node[len(TEXT_PREFIX):]))
    return []


async def _readable(cipher: PhiCipher, kids: set[str]) -> dict[str, bool]:
    out = {}
    for kid in kids:
        try:
            await cipher.keyring.get(kid)
            out[kid] = True
        except PhiKeyShreddedError:
            out[kid] = False
    return out


def test_phi_is_sealed_everywhere_and_a_shredded_patient_is_forgotten_while_money_replays(
    platform: tuple[Platform, str], endpoints: Endpoints,
) -> None:
    plat, namespace = platform
    assert plat.keyring_url is not None
    clean, rejected = (copy.deepcopy(p) for p in encounters(2, seed=91, clean=True, prefix="REST"))
    clean["patient"]["address"]["line1"] = PAID["street"]
    clean["patient"]["mrn"] = PAID["mrn"]
    clean["documentation"]["note_text"] += f" Injured at the {PAID['note']}."
    rejected["patient"].update(first_name=HELD["first_name"], last_name=HELD["last_name"],
                               birth_date=HELD["birth_date"], mrn=HELD["mrn"])
    rejected["coverage"]["member_id"] = HELD["member_id"]  # unknown to the payer: the 271 rejects it
    asyncio.run(publish_encounters(endpoints.kafka_bootstrap, namespace, encounter_events([clean, rejected]),
                                   keyring_url=plat.keyring_url))

    urls = {name: p.url for name, p in plat.processes.items()}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        counts = asyncio.run(pipeline_counts(urls, endpoints.kafka_bootstrap, namespace))
        if counts.paid >= 1 and counts.held >= 1:
            break
        time.sleep(1)
    assert counts.paid >= 1 and counts.held >= 1, counts

    # 1. Sealed everywhere: no marker in any record of any topic, nor in any row of any service table.
    records = asyncio.run(_records(endpoints.kafka_bootstrap, namespace))
    assert len(records) >= 8
    on_topics = [(r.topic, m) for r in records for m in _hits((r.value or b"").decode("utf-8", "replace")
                 + "".join(bytes(v or b"").decode("utf-8", "replace") for _, v in r.headers or ()))]
    assert on_topics == [], on_topics
    database_urls = {s: plat[s].env["DATABASE_URL"] for s in SERVICES}
    rows = {s: asyncio.run(_table_rows(url)) for s, url in database_urls.items()}
    in_tables = [(s, table, m) for s, rs in rows.items() for table, row in rs for m in _hits(row)]
    assert in_tables == [], in_tables
    keys = asyncio.run(_table_rows(plat.keyring_url))
    assert [m for _, row in keys for m in _hits(row)] == [], "the keyring lists no MRN"

    # The paid encounter's claim and what the A/R figures say before the shred.
    auditor = bearer(Role.AUDITOR, subject="auditor1")
    claim = httpx.get(f"{urls['claims']}/v1/claims/by-encounter/{clean['encounter_id']}", headers=auditor, timeout=10)
    assert claim.status_code == 200, claim.text
    claim_id = claim.json()["claim"]["claim_id"]

    def money() -> tuple[Any, Any]:
        summary = httpx.get(f"{urls['payments']}/v1/payments/summary", headers=auditor, timeout=10)
        account = httpx.get(f"{urls['payments']}/v1/payments/claims/{claim_id}", headers=auditor, timeout=10)
        assert summary.status_code == 200 and account.status_code == 200, (summary.text, account.text)
        return summary.json(), account.json()

    before_money, before_digest = money(), _digest(records)
    coding = httpx.get(f"{urls['coding']}/v1/coding/encounters/{clean['encounter_id']}", headers=auditor, timeout=10)
    assert coding.status_code == 200, "its note evidence opens before the shred"

    # Which key sealed what: the paid patient's values, found through their encounter's records.
    def kids_of(encounter_id: str) -> set[str]:
        found = {s["kid"] for r in records if r.key == encounter_id.encode()
                 for s in _sealed_values(json.loads(r.value or b"{}"))}
        found |= {s["kid"] for rs in rows.values() for _, row in rs if encounter_id in row
                  for s in _sealed_values(json.loads(row))}
        return found

    paid_kids, held_kids = kids_of(clean["encounter_id"]), kids_of(rejected["encounter_id"])
    assert len(paid_kids) == 1 and len(held_kids) == 1 and paid_kids != held_kids, (paid_kids, held_kids)

    # The raw clearinghouse files (277CA, 835) have keys of their own, linked to the patients whose
    # claims they name: those naming the paid claim must be forgotten with its patient.
    async def file_kids() -> dict[str, bool]:
        db = Database(plat.keyring_url)  # type: ignore[arg-type]
        cipher = PhiCipher(SqlKeyring(db, LocalKeyWrapper(key_encryption_key())))
        out: dict[str, bool] = {}
        try:
            for r in records:
                if not r.topic.endswith((".claims.acks", ".payments.remittances")):
                    continue
                payload = json.loads(r.value or b"{}")
                if not is_sealed(payload.get("content")):
                    continue
                opened = await cipher.open_payload(payload)
                out[payload["content"]["kid"]] = claim_id in opened["content"]
        finally:
            await db.dispose()
        return out

    files = asyncio.run(file_kids())
    naming_paid = {kid for kid, names in files.items() if names}
    assert naming_paid, "the paid claim's 277CA and 835 are on the topics, sealed"

    # 2. Forget the paid patient.
    assert all(asyncio.run(shred(plat.keyring_url, [f"mrn:{PAID['mrn']}"])).values())
    time.sleep(1.5)  # the services' key cache (PHI_KEY_CACHE_TTL_S=1 in the test platform)

    async def check_keys() -> dict[str, bool]:
        db = Database(plat.keyring_url)  # type: ignore[arg-type]
        try:
            return await _readable(PhiCipher(SqlKeyring(db, LocalKeyWrapper(key_encryption_key()))),
                                   paid_kids | held_kids | set(files))
        finally:
            await db.dispose()

    readable = asyncio.run(check_keys())
    assert [readable[k] for k in paid_kids] == [False] and [readable[k] for k in held_kids] == [True]
    assert not any(readable[k] for k in naming_paid), "every file naming the forgotten patient's claim"
    gone = httpx.get(f"{urls['coding']}/v1/coding/encounters/{clean['encounter_id']}", headers=auditor, timeout=10)
    assert gone.status_code == 410 and gone.json()["type"] == "urn:rcm:problem:phi-shredded", gone.text
    kept = httpx.get(f"{urls['coding']}/v1/coding/encounters/{rejected['encounter_id']}", headers=auditor, timeout=10)
    assert kept.status_code in (200, 404), kept.text

    # 3. Money, codes and the history are untouched: the same A/R figures, the same digest.
    assert money() == before_money
    # The records that were there before (reads since added audit events after them) are unchanged.
    seen = {(r.topic, r.partition, r.offset) for r in records}
    after = [r for r in asyncio.run(_records(endpoints.kafka_bootstrap, namespace))
             if (r.topic, r.partition, r.offset) in seen]
    assert len(after) == len(records) and _digest(after) == before_digest
