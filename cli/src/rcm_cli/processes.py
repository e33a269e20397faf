"""Run the payer sandbox and the four services as separate OS processes.

Used by ``rcm services run``, ``rcm demo``, the end-to-end tests and the benchmark, so
all of them exercise exactly what an operator runs: one process per service, each with
its own database, talking only through Kafka.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

SERVICES = ("eligibility", "coding", "claims", "payments")
# The databases of a platform: one per service and the keyring every service shares (PHI data keys).
KEYRING = "keyring"
DATABASES = (*SERVICES, KEYRING)
DEFAULT_PORTS = {"sandbox": 8088, "eligibility": 8001, "coding": 8002, "claims": 8003, "payments": 8004}


@dataclass
class ManagedProcess:
    """One service process: start, wait until ready, stop (SIGTERM) or kill (SIGKILL)."""

    name: str
    module: str
    env: dict[str, str]
    port: int
    log_path: Path
    ready_path: str = "/readyz"
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module], env={**os.environ, **self.env}, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def exit_code(self) -> int | None:
        """The exit code of the last run (negative: killed by that signal); None while it runs."""
        return self.proc.poll() if self.proc is not None else None

    def wait_ready(self, timeout_s: float = 90.0) -> None:
        """Block until ``ready_path`` answers 200; raise with the log's tail otherwise."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode if self.proc else '?'}:\n"
                                   f"{self.log_tail()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout_s: float = 30.0) -> None:
        """Graceful: SIGTERM, then SIGKILL if it does not exit in time."""
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: the crash the system must survive without losing or duplicating anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@dataclass
class Platform:
    """The sandbox plus the four services, wired to one broker and one PostgreSQL server."""

    processes: dict[str, ManagedProcess]
    # The keyring database the services seal PHI with (None: their development default).
    keyring_url: str | None = None

    def start(self, timeout_s: float = 120.0) -> None:
        sandbox = self.processes.get("sandbox")
        if sandbox is not None:
            sandbox.start()
            sandbox.wait_ready(timeout_s)
        for name in SERVICES:
            if name in self.processes:
                self.processes[name].start()
        for name in SERVICES:
            if name in self.processes:
                self.processes[name].wait_ready(timeout_s)

    def stop(self) -> None:
        for name in (*SERVICES, "sandbox"):
            if name in self.processes:
                self.processes[name].stop()

    def __getitem__(self, name: str) -> ManagedProcess:
        return self.processes[name]


def build_platform(
    *,
    kafka_bootstrap: str,
    database_urls: Mapping[str, str],
    namespace: str,
    logs_dir: Path,
    sandbox_data_dir: Path,
    ports: Mapping[str, int] | None = None,
    sandbox_seed: int = 42,
    remit_delay_s: float = 1.0,
    extra_env: Mapping[str, str] | None = None,
    payer_date: date | None = None,
) -> Platform:
    """Describe the processes (nothing starts until :meth:`Platform.start`).

    ``payer_date`` is the date the payer sandbox takes as today (default: the real date).
    """
    p = {**DEFAULT_PORTS, **(ports or {})}
    sandbox_url = f"http://127.0.0.1:{p['sandbox']}"
    common = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_NAMESPACE": namespace,
              "SANDBOX_URL": sandbox_url, "ENVIRONMENT": "development", "LOG_LEVEL": "INFO",
              "HTTP_HOST": "127.0.0.1",
              **({"KEYRING_DATABASE_URL": database_urls[KEYRING]} if KEYRING in database_urls else {}),
              **(extra_env or {})}
    processes = {
        "sandbox": ManagedProcess(
            "sandbox", "rcm_sandbox.main",
            {"SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(p["sandbox"]), "SANDBOX_SEED": str(sandbox_seed),
             "SANDBOX_DATA_DIR": str(sandbox_data_dir), "SANDBOX_REMIT_DELAY_SECONDS": str(remit_delay_s),
             "SANDBOX_REMIT_BATCH_SECONDS": "0.5", "LOG_LEVEL": "INFO",
             **({"SANDBOX_BUSINESS_DATE": payer_date.isoformat()} if payer_date else {})},
            p["sandbox"], logs_dir / "sandbox.log", ready_path="/healthz"),
    }
    for name in SERVICES:
        processes[name] = ManagedProcess(
            name, f"rcm_{name}.main",
            {**common, "DATABASE_URL": database_urls[name], "HTTP_PORT": str(p[name])},
            p[name], logs_dir / f"{name}.log")
    return Platform(processes, keyring_url=database_urls.get(KEYRING))
