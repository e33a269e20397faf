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


@dataclass
class TitleIndex:
    """Billable codes by the stems of their titles."""

    titles: dict[str, frozenset[str]] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

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
            for s in stems:
                index.postings[s].add(code)
        return index

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
