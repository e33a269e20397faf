"""`rcm services run` supervision: a process that dies is restarted with capped backoff,
one log line per restart, and the others keep running."""

from __future__ import annotations

import time
from pathlib import Path

from rcm_cli.processes import ManagedProcess
from rcm_cli.supervisor import RestartPolicy, Supervisor


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeProcess:
    """Runs until told to die; ``start`` brings it back (and counts)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.running = True
        self.code: int | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.running, self.code = True, None

    def alive(self) -> bool:
        return self.running

    def exit_code(self) -> int | None:
        return self.code

    def die(self, code: int) -> None:
        self.running, self.code = False, code


def test_backoff_doubles_and_is_capped() -> None:
    policy = RestartPolicy(initial_s=1, max_s=30)
    assert [policy.delay(a) for a in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_dead_process_is_restarted_after_the_delay_and_the_others_are_left_running() -> None:
    clock, lines = FakeClock(), []
    a, b = FakeProcess("claims"), FakeProcess("payments")
    sup = Supervisor([a, b], policy=RestartPolicy(initial_s=1, max_s=30), report=lines.append, clock=clock)
    clock.now = 5
    a.die(1)
    events = sup.tick()
    assert [(e.name, e.exit_code, e.attempt, e.delay_s) for e in events] == [("claims", 1, 1, 1.0)]
    assert lines == ["claims exited with code 1; restart attempt 1 in 1.0s"]
    clock.now = 5.5
    sup.tick()
    assert a.starts == 0  # not before the delay
    clock.now = 6
    sup.tick()
    assert a.starts == 1 and a.alive()
    assert b.starts == 0 and b.alive()  # never touched
    assert len(lines) == 1 and sup.restarts() == {"claims": 1, "payments": 0}


def test_a_process_that_keeps_dying_quickly_is_still_restarted_with_capped_backoff_and_reported() -> None:
    clock, lines = FakeClock(), []
    p = FakeProcess("eligibility")
    sup = Supervisor([p], policy=RestartPolicy(initial_s=1, max_s=30, warn_after=5), report=lines.append,
                     clock=clock)
    delays = []
    for _ in range(8):
        p.die(-9)
        (event,) = sup.tick()
        delays.append(event.delay_s)
        clock.now += event.delay_s
        sup.tick()  # restart due now
        clock.now += 0.2  # dies again right away
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert p.starts == 8 and len(lines) == 8
    assert "keeps dying" not in lines[3] and "keeps dying" in lines[4]
    assert lines[0].startswith("eligibility exited with code -9; restart attempt 1")


def test_a_process_that_ran_stably_starts_again_from_the_first_delay() -> None:
    clock, lines = FakeClock(), []
    p = FakeProcess("coding")
    sup = Supervisor([p], policy=RestartPolicy(initial_s=1, max_s=30, stable_s=60), report=lines.append,
                     clock=clock)
    for _ in range(3):
        p.die(1)
        (event,) = sup.tick()
        clock.now += event.delay_s
        sup.tick()
    assert event.attempt == 3
    clock.now += 120  # up for two minutes
    p.die(1)
    (event,) = sup.tick()
    assert event.attempt == 1 and event.delay_s == 1


def test_run_stops_when_asked() -> None:
    p = FakeProcess("sandbox")
    ticks = []
    Supervisor([p], report=lambda _: None).run(lambda: len(ticks) >= 3, sleep=ticks.append)
    assert ticks == [0.5, 0.5, 0.5]


def test_a_real_short_lived_process_is_restarted(tmp_path: Path) -> None:
    """A real child that exits at once with code 3 is started again, and its exit code is reported."""
    proc = ManagedProcess("short", "rcm_cli_short_lived", {"PYTHONPATH": str(tmp_path)}, 0, tmp_path / "short.log")
    (tmp_path / "rcm_cli_short_lived.py").write_text(
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(tmp_path / 'runs')!r})\n"
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
        "sys.exit(3)\n")
    lines: list[str] = []
    sup = Supervisor([proc], policy=RestartPolicy(initial_s=0.1, max_s=0.2), report=lines.append)
    proc.start()
    deadline = time.monotonic() + 30
    while sup.restarts()["short"] < 3 and time.monotonic() < deadline:
        sup.tick()
        time.sleep(0.02)
    while proc.alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sup.restarts()["short"] >= 3
    assert (tmp_path / "runs").read_text().count("x") >= 4  # first run + 3 restarts
    assert lines[0] == "short exited with code 3; restart attempt 1 in 0.1s"
