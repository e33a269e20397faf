"""Detached processes tracked by pid files: start, find, stop, and read their logs."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil  # type: ignore[import-untyped, unused-ignore]

from rcm_devstack.errors import StackError

LOG_ROTATE_BYTES = 50 * 1024 * 1024
T = TypeVar("T")


def run_coroutine_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous code.

    The stack's API is synchronous, yet test fixtures may call it from inside a running
    event loop, where ``asyncio.run`` is refused; then a worker thread gets its own loop.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rcm-devstack") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on ``host:port`` (or holds it so we could not bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as candidate:
        # SO_REUSEADDR so a socket lingering in TIME_WAIT from our own last run is not
        # mistaken for a stranger; Linux still refuses the bind if anyone is listening.
        candidate.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            candidate.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def accepts_tcp(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """True when a TCP connection to ``host:port`` succeeds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        return probe.connect_ex((host, port)) == 0


def read_pid(pid_file: Path) -> int | None:
    """The pid stored in ``pid_file``, or None when the file is missing or unreadable."""
    try:
        text = pid_file.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def write_pid(pid_file: Path, pid: int) -> None:
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = pid_file.with_suffix(".tmp")
    temporary.write_text(f"{pid}\n")
    os.replace(temporary, pid_file)


def live_process(pid: int | None, marker: str) -> psutil.Process | None:
    """The process ``pid`` if it is alive and ``marker`` is one of its arguments.

    The marker (our config file or data directory) guards against a recycled pid: after a
    reboot the pid in a stale file may belong to anything.
    """
    if pid is None:
        return None
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            _reap(pid)
            return None
        # Whole-argument match: a substring test would let /b/a/.rcm's broker pass for /a/.rcm's.
        if marker not in process.cmdline():
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return process


def is_alive(process: psutil.Process) -> bool:
    """Running and not a zombie (a zombie has exited; only its parent has not reaped it)."""
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            _reap(process.pid)
            return False
        return bool(process.is_running())
    except psutil.NoSuchProcess:
        return False


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def spawn_detached(
    argv: Sequence[str],
    *,
    log_path: Path,
    cwd: Path,
    env: dict[str, str],
    user: str | None = None,
    group: str | None = None,
) -> int:
    """Start ``argv`` in a new session, detached from this process; return its pid.

    Output goes to ``log_path`` (appended). When ``user`` is given (we are root), the
    program runs as that user with no supplementary groups.
    """
    rotate_log(log_path)
    spec = {
        "argv": list(argv),
        "cwd": str(cwd),
        "log": str(log_path),
        "user": user,
        "group": group,
    }
    result = subprocess.run(
        [sys.executable, "-m", "rcm_devstack._detach", json.dumps(spec)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    pid_text = result.stdout.strip()
    if result.returncode != 0 or not pid_text.isdigit():
        raise StackError(f"could not start {argv[0]}: {result.stderr.strip() or result.stdout.strip()}")
    return int(pid_text)


@dataclass
class StopRequest:
    """One process to stop: the signal that asks it to shut down cleanly."""

    name: str
    process: psutil.Process
    graceful_signal: signal.Signals


def stop_gracefully_then_forcefully(requests: Sequence[StopRequest], grace: float) -> list[str]:
    """Signal every process, wait up to ``grace`` seconds, then SIGKILL what is left.

    Returns the names of processes that had to be killed. Each was started as a session
    leader, so killing its process group also takes any children it forked.
    """
    for request in requests:
        with contextlib.suppress(psutil.NoSuchProcess):
            request.process.send_signal(request.graceful_signal)
    pending = _wait_for_exit(requests, grace)
    killed = [request.name for request in pending]
    for request in pending:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(request.process.pid, signal.SIGKILL)
        with contextlib.suppress(psutil.NoSuchProcess):
            request.process.kill()
    still_there = _wait_for_exit(pending, 10.0)
    if still_there:
        names = ", ".join(f"{r.name} (pid {r.process.pid})" for r in still_there)
        raise StackError(f"could not stop {names}, even with SIGKILL")
    return killed


def _wait_for_exit(requests: Sequence[StopRequest], timeout: float) -> list[StopRequest]:
    deadline = time.monotonic() + timeout
    pending = list(requests)
    while pending:
        pending = [r for r in pending if is_alive(r.process)]
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    return pending


def rotate_log(path: Path, max_bytes: int = LOG_ROTATE_BYTES) -> None:
    """Keep one previous generation once a log passes ``max_bytes``, so logs stay bounded."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size > max_bytes:
            os.replace(path, path.with_name(path.name + ".1"))


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file, or a note that it is missing."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])
