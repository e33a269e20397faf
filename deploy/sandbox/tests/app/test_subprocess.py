"""Runs ``rcm-sandbox`` as a real process on a free port and talks X12 to it over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rcm_sandbox.config import load_config
from rcm_sandbox.testing import (
    claim_837,
    imbalances_835,
    inquiry_270,
    make_claim,
    pick_member,
    segments_of,
)
from rcm_shared.testing.auth import clearinghouse_headers

EDI = {"content-type": "application/edi-x12"}
# The process is given its client token explicitly, so a SANDBOX_CLIENT_TOKENS in the caller's
# environment cannot change what it accepts.
CLIENT_TOKEN = "sandbox-subprocess-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SANDBOX_PORT": str(port),
        "SANDBOX_DATA_DIR": str(tmp_path),
        "SANDBOX_SEED": "42",
        "SANDBOX_REMIT_DELAY_SECONDS": "0",
        "SANDBOX_REMIT_BATCH_SECONDS": "0.2",
        "SANDBOX_CLIENT_TOKENS": json.dumps([CLIENT_TOKEN]),
    }
    script = shutil.which("rcm-sandbox") or str(Path(sys.executable).parent / "rcm-sandbox")
    process = subprocess.Popen([script], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                errors = process.stderr.read() if process.stderr else b""
                raise RuntimeError(f"rcm-sandbox did not start: {errors!r}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_real_process_answers_270_and_carries_an_837_to_its_835(sandbox_url: str) -> None:
    config = load_config()
    m = pick_member(config, "SBXPPO01", plan_id="PPO-GOLD")
    # The real process refuses a caller without its client token (only /healthz is open).
    assert httpx.get(f"{sandbox_url}/v1/stats", timeout=10).status_code == 401
    with httpx.Client(base_url=sandbox_url, timeout=10, headers=clearinghouse_headers(CLIENT_TOKEN)) as client:
        eligibility = client.post(
            "/v1/x12",
            content=inquiry_270(m.member_id, m.last_name, m.first_name, m.birth_date, m.payer_id, 1),
            headers=EDI,
        )
        assert eligibility.status_code == 200
        assert [s[1] for s in segments_of(eligibility.text) if s[0] == "EB"][0] == "1"

        claim = make_claim(m, [("99213", "200.00")], pcn="PCN-PROC-1")
        sent = client.post("/v1/x12", content=claim_837([claim], 900), headers=EDI)
        assert sent.status_code == 200 and sent.headers["x-sandbox-result"] == "accepted"
        ca = client.get("/v1/mailbox", params={"kind": "277CA"}).json()["files"]
        assert "A2:20" in [s[1] for s in segments_of(ca[0]["content"]) if s[0] == "STC"]

        # The background batcher releases the 835; wait for it without asserting on timing.
        deadline = time.monotonic() + 30
        files: list[dict[str, str]] = []
        while not files and time.monotonic() < deadline:
            files = client.get("/v1/mailbox", params={"kind": "835"}).json()["files"]
            time.sleep(0.1)
        assert files, "no 835 arrived"
        assert imbalances_835(files[0]["content"]) == []
        clp = next(s for s in segments_of(files[0]["content"]) if s[0] == "CLP")
        assert clp[1] == "PCN-PROC-1"
        stats = client.get("/v1/stats").json()
        assert stats["claims_received"] == 1 and stats["remittances_sent"] == 1
        assert stats["duplicate_interchanges"] == 0 and stats["eligibility_requests"] == 1


def test_bad_settings_stop_the_process_with_the_variable_named(tmp_path: Path) -> None:
    script = shutil.which("rcm-sandbox") or str(Path(sys.executable).parent / "rcm-sandbox")
    env = {**os.environ, "SANDBOX_REMIT_DELAY_SECONDS": "-1", "SANDBOX_DATA_DIR": str(tmp_path)}
    done = subprocess.run([script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "SANDBOX_REMIT_DELAY_SECONDS" in done.stderr
