"""Diagnosis lexicon: phrases and abbreviations to ICD-10-CM concepts.

Matching is longest-first, whole-word; phrases are case-insensitive and abbreviations
case-sensitive (so "AF" is not "af"). The packaged lexicon is read from
``data/diagnosis_lexicon.json`` by :func:`rcm_coding.adapters.reference_data.load_lexicon`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rcm_coding.domain.note_text import NEGATED_BEFORE, contains_phrase


@dataclass(frozen=True)
class Variant:
    when: tuple[tuple[str, ...], ...]  # all groups must match; any phrase of a group
    code: str


@dataclass(frozen=True)
class Site:
    words: tuple[str, ...]
    code: str | None = None
    lat: dict[str, str] | None = None


@dataclass(frozen=True)
class Concept:
    id: str
    kind: str  # condition | symptom | injury | status | encounter
    code: str
    group: str = ""
    multi: bool = False
    variants: tuple[Variant, ...] = ()
    lat: dict[str, str] | None = None
    sites: tuple[Site, ...] = ()
    history: str | None = None
    family: str | None = None
    integral_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    concept: Concept
    start: int
    end: int
    abbreviation: bool


@dataclass
class Lexicon:
    concepts: dict[str, Concept]
    _phrases: dict[str, Concept] = field(default_factory=dict, repr=False)
    _abbrs: dict[str, Concept] = field(default_factory=dict, repr=False)
    _phrase_re: re.Pattern[str] | None = field(default=None, repr=False)
    _abbr_re: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, concepts: Mapping[str, Concept], terms: Mapping[str, Sequence[str]],
              abbreviations: Mapping[str, Sequence[str]]) -> Lexicon:
        """A compiled lexicon: ``terms`` and ``abbreviations`` map concept ids to their phrases."""
        lexicon = cls(dict(concepts))
        lexicon.compile(terms, abbreviations)
        return lexicon

    def compile(self, terms: Mapping[str, Sequence[str]], abbrs: Mapping[str, Sequence[str]]) -> None:
        for cid, ts in terms.items():
            for t in ts:
                self._phrases.setdefault(_norm(t), self.concepts[cid])
        for cid, ts in abbrs.items():
            for t in ts:
                self._abbrs.setdefault(t, self.concepts[cid])
        self._phrase_re = _alternation(sorted(self._phrases, key=len, reverse=True), re.I)
        self._abbr_re = _alternation(sorted(self._abbrs, key=len, reverse=True), 0)

    def find(self, text: str) -> list[Match]:
        """All non-overlapping concept mentions, longest match first."""
        found: list[Match] = []
        assert self._phrase_re is not None and self._abbr_re is not None
        for m in self._phrase_re.finditer(text):
            found.append(Match(self._phrases[_norm(m.group())], m.start(), m.end(), False))
        for m in self._abbr_re.finditer(text):
            found.append(Match(self._abbrs[m.group()], m.start(), m.end(), True))
        found.sort(key=lambda x: (x.start, -(x.end - x.start)))
        out: list[Match] = []
        last_end = -1
        for match in found:
            if match.start >= last_end:
                out.append(match)
                last_end = match.end
        return out


def _norm(term: str) -> str:
    return " ".join(term.lower().split())


def _alternation(terms: list[str], flags: int) -> re.Pattern[str]:
    """One pattern for all terms, whole words, the longest term at a position first.

    The terms are factored into a character trie (``hyper(?:tension|tensive)``): a flat alternation of
    a few thousand phrases makes the regex engine try each one at every position, which cost a quarter
    of the engine's time per note. Spaces match any run of whitespace, as before."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for term in terms:
        node = trie
        for ch in " ".join(term.split()):
            node = node.setdefault(ch.lower() if flags & re.I else ch, {})
        node[""] = {}
    return re.compile(r"(?<![\w-])(?:" + _trie_pattern(trie) + r")(?![\w-])", flags)


def _trie_pattern(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    branches = []
    for ch in sorted(k for k in node if k):
        piece = r"\s+" if ch == " " else re.escape(ch)
        branches.append(piece + _trie_pattern(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A term may end here: the longer continuations are tried first (greedy), then the end.
    return f"(?:{body})?" if "" in node else body




def _affirmed_phrase(window: str, phrase: str) -> bool:
    """The phrase is in the window and not negated ("no exacerbation" does not choose the exacerbation code)."""
    for m in re.finditer(r"(?<![\w-])" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?![\w-])", window,
                         re.I):
        if phrase.lower().startswith(("not ", "no ", "without ")) or not NEGATED_BEFORE.search(window[: m.start()]):
            return True
    return False


def variant_codes(concept: Concept, window: str) -> list[str]:
    """Codes chosen by the concept's variants from the sentence text (may be empty)."""
    chosen: list[str] = []
    for v in concept.variants:
        if all(any(_affirmed_phrase(window, p) for p in group) for group in v.when):
            if v.code not in chosen:
                chosen.append(v.code)
            if not concept.multi:
                break
    return chosen


def site_for(concept: Concept, window: str) -> Site | None:
    """The first listed site whose word appears in the window (lists go specific to general)."""
    for site in concept.sites:
        if any(contains_phrase(window, w) for w in site.words):
            return site
    return None
