"""Coding service settings (environment variables)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, Field, FilePath, model_validator
from rcm_shared.settings import ServiceSettings

from rcm_coding.adapters.codeset_index import default_codesets_dir
from rcm_coding.adapters.reference_data import ICD10CMRelease


class ICD10CMReleaseSetting(BaseModel):
    """One further ICD-10-CM release, from the CMS files of its fiscal year."""

    version: str = Field(min_length=1, description="label kept with every coding result, e.g. FY2027")
    effective_from: date
    effective_to: date
    code_list: FilePath = Field(description="CMS icd10cm-codes-<year>.txt")
    tabular_xml: FilePath = Field(description="CMS icd10cm-tabular-<year>.xml")

    @model_validator(mode="after")
    def _window(self) -> ICD10CMReleaseSetting:
        if self.effective_to < self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} is before effective_from {self.effective_from}")
        return self

    def to_reference_data(self) -> ICD10CMRelease:
        """The release for the reference-data loader."""
        return ICD10CMRelease(self.version, self.effective_from, self.effective_to, str(self.code_list),
                              str(self.tabular_xml))


class CodingSettings(ServiceSettings):
    service_name: str = "coding"
    http_port: int = Field(default=8002, ge=0, le=65535)
    codesets_dir: Path = Field(
        default_factory=default_codesets_dir,
        description="CODESETS_DIR: the code-set store (releases imported with `rcm codesets import`, and the "
                    "prebuilt index of the packaged ICD-10-CM release, built at first start); default "
                    "$XDG_CACHE_HOME/rcm/codesets, i.e. ~/.cache/rcm/codesets")
    icd10cm_releases: list[ICD10CMReleaseSetting] = Field(
        default_factory=list,
        description="ICD10CM_RELEASES: JSON list of further ICD-10-CM releases "
                    '[{"version": "FY2027", "effective_from": "2026-10-01", "effective_to": "2027-09-30", '
                    '"code_list": "/data/icd10cm-codes-2027.txt", "tabular_xml": "/data/icd10cm-tabular-2027.xml"}]; '
                    "the packaged April 2026 release covers 2026-04-01 to 2026-09-30. Each is imported into "
                    "the code-set store at start if not there yet (validated like `rcm codesets import`)")
