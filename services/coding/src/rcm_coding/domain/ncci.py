"""CMS NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE).

Layouts parsed (practitioner files of the CMS quarterly NCCI release):

* PTP, ``ccipra-v<version>-f<n>.txt``: tab-delimited, a few title/header lines first (skipped:
  any line whose first field is not a 5-character code).  Columns in order:
  ``Column 1`` | ``Column 2`` | ``* = In existence prior to 1996`` | ``Effective Date``
  (YYYYMMDD) | ``Deletion Date`` (YYYYMMDD or ``*`` = none) | ``Modifier`` (0 not allowed,
  1 allowed, 9 not applicable) | ``PTP Edit Rationale``.
* MUE, ``MCR_MUE_PractitionerServices_Eff_<date>.csv``: comma-separated, title/copyright lines
  first (skipped the same way).  Columns: ``HCPCS/CPT Code`` | ``Practitioner Services MUE
  Values`` | ``MUE Adjudication Indicator`` (text starting with 1, 2 or 3, e.g.
  ``2 Date of Service Edit: Policy``) | ``MUE Rationale``.

The packaged samples (``data/ncci_ptp_practitioner_sample.txt``, ``data/ncci_mue_practitioner_sample.csv``)
are small and ILLUSTRATIVE: pairs and values are modelled on the real edits as we know them but
are not a copy of a CMS release; load the real quarterly files for production.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources

from rcm_coding.domain.errors import CodeFileFormatError

_PROC_CODE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")

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


def _date(text: str, lineno: int) -> date | None:
    text = text.strip()
    if not text or text == "*":
        return None
    if not re.fullmatch(r"\d{8}", text):
        raise CodeFileFormatError(f"PTP line {lineno}: date {text!r} is not YYYYMMDD or '*'")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def parse_ptp_file(text: str) -> dict[tuple[str, str], list[PTPEdit]]:
    """Parse a practitioner PTP file into {(column1, column2): [edits]}."""
    edits: dict[tuple[str, str], list[PTPEdit]] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split("\t")
        if not fields or not _PROC_CODE.match(fields[0].strip()):
            continue
        if len(fields) < 6:
            raise CodeFileFormatError(f"PTP line {lineno}: {len(fields)} columns, need >= 6")
        effective = _date(fields[3], lineno)
        if effective is None:
            raise CodeFileFormatError(f"PTP line {lineno}: effective date missing")
        indicator = fields[5].strip()
        if indicator not in {"0", "1", "9"}:
            raise CodeFileFormatError(f"PTP line {lineno}: modifier indicator {indicator!r}")
        edit = PTPEdit(fields[0].strip(), fields[1].strip(), effective, _date(fields[4], lineno),
                       indicator, fields[6].strip() if len(fields) > 6 else "")
        edits.setdefault((edit.column1, edit.column2), []).append(edit)
    return edits


def parse_mue_file(text: str) -> dict[str, MUELimit]:
    """Parse a practitioner MUE CSV into {code: limit}."""
    limits: dict[str, MUELimit] = {}
    for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not _PROC_CODE.match(row[0].strip()):
            continue
        if len(row) < 3:
            raise CodeFileFormatError(f"MUE line {lineno}: {len(row)} columns, need >= 3")
        try:
            units = int(row[1].strip())
        except ValueError as exc:
            raise CodeFileFormatError(f"MUE line {lineno}: MUE value {row[1]!r}") from exc
        mai = row[2].strip()[:1]
        if mai not in {"1", "2", "3"}:
            raise CodeFileFormatError(f"MUE line {lineno}: adjudication indicator {row[2]!r}")
        code = row[0].strip()
        limits[code] = MUELimit(code, units, mai, row[3].strip() if len(row) > 3 else "")
    return limits


def load_ptp_sample() -> dict[tuple[str, str], list[PTPEdit]]:
    """The packaged illustrative PTP sample (see module docstring)."""
    data = resources.files("rcm_coding.data").joinpath("ncci_ptp_practitioner_sample.txt")
    return parse_ptp_file(data.read_text("utf-8"))


def load_mue_sample() -> dict[str, MUELimit]:
    """The packaged illustrative MUE sample (see module docstring)."""
    data = resources.files("rcm_coding.data").joinpath("ncci_mue_practitioner_sample.csv")
    return parse_mue_file(data.read_text("utf-8"))
