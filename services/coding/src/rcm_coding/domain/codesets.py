"""Registry of code-set versions, chosen by date of service.

What is there today: ONE ICD-10-CM release, the CMS April 1, 2026 update shipped by
``simple-icd-10-cm``, registered as effective 2026-04-01 through 2026-09-30 (the April update of
FY2026; FY2027 codes take effect 2026-10-01).  A date of service outside that window raises
:class:`CodeSetNotAvailableError` (the engine turns it into the ``CODESET_UNAVAILABLE`` edit)
instead of silently coding with the wrong release.  Further releases come from the CMS files
of their year: :class:`rcm_coding.adapters.reference_data.ICD10CMRelease`, passed to
``load_engine`` (the coding service reads them from its ``ICD10CM_RELEASES`` setting).

HCPCS/CPT samples and NCCI samples are not date-windowed beyond their own per-code/per-edit
effective and deletion dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rcm_coding.domain.errors import CodeSetNotAvailableError
from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.ncci import MUELimit, PTPEdit
from rcm_coding.domain.procedure_codes import ProcedureCode

ICD10CM_APRIL_2026_FROM = date(2026, 4, 1)
ICD10CM_APRIL_2026_TO = date(2026, 9, 30)


@dataclass(frozen=True)
class CodeSetVersion:
    label: str
    effective_from: date
    effective_to: date
    code_set: ICD10CMCodeSet

    def covers(self, when: date) -> bool:
        return self.effective_from <= when <= self.effective_to


@dataclass
class CodeSetRegistry:
    """All reference data the engine and the edits read, loaded once."""

    icd10cm_versions: list[CodeSetVersion] = field(default_factory=list)
    hcpcs: dict[str, ProcedureCode] = field(default_factory=dict)
    cpt: dict[str, ProcedureCode] = field(default_factory=dict)
    ptp: dict[tuple[str, str], list[PTPEdit]] = field(default_factory=dict)
    mue: dict[str, MUELimit] = field(default_factory=dict)
    load_seconds: dict[str, float] = field(default_factory=dict)

    def check_icd10cm_window(self, effective_from: date, effective_to: date) -> None:
        """ValueError if the window overlaps a registered release (checked before loading files)."""
        for v in self.icd10cm_versions:
            if effective_from <= v.effective_to and v.effective_from <= effective_to:
                raise ValueError(f"ICD-10-CM window {effective_from}..{effective_to} overlaps already registered "
                                 f"{v.label} ({v.effective_from}..{v.effective_to})")

    def register_icd10cm(
        self, code_set: ICD10CMCodeSet, effective_from: date, effective_to: date
    ) -> None:
        self.check_icd10cm_window(effective_from, effective_to)
        self.icd10cm_versions.append(
            CodeSetVersion(code_set.version, effective_from, effective_to, code_set)
        )
        self.icd10cm_versions.sort(key=lambda v: v.effective_from)

    def icd10cm_for(self, date_of_service: date) -> ICD10CMCodeSet:
        """The ICD-10-CM release in force on the date of service, or CodeSetNotAvailableError."""
        for v in self.icd10cm_versions:
            if v.covers(date_of_service):
                return v.code_set
        raise CodeSetNotAvailableError("ICD-10-CM", date_of_service, self.describe_icd10cm())

    def describe_icd10cm(self) -> str:
        return ", ".join(
            f"{v.label} ({v.effective_from}..{v.effective_to})" for v in self.icd10cm_versions
        ) or "none"

    def procedure(self, code: str) -> ProcedureCode | None:
        return self.cpt.get(code) or self.hcpcs.get(code)

    def ptp_edits_for(self, column1: str, column2: str, when: date) -> list[PTPEdit]:
        return [e for e in self.ptp.get((column1, column2), []) if e.active_on(when)]
