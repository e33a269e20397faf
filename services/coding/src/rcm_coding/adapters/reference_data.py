"""Reference data of the coding engine, read from files: the one place the engine's data is loaded.

The domain holds the pure structures and rules (:mod:`rcm_coding.domain`); this module reads
the files they come from and builds them: the full ICD-10-CM release of ``simple-icd-10-cm``
(and further CMS releases), the HCPCS, CPT and NCCI samples and the diagnosis lexicon packaged
in ``rcm_coding/data``. Nothing is read at import time; :func:`load_engine` does the work.

The packaged ICD-10-CM release is parsed from ``simple-icd-10-cm``'s XML once, into a prebuilt
index in the code-set store (:mod:`rcm_coding.adapters.codeset_index`); every later start reads
the index. Releases imported with ``rcm codesets import`` are loaded by
:mod:`rcm_coding.adapters.codeset_store`.

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

NCCI layouts parsed (practitioner files of the CMS quarterly NCCI release):

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
import importlib
import importlib.util
import io
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from rcm_coding.adapters import codeset_index
from rcm_coding.domain.codesets import ICD10CM_APRIL_2026_FROM, ICD10CM_APRIL_2026_TO, CodeSetRegistry
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.icd10cm import ICD10CMCodeSet, TabularEntry, looks_like_code
from rcm_coding.domain.lexicon import Concept, Lexicon, Site, Variant
from rcm_coding.domain.ncci import MUELimit, PTPEdit
from rcm_coding.domain.procedure_codes import ProcedureCode

DATA_PACKAGE = "rcm_coding.data"
PACKAGED_ICD10CM_VERSION = "2026-04"
log = logging.getLogger(__name__)


class CodeFileFormatError(ValueError):
    """A code file (HCPCS, CPT, NCCI) does not have the documented layout."""


@dataclass(frozen=True)
class ICD10CMRelease:
    """A further CMS ICD-10-CM release to load: its two files and the dates of service it covers
    (e.g. FY2027: the ``icd10cm-codes-2027.txt`` list and ``icd10cm-tabular-2027.xml``,
    2026-10-01 to 2027-09-30)."""

    version: str
    effective_from: date
    effective_to: date
    code_list_path: str
    tabular_xml_path: str


def _packaged_text(name: str, encoding: str = "utf-8") -> str:
    return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding)


# ------------------------------------------------------------------------------ the engine
def load_engine(registry: CodeSetRegistry | None = None, releases: Sequence[ICD10CMRelease] = (),
                codesets_dir: Path | None = None) -> CodingEngine:
    """Load code sets (full ICD-10-CM April 2026, HCPCS/CPT/NCCI samples) and the lexicon.

    ``registry``: reference data already loaded (the packaged code sets are loaded when None,
    ICD-10-CM from its prebuilt index in ``codesets_dir``, default
    :func:`~rcm_coding.adapters.codeset_index.default_codesets_dir`).
    ``releases`` are further ICD-10-CM releases parsed from CMS files (the service imports them
    into the code-set store instead), each for its own window of dates of service (overlapping
    windows raise ``ValueError``). Load times in seconds are kept in ``registry.load_seconds``.
    """
    if registry is None:
        registry = load_packaged_registry(codesets_dir)
    for release in releases:
        registry.check_icd10cm_window(release.effective_from, release.effective_to)
        t = time.perf_counter()
        icd = load_icd10cm(release.version, release.code_list_path, release.tabular_xml_path)
        registry.load_seconds[f"icd10cm {release.version}"] = time.perf_counter() - t
        registry.register_icd10cm(icd, release.effective_from, release.effective_to)
    t = time.perf_counter()
    lexicon = load_lexicon()
    registry.load_seconds["lexicon"] = time.perf_counter() - t
    return CodingEngine(registry, lexicon)


@lru_cache(maxsize=1)
def default_engine() -> CodingEngine:
    """One loaded engine per process for tests, the CLI and benchmarks (the first call pays the load)."""
    return load_engine()


def load_packaged_registry(codesets_dir: Path | None = None) -> CodeSetRegistry:
    """The packaged code sets: ICD-10-CM April 2026 (2026-04-01..2026-09-30), HCPCS, CPT, NCCI samples."""
    registry = CodeSetRegistry()
    t = time.perf_counter()
    icd = packaged_icd10cm(codesets_dir)
    registry.load_seconds["icd10cm"] = time.perf_counter() - t
    registry.register_icd10cm(icd, ICD10CM_APRIL_2026_FROM, ICD10CM_APRIL_2026_TO)
    t = time.perf_counter()
    registry.hcpcs = load_hcpcs_sample()
    registry.cpt = load_own_cpt_labels()
    registry.ptp = load_ptp_sample()
    registry.mue = load_mue_sample()
    registry.load_seconds["procedures_and_ncci"] = time.perf_counter() - t
    return registry


# ------------------------------------------------------------------------------ ICD-10-CM
def packaged_icd10cm_index_path(codesets_dir: Path | None = None) -> Path:
    """Where the packaged release's prebuilt index lives (its name carries the builder's fingerprint)."""
    root = codesets_dir if codesets_dir is not None else codeset_index.default_codesets_dir()
    return root / "packaged" / f"icd10cm-{PACKAGED_ICD10CM_VERSION}-{packaged_icd10cm_fingerprint()[:16]}.index"


def packaged_icd10cm_fingerprint() -> str:
    """The builder's fingerprint plus the names and sizes of simple-icd-10-cm's data files (found
    without importing the package, which parses its XML at import)."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    files: list[str] = []
    for location in (spec.submodule_search_locations or []) if spec else []:
        data = Path(location) / "data"
        files += sorted(f"{p.name}:{p.stat().st_size}" for p in data.glob("*") if p.is_file())
    return codeset_index.builder_fingerprint("packaged " + PACKAGED_ICD10CM_VERSION + " " + ",".join(files))


def packaged_icd10cm(codesets_dir: Path | None = None) -> ICD10CMCodeSet:
    """The packaged release, read from its prebuilt index (~0.3 s); the first start builds the index
    from the XML (~4 s), once even when several replicas start together. A store that cannot be
    written (a read-only file system) costs the XML parse at every start, and says so in the log."""
    path = packaged_icd10cm_index_path(codesets_dir)
    fingerprint = packaged_icd10cm_fingerprint()

    def build(target: Path) -> ICD10CMCodeSet:
        code_set = load_icd10cm(PACKAGED_ICD10CM_VERSION)
        codeset_index.write_icd10cm_index(target, code_set, fingerprint, {"source": "simple-icd-10-cm"})
        log.info("built the prebuilt ICD-10-CM index %s", target)
        return code_set

    try:
        return codeset_index.cached_build(path, lambda p: codeset_index.read_icd10cm_index(p, fingerprint), build)
    except OSError as exc:
        log.warning("cannot write the prebuilt ICD-10-CM index %s (%s: %s): parsing the XML at every start "
                    "instead (~4 s, ~170 MB); set CODESETS_DIR to a writable directory",
                    path, type(exc).__name__, exc)
        return load_icd10cm(PACKAGED_ICD10CM_VERSION)


def load_icd10cm(
    version: str = PACKAGED_ICD10CM_VERSION,
    code_list_path: str | None = None,
    tabular_xml_path: str | None = None,
) -> ICD10CMCodeSet:
    """Build an :class:`ICD10CMCodeSet` from ``simple-icd-10-cm``.

    Without paths, the release shipped inside the package is used.  With both paths (a CMS
    ``icd10cm-codes`` list and the CMS tabular XML of another release) the package is pointed at
    them first; that switches the package's global state, which is why everything is copied out
    and the package is switched back to its own release afterwards.
    """
    # Heavy (parses ~10 MB of XML on first import) and untyped: imported here, used as Any.
    cm: Any = importlib.import_module("simple_icd_10_cm")

    if not (code_list_path or tabular_xml_path):
        return _copy_out(cm, version)
    saved = _package_state(cm)
    cm.change_version(code_list_path, tabular_xml_path)
    try:
        return _copy_out(cm, version)
    finally:  # back to the packaged release, for any later default load
        _restore_package_state(cm, saved)


# The module-level containers simple-icd-10-cm (1.5) fills in place when it loads a release.
_PACKAGE_STATE = ("_chapter_list", "_code_to_node", "_all_codes_list", "_all_codes_list_no_dots",
                  "_code_to_index_dictionary")


def _package_state(cm: Any) -> dict[str, Any] | None:
    """Copies of the package's containers (its packaged release), or None if its internals changed."""
    inner = getattr(cm, "simple_icd_10_cm", cm)  # the package re-exports its module's public names only
    if not all(isinstance(getattr(inner, name, None), list | dict) for name in _PACKAGE_STATE):
        return None
    return {name: getattr(inner, name).copy() for name in _PACKAGE_STATE}


def _restore_package_state(cm: Any, saved: dict[str, Any] | None) -> None:
    # Putting the copies back takes milliseconds; change_version() would parse the packaged XML again (~3 s).
    if saved is None:
        cm.change_version()
        return
    inner = getattr(cm, "simple_icd_10_cm", cm)
    for name, value in saved.items():
        current = getattr(inner, name)
        current.clear()
        if isinstance(current, list):
            current.extend(value)
        else:
            current.update(value)


def _copy_out(cm: Any, version: str) -> ICD10CMCodeSet:
    entries: dict[str, TabularEntry] = {}
    for code in cm.get_all_codes(with_dots=True):
        if not looks_like_code(code):
            continue  # chapters and blocks are navigation, not codes
        parent = cm.get_parent(code)
        if parent == code:  # a block named like its only category (B99): skip to the chapter
            parent = ""
        entries[code] = TabularEntry(
            code=code,
            description=cm.get_description(code),
            billable=cm.is_leaf(code),
            parent=parent or None,
            excludes1=tuple(cm.get_excludes1(code)),
            code_first=cm.get_code_first(code),
            use_additional=cm.get_use_additional_code(code),
            seven_chr_def=tuple(sorted(cm.get_seven_chr_def(code).items())),
        )
    return ICD10CMCodeSet(version=version, entries=entries)


# ------------------------------------------------------------------------------ lexicon
def load_lexicon() -> Lexicon:
    """Load and compile the packaged lexicon (a few milliseconds)."""
    return parse_lexicon(json.loads(_packaged_text("diagnosis_lexicon.json")))


def parse_lexicon(raw: dict[str, Any]) -> Lexicon:
    """A lexicon from its JSON form (the format is described in the packaged file's ``_about`` field)."""
    concepts: dict[str, Concept] = {}
    terms: dict[str, list[str]] = {}
    abbrs: dict[str, list[str]] = {}
    for c in raw["concepts"]:
        concepts[c["id"]] = Concept(
            id=c["id"],
            kind=c["kind"],
            code=c["code"],
            group=c.get("group", ""),
            multi=c.get("multi", False),
            variants=tuple(
                Variant(tuple(tuple(w.split("|")) for w in v["when"]), v["code"])
                for v in c.get("variants", [])
            ),
            lat=c.get("lat"),
            sites=tuple(
                Site(tuple(s["words"]), s.get("code"), s.get("lat")) for s in c.get("sites", [])
            ),
            history=c.get("history"),
            family=c.get("family"),
            integral_to=tuple(c.get("integral_to", [])),
        )
        terms[c["id"]] = c.get("terms", [])
        abbrs[c["id"]] = c.get("abbr", [])
    return Lexicon.build(concepts, terms, abbrs)


# ------------------------------------------------------------------------------ HCPCS and CPT
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
    text = _packaged_text("hcpcs_sample_2026.txt", "ascii")
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
    text = _packaged_text("cpt_own_labels.csv")
    return load_cpt_file(text)


# ------------------------------------------------------------------------------ NCCI
_PROC_CODE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")


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
    return parse_ptp_file(_packaged_text("ncci_ptp_practitioner_sample.txt"))


def load_mue_sample() -> dict[str, MUELimit]:
    """The packaged illustrative MUE sample (see module docstring)."""
    return parse_mue_file(_packaged_text("ncci_mue_practitioner_sample.csv"))
