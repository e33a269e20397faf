"""Injuries named the way the code set names them: the kind of injury, the body site and the side.

The S and T chapters spell every injury code as "<kind> of <side> <site>" ("Laceration without foreign
body of left hand", "Contusion of left front wall of thorax", "Superficial foreign body of left index
finger", "Burn of second degree of right palm"). :class:`InjuryIndex` holds, per kind, the chapter's
codes that take a 7th character with what each title requires; :func:`resolve` picks the code whose
title the note's sentence states in full (site and side; what a title says is absent, "without damage
to nail", holds by default) and that requires the most. A tie between codes is no answer (a coder
decides). The 7th character (initial, subsequent, sequela) is the caller's, as for the lexicon.

Clinicians' site words are spelled the tabular's way first ("chest wall" is the front wall of the
thorax, a shin the lower leg, a pinky the little finger; a named ankle ligament without a code of its
own is the "other ligament").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.note_text import NEGATED_BEFORE
from rcm_coding.domain.titles import Requirement, requirement, said_words

__all__ = ["INJURY_KINDS", "InjuryIndex", "InjuryMention", "find_injuries"]


@dataclass(frozen=True)
class InjuryKind:
    name: str
    note: re.Pattern[str]  # how a note names it
    title_head: str  # how the tabular's titles start (then " of " or ", " and the site)


def _kind(name: str, rx: str, prefix: str) -> InjuryKind:
    return InjuryKind(name, re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w-])", re.I), prefix.lower())


# Most specific first: "laceration with glass in it" before "laceration".
INJURY_KINDS: tuple[InjuryKind, ...] = (
    _kind("laceration_fb", r"lacerat\w*(?= [^.;\n]{0,40}?(?:with|retained|embedded) (?:a |retained )?(?:glass|"
                           r"foreign body|fb|gravel|debris|metal))", "Laceration with foreign body"),
    _kind("laceration", r"lacerat(?:ion|ions|ed)|lac", "Laceration without foreign body"),
    _kind("puncture", r"puncture wounds?", "Puncture wound without foreign body"),
    _kind("bite", r"(?:dog|cat|human|animal) bites?|bite wounds?", "Open bite"),
    _kind("abrasion", r"abrasions?", "Abrasion"),
    _kind("contusion", r"contusions?|bruis(?:e|es|ed|ing)", "Contusion"),
    _kind("sprain", r"sprain(?:s|ed)?", "Sprain"),
    _kind("superficial_fb", r"splinters?|slivers?|superficial foreign bod(?:y|ies)", "Superficial foreign body"),
    _kind("insect_bite", r"(?:insect|bug|mosquito|spider) bites?", "Insect bite (nonvenomous)"),
    _kind("burn_1", r"first[- ]degree burns?|1st[- ]degree burns?|superficial burns?",
          "Burn of first degree"),
    _kind("burn_2", r"second[- ]degree burns?|2nd[- ]degree burns?|partial[- ]thickness burns?",
          "Burn of second degree"),
    _kind("burn_3", r"third[- ]degree burns?|3rd[- ]degree burns?|full[- ]thickness burns?",
          "Burn of third degree"),
)
# A burn named "burn" with its degree elsewhere in the sentence ("burn of the palm, second degree").
_BURN = re.compile(r"(?<![\w-])burns?(?![\w-])", re.I)
_DEGREE = re.compile(r"(?<![\w-])(first|1st|second|2nd|third|3rd|partial[- ]thickness|full[- ]thickness|"
                     r"superficial)(?:[- ]degree)?(?![\w-])", re.I)
_DEGREE_KIND = {"first": "burn_1", "1st": "burn_1", "superficial": "burn_1", "second": "burn_2", "2nd": "burn_2",
                "partial": "burn_2", "third": "burn_3", "3rd": "burn_3", "full": "burn_3"}

# Site words as the tabular writes them (added to the sentence, never replacing it).
_SITE_SYNONYMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w-])", re.I), words) for rx, words in (
        (r"chest wall|anterior chest|front of (?:the )?chest|ribs?|rib cage", "front wall of thorax"),
        (r"upper back|posterior chest", "back wall of thorax"),
        (r"armpit|axillary", "axilla"),
        (r"shin|calf|tibial?", "lower leg"),
        (r"pointer finger|index", "index finger"),
        (r"pinky|fifth finger|5th finger", "little finger"),
        (r"big toe|great toe|hallux|first toe|1st toe", "great toe"),
        (r"knuckles?|dorsum of (?:the )?hand|dorsal hand|back of (?:the )?hand", "hand"),
        (r"fingertip|finger pad|pad of (?:the )?\w+ finger", "finger"),
        (r"ATFL|anterior talofibular(?: ligament)?|talofibular|lateral ankle ligaments?", "other ligament"),
        (r"eyebrow|brow", "eyelid and periocular area"),
        (r"glute|buttocks", "buttock"),
        (r"upper arm|biceps|triceps", "upper arm"),
    ))


@dataclass
class InjuryIndex:
    """Injury codes of a release that take a 7th character, by kind, with what their titles require."""

    by_kind: dict[str, dict[str, Requirement]] = field(default_factory=lambda: defaultdict(dict))
    vague: set[str] = field(default_factory=set)  # titles with "unspecified"
    other: set[str] = field(default_factory=set)  # titles of an "other" site or ligament

    @classmethod
    def build(cls, icd: ICD10CMCodeSet) -> InjuryIndex:
        index = cls()
        heads = [(k.name, re.compile(r"(?:unspecified )?" + re.escape(k.title_head) + r"(?: of|,) "))
                 for k in INJURY_KINDS]
        for code, entry in icd.entries.items():
            # The initial-encounter leaf ("S61.412A") names its base code ("S61.412"), whose title is the
            # injury's; the caller adds the 7th character the visit calls for.
            if code[0] not in "ST" or len(code) != 8 or not code.endswith("A") or not entry.parent:
                continue
            base = icd.get(entry.parent)
            if base is None:
                continue
            code = base.code
            title = base.description.lower()
            for name, head in heads:
                if m := head.match(title):
                    rest = title[m.end():]
                    index.by_kind[name][code] = requirement(rest)
                    if "unspecified" in rest:
                        index.vague.add(code)
                    if re.search(r"\bother\b", rest):
                        index.other.add(code)
                    break
        return index

    def size(self, code: str) -> int:
        """How much a code's title requires (-1: not an indexed injury code); ``code`` may carry its 7th
        character."""
        base = code[:-1].rstrip("X").rstrip(".") if len(code) == 8 else code
        return max((fam[base].size for fam in self.by_kind.values() if base in fam), default=-1)

    def resolve(self, kind: str, context: str) -> str | None:
        """The code of ``kind`` whose title (site, side, qualifiers) ``context`` states and that requires the
        most, or None when none does or two tie."""
        family = self.by_kind.get(kind)
        if not family:
            return None
        for rx, words in _SITE_SYNONYMS:
            if rx.search(context):
                context = f"{context} {words}"
        if kind == "sprain" and not re.search(r"ligament", context, re.I):
            context += " unspecified ligament"  # a sprain names its ligament or is of an unspecified one
        said = said_words(context)
        other = bool(re.search(r"(?<![\w-])other(?![\w-])", context, re.I))
        # "Other ligament" only when the note names one without a code of its own; among equals a title
        # that leaves nothing unspecified wins.
        best = [(r.size, c not in self.vague, c) for c, r in family.items()
                if r.met_by(said) and (other or c not in self.other)]
        if not best:
            return None
        best.sort(reverse=True)
        top = [c for n, v, c in best if (n, v) == best[0][:2]]
        return top[0] if len(top) == 1 else None


@dataclass(frozen=True)
class InjuryMention:
    kind: str
    start: int
    end: int


def find_injuries(window: str, offset: int = 0) -> list[InjuryMention]:
    """Injury words in a sentence (not negated), most specific kind first, non-overlapping."""
    out: list[InjuryMention] = []
    taken: list[tuple[int, int]] = []
    for kind in INJURY_KINDS:
        for m in kind.note.finditer(window):
            if any(a < m.end() and m.start() < b for a, b in taken) or NEGATED_BEFORE.search(window[: m.start()]):
                continue
            taken.append((m.start(), m.end()))
            out.append(InjuryMention(kind.name, offset + m.start(), offset + m.end()))
    for m in _BURN.finditer(window):
        if any(a < m.end() and m.start() < b for a, b in taken) or NEGATED_BEFORE.search(window[: m.start()]):
            continue
        degree = _DEGREE.search(window)
        if degree:
            word = degree.group(1).lower().split("-")[0].split(" ")[0]
            out.append(InjuryMention(_DEGREE_KIND[word], offset + m.start(), offset + m.end()))
    return sorted(out, key=lambda x: x.start)
