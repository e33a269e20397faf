"""PHI stays out of logs and Kafka headers, on the happy path and on every failing one (issue 10).

Recognizable marker values (a patient name, a member id, a birth date, an address, a note
phrase) go through the whole platform: a clean encounter that ends paid, one the payer rejects
in its 271 (unknown member), one the coding engine sends to review, malformed payloads that end
as dead letters (an impossible date, a NUL in the note, an over-long member id, a bad birth
date), and a real-time eligibility check refused with 422. Then every log file (the services',
the sandbox's, and the local stack's PostgreSQL and Kafka logs) and every Kafka header of every
topic of the run are searched for the markers, case-insensitively (X12 upper-cases names): zero
hits. Record values are searched by ``test_phi_at_rest.py`` (PHI sealed with the patients' data keys);
here the encounters go in unsealed, as an integration that does not seal would send them.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from rcm_cli.observe import pipeline_counts
from rcm_cli.processes import Platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters
from rcm_shared.auth import Role
from rcm_shared.testing.auth import bearer
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import read_topic
from rcm_shared.topics import Topic, topic_name

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

MARKERS = {"first_name": "Quixotica", "last_name": "Zeltmeyerova", "member_id": "QZM55501234",
           "birth_date": "1937-11-23", "street": "77 Vexillum Row", "note": "thornapple lantern festival"}


def _marked(payload: dict[str, Any], *, member: bool = True) -> dict[str, Any]:
    p = copy.deepcopy(payload)
    p["patient"]["address"]["line1"] = MARKERS["street"]
    p["documentation"]["note_text"] += f" Patient attended the {MARKERS['note']} last week."
    if member:  # a patient the payer does not know: its 271 rejects the inquiry (AAA)
        p["patient"].update(first_name=MARKERS["first_name"], last_name=MARKERS["last_name"],
                            birth_date=MARKERS["birth_date"])
        p["coverage"]["member_id"] = MARKERS["member_id"]
    return p


def _raw(payload: dict[str, Any], **changes: Any) -> bytes:
    p = copy.deepcopy(payload)
    for path, value in changes.items():
        target = p
        *parents, leaf = path.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return json.dumps(p).encode()


async def _publish_bad(bootstrap: str, namespace: str, template: Any, bodies: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        import uuid

        for body in bodies:
            headers = [(n, v) for n, v in template if n != "ce_id"] + [("ce_id", str(uuid.uuid4()).encode())]
            await producer.send_and_wait(topic_name(Topic.ENCOUNTERS, namespace), body, key=b"BAD", headers=headers)
    finally:
        await producer.stop()


async def _all_headers(bootstrap: str, namespace: str) -> list[tuple[str, str, bytes]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith(f"{namespace}.")]
    finally:
        await admin.close()
    out: list[tuple[str, str, bytes]] = []
    for topic in topics:
        for record in await read_topic(bootstrap, topic, expect=10**9, timeout_s=4):
            out += [(topic, name, bytes(value or b"")) for name, value in record.headers or ()]
    return out


def _hits(text: str) -> list[str]:
    lowered = text.lower()
    return [m for m in MARKERS.values() if m.lower() in lowered]


def test_marker_phi_appears_in_no_log_and_no_kafka_header(
    platform: tuple[Platform, str], endpoints: Endpoints, tmp_path: Path,
) -> None:
    plat, namespace = platform
    clean, review, rejected = (dict(p) for p in encounters(3, seed=77, clean=True, prefix="PHI"))
    paid = _marked(clean, member=False)
    held = _marked(rejected)
    queued = _marked(review, member=False)
    queued["documentation"] = {**queued["documentation"], "diagnoses": [{"code": "J18.9"}]}  # unsupported: review
    asyncio.run(publish_encounters(endpoints.kafka_bootstrap, namespace, encounter_events([paid, held, queued])))

    template = encounter_events([held])[0].to_kafka()[2]
    bad = [
        _raw(held, date_of_service="yesterday"),
        _raw(held, documentation__note_text=f"{MARKERS['note']}\u0000 {MARKERS['first_name']}"),
        _raw(held, coverage__member_id=MARKERS["member_id"] * 10),
        _raw(held, patient__birth_date="1937-02-30"),
    ]
    asyncio.run(_publish_bad(endpoints.kafka_bootstrap, namespace, template, bad))

    # A real-time check with an impossible birth date: a 422 that names the field, not its value.
    check = {"payer_id": held["coverage"]["payer_id"], "payer_name": "PAYER", "member_id": MARKERS["member_id"],
             "subscriber": {"first_name": MARKERS["first_name"], "last_name": MARKERS["last_name"],
                            "birth_date": "1937-13-40", "sex": "F",
                            "address": {"line1": MARKERS["street"], "city": "Springfield", "state": "IL",
                                        "postal_code": "62701"}},
             "provider": held["rendering_provider"], "date_of_service": held["date_of_service"]}
    refused = httpx.post(plat["eligibility"].url + "/v1/eligibility/checks", json=check, timeout=10,
                         headers=bearer(Role.BILLER, subject="biller1"))
    assert refused.status_code == 422 and not _hits(refused.text), refused.text

    urls = {name: p.url for name, p in plat.processes.items()}
    deadline = time.monotonic() + 240
    counts = asyncio.run(pipeline_counts(urls, endpoints.kafka_bootstrap, namespace))
    while time.monotonic() < deadline:
        counts = asyncio.run(pipeline_counts(urls, endpoints.kafka_bootstrap, namespace))
        if counts.paid >= 1 and counts.held >= 1 and counts.in_review >= 1 and counts.dead_lettered >= 3 * len(bad):
            break
        time.sleep(1)
    assert counts.paid >= 1 and counts.held >= 1 and counts.in_review >= 1, counts
    assert counts.dead_lettered >= 3 * len(bad), counts.dead_letters

    found: list[str] = []
    logs = [p.log_path for p in plat.processes.values()]
    if endpoints.origin == "local-stack":
        from rcm_devstack import LocalStack

        logs += sorted(LocalStack().logs_dir.glob("*.log"))
    for path in logs:
        hits = _hits(path.read_text(errors="replace"))
        if hits:
            lines = [line for line in path.read_text(errors="replace").splitlines() if _hits(line)]
            found.append(f"{path.name}: {hits}: {lines[:3]}")
    for topic, name, value in asyncio.run(_all_headers(endpoints.kafka_bootstrap, namespace)):
        hits = _hits(name + " " + value.decode("utf-8", "replace"))
        if hits:
            found.append(f"{topic} header {name}: {hits}")
    assert not found, "PHI markers found:\n" + "\n".join(found)
    # The search itself works: the markers are in the events (values), and the logs were written.
    values = asyncio.run(read_topic(endpoints.kafka_bootstrap, topic_name(Topic.ENCOUNTERS, namespace),
                                    expect=3 + len(bad), timeout_s=20))
    assert set(_hits(b" ".join(r.value or b"" for r in values).decode("utf-8", "replace"))) == set(MARKERS.values())
    service_log = plat["claims"].log_path.read_text()
    assert "dead-lettered" in service_log and json.loads(service_log.splitlines()[-1])["service"] == "claims"
