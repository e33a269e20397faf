"""Coding engine benchmark: code sets ready from the prebuilt index vs from the XML, RSS, notes/second.

Run: uv run python bench/coding_engine.py [--runs N]

Each load is measured in a fresh process (a process that parsed the XML once never gives its
memory back, so one process cannot measure both): wall and CPU seconds of ``load_engine()`` and
the RSS after it. "Service" is a process that has also imported the coding service's web,
database and Kafka stack, as ``rcm-coding`` has before it loads code sets (with Alembic too when the
process runs its own migrations, RUN_MIGRATIONS=true). "Once warm" is the RSS after the title and injury
indexes that the first note of a release's dates builds (the steady state of a coding process). The store is a
temporary directory whose packaged index is built first (what the first start of a service does).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent across fork + exec.
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def child(mode: str) -> None:
    """One measured load, printed as JSON (run by the parent in a fresh interpreter)."""
    if mode == "prebuild":
        from rcm_coding.adapters.codeset_store import CodeSetStore

        _, seconds = CodeSetStore().prebuild_packaged()
        print(json.dumps({"wall_s": seconds, "peak_mib": _peak_mib()}))
        return
    if mode in ("service", "service_migrating"):
        import rcm_coding.bootstrap  # noqa: F401  (the web, database and Kafka stack the service imports)
        import rcm_coding.main  # noqa: F401
    if mode == "service_migrating":
        # `rcm-coding serve` with RUN_MIGRATIONS=true (the default) runs Alembic in the process first.
        import alembic.command  # noqa: F401
        import alembic.config  # noqa: F401
    from rcm_coding.adapters import reference_data

    before = _rss_mib()
    wall, cpu = time.perf_counter(), time.process_time()
    if mode == "xml":
        registry = reference_data.CodeSetRegistry()
        registry.register_icd10cm(reference_data.load_icd10cm(), reference_data.ICD10CM_APRIL_2026_FROM,
                                  reference_data.ICD10CM_APRIL_2026_TO)
        registry.hcpcs = reference_data.load_hcpcs_sample()
        registry.cpt = reference_data.load_own_cpt_labels()
        registry.ptp = reference_data.load_ptp_sample()
        registry.mue = reference_data.load_mue_sample()
        engine = reference_data.load_engine(registry)
    else:
        engine = reference_data.load_engine()
    out = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, "rss_before_mib": before,
           "rss_mib": _rss_mib(), "peak_mib": _peak_mib(),
           "codes": len(engine.registry.icd10cm_versions[0].code_set)}
    # What the process holds once it has coded: the title and injury indexes the first note of a release's
    # dates builds (the service builds them in the background at start, ``CodingEngine.warm``).
    if mode != "xml":  # the XML baseline is measured for its load only
        from rcm_coding.domain.codesets import ICD10CM_APRIL_2026_FROM

        engine.warm(ICD10CM_APRIL_2026_FROM)
        out["rss_warm_mib"] = _rss_mib()
    print(json.dumps(out))


def measure(mode: str, runs: int, env: dict[str, str]) -> list[dict[str, Any]]:
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--child", mode], env=env, capture_output=True, text=True,
                              check=True)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


def median(results: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["prebuild", "index", "xml", "service", "service_migrating"])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per measured load (XML: 2)")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="rcm-bench-codesets-") as store:
        env = {**os.environ, "CODESETS_DIR": store}
        os.environ["CODESETS_DIR"] = store
        [build] = measure("prebuild", 1, env)
        index = measure("index", args.runs, env)
        xml = measure("xml", max(1, min(2, args.runs)), env)
        service = measure("service", max(1, min(3, args.runs)), env)
        migrating = measure("service_migrating", max(1, min(3, args.runs)), env)
        notes_per_s, base_per_s, n = throughput()
    load1 = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load1:.1f} while measuring (wall times vary with it)")
    print(f"prebuilt index built once (first start) in {build['wall_s']:.1f} s (peak RSS {build['peak_mib']:.0f} MiB)")
    print(f"code sets ready from the prebuilt index: {median(index, 'wall_s'):.2f} s wall, "
          f"{median(index, 'cpu_s'):.2f} s CPU (median of {len(index)} fresh processes; "
          f"min {min(r['wall_s'] for r in index):.2f} s), {index[0]['codes']} ICD-10-CM codes")
    print(f"code sets ready from the XML (baseline): {median(xml, 'wall_s'):.2f} s wall, "
          f"{median(xml, 'cpu_s'):.2f} s CPU (median of {len(xml)})")
    print(f"ratio XML/index: {median(xml, 'wall_s') / median(index, 'wall_s'):.1f}x wall, "
          f"{median(xml, 'cpu_s') / median(index, 'cpu_s'):.1f}x CPU")
    print(f"RSS after load, engine process: index {median(index, 'rss_mib'):.0f} MiB (peak "
          f"{median(index, 'peak_mib'):.0f}; {median(index, 'rss_before_mib'):.0f} before the load), "
          f"XML {median(xml, 'rss_mib'):.0f} MiB (peak {median(xml, 'peak_mib'):.0f})")
    print(f"RSS after load, coding service process (web, database and Kafka stack imported first): "
          f"{median(service, 'rss_mib'):.0f} MiB ({median(service, 'rss_before_mib'):.0f} before the load; "
          f"ready in {median(service, 'wall_s'):.2f} s); migrations run beforehand (RUN_MIGRATIONS=false); "
          f"{median(migrating, 'rss_mib'):.0f} MiB when it runs them itself (Alembic loaded)")
    print(f"RSS once warm (title and injury indexes built, as after the first note of the release's dates): "
          f"engine process {median(index, 'rss_warm_mib'):.0f} MiB, coding service process "
          f"{median(service, 'rss_warm_mib'):.0f} MiB (target 120 MB)")
    print(f"engine:   {notes_per_s:8.1f} notes/s on one core ({n} notes)")
    print(f"baseline: {base_per_s:8.1f} notes/s (naive keyword lookup, no context/edits)")
    print(f"ratio engine/baseline throughput: {notes_per_s / base_per_s:.2f}x")


def throughput() -> tuple[float, float, int]:
    """Notes/s of the engine on the gold notes (code sets from the index), and of a naive keyword lookup."""
    from rcm_coding.adapters.reference_data import load_engine
    from rcm_coding.domain.model import EncounterDocumentation

    spec = importlib.util.spec_from_file_location("gold_set", ROOT / "services/coding/tests/gold/gold_set.py")
    assert spec and spec.loader
    gold = importlib.util.module_from_spec(spec)
    sys.modules["gold_set"] = gold
    spec.loader.exec_module(gold)
    engine = load_engine()
    cases = gold.load_gold_cases()
    docs = [EncounterDocumentation(c.note, c.date_of_service, c.sex, c.age, payer_category=c.payer) for c in cases]
    rounds = 10
    t = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            engine.code_encounter(d)
    engine_s = time.perf_counter() - t
    # Baseline: a naive dictionary lookup (every lexicon phrase searched in every note).
    pats = [re.compile(r"\b" + re.escape(p) + r"\b", re.I) for p in engine.lexicon._phrases]
    t = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            [p for p in pats if p.search(d.note_text)]
    base_s = time.perf_counter() - t
    n = rounds * len(docs)
    return n / engine_s, n / base_s, n


if __name__ == "__main__":
    main()
