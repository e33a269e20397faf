"""Where the local stack keeps its files, and which loopback ports it listens on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rcm_devstack.errors import StackError

DEFAULT_KAFKA_PORT = 19092
DEFAULT_KAFKA_CONTROLLER_PORT = 19093
DEFAULT_PG_PORT = 54329

KAFKA_PORT_ENV = "RCM_KAFKA_PORT"
KAFKA_CONTROLLER_PORT_ENV = "RCM_KAFKA_CONTROLLER_PORT"
PG_PORT_ENV = "RCM_PG_PORT"
HOME_ENV = "RCM_HOME"


@dataclass(frozen=True)
class StackPorts:
    """Loopback ports of the three listeners; defaults stay clear of a system Kafka/PostgreSQL."""

    kafka: int = DEFAULT_KAFKA_PORT
    kafka_controller: int = DEFAULT_KAFKA_CONTROLLER_PORT
    postgres: int = DEFAULT_PG_PORT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StackPorts:
        """Read RCM_KAFKA_PORT, RCM_KAFKA_CONTROLLER_PORT and RCM_PG_PORT, with defaults."""
        env = os.environ if environ is None else environ
        ports = cls(
            kafka=_port(env, KAFKA_PORT_ENV, DEFAULT_KAFKA_PORT),
            kafka_controller=_port(env, KAFKA_CONTROLLER_PORT_ENV, DEFAULT_KAFKA_CONTROLLER_PORT),
            postgres=_port(env, PG_PORT_ENV, DEFAULT_PG_PORT),
        )
        ports.check_distinct()
        return ports

    def check_distinct(self) -> None:
        """Refuse two listeners on one port, which would fail later with a vaguer error."""
        values = [self.kafka, self.kafka_controller, self.postgres]
        if len(set(values)) != len(values):
            raise StackError(
                f"{KAFKA_PORT_ENV}={self.kafka}, {KAFKA_CONTROLLER_PORT_ENV}="
                f"{self.kafka_controller} and {PG_PORT_ENV}={self.postgres} must be three "
                "different ports"
            )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise StackError(f"{name}={raw!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise StackError(f"{name}={value} is outside 1-65535")
    return value


def default_home(cwd: Path | None = None) -> Path:
    """RCM_HOME if set, else ``.rcm`` at the workspace root (the directory holding uv.lock).

    The root is searched upwards from the working directory, then from this package's own
    location (an editable install inside the workspace); failing both, ``./.rcm``.
    """
    explicit = os.environ.get(HOME_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser().resolve()
    start = (cwd or Path.cwd()).resolve()
    for origin in (start, Path(__file__).resolve().parent):
        root = _workspace_root(origin)
        if root is not None:
            return root / ".rcm"
    return start / ".rcm"


def _workspace_root(origin: Path) -> Path | None:
    for candidate in (origin, *origin.parents):
        if (candidate / "uv.lock").is_file():
            return candidate
    return None


@dataclass(frozen=True)
class StackLayout:
    """Every path the stack writes, derived from one home directory."""

    home: Path

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def lock_file(self) -> Path:
        return self.home / "stack.lock"

    # Kafka
    @property
    def kafka_dir(self) -> Path:
        return self.home / "kafka"

    @property
    def kafka_libs_root(self) -> Path:
        return self.kafka_dir / "libs"

    @property
    def kafka_data_dir(self) -> Path:
        return self.kafka_dir / "data"

    @property
    def kafka_properties(self) -> Path:
        return self.kafka_dir / "server.properties"

    @property
    def kafka_cluster_id_file(self) -> Path:
        return self.kafka_dir / "cluster.id"

    @property
    def kafka_log(self) -> Path:
        return self.logs_dir / "kafka.log"

    @property
    def kafka_format_log(self) -> Path:
        return self.logs_dir / "kafka-format.log"

    @property
    def maven_log(self) -> Path:
        return self.logs_dir / "maven.log"

    @property
    def kafka_pid_file(self) -> Path:
        return self.run_dir / "kafka.pid"

    # PostgreSQL
    @property
    def postgres_dir(self) -> Path:
        return self.home / "postgres"

    @property
    def postgres_data_dir(self) -> Path:
        return self.postgres_dir / "data"

    @property
    def postgres_log(self) -> Path:
        return self.logs_dir / "postgres.log"

    @property
    def postgres_init_log(self) -> Path:
        return self.logs_dir / "postgres-initdb.log"

    @property
    def postgres_pid_file(self) -> Path:
        return self.run_dir / "postgres.pid"

    def create_dirs(self) -> None:
        for directory in (self.logs_dir, self.run_dir, self.kafka_dir, self.postgres_dir):
            directory.mkdir(parents=True, exist_ok=True)
