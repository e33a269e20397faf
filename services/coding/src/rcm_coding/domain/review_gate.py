"""The review gate: a note is coded without a human only when the coding is complete and grounded.

A note goes to review unless all of these hold (each failure is a review reason):

* every problem listed in the assessment is accounted for: it holds the evidence of a proposed code,
  a mention the engine recognised and deliberately did not code (negated, ruled out, family or past
  history, uncertain), the evidence of a service line, or it is plan or status wording, not a problem;
  an unmatched problem is named by its position in the note (never its text: reasons travel on
  topics and into logs, and the note is PHI), so the coder's screen can highlight it;
* every diagnosis comes from the assessment or plan (a note without either is coded from its
  narrative only with a coder's look; a symptom coded in place of an uncertain diagnosis, from the
  history of the illness, too);
* an E/M level derived from the MDM elements (none documented) is confirmed by a coder;
* every service the note says was done today (a nebulizer treatment, an injection, a repair, a rapid
  test, ...) has a line;
* a visit that was evaluated (a history, an exam or an assessment) has its E/M or preventive line, a
  procedure-only visit has its procedure, and a visit for a vaccine, an injection or a test alone (a
  nurse visit, or one whose only diagnoses are encounter codes) bills that service.

The rules are pure and only read what the engine already found (sections, mentions, proposals).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rcm_coding.domain.mdm import RX_DRUG
from rcm_coding.domain.note_text import Section
from rcm_coding.domain.titles import stem

ASSESSMENT_SECTIONS = ("assessment",)
GROUNDED_SECTIONS = ("assessment", "plan", "procedure")

# An assessment item split: a new line, a numbered item ("2." "3)" "#4"), a bullet at a line's start.
# Not a semicolon or a dash inside a line: "T2DM - A1c 9.2, not at goal; continue metformin" is one item.
_ITEM_BREAK = re.compile(r"\n[ \t]*(?:[-*\u2022][ \t]+)?|(?:(?<=\s)|^)(?:\d{1,2}[.)]|#\d{1,2}[.):]?)[ \t]+")
# An item that is plan or status wording rather than a problem ("Continue current medications",
# "Follow up in 6 months", "Stable").
_PLAN_LINE = re.compile(
    r"\W*(?:continue|cont|start|started|begin|increase|decrease|reduce|stop|stopped|hold|held|"
    r"refill(?:ed)?|follow[- ]?up|f/u|return|rtc|recheck|re-check|schedule|refer(?:red|ral)?|"
    r"order(?:ed)?|labs?(?: ordered| drawn| reviewed)?|monitor|counsel(?:ed|ing)?|discuss(?:ed)?|education|educated|"
    r"advised|recommend(?:ed)?|encourage[d]?|will|plan|rx|prescri(?:bed|ption)|given|administered|call|avoid|"
    r"diet|exercise|d/c|discontinue[d]?|repeat|obtain|consider|reviewed|total time|time spent|mdm|"
    r"medical decision|(?:low|moderate|high|straightforward|minimal)\s+(?:complexity|mdm|risk)|"
    r"return precautions|supportive care|wound care|ok to proceed|cleared for|medically optimized|"
    r"work note|school note|phone|isolation|"
    r"(?:patient|pt|mother|father|parent|family) (?:agrees|understands|verbalized|declines|"
    r"driving|will)|called|spoke|no imaging|after discussing|handout|referral|transport\w*|sent to|"
    r"(?:cbc|cmp|bmp|tsh|a1c|ua|labs?|x-?ray|imaging|us|mri|ct)\b)\b", re.I)
_STATUS_ONLY = re.compile(r"\W*(?:stable|improv\w*|resolv\w*|doing well|unchanged|at goal|controlled|"
                          r"well[- ]controlled|as above|see above|none|no (?:new )?(?:complaints|concerns))\W*$", re.I)
# Words that say nothing about which condition it is: qualifiers, status, laterality, plan verbs.
_NEUTRAL_TEXT = (
    "acute chronic mild moderate severe stable unstable controlled uncontrolled well poorly improving "
    "improved worsening worse better resolved resolving persistent recurrent intermittent new known "
    "likely probable possible suspected history left right bilateral upper lower anterior posterior "
    "medial lateral initial subsequent today with without from that this these those their there patient "
    "continue follow stage type grade episode simple complicated uncomplicated primary secondary "
    "unspecified other status post noted found appears current currently recent recently ongoing since "
    "days weeks months years year month week visit also still some more less very much good fair poor "
    "normal exam encounter routine ruled rule rapid test tests testing tested positive negative removed "
    "await awaiting pathology repeat findings abnormal evidence flare viral annual physical preventive "
    "general medical adult health maintenance wellness child development visit checkup proceed procedure "
    "planned scheduled surgery surgical clearance "
)
NEUTRAL_WORDS = frozenset(_NEUTRAL_TEXT.split())
# The same words as title stems (what the title index leaves unexplained without a penalty).
NEUTRAL_STEMS = frozenset(stem(w) for w in NEUTRAL_WORDS)
# "Laceration of forehead", "Sprain of left ankle": the site a coded problem names is part of it.
_SITE_AFTER = re.compile(r"\s+(?:of|to|on|in|at|involving)\s+(?:the\s+)?((?:[A-Za-z'-]+\s+){0,2}[A-Za-z'-]+)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_HEAD_END = re.compile(r"\s[-\u2013\u2014]\s|[:;,(]|(?<=[a-z)])\.\s|\s(?:on|s/p|per|due to|secondary to|for)\s", re.I)


# An item that starts with a drug is a prescription line ("Amoxicillin 1 g TID x 10 d").
_DRUG_FIRST = re.compile(r"\W*(?:" + RX_DRUG + r")(?![\w-])", re.I)
# A history or an exam: the visit was evaluated (an assessment alone may close a nurse or
# procedure-only visit, which bills no E/M).
_EVALUATED_SECTIONS = ("hpi", "exam", "ros")
# A service performed today, in words: it must hold the evidence of a line (or be declined, deferred
# or planned for another day, which the engine's service rules already tell apart).
_SERVICE_DONE = re.compile(
    r"(?<![\w-])(?:nebuli[sz]\w*|neb (?:treatment|tx)|duoneb|injection (?:given|administered)|injected|"
    r"(?:vaccines?|immunizations?|shots?) (?:given|administered)|administered|given (?:im|in the office|today)|"
    r"sutured|sutures? placed|repair(?:ed)?|laceration repair|steri-?strips? applied|dermabond|incision and "
    r"drainage|i&d|drained|excis(?:ed|ion)|biops(?:y|ied)|cryotherapy|liquid nitrogen|destruction|"
    r"aspirat(?:ed|ion)|joint injection|splint(?:ed| applied)|cast applied|ecg (?:done|performed|obtained|"
    r"shows)|ekg (?:done|performed|obtained|shows)|spirometry (?:performed|done)|rapid (?:strep|flu|covid)\w*|"
    r"point[- ]of[- ]care|poc \w+|urine (?:dip|dipstick)|ua dip\w*|pap (?:smear )?(?:collected|obtained|done)|"
    r"counsel(?:ed|ing) (?:on|about|for) (?:tobacco|smoking) cessation|im given|given by (?:the )?(?:nurse|rn|ma|lpn)|"
    r"vis (?:given|provided))(?![\w-])", re.I)
_NOT_TODAY = re.compile(r"(?<![\w-])(?:declined|refused|deferred|not (?:given|done|performed)|next visit|"
                        r"will (?:return|schedule|consider)|previously|prior|last (?:year|visit|month)|"
                        r"at (?:the )?pharmacy|up to date|utd|history of|h/o|s/p|in \d{4})(?![\w-])", re.I)


_FAMILY_REASON = re.compile(r"(?<![\w-])(?:for|given|due to|because of|with|per)\s+(?:(?:the|her|his|a|strong|"
                            r"positive)\s+)?(?:fhx?|family history|family hx|fam hx)(?![\w-])|"
                            r"(?:fhx?|family history)[- ](?:based|driven)|high[- ]risk (?:due to|for) family|"
                            r"(?:given|because of|due to|with) (?:her |his |the )?(?:mother|father|sister|brother|"
                            r"parent|sibling|mom|dad|grandmother|grandfather)'?s?(?![\w-])|"
                            r"genetic (?:counsel\w*|testing|evaluation|eval)|BRCA", re.I)


@dataclass(frozen=True)
class Span:
    """Where something the engine found sits in the note."""

    start: int
    end: int


@dataclass(frozen=True)
class AssessmentItem:
    """One problem line of the assessment (numbered, bulleted, or a line of its own)."""

    number: int
    start: int
    end: int


_DASH_BULLET = re.compile(r"\s*[-\u2013\u2022*]\s")


def assessment_items(text: str, sections: Sequence[Section]) -> list[AssessmentItem]:
    """The assessment's items, in order, as spans of the note."""
    items: list[AssessmentItem] = []
    for sec in sections:
        if sec.name not in ASSESSMENT_SECTIONS:
            continue
        pos = sec.start
        pieces: list[tuple[int, int]] = []
        for m in _ITEM_BREAK.finditer(text, sec.start, sec.end):
            pieces.append((pos, m.start()))
            pos = m.end()
        pieces.append((pos, sec.end))
        first_line_end = text.find("\n", sec.start, sec.end)
        later = [ln for ln in text[first_line_end:sec.end].split("\n") if ln.strip()] if first_line_end != -1 else []
        if later and text[sec.start:first_line_end].strip() and all(_DASH_BULLET.match(ln) for ln in later):
            # "A/P: 2nd-degree burn R palm." then "- leave blisters intact", "- OTC ibuprofen": the problem is
            # on the header's line and the dashes under it are its plan, not more problems.
            pieces = [(sec.start, first_line_end)]
        for start, end in pieces:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1] in " \t\r\n.,:":
                end -= 1
            if end - start >= 3 and re.search(r"[A-Za-z]{3}", text[start:end]):
                items.append(AssessmentItem(len(items) + 1, start, end))
    return items


def _overlaps(item: AssessmentItem, spans: Iterable[Span]) -> bool:
    return any(s.start < item.end and item.start < s.end for s in spans)


def problem_head(text: str, item: AssessmentItem) -> tuple[int, int]:
    """The problem an item names: its words before the first dash, colon, comma, sentence end or
    "on"/"for" (what follows is plan or detail)."""
    head_end = _HEAD_END.search(text, item.start, item.end)
    return item.start, head_end.start() if head_end and head_end.start() > item.start else item.end


# An assessment item that names a billed service rather than a problem: "Vaccines - counselled, VIS given",
# "Routine adolescent well visit" beside a preventive line. (prefix of the item, line rules that bill it)
_SERVICE_ITEMS = (
    (re.compile(r"(?:vaccin\w*|immuni[sz]ations?)(?![\w-])", re.I), ("vaccine.",)),
    (re.compile(r"(?:(?:routine|annual|yearly|comprehensive)\s+)*(?:(?:adult|child|adolescent|infant|newborn|"
                r"pediatric|teen|\d+[- ](?:year|yr|month|mo)s?(?:[- ]old)?)\s+)?(?:well(?:ness)?(?:[- ](?:child|"
                r"baby|woman|adolescent))?\s+(?:visit|exam\w*|check\w*)|well[- ]child|preventive\s+(?:visit|exam\w*|"
                r"medicine)|physical(?:\s+exam\w*)?|annual\s+(?:exam|visit|wellness)|"
                r"(?:health|wellness)\s+(?:maintenance|exam\w*|visit))(?=\s*(?:$|[-.,;:(\n\u2013]))", re.I),
     ("em.preventive", "em.awv")),
)


_FIRST_WORD = re.compile(r"[\w-]+")


def _names_billed_service(text: str, start: int, services: Sequence[Span], line_rules: Sequence[str]) -> bool:
    """The item opens with a service line's evidence ("Tdap 0.5 mL IM L deltoid": the rest is its dose,
    route and site) or with the name of a kind of service a line bills."""
    first = _FIRST_WORD.match(text, start)
    first_end = first.end() if first else start + 1
    if any(s.start <= start < s.end or start <= s.start < first_end for s in services):
        return True
    return any(rx.match(text, start) and any(rule.startswith(prefixes) for rule in line_rules)
               for rx, prefixes in _SERVICE_ITEMS)


def unaccounted_items(text: str, items: Sequence[AssessmentItem], *, coded: Sequence[Span],
                      recognised: Sequence[Span], services: Sequence[Span],
                      coded_words: frozenset[str] = frozenset(),
                      line_rules: Sequence[str] = ()) -> list[AssessmentItem]:
    """The assessment items whose problem (the words before the item's first dash, colon or comma:
    what follows is plan or detail) holds a word the engine did not explain: no coded evidence, no
    recognised mention, no service evidence covers it, the titles of the codes proposed do not hold it
    (``coded_words``: their stems) and it is no qualifier or status word. An item that is plan or
    status wording only is not a problem."""
    explained = [*coded, *recognised, *services]
    coded = list(coded)
    for span in list(coded):
        site = _SITE_AFTER.match(text, span.end)
        if site:
            explained.append(Span(site.start(1), site.end(1)))
    out = []
    for item in items:
        if (_PLAN_LINE.match(text, item.start, item.end) or _STATUS_ONLY.match(text, item.start, item.end)
                or _DRUG_FIRST.match(text, item.start, item.end)
                or _names_billed_service(text, item.start, services, line_rules)):
            continue
        head = problem_head(text, item)
        unexplained = [w for w in _WORD.finditer(text, *head)
                       if w.group().lower() not in NEUTRAL_WORDS and stem(w.group()) not in coded_words
                       and not any(s.start <= w.start() and w.end() <= s.end for s in explained)]
        if unexplained:
            out.append(item)
    return out


def gate_reasons(
    text: str,
    sections: Sequence[Section],
    *,
    coded: Sequence[Span],
    recognised: Sequence[Span],
    services: Sequence[Span],
    narrative_only: bool,
    procedure_note: bool = False,
    ungrounded: Sequence[str] = (),
    has_visit_line: bool,
    has_procedure_line: bool,
    derived_visit: str | None = None,
    sentences: Sequence[tuple[int, int, str]] = (),
    coded_titles: Sequence[str] = (),
    line_rules: Sequence[str] = (),
    only_services: bool = False,
    unsupported_lines: Sequence[str] = (),
    family_history: Sequence[Span] = (),
    preventive_with_problems: bool = False,
) -> list[str]:
    """Why this note may not be coded without review (empty: the gate is passed)."""
    services = list(services)
    reasons: list[str] = []
    if family_history and any(section != "family_history" and _FAMILY_REASON.search(text, start, end)
                              for start, end, section in sentences):
        # Family history is coded when it is the reason for a test or a screening interval, which only the
        # plan says ("colonoscopy every 5 years for FHx"): a coder picks which history is that reason.
        reasons.append("the plan acts on a family history: coder to decide which family-history code applies")
    if preventive_with_problems:
        reasons.append("preventive visit with a problem assessed: coder to decide whether a separately "
                       "identifiable problem-oriented E/M (modifier 25) is billed")
    for code in unsupported_lines:
        # A repair with no wound code, a joint injection with no joint condition: the diagnosis that
        # justifies the procedure was not found, so the claim would go out with the wrong reason.
        reasons.append(f"{code}: no proposed diagnosis is one this procedure treats")
    items = assessment_items(text, sections)
    coded_words = frozenset(stem(w) for title in coded_titles for w in _WORD.findall(title))
    for item in unaccounted_items(text, items, coded=coded, recognised=recognised, services=services,
                                  coded_words=coded_words, line_rules=line_rules):
        reasons.append(f"assessment item {item.number} (characters {item.start}-{item.end}) matches no code "
                       "and is not recognised as not codable")
    if narrative_only and not procedure_note:
        # A procedure note's indication is its reason (a screening colonoscopy); any other note
        # coded from its narrative alone gets a coder's look.
        reasons.append("no diagnosis comes from an assessment or plan: the codes rest on the narrative only")
    for code in ungrounded:
        reasons.append(f"{code} has no evidence in the assessment or plan")
    if derived_visit is not None:
        reasons.append(f"{derived_visit}: the E/M level was derived from the MDM elements, not documented; "
                       "coder to confirm the level")
    for start, end in _services_without_lines(text, sentences, list(services), line_rules):
        reasons.append(f"a service documented at characters {start}-{end} has no line")
    names = {s.name for s in sections}
    evaluated = bool(names & set(_EVALUATED_SECTIONS))
    if evaluated and not has_visit_line and not ("procedure" in names and has_procedure_line) and not only_services:
        reasons.append("the visit was evaluated but no E/M level could be determined from the documentation")
    elif not has_visit_line and not has_procedure_line and not only_services:
        # Headings the engine does not know, or none: whatever the note is, it bills no visit and no
        # procedure, which a coder must confirm.
        reasons.append("no E/M, preventive or procedure line: the kind of visit could not be determined")
    return reasons


# Which lines account for a service word wherever their evidence sits (the impression repeating
# "polyp biopsied" is the colonoscopy-with-biopsy line).
_SERVICE_FAMILIES = (
    (re.compile(r"nebul|neb |duoneb", re.I), ("neb.",)),
    (re.compile(r"vaccin|immuniz|shot", re.I), ("vaccine.",)),
    (re.compile(r"inject|administered|given", re.I), ("injection.", "joint.", "vaccine.", "neb.", "proc.intralesional",
                                                       "proc.trigger_point", "proc.tendon")),
    (re.compile(r"sutur|repair|steri|dermabond", re.I), ("proc.repair.",)),
    (re.compile(r"i&d|incision|drain", re.I), ("incision_drainage",)),
    (re.compile(r"excis|biops|cryo|nitrogen|destruct", re.I), ("colonoscopy.", "proc.destruction", "proc.biopsy",
                                                               "proc.skin_tags", "proc.excision")),
    (re.compile(r"aspirat|joint", re.I), ("joint.",)),
    (re.compile(r"ecg|ekg", re.I), ("ecg.",)),
    (re.compile(r"spirometry", re.I), ("test.spirometry",)),
    (re.compile(r"rapid|point|poc|dip", re.I), ("lab.",)),
    (re.compile(r"counsel", re.I), ("counseling.",)),
)


def _services_without_lines(text: str, sentences: Sequence[tuple[int, int, str]],
                            services: list[Span], line_rules: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Services the note says were done today that no line accounts for: no line's evidence in the
    same sentence and no line of the service's kind anywhere."""
    out = []
    for start, end, section in sentences:
        if section in ("pmh", "family_history", "social_history", "allergies", "medications", "ros"):
            continue
        sentence = text[start:end]
        if _NOT_TODAY.search(sentence):
            continue
        for m in _SERVICE_DONE.finditer(sentence):
            covered = any(s.start < end and start < s.end for s in services) or any(
                family.search(m.group()) and any(rule.startswith(prefixes) for rule in line_rules)
                for family, prefixes in _SERVICE_FAMILIES)
            if not covered:
                out.append((start + m.start(), start + m.end()))
                break
    return out
