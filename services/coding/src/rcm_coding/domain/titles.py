"""Diagnoses named the way the code set names them: an assessment problem written as (nearly) the title
of a billable ICD-10-CM code is that code, even when the curated lexicon has no concept for it.

The index is built from the release's own titles (every billable code outside the injury chapters,
whose 7th characters the lexicon rules resolve), once per release and on first use. A problem matches a
title when every meaningful word of the title is in the problem and the title explains at least three
quarters of the problem's words; among the matches the most specific (most words) wins, and a tie
between different codes is no match (a coder decides). So "Age-related osteoporosis without current
pathological fracture" is M81.0 and "Primary osteoarthritis, right knee" is M17.11, while
"Tear of medial meniscus of right knee" (the title also names the injury's episode) is left to review.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rcm_coding.domain.icd10cm import ICD10CMCodeSet

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words of titles and notes that do not tell one code from another.
_IGNORED_TEXT = (
    "of the and or in on to a an as by for at from due other unspecified specified site part type not "
    "elsewhere classified nec nos condition disorder disease encounter episode is was with "
)
_IGNORED = frozenset(_IGNORED_TEXT.split())
# Abbreviations clinicians write for words the titles spell out.
_ABBREVIATIONS = {"htn": "hypertension", "dm": "diabetes", "t2dm": "diabetes", "oa": "osteoarthritis",
                  "bilat": "bilateral", "lt": "left", "rt": "right", "hx": "history", "ckd": "kidney",
                  "gerd": "reflux", "uti": "urinary", "chf": "heart", "copd": "obstructive", "afib": "fibrillation",
                  "mdd": "depressive", "gad": "anxiety", "adhd": "attention"}


def stem(word: str) -> str:
    """Lower-cased, a plural or -ed/-ing ending dropped, at most seven letters."""
    w = _ABBREVIATIONS.get(word.lower(), word.lower())
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix) and not w.endswith("ss"):
            w = w[: -len(suffix)]
            break
    return w[:7]


def words(text: str) -> frozenset[str]:
    """The meaningful stems of a title or a problem."""
    return frozenset(stem(w) for w in _WORD.findall(text.lower()) if w not in _IGNORED and len(w) > 1)


# Title words that hold when the note says nothing else ("Idiopathic gout", "Essential (primary) hypertension").
_DEFAULT_WORDS = frozenset(stem(w) for w in ("idiopathic", "primary", "essential", "initial", "uncomplicated", "simple",
                                            "mellitus", "area", "region"))
# What a title says is absent ("without aura", "not intractable", "without status migrainosus") holds by default.
_ABSENCE = re.compile(r"\b(?:without|not|w/o|no)\b[^,;()]*", re.I)
_NEGATED = re.compile(r"\b(?:no|not|without|w/o|non|denies|negative for)\s+((?:[a-z0-9'/-]+\s+){0,3}[a-z0-9'/-]+)",
                      re.I)
# Sides and eyes/ears written the clinician's way.
_SIDE_WORDS = ((re.compile(r"(?<![\w-])R(?![\w-])"), "right"), (re.compile(r"(?<![\w-])L(?![\w-])"), "left"),
               (re.compile(r"(?<![\w-])OD(?![\w-])"), "right"), (re.compile(r"(?<![\w-])OS(?![\w-])"), "left"),
               (re.compile(r"(?<![\w-])(?:OU|AU|b/l|B/L)(?![\w-])"), "bilateral"))


@dataclass(frozen=True)
class Requirement:
    """What a title needs the note to say: stems, and groups of which one is enough ("ankle and foot")."""

    stems: frozenset[str]
    either: tuple[frozenset[str], ...]

    def met_by(self, said: frozenset[str]) -> bool:
        return self.stems <= said and all(group & said for group in self.either)

    @property
    def size(self) -> int:
        return len(self.stems) + len(self.either)


def requirement(title: str) -> Requirement:
    positive = _ABSENCE.sub(" ", title.lower())
    either: list[frozenset[str]] = []
    for m in re.finditer(r"([a-z]+) and ([a-z]+)", positive):
        pair = words(m.group(1)) | words(m.group(2))
        if len(pair) == 2:
            either.append(frozenset(pair))
    grouped = frozenset().union(*either) if either else frozenset()
    return Requirement(words(positive) - _DEFAULT_WORDS - grouped, tuple(either))


# Abbreviations spelled out the way the titles name them (only in a note's context, never in titles).
_EXPANSIONS = {
    "adhd": "attention-deficit hyperactivity disorder", "copd": "chronic obstructive pulmonary disease",
    "gerd": "gastro-esophageal reflux disease", "ckd": "chronic kidney disease", "t2dm": "type 2 diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus", "dm": "diabetes mellitus", "dm2": "type 2 diabetes mellitus",
    "mdd": "major depressive disorder", "gad": "generalized anxiety disorder", "afib": "atrial fibrillation",
    "chf": "congestive heart failure", "uti": "urinary tract infection", "bph": "benign prostatic hyperplasia",
    "osa": "obstructive sleep apnea", "ptsd": "post-traumatic stress disorder", "aom": "acute otitis media",
    "uri": "upper respiratory infection", "hld": "hyperlipidemia", "cad": "coronary artery disease",
    "pad": "peripheral arterial disease", "htn": "hypertension", "oa": "osteoarthritis", "ra": "rheumatoid arthritis",
    "ibs": "irritable bowel syndrome", "bppv": "benign paroxysmal vertigo", "ida": "iron deficiency anemia",
}
_EXPANSION_RX = re.compile(r"(?<![\w-])(?:" + "|".join(_EXPANSIONS) + r")(?![\w-])", re.I)
# Body parts the titles group under a larger site ("gout, right ankle and foot" for the great toe).
_IMPLIED_SITES = {"foot": ("toe", "hallux", "mtp", "metatar", "podagra", "heel", "midfoot", "forefoo"),
                  "hand": ("finger", "thumb", "mcp", "pip", "dip", "knuckle", "palm")}


def said_words(context: str) -> frozenset[str]:
    """Stems the note affirms in a problem's context (negated words removed, R/L/OU and abbreviations spelled
    out, a toe or a finger also its foot or hand)."""
    for rx, word in _SIDE_WORDS:
        context = rx.sub(word, context)
    context = _EXPANSION_RX.sub(lambda m: _EXPANSIONS[m.group().lower()], context)
    negated: set[str] = set()
    for m in _NEGATED.finditer(context):
        negated |= words(m.group(1))
    said = set(words(context) - frozenset(negated))
    for site, parts in _IMPLIED_SITES.items():
        if said & {stem(p) for p in parts}:
            said.add(stem(site))
    return frozenset(said)


@dataclass
class TitleIndex:
    """Billable codes by the stems of their titles."""

    titles: dict[str, frozenset[str]] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Billable codes by category (first three characters), with what each title requires.
    categories: dict[str, dict[str, Requirement]] = field(default_factory=lambda: defaultdict(dict))
    unspecified: set[str] = field(default_factory=set)  # codes whose title says "unspecified"

    @classmethod
    def build(cls, icd: ICD10CMCodeSet) -> TitleIndex:
        index = cls()
        for code, entry in icd.entries.items():
            if not entry.billable or code.startswith(("S", "T", "V", "W", "X", "Y")):
                continue
            stems = words(entry.description)
            if not stems:
                continue
            index.titles[code] = stems
            index.categories[code[:3]][code] = requirement(entry.description)
            if "unspecified" in entry.description.lower():
                index.unspecified.add(code)
            for s in stems:
                index.postings[s].add(code)
        return index

    def refine(self, code: str, context: str) -> str | None:
        """A more specific code of the same category that the problem's context states in full ("Gout, right
        ankle" for M10.9 is M10.071 "Idiopathic gout, right ankle and foot"), or None. Every word a title
        requires must be affirmed in the context (what it says is absent, such as "without aura", holds by
        default); the title that requires the most wins, and a tie between codes is no refinement."""
        family = self.categories.get(code[:3])
        if not family or code not in family:
            return None
        said = said_words(context)
        floor = family[code].size
        # From a specific code, never to an unspecified one (M17.12 is not refined to "knee, unspecified").
        vague_ok = code in self.unspecified
        best: list[tuple[int, str]] = [(r.size, c) for c, r in family.items()
                                       if c != code and r.size > floor and (vague_ok or c not in self.unspecified)
                                       and r.met_by(said)]
        if not best:
            return None
        best.sort(reverse=True)
        top = [c for n, c in best if n == best[0][0]]
        return top[0] if len(top) == 1 else None

    def match(self, problem: str, neutral: frozenset[str] = frozenset()) -> str | None:
        """The one code whose title the problem states, or None (``neutral``: stems of qualifier words
        that need no explaining, such as "stable" or "today")."""
        asked = words(problem)
        content = asked - neutral
        if len(asked) < 1:
            return None
        known = [s for s in asked if s in self.postings]
        if not known:
            return None
        rarest = sorted(known, key=lambda s: len(self.postings[s]))[:2]
        candidates: set[str] = set().union(*(self.postings[s] for s in rarest))
        best: list[tuple[int, str]] = []
        for code in candidates:
            title = self.titles[code]
            if not title <= asked:
                continue
            if len(title & content) < max(2 if len(content) > 1 else 1, (3 * len(content) + 3) // 4):
                continue  # the title must explain three quarters of the problem's content words
            best.append((len(title), code))
        if not best:
            return None
        best.sort(reverse=True)
        top = [code for n, code in best if n == best[0][0]]
        return top[0] if len(top) == 1 else None
