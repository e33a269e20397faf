"""End to end through a human coder: an encounter the engine cannot code alone waits in the
review queue, the coder's REST decisions are checked with the payer edits, and the completed
codes flow on to a paid claim."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from rcm_cli.observe import pipeline_counts
from rcm_cli.processes import Platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters
from rcm_shared.auth import Role
from rcm_shared.testing.auth import bearer, clearinghouse_headers
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import read_topic
from rcm_shared.topics import Topic, topic_name

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# The clinician put the rule-out diagnosis (pneumonia) on the encounter; outpatient rules code
# the symptom instead, so the engine sends it to a coder.
NOTE = ("Chief complaint: cough for one week.\nAssessment: Cough, rule out pneumonia.\n"
        "Plan: Chest x-ray ordered. Established patient office visit, low complexity medical decision making.")


def poll(what: str, fn: Any, timeout_s: float = 120) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_queued_encounter_is_completed_by_a_coder_over_rest_and_paid(
    platform: tuple[Platform, str], endpoints: Endpoints
) -> None:
    plat, namespace = platform
    payload = next(iter(encounters(1, seed=31, clean=True, prefix="REVIEW")))
    payload["documentation"] = {"note_text": NOTE, "diagnoses": [{"code": "J18.9"}],
                                "procedures": [{"code": "99213", "units": "1"}]}
    eid = payload["encounter_id"]
    asyncio.run(publish_encounters(endpoints.kafka_bootstrap, namespace, encounter_events([payload])))
    coding = httpx.Client(base_url=plat["coding"].url, timeout=10, headers=bearer(Role.CODER, subject="coder7"))

    queue = poll("the review queue", lambda: coding.get("/v1/coding/reviews").json())
    assert [q["encounter_id"] for q in queue] == [eid]
    assert any("J18.9" in reason for reason in queue[0]["review_reasons"])
    decisions = f"/v1/coding/reviews/{eid}/decisions"

    # An edit without a reason is refused with the reason named.
    r = coding.post(decisions, json={"action": "edit",
                                     "changes": [{"op": "remove_diagnosis", "code": "J18.9"}]})
    assert r.status_code == 422 and "reason" in r.text
    # Replacing the rule-out with a header code fails the billable edit when closing.
    r = coding.post(decisions, json={"action": "edit", "reason": "rule-out is not coded",
                                     "changes": [{"op": "replace_diagnosis", "old": "J18.9", "new": "R05"}]})
    assert r.status_code == 200, r.text
    r = coding.post(decisions, json={"action": "complete"})
    assert r.status_code == 422
    # Problem details (RFC 9457): the failed edits are an extension member of the problem.
    assert r.headers["content-type"].startswith("application/problem+json")
    failures = r.json()["edit_failures"]
    assert [f["edit_id"] for f in failures] == ["ICD_NOT_BILLABLE"] and failures[0]["codes"] == ["R05"]
    # Fixed, then closed: the codes go on to claims with the trail.
    r = coding.post(decisions, json={"action": "edit", "reason": "symptom already coded",
                                     "changes": [{"op": "remove_diagnosis", "code": "R05"}]})
    assert r.status_code == 200, r.text
    r = coding.post(decisions, json={"action": "complete", "note": "reviewed"})
    assert r.status_code == 200, r.text
    assert r.json()["final_diagnoses"] == ["R05.9"]
    other_coder = bearer(Role.CODER, subject="coder8")
    assert coding.post(decisions, json={"action": "reject", "reason": "x"}, headers=other_coder).status_code == 409
    # The audit trail names the token's subject, and an auditor may read but not decide.
    auditor = bearer(Role.AUDITOR, subject="auditor1")
    assert coding.post(decisions, json={"action": "reject", "reason": "x"}, headers=auditor).status_code == 403
    assert coding.post("/v1/coding/reviews/NOPE/decisions",
                       json={"action": "complete"}).status_code == 404

    urls = {name: p.url for name, p in plat.processes.items()}
    counts = poll("the reviewed encounter to be paid",
                  lambda: (c := asyncio.run(pipeline_counts(urls, endpoints.kafka_bootstrap, namespace))).paid >= 1
                  and c, timeout_s=180)
    assert counts.paid == 1 and counts.dead_lettered == 0
    claim = httpx.get(plat["sandbox"].url + "/v1/claims", timeout=5, headers=clearinghouse_headers()).json()
    assert len(claim) == 1 and claim[0]["times_received"] == 1
    trail = coding.get(f"/v1/coding/encounters/{eid}").json()
    assert trail["status"] == "coded"
    assert trail["coded_by"] == "coder:coder7" and {a["coder"] for a in trail["audit"] if a["action"] != "opened"} \
        <= {"coder7"}, trail["audit"]
    # Every read of PHI by a person is on the audit topic, naming the token's subject.
    audit = asyncio.run(read_topic(endpoints.kafka_bootstrap, topic_name(Topic.AUDIT_PHI_ACCESS, namespace),
                                   expect=2, timeout_s=30))
    reads = {(json.loads(r.value)["subject"], json.loads(r.value)["resource"]) for r in audit}
    assert {("coder7", "coding.review"), ("coder7", "coding.encounter")} <= reads, reads
