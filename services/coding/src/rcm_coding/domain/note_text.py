"""Note structure: sections, sentences, and the context of a mention (negated, uncertain, ...).

The context rules are NegEx-style: trigger phrases before (or after) a mention inside the same
sentence, stopped by scope terminators such as "but" or "presents with".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Status = Literal["affirmed", "negated", "uncertain", "family", "history"]

_HEADERS: tuple[tuple[str, str], ...] = (
    ("chief_complaint", r"chief complaint|cc|reason for visit|reason for encounter|indications?"),
    # SOAP notes head their parts with one letter ("S:", "O:", "A:", "P:"); "P: 88" is a pulse.
    ("hpi", r"history of present illness|hpi|subjective|interval history|subj|s(?=[ \t]*:(?![ \t]*(?!1[.)])\d))"),
    ("ros", r"review of systems|ros"),
    ("pmh", r"past medical history|pmh|past surgical history|psh|medical history|problem list"),
    ("family_history", r"family history|fh|fhx|family hx"),
    ("social_history", r"social history|sh|social hx|social"),
    ("medications", r"current medications|medications|meds"),
    ("allergies", r"allergies"),
    ("vitals", r"vital signs|vitals"),
    ("exam", r"physical exam(?:ination)?|exam(?:ination)?|pe|objective|obj|o(?=[ \t]*:(?![ \t]*(?!1[.)])\d))"),
    ("results", r"labs|lab results|results|data|studies|diagnostics|findings|point[- ]of[- ]care testing|"
                r"in[- ]office testing"),
    ("procedure", r"procedures?(?: note| performed)?|immunizations?(?: given| administered)?|vaccines? given"),
    ("assessment", r"assessment(?:\s*(?:and|&|/)\s*plan)?|a/p|a&p|impression(?:\s*(?:and|/)\s*plan)?|diagnos[ie]s|"
                   r"dx|imp|postoperative diagnosis|post-procedure diagnosis|a(?=[ \t]*:(?![ \t]*(?!1[.)])\d))"),
    ("plan", r"plan|recommendations|disposition|p(?=[ \t]*:(?![ \t]*(?!1[.)])\d))"),
)
# A header ends with a colon or a dash ("A/P:", "Plan -"), or stands alone on its line ("A/P", "ASSESSMENT").
_HEADER_RE = re.compile(
    r"^[ \t]*(?:" + "|".join(f"(?P<{name}>{pat})" for name, pat in _HEADERS) + r")(?:[ \t]*[:\-]|[ \t]*$)",
    re.I | re.M,
)


@dataclass(frozen=True)
class Section:
    name: str
    start: int  # first character of the body (after the header)
    end: int


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    section: str


def split_sections(text: str) -> list[Section]:
    """Sections in note order; text before the first header is section "other"."""
    marks: list[tuple[int, int, str]] = []
    for m in _HEADER_RE.finditer(text):
        name = next(k for k, v in m.groupdict().items() if v is not None)
        marks.append((m.start(), m.end(), name))
    out: list[Section] = []
    if not marks or marks[0][0] > 0:
        first = marks[0][0] if marks else len(text)
        if text[:first].strip():
            out.append(Section("other", 0, first))
    for i, (_, body_start, name) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        line_end = text.find("\n", body_start, end)
        if (name in _LIST_SECTIONS and line_end != -1 and text[body_start:line_end].strip()
                and not _LIST_ITEM.match(text, line_end + 1) and text[line_end:end].strip()):
            # "Meds: metformin, lisinopril." on a line of its own: the list ends with the line, and
            # the lines after it (home readings, vitals, a POC result) are the note's narrative again.
            out.append(Section(name, body_start, line_end))
            out.append(Section("other", line_end + 1, end))
            continue
        out.append(Section(name, body_start, end))
    return _headerless_problem_list(text, out)


# A numbered problem list with no header ("1) CAD ... - stable", "2) HTN - increase lisinopril"): the run
# of items numbered from 1, each at a line's start.
_NUMBERED_LINE = re.compile(r"^[ \t]*(\d{1,2})[.)][ \t]+\S.*$", re.M)


def _headerless_problem_list(text: str, sections: list[Section]) -> list[Section]:
    """A note without an assessment or plan header whose last numbered list (two or more items from 1,
    after the exam or results, outside a list section) is its assessment and plan: the items become an
    "assessment" section, the lines after it a "plan"."""
    if any(sec.name in ("assessment", "plan") for sec in sections):
        return sections
    after = max((sec.start for sec in sections if sec.name in ("exam", "vitals", "results")), default=0)
    runs: list[tuple[int, int]] = []
    run_start = run_end = -1
    expected = 1
    for m in _NUMBERED_LINE.finditer(text):
        number = int(m.group(1))
        contiguous = run_end != -1 and not text[run_end:m.start()].strip("\n \t")
        if number == expected and (number == 1 or contiguous):
            if number == 1:
                run_start = m.start()
            run_end, expected = m.end(), number + 1
            if number >= 2:
                runs = [r for r in runs if r[0] != run_start] + [(run_start, run_end)]
        else:
            expected, run_end = (2, m.end()) if number == 1 else (1, -1)
            run_start = m.start() if number == 1 else -1
    if not runs or runs[-1][0] < after:
        return sections
    start, end = runs[-1]
    host = next((sec for sec in sections if sec.start <= start < sec.end), None)
    if host is None or host.name in _LIST_SECTIONS or host.name == "procedure":
        return sections
    out: list[Section] = []
    for sec in sections:
        if sec is not host:
            out.append(sec)
            continue
        if text[sec.start:start].strip():
            out.append(Section(sec.name, sec.start, start))
        out.append(Section("assessment", start, end))
        if text[end:sec.end].strip():
            out.append(Section("plan", end, sec.end))
    return out


# Sections that are lists; written inline after their header they end with the header's line.
_LIST_SECTIONS = frozenset({"medications", "allergies", "pmh", "family_history", "social_history"})
_LIST_ITEM = re.compile(r"[ \t]+\S|[ \t]*(?:[-*\u2022]|\d+[.)])[ \t]")


# Sentence ends: newline, semicolon, ?, !, or a period not inside a number ("BMI 32.5").
_SENT_END = re.compile(r"\n|;|\?|!|(?<!\d)\.(?!\d)|\.(?=\s)")


def split_sentences(text: str, sections: list[Section]) -> list[Sentence]:
    out: list[Sentence] = []
    for sec in sections:
        pos = sec.start
        for m in _SENT_END.finditer(text, sec.start, sec.end):
            if text[pos : m.start()].strip():
                out.append(Sentence(pos, m.start(), sec.name))
            pos = m.end()
        if text[pos : sec.end].strip():
            out.append(Sentence(pos, sec.end, sec.name))
    return out


def _rx(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.I)


# Pseudo-triggers look like negation but are not ("no change", "not only").
_PSEUDO = _rx([r"no change", r"no improvement", r"no relief", r"not improved", r"no better",
               r"not only", r"no further", r"not certain whether", r"gram[- ]negative",
               r"without difficulty", r"not well controlled", r"not controlled",
               r"not at goal", r"not intractable", r"no longer", r"without aura",
               r"without esophagitis", r"without complications?", r"without hematuria",
               r"without LUTS", r"without lower urinary tract symptoms"])
_NEG_WIDE = _rx([r"denies", r"denied", r"negative for", r"no evidence of", r"no signs? of",
                 r"no", r"never", r"nor", r"absence of", r"no history of", r"no hx of",
                 r"no known"])
_NEG_NEAR = _rx([r"not", r"without", r"w/o", r"free of", r"ruled out", r"resolved", r"neg for"])
_NEG_POST = _rx([r"ruled out", r"is negative", r"was negative", r"negative", r"absent",
                 r"not present", r"denied", r"resolved", r"unlikely", r"less likely", r"not likely", r"doubtful",
                 # "hep C one-time screening", "depression screen": a screening for it, not the condition
                 r"screening", r"screen", r"screened", r"neg", r"nonreactive", r"non-reactive"])
# Right after the mention: "Depression risk: PHQ-9 = 1", "hep C done" (a risk or a test, not the condition).
_RISK_OR_TEST_AFTER = re.compile(r"\W{0,3}(?:risk|risk factors?|done|testing|test)(?![\w-])", re.I)
_POSITIVE_RESULT = re.compile(r"[^.;\n]{0,25}?(?<![\w-])(?:positive|pos|detected|reactive|\+)(?![\w-])", re.I)
_UNCERTAIN_PRE = _rx([r"rule out", r"r/o", r"probable", r"probably", r"possible",
                      r"possibly", r"suspected", r"suspect", r"suspicious for", r"likely",
                      r"questionable", r"question of", r"concern for", r"concerning for",
                      r"consistent with", r"compatible with", r"working diagnosis",
                      r"presumed", r"presumptive", r"differential(?: diagnosis)?(?: includes)?",
                      r"ddx", r"cannot exclude", r"can't exclude", r"evaluate for",
                      r"eval for", r"to exclude", r"vs\.?", r"versus", r"\?"])
_UNCERTAIN_POST = _rx([r"suspected", r"is likely", r"is possible", r"not excluded",
                       r"vs\.?", r"versus", r"\?", r"is suspected"])
_FAMILY = re.compile(
    r"(?<![\w-])(?:family history(?: of|:)?|family hx(?: of)?|fhx?(?: of|:)|"
    r"(?:mother|father|mom|dad|brother|sister|sibling|parents?|grand(?:mother|father)|"
    r"aunt|uncle|son|daughter|maternal \w+|paternal \w+)"
    r"(?:'s)?\s+(?:had|has|have|with|died of|diagnosed with|history of|hx of|w/))",
    re.I,
)
# A relative named just before the condition, at most one word between ("father MI at age 48", "FHx premature
# CAD", "mother's breast cancer"); a relative who reports or brings the patient ("mom reports fever") is not.
_RELATIVE_BEFORE = re.compile(
    r"(?<![\w-])(?:mother|father|mom|dad|brother|sister|sibling|parents?|grand(?:mother|father)|aunt|uncle|"
    r"maternal \w+|paternal \w+|fhx?|family history)(?:'s)?[ \t(:]+"
    r"(?:(?!reports|states|says|notes|brought|brings|gives|is|was|denies|thinks|feels|worried|concerned|noticed|"
    r"here|with)[\w-]+[ \t]+)?$", re.I)
_HISTORY = _rx([r"history of", r"hx of", r"h/o", r"s/p", r"status post", r"prior",
                r"previous", r"remote", r"personal history of", r"former", r"ex-", r"quit"])
_HISTORY_ADJACENT = re.compile(r"(?<![\w-])old\s+$", re.I)  # "old MI", not "3-year-old with"
_TERMINATORS = _rx([r"but", r"however", r"although", r"except", r"presents? with",
                    r"complains? of", r"c/o", r"reports?", r"endorses", r"positive for",
                    r"here for", r"which", r"though", r"aside from", r"found to have",
                    r"diagnosed with", r"now with", r"today with", r"s/p", r"status post"])
# Hypothetical: a condition the patient is told to watch for, not one they have ("return if fever",
# "call for fever over 101", "return precautions: fever", "Tylenol prn fever"). Never coded.
_HYPOTHETICAL = _rx([r"if", r"return if", r"call if", r"call for", r"watch for", r"monitor for", r"signs of",
                     r"return(?: sooner| immediately| promptly| to (?:the )?(?:clinic|ed|er))? for", r"sooner for",
                     r"come back for", r"(?:go to|to) (?:the )?(?:ed|er|emergency department) for",
                     r"(?:ed|er|emergency department|urgent care|911) (?:sooner |promptly |immediately )?(?:for|if)",
                     r"precautions?", r"seek (?:care|attention|medical attention|evaluation)(?: for| if)?",
                     r"should (?:she|he|they|patient|pt)?\s*develops?", r"in case of", r"prn", r"as needed for",
                     r"warning signs", r"red flags?", r"unless", r"to prevent", r"prevention of",
                     r"risk of", r"at risk for", r"screen(?:ing)? for",
                     r"risks?(?:\s*(?:and|&)\s*|\s*/\s*)benefits(?: of)?", r"risks? (?:include|including)",
                     r"risk factors? for", r"side effects? (?:of|include|including)"])
_NEAR_WORDS = 3
# The body surface a burn covers, as documented: "2% TBSA", "TBSA of <5%" (the burn-extent companion T31 and
# the burn-care codes 16020-16030 read it).
TBSA = re.compile(r"[<\u2264]?\s*(\d{1,2}(?:\.\d)?)\s*%\s*(?:TBSA|total body surface(?: area)?|BSA|body surface)|"
                  r"(?:TBSA|total body surface area)\s*(?:of|:)?\s*[<\u2264]?\s*(\d{1,2}(?:\.\d)?)\s*%", re.I)


def tbsa_percent(m: re.Match[str]) -> float:
    return float(m.group(1) or m.group(2))


# A negation just before a word (at most two words between): "no FB", "without damage", "not intractable".
# The rules that test one word or phrase (a service, a qualifier, an injury) share it.
NEGATED_BEFORE = re.compile(r"(?:\bno|\bnot|\bnever|\bwithout|\bw/o|\bdenies|\bnegative for|\br/o)\s+"
                            r"(?:[\w/-]+\s+){0,2}$", re.I)
_DASH = re.compile(r"\s[-\u2013\u2014]\s")
_UNCERTAIN_WORDS = 6


def _words_between(text: str) -> int:
    return len(re.findall(r"[\w/]+", text))


def _scoped(text: str, sent_start: int, start: int, trig: re.Pattern[str],
            max_words: int | None) -> bool:
    """A trigger before the mention, in scope (no terminator between, within max_words)."""
    window = text[sent_start:start]
    masked = _PSEUDO.sub(lambda m: " " * len(m.group()), window)
    last = None
    for m in trig.finditer(masked):
        last = m
    if last is None:
        return False
    between = masked[last.end():]
    if _TERMINATORS.search(between):
        return False
    return max_words is None or _words_between(between) <= max_words


def mention_status(text: str, sentence: Sentence, start: int, end: int) -> Status:
    """Context of a mention at [start, end) in its sentence."""
    opens_clause = bool(_TERMINATORS.match(text, start))  # "w/o angina, s/p PCI": the mention starts afresh
    if not opens_clause and (_scoped(text, sentence.start, start, _NEG_WIDE, None) or _scoped(
        text, sentence.start, start, _NEG_NEAR, _NEAR_WORDS
    )):
        return "negated"
    if sentence.section == "family_history" or _scoped(text, sentence.start, start, _FAMILY, None) or \
            _RELATIVE_BEFORE.search(text, max(sentence.start, start - 40), start):
        return "family"
    if _scoped(text, sentence.start, start, _HYPOTHETICAL, _UNCERTAIN_WORDS):
        return "negated"
    after = text[end : sentence.end]
    risk_or_test = _RISK_OR_TEST_AFTER.match(after)
    if risk_or_test and not _POSITIVE_RESULT.match(after, risk_or_test.end()):
        return "negated"  # "COVID-19, test positive" is the disease, "hep C test done" is not
    post = _PSEUDO.sub(lambda m: " " * len(m.group()), after)
    m = _NEG_POST.search(post)
    if m and _words_between(post[: m.start()]) <= _NEAR_WORDS and not _TERMINATORS.search(
        post[: m.start()]
    ):
        return "negated"
    if _scoped(text, sentence.start, start, _UNCERTAIN_PRE, _UNCERTAIN_WORDS):
        return "uncertain"
    m = _UNCERTAIN_POST.search(after)
    dash = _DASH.search(after)
    if dash and m and m.start() >= dash.end() and _words_between(after[dash.end() : m.start()]) > 0:
        # "R shoulder pain - suspect impingement vs tendinopathy": past the dash the words weigh the cause,
        # not the problem named before it (which "Appendicitis - suspected" still makes uncertain).
        m = None
    if m and _words_between(after[: m.start()]) <= _NEAR_WORDS:
        return "uncertain"
    if _scoped(text, sentence.start, start, _HISTORY, _NEAR_WORDS) or _HISTORY_ADJACENT.search(
        text[sentence.start : start]
    ):
        return "history"
    return "affirmed"


_LATERALITY = re.compile(
    r"(?i:(?<![\w-])(?P<B>bilateral|bilaterally|both|b/l|bilat|(?:right|rt)\s*(?:and|&|/|\+)\s*(?:left|lt)|"
    r"(?:left|lt)\s*(?:and|&|/|\+)\s*(?:right|rt))(?![\w-]))|"
    r"(?<![\w-])(?P<B2>R\s*(?:and|&|/|\+)\s*L|L\s*(?:and|&|/|\+)\s*R)(?![\w-])|"
    r"(?i:(?<![\w-])(?P<R>right|rt)(?![\w-]))|(?i:(?<![\w-])(?P<L>left|lt)(?![\w-]))|"
    # eyes: OD, OS, OU (the ears' AD/AS/AU are on the do-not-use lists and read as words in capitals)
    r"(?<![\w-])(?P<Rabbr>R|OD)(?![\w-])|(?<![\w-])(?P<Labbr>L|OS)(?![\w-])|(?<![\w-])(?P<B3>OU)(?![\w-])"
)


def laterality(text: str, sentence: Sentence, start: int, end: int) -> str:
    """R, L, B or U from the laterality word nearest the mention in its sentence."""
    best: tuple[int, str] | None = None
    for m in _LATERALITY.finditer(text, sentence.start, sentence.end):
        if m.group("B") or m.group("B2") or m.group("B3"):
            kind = "B"
        elif m.group("R") or m.group("Rabbr"):
            kind = "R"
        else:
            kind = "L"
        # A laterality word before the mention is preferred over one after it.
        dist = start - m.end() if m.end() <= start else m.start() - end + 5
        if best is None or dist < best[0]:
            best = (dist, kind)
    return best[1] if best else "U"


def sides_named(text: str, sentence: Sentence) -> set[str]:
    """Every side a sentence names (R, L, B): "R knee pain, L knee fine" names two."""
    out: set[str] = set()
    for m in _LATERALITY.finditer(text, sentence.start, sentence.end):
        both = m.group("B") or m.group("B2") or m.group("B3")
        out.add("B" if both else "R" if m.group("R") or m.group("Rabbr") else "L")
    return out


def sentence_at(sentences: list[Sentence], pos: int) -> Sentence | None:
    lo, hi = 0, len(sentences) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        s = sentences[mid]
        if pos < s.start:
            hi = mid - 1
        elif pos >= s.end:
            lo = mid + 1
        else:
            return s
    return None


def contains_phrase(text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive phrase test ("3a" does not match "33a")."""
    return re.search(r"(?<![\w-])" + _phrase_rx(phrase) + r"(?![\w-])", text, re.I) is not None


def _phrase_rx(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.split())


def problem_context(text: str, sentence: Sentence, pos: int) -> str:
    """The assessment or plan line holding ``pos`` (a problem and its qualifiers), else its sentence."""
    if sentence.section in ("assessment", "plan"):
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        return text[start : end if end != -1 else len(text)]
    return text[sentence.start : sentence.end]
