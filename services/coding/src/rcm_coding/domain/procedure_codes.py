"""Procedure code sets: HCPCS Level II (public CMS file) and CPT (AMA-licensed; labels are ours).

A :class:`ProcedureCode` is a code the edits know, with the dates it is active; the files
they come from (the CMS HCPCS fixed-width file, CPT CSVs) are parsed by
:mod:`rcm_coding.adapters.reference_data`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ProcedureCode:
    code: str
    label: str
    system: str  # "HCPCS" or "CPT"
    effective_from: date | None = None
    effective_to: date | None = None

    def active_on(self, when: date) -> bool:
        if self.effective_from and when < self.effective_from:
            return False
        return not (self.effective_to and when > self.effective_to)
