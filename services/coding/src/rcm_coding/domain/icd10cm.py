"""ICD-10-CM code set: validity, billable status and the tabular notes the edits need.

One release is held in plain dictionaries, so two versions of the code set can live side by
side in a :class:`~rcm_coding.domain.codesets.CodeSetRegistry`. Building one from the CMS
files (through the ``simple-icd-10-cm`` package) is the job of
:func:`rcm_coding.adapters.reference_data.load_icd10cm`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_CODE_REF = re.compile(
    r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(\.?-)?(?:\s*-\s*([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?))?"
)
_PARENS = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class CodeRef:
    """A reference to codes in a tabular note: one code (and its children) or an inclusive range."""

    low: str  # dotless
    high: str  # dotless

    def matches(self, code: str) -> bool:
        c = code.replace(".", "")
        return self.low <= c[: len(self.low)] and c[: len(self.high)] <= self.high


def parse_code_refs(note: str) -> tuple[CodeRef, ...]:
    """Code references in the parentheses of a tabular note ("... (E10.-)", "(E00-E07, E15)")."""
    refs: list[CodeRef] = []
    for group in _PARENS.findall(note):
        for m in _CODE_REF.finditer(group):
            low = m.group(1).replace(".", "")
            high = m.group(3).replace(".", "") if m.group(3) else low
            refs.append(CodeRef(low, high))
    return tuple(refs)


@dataclass(frozen=True, slots=True)
class TabularEntry:
    code: str
    description: str
    billable: bool
    parent: str | None
    excludes1: tuple[str, ...] = ()
    code_first: str = ""
    use_additional: str = ""
    seven_chr_def: tuple[tuple[str, str], ...] = ()


# Sex restrictions not visible in descriptions (MCE-style, deliberately small and obvious).
_SEX_TABLE: tuple[tuple[str, str, str], ...] = (
    ("O00", "O9A", "F"),
    ("Z33", "Z36", "F"),
    ("Z3A", "Z3A", "F"),
    ("N70", "N98", "F"),
    ("C51", "C58", "F"),
    ("D25", "D28", "F"),
    ("Z124", "Z124", "F"),
    ("Z0141", "Z0142", "F"),
    ("N40", "N53", "M"),
    ("C60", "C63", "M"),
    ("D29", "D29", "M"),
    ("R972", "R972", "M"),
    ("Z125", "Z125", "M"),
)
# Age ranges (years, inclusive).  Maternity 12-55 follows the CMS Medicare Code Editor;
# BMI bands follow the tabular wording of Z68 ("adult" = 20+, "pediatric" = 2-19).
_AGE_TABLE: tuple[tuple[str, str, int, int, str], ...] = (
    ("O00", "O9A", 12, 55, "maternity codes are for patients aged 12-55"),
    ("Z3A", "Z3A", 12, 55, "weeks of gestation are for patients aged 12-55"),
    ("Z681", "Z6845", 20, 200, "adult BMI codes are for patients aged 20 or older"),
    ("Z685", "Z685", 2, 19, "pediatric BMI codes are for patients aged 2-19"),
    ("Z0012", "Z0012", 0, 17, "routine child health examinations are for patients under 18"),
    ("Z0000", "Z0001", 18, 200, "general adult medical examinations are for patients 18 or older"),
    ("P00", "P96", 0, 0, "perinatal codes are for newborn records"),
)
_FEMALE_WORD = re.compile(r"\bfemale\b", re.I)
_MALE_WORD = re.compile(r"\bmale\b", re.I)


def _in_range(code: str, low: str, high: str) -> bool:
    c = code.replace(".", "")
    return low <= c[: len(low)] and c[: len(high)] <= high


@dataclass
class ICD10CMCodeSet:
    """One release of ICD-10-CM, held in plain dictionaries."""

    version: str
    entries: dict[str, TabularEntry]
    _dotless: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._dotless = {c.replace(".", ""): c for c in self.entries}

    # --- lookups -------------------------------------------------------------------------
    def normalize(self, code: str) -> str:
        """Dotted form of a code given with or without its dot (unknown codes returned as is)."""
        code = code.strip().upper()
        if code in self.entries:
            return code
        return self._dotless.get(code.replace(".", ""), code)

    def get(self, code: str) -> TabularEntry | None:
        return self.entries.get(self.normalize(code))

    def is_valid(self, code: str) -> bool:
        return self.get(code) is not None

    def is_billable(self, code: str) -> bool:
        entry = self.get(code)
        return entry is not None and entry.billable

    def description(self, code: str) -> str:
        entry = self.get(code)
        return entry.description if entry else ""

    def lineage(self, code: str) -> list[TabularEntry]:
        """The entry and its ancestors up to the category (blocks and chapters excluded)."""
        out: list[TabularEntry] = []
        entry = self.get(code)
        while entry is not None and looks_like_code(entry.code) and len(out) < 8:
            out.append(entry)
            entry = self.entries.get(entry.parent) if entry.parent else None
        return out

    def excludes1_refs(self, code: str) -> tuple[tuple[str, CodeRef], ...]:
        """(note text, reference) pairs of every Excludes1 note that applies to the code."""
        return _excludes1_refs(self, self.normalize(code))

    def code_first_refs(self, code: str) -> tuple[CodeRef, ...]:
        refs: list[CodeRef] = []
        for entry in self.lineage(code):
            if entry.code_first:
                refs.extend(parse_code_refs(entry.code_first))
        return tuple(refs)

    def is_manifestation(self, code: str) -> bool:
        """Manifestation codes ("in diseases classified elsewhere") can never be first-listed."""
        return any(
            "in diseases classified elsewhere" in e.description.lower() for e in self.lineage(code)
        )

    def seven_character_values(self, code: str) -> dict[str, str]:
        for entry in self.lineage(code):
            if entry.seven_chr_def:
                return dict(entry.seven_chr_def)
        return {}

    def with_seventh_character(self, code: str, seventh: str) -> str:
        """Pad with the placeholder X to six characters and append the 7th character."""
        base = self.normalize(code).replace(".", "")
        base = base.ljust(6, "X")
        return self.normalize(base[:3] + "." + base[3:] + seventh)

    def sex_restriction(self, code: str) -> str | None:
        c = self.normalize(code)
        for low, high, sex in _SEX_TABLE:
            if _in_range(c, low, high):
                return sex
        desc = self.description(c)
        if _FEMALE_WORD.search(desc):
            return "F"
        if _MALE_WORD.search(desc):
            return "M"
        return None

    def age_range(self, code: str) -> tuple[int, int, str] | None:
        c = self.normalize(code)
        for low, high, lo_age, hi_age, why in _AGE_TABLE:
            if _in_range(c, low, high):
                return lo_age, hi_age, why
        return None

    def __len__(self) -> int:
        return len(self.entries)


_CODE_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")


def looks_like_code(name: str) -> bool:
    """True for a code (A00, A00.0), False for the chapters and blocks of the tabular."""
    return _CODE_SHAPE.fullmatch(name) is not None


@lru_cache(maxsize=65536)
def _parsed(note: str) -> tuple[CodeRef, ...]:
    return parse_code_refs(note)


def _excludes1_refs(cs: ICD10CMCodeSet, code: str) -> tuple[tuple[str, CodeRef], ...]:
    out: list[tuple[str, CodeRef]] = []
    for entry in cs.lineage(code):
        for note in entry.excludes1:
            out.extend((note, ref) for ref in _parsed(note))
    return tuple(out)
