"""Reader and scorer for the gold notes (``gold_notes_*.txt`` beside this file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class GoldCase:
    case_id: str
    note: str
    date_of_service: date
    age: int
    sex: str
    payer: str | None
    expect_dx: frozenset[str]
    expect_px: frozenset[str]
    forbid: frozenset[str]


def _codes(value: str) -> frozenset[str]:
    return frozenset(c.strip() for c in value.split(",") if c.strip())


def load_gold_cases(pattern: str = "gold_notes_*.txt") -> list[GoldCase]:
    cases: list[GoldCase] = []
    for path in sorted(HERE.glob(pattern)):
        chunks = path.read_text("utf-8").split("=== case: ")[1:]
        for chunk in chunks:
            head, _, note = chunk.partition("\n---\n")
            lines = head.splitlines()
            fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line and not line.startswith("#"))
            fields = {k.strip(): v.strip() for k, v in fields.items()}
            cases.append(GoldCase(
                case_id=lines[0].strip(),
                note=note.strip() + "\n",
                date_of_service=date.fromisoformat(fields["dos"]),
                age=int(fields["age"]),
                sex=fields["sex"],
                payer=fields.get("payer"),
                expect_dx=_codes(fields.get("expect_dx", "")),
                expect_px=_codes(fields.get("expect_px", "")),
                forbid=_codes(fields.get("forbid", "")),
            ))
    return cases


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    forbidden_hits: list[tuple[str, str]] = field(default_factory=list)
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def add(self, case_id: str, expected: frozenset[str], got: set[str],
            forbid: frozenset[str]) -> None:
        self.tp += len(expected & got)
        self.fp += len(got - expected)
        self.fn += len(expected - got)
        self.forbidden_hits += [(case_id, c) for c in sorted(got & forbid)]
        if got != expected:
            self.misses.append((case_id, sorted(expected - got), sorted(got - expected)))

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
