"""The CMS files of a code-set release, read and checked before anything is stored.

Every refusal is a :class:`CodeSetRejectedError` naming the check that failed (``files``,
``format``, ``count``, ``dates``, ``overlap``, ``conflict``) and what to fix: the file and the
line (or XML line) of the first bad record, the count against the floor, the window against
the release's fiscal year, the release it overlaps.

Kinds and the files CMS publishes for them (layouts of HCPCS, NCCI and CPT in
:mod:`rcm_coding.adapters.reference_data`):

==========  =============================================================  ==================
kind        files                                                          floor (records)
==========  =============================================================  ==================
icd10cm     ``icd10cm-codes-<year>.txt`` (code, spaces, description; the    60,000 codes
            billable codes) and ``icd10cm-tabular-<year>.xml``
hcpcs       the annual fixed-width file, ``HCPC<year>_<MON>_ANWEB*.txt``     5,000 codes
ncci-ptp    the practitioner PTP files of one quarter, ``ccipra-v<NNN>r<N>   100,000 edits
            -f1.txt`` .. ``-f<n>.txt`` (all of them: they are one release)
mue         the practitioner MUE file, ``MCR_MUE_PractitionerServices_Eff_   5,000 codes
            <date>.csv``
cpt         a licensed CPT CSV (never shipped with the platform)             5,000 codes
==========  =============================================================  ==================

Effective dates when ``--from``/``--to`` are not given: ICD-10-CM from the year in the file
names (or the tabular's ``<version>``): ``2027`` is FY2027, dates of service 2026-10-01 to
2027-09-30, and a name with ``April`` is the April update (April 1 to September 30); HCPCS
from ``HCPC<year>_<MON>``; MUE from the date in its name; CPT January 1 of the year in its
name; NCCI PTP from the latest edit effective date in its files (the quarter's new edits).
Only ICD-10-CM releases have a closed window that must not overlap another; the other kinds
are in effect from their date until a later release takes over.
"""

from __future__ import annotations

import csv
import io
import re
import xml.parsers.expat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rcm_coding.adapters.reference_data import (
    CodeFileFormatError,
    load_cpt_file,
    load_icd10cm,
    parse_hcpcs_fixed_width,
    parse_mue_file,
    parse_ptp_file,
)
from rcm_coding.domain.icd10cm import ICD10CMCodeSet, looks_like_code
from rcm_coding.domain.ncci import MUELimit, PTPEdit
from rcm_coding.domain.procedure_codes import ProcedureCode

KINDS = ("icd10cm", "hcpcs", "ncci-ptp", "mue", "cpt")
KIND_TITLES = {"icd10cm": "ICD-10-CM", "hcpcs": "HCPCS Level II", "ncci-ptp": "NCCI PTP (practitioner)",
               "mue": "MUE (practitioner)", "cpt": "CPT (licensed)"}
MIN_RECORDS = {"icd10cm": 60_000, "hcpcs": 5_000, "ncci-ptp": 100_000, "mue": 5_000, "cpt": 5_000}
RECORD_NOUN = {"icd10cm": "codes", "hcpcs": "codes", "ncci-ptp": "edits", "mue": "codes", "cpt": "codes"}


class CodeSetRejectedError(ValueError):
    """A release refused, with the check that failed and what to fix."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check
        self.message = message


@dataclass(frozen=True)
class Window:
    """The dates of service a release covers (``effective_to`` None: until a later release) and how
    they were found ("given", or the inference, e.g. "from the file names: FY2027")."""

    effective_from: date
    effective_to: date | None
    basis: str = "given"

    def overlaps(self, other: Window) -> bool:
        self_to = self.effective_to or date.max
        other_to = other.effective_to or date.max
        return self.effective_from <= other_to and other.effective_from <= self_to

    def covers(self, when: date) -> bool:
        return self.effective_from <= when and (self.effective_to is None or when <= self.effective_to)

    def describe(self) -> str:
        return f"{self.effective_from}..{self.effective_to or '(until superseded)'}"


def fiscal_year_window(year: int) -> tuple[date, date]:
    """ICD-10-CM FY<year>: October 1 of the year before to September 30."""
    return date(year - 1, 10, 1), date(year, 9, 30)


def fiscal_year_of(when: date) -> int:
    return when.year + 1 if when.month >= 10 else when.year


# ------------------------------------------------------------------------------ reading files
def read_text(path: Path) -> str:
    """A CMS text file: UTF-8, or Windows-1252 when it is not (older CMS files)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first = exc
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[:first.start].count(b"\n") + 1
        raise CodeSetRejectedError("format", f"{path.name} line {line}: neither UTF-8 nor Windows-1252 text "
                                             f"(byte {first.start})") from None


def _located(path: Path, exc: CodeFileFormatError, line_offset: int = 0) -> CodeSetRejectedError:
    """A parser's error with the file name (and the line number shifted for a chunk)."""
    text = str(exc)
    if line_offset:
        text = re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + line_offset}", text, count=1)
    return CodeSetRejectedError("format", f"{path.name}: {text}")


def _one_file(kind: str, files: Sequence[Path], what: str) -> Path:
    if len(files) != 1:
        raise CodeSetRejectedError("files", f"{kind} takes one file ({what}); got {len(files)}: "
                                            f"{', '.join(f.name for f in files) or 'none'}")
    return files[0]


def check_floor(kind: str, count: int, floor: int, where: str) -> None:
    if count < floor:
        raise CodeSetRejectedError(
            "count", f"{where} holds {count:,} {RECORD_NOUN[kind]}; a complete {KIND_TITLES[kind]} release has at "
                     f"least {floor:,}: is this the whole file (not a sample or an extract)?")


def _check_order(window: Window) -> None:
    if window.effective_to is not None and window.effective_to < window.effective_from:
        raise CodeSetRejectedError("dates", f"the window ends ({window.effective_to}) before it starts "
                                            f"({window.effective_from})")


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


# ------------------------------------------------------------------------------ ICD-10-CM
# A letter in the second place too: FY2026 added QA0.- (genetic disorders).
_CODE_LINE = re.compile(r"([A-Z][0-9A-Z]{2,6})\s+(\S.*)")
_ORDER_LINE = re.compile(r"\d{5} [A-Z][0-9A-Z]")
_DOTTED_CODE = re.compile(r"[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?")


@dataclass
class ICD10CMFiles:
    code_list: Path
    tabular: Path


def icd10cm_files(files: Sequence[Path]) -> ICD10CMFiles:
    """The code-description file (.txt) and the tabular (.xml) of one release, in any order."""
    xml_files = [f for f in files if f.suffix.lower() == ".xml"]
    txt_files = [f for f in files if f.suffix.lower() != ".xml"]
    if len(xml_files) != 1 or len(txt_files) != 1:
        raise CodeSetRejectedError(
            "files", "icd10cm takes two files: the code-description file (icd10cm-codes-<year>.txt) and the tabular "
                     f"XML (icd10cm-tabular-<year>.xml); got {', '.join(f.name for f in files) or 'none'}")
    return ICD10CMFiles(txt_files[0], xml_files[0])


def read_icd10cm_code_list(path: Path) -> dict[str, int]:
    """{code: line number} of a CMS ``icd10cm-codes-<year>.txt`` (codes without their dot)."""
    codes: dict[str, int] = {}
    for lineno, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        m = _CODE_LINE.fullmatch(line.rstrip())
        if m is None:
            hint = (" (this looks like the order file icd10cm-order-*.txt; import icd10cm-codes-*.txt)"
                    if _ORDER_LINE.match(line) else "")
            raise CodeSetRejectedError("format", f"{path.name} line {lineno}: expected a code without its dot (3 to "
                                                 f"7 letters and digits), spaces, then its description; got "
                                                 f"{line[:60]!r}{hint}")
        code = m.group(1)
        if code in codes:
            raise CodeSetRejectedError("format", f"{path.name} line {lineno}: code {code} again (first on line "
                                                 f"{codes[code]})")
        codes[code] = lineno
    return codes


@dataclass
class TabularSummary:
    version_year: int | None
    codes: int


class _TabularChecker:
    """One pass of expat over the tabular XML: the structure simple-icd-10-cm relies on, with the line
    of the first thing wrong (ElementTree gives no line numbers)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.buffer_text = True
        self.stack: list[str] = []
        self.root_children: list[str] = []
        self.diags: list[dict[str, Any]] = []  # open <diag> elements: line, name, desc
        self.seen: dict[str, int] = {}
        self.text: list[str] = []
        self.version_text = ""
        p = self.parser
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars
        p.StartDoctypeDeclHandler = self.doctype
        p.EntityDeclHandler = self.entity

    def fail(self, message: str, line: int | None = None) -> CodeSetRejectedError:
        where = line if line is not None else self.parser.CurrentLineNumber
        return CodeSetRejectedError("format", f"{self.path.name} line {where}: {message}")

    def doctype(self, *args: Any) -> None:
        raise self.fail("a DOCTYPE declaration: a CMS tabular file has none (entities are refused)")

    def entity(self, *args: Any) -> None:
        raise self.fail("an entity declaration: a CMS tabular file has none")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = len(self.stack)
        if depth == 0 and name != "ICD10CM.tabular":
            raise self.fail(f"the root element is <{name}>, not <ICD10CM.tabular>: is this the tabular file?")
        if depth == 1:
            self.root_children.append(name)
            expected = {1: "version", 2: "introduction"}.get(len(self.root_children))
            if expected and name != expected:
                raise self.fail(f"<{name}> where the tabular has <{expected}> (its first two elements are "
                                "<version> and <introduction>)")
        if name == "diag":
            self.diags.append({"line": self.parser.CurrentLineNumber, "name": None, "desc": False})
        self.stack.append(name)
        self.text = []

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, name: str) -> None:
        self.stack.pop()
        text = "".join(self.text).strip()
        self.text = []
        parent = self.stack[-1] if self.stack else ""
        if name == "version" and parent == "ICD10CM.tabular":
            self.version_text = text
        elif name == "name" and parent == "diag":
            self._diag_name(text)
        elif name == "desc" and parent == "diag" and text:
            self.diags[-1]["desc"] = True
        elif name == "diag":
            diag = self.diags.pop()
            if diag["name"] is None:
                raise self.fail("<diag> without a <name>", diag["line"])
            if not diag["desc"]:
                raise self.fail(f"<diag> {diag['name']} has no <desc>", diag["line"])

    def _diag_name(self, code: str) -> None:
        diag = self.diags[-1]
        if not _DOTTED_CODE.fullmatch(code):
            raise self.fail(f"<diag> name {code!r} is not an ICD-10-CM code (e.g. A00 or A00.0)")
        if code in self.seen:
            raise self.fail(f"code {code} again (first on line {self.seen[code]})")
        if len(self.diags) > 1:
            outer = self.diags[-2]["name"] or ""
            if not (code.replace(".", "").startswith(outer.replace(".", "")) and len(code) > len(outer)):
                raise self.fail(f"code {code} is nested under {outer}, which it does not extend")
        self.seen[code] = self.parser.CurrentLineNumber
        diag["name"] = code

    def run(self) -> TabularSummary:
        try:
            with open(self.path, "rb") as f:
                self.parser.ParseFile(f)
        except xml.parsers.expat.ExpatError as exc:
            raise CodeSetRejectedError("format", f"{self.path.name} line {exc.lineno} column {exc.offset}: not "
                                                 f"well-formed XML ({xml.parsers.expat.ErrorString(exc.code)})"
                                       ) from None
        if len(self.root_children) < 3:
            raise CodeSetRejectedError("format", f"{self.path.name}: no chapter after <version> and <introduction>")
        year = int(self.version_text) if re.fullmatch(r"20\d\d", self.version_text) else None
        return TabularSummary(year, len(self.seen))


def check_icd10cm_tabular(path: Path) -> TabularSummary:
    """The tabular's structure, line by line (see :class:`_TabularChecker`)."""
    return _TabularChecker(path).run()


def icd10cm_window(files: ICD10CMFiles, tabular_year: int | None, effective_from: date | None,
                   effective_to: date | None) -> Window:
    """The dates of service, given or inferred (module docstring), checked against the tabular's year."""
    years = {f.name: int(m.group(1)) for f in (files.code_list, files.tabular) if (m := _YEAR.search(f.name))}
    if len(set(years.values())) > 1:
        raise CodeSetRejectedError("dates", "the file names name different years: " +
                                   ", ".join(f"{y} ({n})" for n, y in years.items()) + ": two releases mixed?")
    april = any("april" in f.name.lower() for f in (files.code_list, files.tabular))
    year = next(iter(years.values()), None)
    source = "the file names"
    if year is None and tabular_year is not None:
        year, source = tabular_year, f"the tabular's <version>{tabular_year}</version>"
    inferred: tuple[date, date] | None = None
    label = ""
    if year is not None:
        inferred = (date(year, 4, 1), date(year, 9, 30)) if april else fiscal_year_window(year)
        label = f"the April {year} update of FY{year}" if april else f"FY{year}"
    if (effective_from is None or effective_to is None) and inferred is None:
        raise CodeSetRejectedError("dates", "no year in the file names or the tabular's <version>: give --from and "
                                            "--to (the dates of service the release covers)")
    start = effective_from or (inferred[0] if inferred else None)
    end = effective_to or (inferred[1] if inferred else None)
    assert start is not None and end is not None
    given = [w for w, v in (("--from", effective_from), ("--to", effective_to)) if v is not None]
    basis = ("given" if len(given) == 2 else
             f"inferred from {source}: {label} ({start}..{end})" + (f"; {' and '.join(given)} given" if given else ""))
    window = Window(start, end, basis)
    _check_order(window)
    if tabular_year is not None:
        fy_start, fy_end = fiscal_year_window(tabular_year)
        if start < fy_start or end > fy_end:
            raise CodeSetRejectedError(
                "dates", f"{files.tabular.name} is the FY{tabular_year} release (<version>{tabular_year}</version>: "
                         f"dates of service {fy_start}..{fy_end}); the window {start}..{end} falls outside it")
    return window


def icd10cm_version(window: Window, files: ICD10CMFiles, version: str | None) -> str:
    if version:
        return version
    fy = fiscal_year_of(window.effective_to or window.effective_from)
    april = any("april" in f.name.lower() for f in (files.code_list, files.tabular))
    return f"{window.effective_from.year}-04" if april else f"FY{fy}"


@dataclass
class BuiltICD10CM:
    code_set: ICD10CMCodeSet
    # Listed codes the engine's model leaves out (its code shape wants a digit second: QA0.-).
    left_out: list[str] = field(default_factory=list)


def build_icd10cm(files: ICD10CMFiles, version: str, code_list: dict[str, int]) -> BuiltICD10CM:
    """Parse with simple-icd-10-cm (as the packaged release is) and check every listed code is billable."""
    try:
        code_set = load_icd10cm(version, str(files.code_list), str(files.tabular))
    except Exception as exc:  # the package's own parse errors: say which file and why
        raise CodeSetRejectedError("format", f"{files.tabular.name}: simple-icd-10-cm could not read it "
                                             f"({type(exc).__name__}: {exc})") from None
    built = BuiltICD10CM(code_set)
    for code, lineno in code_list.items():
        if not looks_like_code(code[:3] + ("." + code[3:] if len(code) > 3 else "")):
            built.left_out.append(code)
            continue
        dotted = code_set.normalize(code)
        if not code_set.is_billable(dotted):
            why = "has subcodes in the tabular" if code_set.is_valid(dotted) else "is not in the tabular"
            raise CodeSetRejectedError("format", f"{files.code_list.name} line {lineno}: code {code} {why}: the two "
                                                 "files are not of the same release?")
    return built


# ------------------------------------------------------------------------------ HCPCS
_HCPCS_NAME = re.compile(r"HCPC(20\d\d)(?:[_-]?(JAN|APR|JUL|OCT))?", re.I)
_MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_HCPCS_CODE = re.compile(r"[A-Z][0-9]{4}")


@dataclass
class ParsedProcedures:
    codes: dict[str, ProcedureCode]
    window: Window
    version: str


def parse_hcpcs_release(files: Sequence[Path], version: str | None, effective_from: date | None,
                        effective_to: date | None, floor: int) -> ParsedProcedures:
    path = _one_file("hcpcs", files, "the annual fixed-width HCPC<year>_<MON>_ANWEB*.txt")
    text = read_text(path)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if len(line) > 10 and line[10] in "34" and not _HCPCS_CODE.fullmatch(line[:5]):
            raise CodeSetRejectedError("format", f"{path.name} line {lineno}: {line[:5]!r} is not a HCPCS Level II "
                                                 "code (a letter and four digits)")
    try:
        codes = parse_hcpcs_fixed_width(text)
    except CodeFileFormatError as exc:
        raise _located(path, exc) from None
    check_floor("hcpcs", len(codes), floor, path.name)
    m = _HCPCS_NAME.search(path.name)
    inferred = date(int(m.group(1)), _MONTHS[(m.group(2) or "JAN").upper()], 1) if m else None
    if effective_from is None and inferred is None:
        raise CodeSetRejectedError("dates", f"no HCPC<year>_<MON> in {path.name}: give --from (the date the "
                                            "release takes effect)")
    start = effective_from or inferred
    assert start is not None
    basis = "given" if effective_from else f"inferred from the file name: {start}"
    window = Window(start, effective_to, basis)
    _check_order(window)
    label = version or (f"{m.group(1)}-{(m.group(2) or 'JAN').upper()}" if m else start.isoformat())
    return ParsedProcedures(codes, window, label)


# ------------------------------------------------------------------------------ CPT
_CPT_CODE = re.compile(r"[0-9]{4}[0-9FTU]")


def parse_cpt_release(files: Sequence[Path], version: str | None, effective_from: date | None,
                      effective_to: date | None, floor: int) -> ParsedProcedures:
    path = _one_file("cpt", files, "a CSV with code and short_descriptor/descriptor/label columns")
    text = read_text(path)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    code_col = next((i for i, h in enumerate(header) if h.strip().lower() == "code"), None)
    if code_col is not None:
        for row in reader:
            value = row[code_col].strip() if len(row) > code_col else ""
            if value and not _CPT_CODE.fullmatch(value):
                raise CodeSetRejectedError("format", f"{path.name} line {reader.line_num}: {value!r} is not a CPT code "
                                                     "(four digits and a digit, F, T or U)")
    try:
        codes = load_cpt_file(text)
    except CodeFileFormatError as exc:
        raise _located(path, exc) from None
    except ValueError as exc:  # a bad effective_from/effective_to date
        raise CodeSetRejectedError("format", f"{path.name}: {exc}") from None
    check_floor("cpt", len(codes), floor, path.name)
    m = _YEAR.search(path.name)
    start = effective_from or (date(int(m.group(1)), 1, 1) if m else None)
    if start is None:
        raise CodeSetRejectedError("dates", f"no year in {path.name}: give --from (the date the release takes effect)")
    basis = "given" if effective_from else f"inferred from the file name: {start}"
    window = Window(start, effective_to, basis)
    _check_order(window)
    return ParsedProcedures(codes, window, version or f"CPT{start.year}")


# ------------------------------------------------------------------------------ MUE
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], date]], ...] = (
    (re.compile(r"(20\d\d)-(\d\d)-(\d\d)"), lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(?<!\d)(\d\d)[-_](\d\d)[-_](20\d\d)"), lambda m: date(int(m[3]), int(m[1]), int(m[2]))),
    (re.compile(r"(?<!\d)(20\d\d)(\d\d)(\d\d)(?!\d)"), lambda m: date(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(20\d\d)[-_]?Q([1-4])", re.I), lambda m: date(int(m[1]), 3 * int(m[2]) - 2, 1)),
)


def date_in_name(name: str) -> date | None:
    for pattern, make in _DATE_PATTERNS:
        m = pattern.search(name)
        if m:
            try:
                return make(m)
            except ValueError:
                continue
    return None


def _quarter_label(start: date) -> str:
    return f"{start.year}Q{(start.month - 1) // 3 + 1}" if start.day == 1 and start.month in (1, 4, 7, 10) \
        else start.isoformat()


@dataclass
class ParsedMUE:
    limits: dict[str, MUELimit]
    window: Window
    version: str


def parse_mue_release(files: Sequence[Path], version: str | None, effective_from: date | None,
                      effective_to: date | None, floor: int) -> ParsedMUE:
    path = _one_file("mue", files, "the practitioner file MCR_MUE_PractitionerServices_Eff_<date>.csv")
    lowered = path.name.lower()
    for marker, what in (("dme", "DME supplier"), ("outpatient", "outpatient hospital"), ("facility", "facility")):
        if marker in lowered:
            raise CodeSetRejectedError("files", f"{path.name} is the {what} MUE file; the engine codes professional "
                                                "claims: import the practitioner file "
                                                "(MCR_MUE_PractitionerServices_*)")
    try:
        limits = parse_mue_file(read_text(path))
    except CodeFileFormatError as exc:
        raise _located(path, exc) from None
    check_floor("mue", len(limits), floor, path.name)
    inferred = date_in_name(path.name)
    if effective_from is None and inferred is None:
        raise CodeSetRejectedError("dates", f"no date in {path.name}: give --from (the date the release takes effect)")
    start = effective_from or inferred
    assert start is not None
    basis = "given" if effective_from else f"inferred from the file name: {start}"
    window = Window(start, effective_to, basis)
    _check_order(window)
    return ParsedMUE(limits, window, version or _quarter_label(start))


# ------------------------------------------------------------------------------ NCCI PTP
_PTP_NAME = re.compile(r"ccipra-(v\d+r\d+)-f(\d+)", re.I)
_PTP_CHUNK_LINES = 100_000


@dataclass
class PTPFiles:
    files: list[Path]
    version: str | None
    notes: list[str] = field(default_factory=list)


def ptp_files(files: Sequence[Path]) -> PTPFiles:
    """The practitioner PTP files of one release: one version, f1..fN without a gap."""
    if not files:
        raise CodeSetRejectedError("files", "ncci-ptp takes the practitioner PTP files of one quarter "
                                            "(ccipra-v<NNN>r<N>-f1.txt .. -f<n>.txt)")
    for f in files:
        if f.name.lower().startswith("ccioph"):
            raise CodeSetRejectedError("files", f"{f.name} is a hospital outpatient PTP file; the engine codes "
                                                "professional claims: import the practitioner files (ccipra-*)")
    named = {f: _PTP_NAME.search(f.name) for f in files}
    versions = {m.group(1).lower() for m in named.values() if m}
    if len(versions) > 1:
        raise CodeSetRejectedError("files", f"the files are of different releases ({', '.join(sorted(versions))}): "
                                            "import one quarter at a time")
    if versions and all(named.values()):
        numbers = sorted(int(m.group(2)) for m in named.values() if m)
        expected = list(range(1, max(numbers) + 1))
        if numbers != expected:
            missing = sorted(set(expected) - set(numbers))
            twice = sorted({n for n in numbers if numbers.count(n) > 1})
            what = (f"f{', f'.join(map(str, missing))} missing" if missing else
                    f"f{', f'.join(map(str, twice))} given twice")
            raise CodeSetRejectedError("files", f"a PTP release is the files f1..f{max(numbers)} together: {what}")
    ordered = sorted(files, key=lambda f: int(m.group(2)) if (m := named[f]) else 0)
    return PTPFiles(ordered, next(iter(versions), None))


@dataclass
class PTPScan:
    """What streaming the PTP files found (the edits go straight to the index, never all in memory)."""

    edits: int = 0
    latest_effective: date | None = None
    per_file: dict[str, int] = field(default_factory=dict)


def stream_ptp_edits(files: PTPFiles, scan: PTPScan) -> Iterator[PTPEdit]:
    """Every edit of the files, in chunks of lines (a full release is ~2 million), counting into ``scan``."""
    for path in files.files:
        lines = read_text(path).splitlines()
        count = 0
        for offset in range(0, len(lines), _PTP_CHUNK_LINES):
            chunk = "\n".join(lines[offset:offset + _PTP_CHUNK_LINES])
            try:
                edits = parse_ptp_file(chunk)
            except CodeFileFormatError as exc:
                raise _located(path, exc, offset) from None
            for pair_edits in edits.values():
                for edit in pair_edits:
                    count += 1
                    if scan.latest_effective is None or edit.effective > scan.latest_effective:
                        scan.latest_effective = edit.effective
                    yield edit
        if count == 0:
            raise CodeSetRejectedError("format", f"{path.name}: no PTP edit (tab-separated lines starting with a "
                                                 "column 1 code): is this a practitioner PTP file?")
        scan.per_file[path.name] = count
        scan.edits += count


def ptp_window(files: PTPFiles, scan: PTPScan, effective_from: date | None, effective_to: date | None) -> Window:
    if effective_from is not None:
        window = Window(effective_from, effective_to, "given")
    else:
        assert scan.latest_effective is not None
        window = Window(scan.latest_effective, effective_to,
                        f"inferred from the latest edit effective date in the files: {scan.latest_effective}")
    _check_order(window)
    return window
