"""Coding engine benchmark: load time, notes/second, peak memory, vs a naive keyword baseline.

Run: uv run python bench/coding_engine.py
"""

from __future__ import annotations

import importlib.util
import re
import resource
import sys
import time
from pathlib import Path

from rcm_coding.adapters.reference_data import load_engine
from rcm_coding.domain.model import EncounterDocumentation

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "gold_set", ROOT / "services/coding/tests/gold/gold_set.py")
assert spec and spec.loader
gold = importlib.util.module_from_spec(spec)
sys.modules["gold_set"] = gold
spec.loader.exec_module(gold)


def main() -> None:
    # tracemalloc slows the XML parse ~5x, so load time and memory use getrusage instead.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    engine = load_engine()
    load_s = time.perf_counter() - t
    cases = gold.load_gold_cases()
    docs = [EncounterDocumentation(c.note, c.date_of_service, c.sex, c.age,
                                   payer_category=c.payer) for c in cases]
    rounds = 10
    t = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            engine.code_encounter(d)
    engine_s = time.perf_counter() - t
    # Baseline: a naive dictionary lookup (every lexicon phrase searched in every note).
    phrases = list(engine.lexicon._phrases)
    pats = [re.compile(r"\b" + re.escape(p) + r"\b", re.I) for p in phrases]
    t = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            [p for p in pats if p.search(d.note_text)]
    base_s = time.perf_counter() - t
    n = rounds * len(docs)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"code sets loaded in {load_s:.2f} s ({len(engine.registry.icd10cm_versions[0].code_set)}"
          f" ICD-10-CM codes); breakdown {engine.registry.load_seconds}")
    print(f"peak RSS: {rss_mb:.0f} MiB (before load {rss_before:.0f} MiB)")
    print(f"engine:   {n / engine_s:8.1f} notes/s ({n} notes)")
    print(f"baseline: {n / base_s:8.1f} notes/s (naive keyword lookup, no context/edits)")
    print(f"ratio engine/baseline throughput: {base_s / engine_s:.2f}x")


if __name__ == "__main__":
    main()
