"""The chaos harness at its CI size: 300 encounters, seed 1 (the full size is a documented
command: see tests/chaos/chaos.py). Every service and the sandbox are SIGKILLed three times after
20 % progress, the sandbox stays down 30 s once, the broker and PostgreSQL each crash once; then
nothing may be lost, stuck, sent to the payer twice, posted twice or off by a cent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from chaos import PROCESSES, RunConfig, run_once, schedule, slices

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_every_seed_schedules_the_faults_the_harness_promises() -> None:
    for seed in range(1, 11):
        faults = schedule(seed)
        kinds = Counter((f.kind, f.target) for f in faults)
        for name in PROCESSES:
            assert kinds[("kill", name)] + kinds[("outage", name)] >= 3, (seed, name, kinds)
        assert kinds[("outage", "sandbox")] == 1 and [f.down_s for f in faults if f.kind == "outage"] == [30.0]
        assert kinds[("crash", "kafka")] == 1 and kinds[("crash", "postgres")] == 1
    assert schedule(1) == schedule(1) and schedule(1) != schedule(2)
    assert [len(s) for s in slices(list(range(10)), 4)] == [3, 3, 2, 2]


def test_300_encounters_survive_every_process_killed_under_them(tmp_path: Path) -> None:
    result = run_once(RunConfig(encounters=300, seed=1), tmp_path / "chaos")
    assert result.clean, result.summary()
    assert result.settled == 300 and result.outcomes["paid"] > 0, result.summary()
