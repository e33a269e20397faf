"""CMS NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE).

The edits as the engine applies them; the quarterly practitioner files they come from are
parsed by :mod:`rcm_coding.adapters.reference_data` (layouts documented there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Modifiers that satisfy a PTP edit with modifier indicator 1 (NCCI policy manual, ch. I).
PTP_BYPASS_MODIFIERS = frozenset(
    {"25", "57", "58", "59", "78", "79", "91", "XE", "XS", "XP", "XU", "E1", "E2", "E3", "E4",
     "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA", "T1", "T2", "T3", "T4",
     "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "RC", "LM", "RI", "24", "27"}
)


@dataclass(frozen=True)
class PTPEdit:
    column1: str
    column2: str
    effective: date
    deleted: date | None
    modifier_indicator: str  # "0", "1" or "9"
    rationale: str = ""

    def active_on(self, when: date) -> bool:
        return self.effective <= when and (self.deleted is None or when <= self.deleted)


@dataclass(frozen=True)
class MUELimit:
    code: str
    max_units: int
    adjudication_indicator: str  # "1" line, "2" date of service (policy), "3" DOS (clinical)
    rationale: str = ""
