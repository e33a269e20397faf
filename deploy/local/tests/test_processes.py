from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from rcm_devstack import StackError
from rcm_devstack.processes import (
    StopRequest,
    is_alive,
    live_process,
    port_in_use,
    rotate_log,
    spawn_detached,
    stop_gracefully_then_forcefully,
    tail,
)
from rcm_devstack.stack import ReadinessCheck, wait_until_ready


def test_a_port_someone_listens_on_is_in_use(listening_socket: socket.socket) -> None:
    assert port_in_use(listening_socket.getsockname()[1])


def test_a_released_port_is_free() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert not port_in_use(port)


def test_a_process_counts_as_ours_only_if_its_command_line_has_the_marker() -> None:
    me = psutil.Process()
    assert live_process(me.pid, me.cmdline()[0]) is not None
    assert live_process(me.pid, "/no/such/rcm/marker") is None


def test_a_pid_that_has_exited_is_not_alive() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    assert live_process(int(finished.stdout), sys.executable) is None
    assert live_process(None, "anything") is None


def _sleeper(tmp_path: Path, ignore_term: bool) -> psutil.Process:
    code = "import signal, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    code += "print('started', flush=True)\ntime.sleep(120)\n"
    pid = spawn_detached(
        [sys.executable, "-c", code], log_path=tmp_path / "sleeper.log", cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}
    )
    return psutil.Process(pid)


def test_detached_process_runs_in_its_own_session_and_is_not_our_child(tmp_path: Path) -> None:
    process = _sleeper(tmp_path, ignore_term=False)
    try:
        assert psutil.Process().pid not in [p.pid for p in process.parents()]
        assert os.getsid(process.pid) == process.pid
    finally:
        stop_gracefully_then_forcefully([StopRequest("sleeper", process, signal.SIGTERM)], 5)


def test_a_process_that_honours_sigterm_is_stopped_without_a_kill(tmp_path: Path) -> None:
    process = _sleeper(tmp_path, ignore_term=False)
    killed = stop_gracefully_then_forcefully([StopRequest("polite", process, signal.SIGTERM)], grace=10)
    assert killed == []
    assert not is_alive(process)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    process = _sleeper(tmp_path, ignore_term=True)
    # Give it time to install its handler, or SIGTERM would end it before it ignores it.
    for _ in range(100):
        if "started" in (tmp_path / "sleeper.log").read_text():
            break
        time.sleep(0.05)
    killed = stop_gracefully_then_forcefully([StopRequest("stubborn", process, signal.SIGTERM)], grace=1)
    assert killed == ["stubborn"]


def test_tail_returns_the_last_lines_of_a_log(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert tail(log, lines=3) == "line 97\nline 98\nline 99"
    assert "does not exist" in tail(tmp_path / "missing.log")


def test_a_log_past_its_size_limit_is_rotated_once(tmp_path: Path) -> None:
    log = tmp_path / "kafka.log"
    log.write_text("x" * 100)
    rotate_log(log, max_bytes=10)
    assert not log.exists()
    assert (tmp_path / "kafka.log.1").read_text() == "x" * 100


def _check(tmp_path: Path, *, alive: bool, ready: bool) -> ReadinessCheck:
    log = tmp_path / "server.log"
    log.write_text("booting\nFATAL: could not bind\n")
    return ReadinessCheck("server", lambda: alive, lambda: ready, log)


def test_waiting_ends_as_soon_as_every_server_is_ready(tmp_path: Path) -> None:
    wait_until_ready([_check(tmp_path, alive=True, ready=True)], timeout=0.1)


def test_a_server_that_exits_during_start_up_is_reported_with_its_log(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="exited during start-up") as error:
        wait_until_ready([_check(tmp_path, alive=False, ready=False)], timeout=5)
    assert "FATAL: could not bind" in str(error.value)
    assert "server.log" in str(error.value)


def test_a_server_not_ready_in_time_is_reported_with_its_log(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="not ready after") as error:
        wait_until_ready([_check(tmp_path, alive=True, ready=False)], timeout=0.3, poll_seconds=0.05)
    assert "FATAL: could not bind" in str(error.value)
