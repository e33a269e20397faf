"""Procedure code sets: HCPCS Level II (public CMS file) and CPT (AMA-licensed; labels are ours).

HCPCS Level II layout parsed (the CMS annual alpha-numeric "record layout" of HCPC<YYYY>_ANWEB,
fixed width, 1-based inclusive positions; only the fields the engine needs):

==========  =========  ================================================================
positions   field      notes
==========  =========  ================================================================
1-5         HCPC       the code (modifier records carry the modifier in 4-5)
6-10        SEQNUM     description line number
11          RIC        record id: 3 first line of a procedure, 4 continuation,
                       7 first line of a modifier, 8 continuation
12-91       LONG DESC  long description (continued on RIC 4 lines)
92-119      SHORT DESC short description (28 chars)
257-264     ADD DT     date the code was added (YYYYMMDD)
265-272     ACT EFF DT action effective date (YYYYMMDD)
273-280     TERM DT    termination date (YYYYMMDD, blank if active)
281         ACTION CD  A add, C change, D discontinue, N no change, ...
==========  =========  ================================================================

Positions 257-281 follow our reading of the CMS record layout; they are constants below so a
mismatch against a given year's ``HCPC<YYYY>_recordlayout.txt`` is a one-line fix.

CPT: the engine ships code numbers with our own short labels (``data/cpt_own_labels.csv``,
columns ``code,label``).  A site holding an AMA licence can load its file with
:func:`load_cpt_file`: a CSV with a header row containing ``code`` and one of ``short_descriptor``,
``descriptor`` or ``label`` (other columns ignored); ``effective_from``/``effective_to``
(YYYY-MM-DD) are used when present.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from importlib import resources

from rcm_coding.domain.errors import CodeFileFormatError

HCPCS_CODE = slice(0, 5)
HCPCS_SEQ = slice(5, 10)
HCPCS_RIC = 10
HCPCS_LONG = slice(11, 91)
HCPCS_SHORT = slice(91, 119)
HCPCS_ADD_DATE = slice(256, 264)
HCPCS_EFFECTIVE_DATE = slice(264, 272)
HCPCS_TERM_DATE = slice(272, 280)
HCPCS_ACTION = 280
HCPCS_RECORD_LENGTH = 320


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


def _yyyymmdd(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise CodeFileFormatError(f"bad date {text!r} (expected YYYYMMDD)") from exc


def parse_hcpcs_fixed_width(text: str) -> dict[str, ProcedureCode]:
    """Parse the CMS HCPCS annual file (layout in the module docstring); modifiers are skipped."""
    codes: dict[str, ProcedureCode] = {}
    long_parts: dict[str, list[str]] = {}
    meta: dict[str, tuple[date | None, date | None]] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(raw) < 12:
            raise CodeFileFormatError(f"HCPCS line {lineno}: {len(raw)} chars, need >= 12")
        ric = raw[HCPCS_RIC]
        raw = raw.ljust(HCPCS_RECORD_LENGTH)
        code = raw[HCPCS_CODE].strip()
        if ric in "78":
            continue
        if ric not in "34":
            raise CodeFileFormatError(f"HCPCS line {lineno}: record id {ric!r} not in 3/4/7/8")
        long_parts.setdefault(code, []).append(raw[HCPCS_LONG].strip())
        if ric == "3":
            meta[code] = (_yyyymmdd(raw[HCPCS_EFFECTIVE_DATE]) or _yyyymmdd(
                raw[HCPCS_ADD_DATE]), _yyyymmdd(raw[HCPCS_TERM_DATE]))
    for code, parts in long_parts.items():
        start, end = meta.get(code, (None, None))
        codes[code] = ProcedureCode(code, " ".join(p for p in parts if p), "HCPCS", start, end)
    return codes


def format_hcpcs_record(
    code: str,
    long_description: str,
    short_description: str,
    added: date,
    terminated: date | None = None,
    action: str = "N",
) -> list[str]:
    """Fixed-width lines for one code in the layout :func:`parse_hcpcs_fixed_width` reads."""
    chunks = [long_description[i : i + 80] for i in range(0, len(long_description), 80)] or [""]
    lines = []
    for n, chunk in enumerate(chunks):
        rec = [" "] * HCPCS_RECORD_LENGTH
        first = n == 0

        def put(sl: slice, value: str, rec: list[str] = rec) -> None:
            width = sl.stop - sl.start
            rec[sl] = list(value[:width].ljust(width))

        put(HCPCS_CODE, code)
        put(HCPCS_SEQ, f"{(n + 1) * 100:05d}")
        rec[HCPCS_RIC] = "3" if first else "4"
        put(HCPCS_LONG, chunk)
        if first:
            put(HCPCS_SHORT, short_description)
            put(HCPCS_ADD_DATE, added.strftime("%Y%m%d"))
            put(HCPCS_EFFECTIVE_DATE, added.strftime("%Y%m%d"))
            put(HCPCS_TERM_DATE, terminated.strftime("%Y%m%d") if terminated else "")
            rec[HCPCS_ACTION] = action
        lines.append("".join(rec).rstrip())
    return lines


def load_hcpcs_sample() -> dict[str, ProcedureCode]:
    """The packaged sample: only the Level II codes the engine proposes (not the full file)."""
    text = resources.files("rcm_coding.data").joinpath("hcpcs_sample_2026.txt").read_text("ascii")
    return parse_hcpcs_fixed_width(text)


def _iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text and text.strip() else None


def load_cpt_file(text: str, system: str = "CPT") -> dict[str, ProcedureCode]:
    """Load CPT codes from CSV text (columns documented in the module docstring)."""
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    label_col = next((fields[k] for k in ("short_descriptor", "descriptor", "label") if k in fields),
                     None)
    if "code" not in fields or label_col is None:
        raise CodeFileFormatError(
            f"CPT file needs columns 'code' and one of short_descriptor/descriptor/label; "
            f"got {sorted(fields)}"
        )
    out: dict[str, ProcedureCode] = {}
    for row in reader:
        code = row[fields["code"]].strip()
        if not code:
            continue
        out[code] = ProcedureCode(
            code,
            row[label_col].strip(),
            system,
            _iso(row.get(fields.get("effective_from", ""), None)),
            _iso(row.get(fields.get("effective_to", ""), None)),
        )
    return out


def load_own_cpt_labels() -> dict[str, ProcedureCode]:
    """CPT code numbers the engine proposes, with labels written by this project (not AMA's)."""
    text = resources.files("rcm_coding.data").joinpath("cpt_own_labels.csv").read_text("utf-8")
    return load_cpt_file(text)
