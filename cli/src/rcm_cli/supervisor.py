"""Keep the platform's processes running: restart one that dies, leave the others alone.

``rcm services run`` watches the sandbox and the four services. A process that exits is
started again after a capped exponential backoff (1 s, 2 s, 4 s ... at most 30 s); one
that stayed up for ``stable_s`` starts again from the first delay. Each restart is one
log line naming the process, its exit code, the attempt and the next delay, so a service
that keeps dying is visible (and still restarted) rather than taking the others down.

The supervisor only polls ``alive()`` and calls ``start()``; it never blocks on a
readiness probe, so one slow or crash-looping service never delays the watch over the
others. Time and sleeping are injected so the logic is unit-tested without processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol


class Supervisable(Protocol):
    """What the supervisor needs of a process (``ManagedProcess`` provides it)."""

    name: str

    def start(self) -> None: ...

    def alive(self) -> bool: ...

    def exit_code(self) -> int | None: ...


@dataclass(frozen=True)
class RestartPolicy:
    """Capped exponential backoff between restarts of one process."""

    initial_s: float = 1.0
    max_s: float = 30.0
    factor: float = 2.0
    stable_s: float = 60.0  # up this long: the next crash counts as a first one again
    warn_after: int = 5  # from this attempt on, the log line says the process keeps dying

    def delay(self, attempt: int) -> float:
        """Seconds to wait before restart number ``attempt`` (1-based)."""
        return float(min(self.max_s, self.initial_s * self.factor ** max(0, attempt - 1)))


@dataclass
class _Watch:
    started_at: float
    attempt: int = 0  # consecutive quick deaths
    restart_at: float | None = None  # set while a restart is pending
    restarts: int = 0  # total, for the summary


@dataclass(frozen=True)
class RestartEvent:
    """One restart decision: what died, how, and when it comes back."""

    name: str
    exit_code: int | None
    attempt: int
    delay_s: float
    keeps_dying: bool

    def log_line(self) -> str:
        line = (f"{self.name} exited with code {self.exit_code if self.exit_code is not None else '?'}; "
                f"restart attempt {self.attempt} in {self.delay_s:.1f}s")
        if self.keeps_dying:
            line += f" ({self.name} keeps dying: backoff capped, still restarting; see its log)"
        return line


class Supervisor:
    """Restart dead processes with backoff; call :meth:`tick` periodically or :meth:`run`."""

    def __init__(
        self,
        processes: Iterable[Supervisable],
        *,
        policy: RestartPolicy | None = None,
        report: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.processes = {p.name: p for p in processes}
        self.policy = policy or RestartPolicy()
        self.report = report
        self.clock = clock
        now = clock()
        self._watch = {name: _Watch(started_at=now) for name in self.processes}

    def restarts(self) -> dict[str, int]:
        """How many times each process was restarted so far."""
        return {name: w.restarts for name, w in self._watch.items()}

    def tick(self) -> list[RestartEvent]:
        """Look at every process once: schedule restarts of the dead, start those due."""
        now = self.clock()
        events: list[RestartEvent] = []
        for name, proc in self.processes.items():
            w = self._watch[name]
            if w.restart_at is not None:
                if now >= w.restart_at:
                    w.restart_at = None
                    w.started_at = now
                    w.restarts += 1
                    try:
                        proc.start()
                    except OSError as exc:  # cannot even spawn: counts as a quick death
                        self.report(f"{name} could not be started: {type(exc).__name__}")
                continue
            if proc.alive():
                continue
            if now - w.started_at >= self.policy.stable_s:
                w.attempt = 0
            w.attempt += 1
            delay = self.policy.delay(w.attempt)
            w.restart_at = now + delay
            event = RestartEvent(name, proc.exit_code(), w.attempt, delay,
                                 keeps_dying=w.attempt >= self.policy.warn_after)
            self.report(event.log_line())
            events.append(event)
        return events

    def run(self, should_stop: Callable[[], bool], *, interval_s: float = 0.5,
            sleep: Callable[[float], None] = time.sleep) -> None:
        """Tick every ``interval_s`` until ``should_stop()``; stopping the processes is the caller's."""
        while not should_stop():
            self.tick()
            sleep(interval_s)
