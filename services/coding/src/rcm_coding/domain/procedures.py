"""Procedure and service extraction: documented actions to CPT/HCPCS lines.

Rules (names appear on each line):

* ``em.office``: office/outpatient E/M when the visit type (new/established) and a level are
  documented (explicit level or code, MDM complexity, or total time per the 2021+ guidelines).
* ``em.preventive``: preventive visit by new/established and the patient's age band.
* ``em.nurse``: nurse-only visit 99211.
* ``vaccine.product`` / ``vaccine.admin``: vaccines given (not declined/deferred) and their
  administration (90471/90472, or G0008/G0009/G0010 for Medicare flu/pneumococcal/hepatitis B).
* ``lab.in_office``: tests performed in the office (rapid strep, UA dipstick, POC A1c, ...).
  Labs that are only ordered or sent out are not coded; a venipuncture in the office is
  (``lab.venipuncture``).
* ``ecg.in_office``: 12-lead ECG performed with interpretation (93000), tracing only (93005) or
  interpretation only (93010).
* ``injection.*``, ``neb.treatment``, ``counseling.tobacco``, ``colonoscopy.*``: see the functions below.

Wound repairs, joint injections, destruction, biopsies and the other office procedures and in-office
imaging are read by :mod:`rcm_coding.domain.office_procedures`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rcm_coding.domain.mdm import DecisionMaking
from rcm_coding.domain.model import EncounterDocumentation, Evidence
from rcm_coding.domain.note_text import NEGATED_BEFORE, TBSA, Sentence, tbsa_percent

_NEG_ACTION = re.compile(
    r"(?<![\w-])(declined|declines|refused|refuses|deferred|defer|will return|return for|due for|"
    r"recommend(?:ed)?|discussed|consider|not given|not administered|next visit|up to date|"
    r"utd|previously|last year|already received|received at pharmacy|at pharmacy|ordered|order|"
    r"will order|sent to|send out|send-out|outside lab|reference lab|pending|scheduled|"
    r"schedule|referred|referral|to be drawn|prior|in \d{4}|will need|needs? (?:a|an|to have)|"
    r"starting at age|at age \d+|plan(?:s|ned)? for|candidate for)(?![\w-])",
    re.I,
)
_GIVEN = re.compile(r"(?<![\w-])(given|administered|received|injected|im|intramuscular|"
                    r"subcutaneous|subq|sq|today|lot|vis)(?![\w-])", re.I)


@dataclass
class LineDraft:
    code: str
    rule: str
    confidence: float
    modifiers: list[str] = field(default_factory=list)
    units: Decimal = Decimal(1)
    evidence: list[Evidence] = field(default_factory=list)
    dx_hint: tuple[str, ...] = ()  # code prefixes this line should point to, in preference order


def _ev(text: str, s: Sentence, m: re.Match[str] | None = None) -> Evidence:
    if m is None:
        return Evidence(s.start, s.end, s.section, text[s.start : s.end])
    return Evidence(m.start(), m.end(), s.section, m.group())


# ---------------------------------------------------------------------------------- E/M
_NEW = re.compile(r"(?<![\w-])new patient(?![\w-])|(?<![\w-])new pt(?![\w-])|"
                  r"establish(?:ing)? care|"
                  r"(?<![\w-])new to (?:our |the |this )?(?:clinic|practice|office|UC|urgent care|us)(?![\w-])|"
                  r"first (?:visit|time) (?:to|at|with|in) (?:our|this|the) (?:clinic|practice|office)|"
                  r"first visit to our", re.I)
_ESTABLISHED = re.compile(r"(?<![\w-])(established patient|established pt|est\.? (?:pt|patient)|follow[- ]up|"
                          r"returns|return visit|f/u)(?![\w-])", re.I)
_PREVENTIVE = re.compile(r"(?<![\w-])(annual physical|annual exam|preventive (?:visit|exam|"
                         r"medicine)|well[- ]child|well[- ]woman|well visit|wellness exam|WCC|well exam|"
                         r"well[- ](?:adolescent|teen|baby) (?:visit|exam|check)|"
                         r"routine physical|complete physical|routine (?:adult )?health "
                         r"(?:maintenance )?exam|health maintenance exam|annual preventive)"
                         r"(?![\w-])", re.I)
_AWV = re.compile(r"annual wellness visit|(?<![\w-])AWV(?![\w-])|welcome to medicare|initial preventive "
                  r"physical exam(?:ination)?|(?<![\w-])IPPE(?![\w-])", re.I)
_IPPE = re.compile(r"welcome to medicare|initial preventive physical exam|(?<![\w-])IPPE(?![\w-])", re.I)
_AWV_INITIAL = re.compile(r"(?:initial|first)(?: medicare)? (?:annual wellness|AWV)|AWV,? initial|"
                          r"(?:annual wellness visit|AWV)[^.\n]{0,20}\b(?:initial|first)\b", re.I)
_LONGITUDINAL = re.compile(r"(?<![\w-])(?:longitudinal\w*|ongoing (?:care|management|relationship)|continuing "
                           r"(?:care|focal point)|primary care (?:physician|provider|home) for|medical home|"
                           r"single[- ]point of (?:care|contact)|continuity of care|on an ongoing basis|"
                           r"(?:i am|i'm|i have been|as) (?:her|his|their|the patient's) (?:pcp|primary care "
                           r"(?:physician|provider|doctor))|all (?:of )?(?:her|his|their) primary care|"
                           r"pcp for \d+ (?:years|yrs))(?![\w-])", re.I)
_NURSE = re.compile(r"(?<![\w-])(?:(?:nurse|nursing|RN|LPN|MA)(?: only)? visit|(?:nurse|RN) (?:BP|blood pressure) "
                    r"(?:check|recheck)|seen by (?:the )?(?:nurse|RN) only)(?![\w-])", re.I)
# A nurse visit whose only service is an injection or vaccine is billed by that service
# (99211 is bundled into 90471/96372 under NCCI).
_OTHER_NURSE_SERVICE = re.compile(r"vaccin|immuniz|injection|(?<![\w-])IM(?![\w-])|"
                                  r"intramuscular|shot", re.I)
_LEVEL = re.compile(r"(?<![\w-])level\s*(2|3|4|5|II|III|IV|V)(?![\w-])", re.I)
_EM_CODE = re.compile(r"(?<!\d)(9920[2-5]|9921[1-5])(?!\d)")
_MDM = re.compile(
    r"(?:MDM|medical decision[- ]making)[^.\n]{0,25}?(straightforward|low|moderate|high)"
    r"|(straightforward|low|moderate|high)(?:[- ]complexity)?\s+(?:MDM|medical decision[- ]making)",
    re.I,
)
# Total time on the date of the encounter, written the ways clinicians write it: "total time 42 min",
# "Time: 72 minutes total on the date of service", "I spent 45 minutes on the date of the encounter".
# Not a part of it ("counseled 8 min", "walking 150 min/wk").
_TIME = re.compile(
    r"(?:total time|time spent|total of|spent a total of)[^.\n\d]{0,40}?(?P<a>\d{1,3})\s*(?:min|minutes)|"
    r"(?<![\w-])(?P<b>\d{1,3})\s*(?:min|mins|minutes)\s+(?:total|in total|of total)(?![\w-])|"
    r"(?<![\w-])time\s*:\s*(?P<c>\d{1,3})\s*(?:min|mins|minutes)(?![\w/-])|"
    r"(?<![\w-])spent\s+(?P<d>\d{1,3})\s*(?:min|mins|minutes)\s+(?:on the date|on this date|today|with the patient|"
    r"face[- ]to[- ]face|in (?:the )?(?:visit|encounter|care))", re.I)


def _minutes(m: re.Match[str]) -> int:
    return int(m.group("a") or m.group("b") or m.group("c") or m.group("d"))
SEPARATELY_IDENTIFIABLE = re.compile(r"separately identifiable|separate problem[- ]oriented|"
                       r"in addition to (?:the )?(?:preventive|physical)", re.I)
_ROMAN = {"II": 2, "III": 3, "IV": 4, "V": 5}
_MDM_LEVEL = {"straightforward": 2, "low": 3, "moderate": 4, "high": 5}


def _time_level(minutes: int, new: bool) -> int | None:
    table = ((60, 5), (45, 4), (30, 3), (15, 2)) if new else ((40, 5), (30, 4), (20, 3), (10, 2))
    for floor, level in table:
        if minutes >= floor:
            return level
    return None


def preventive_code(age: int | None, new: bool) -> str | None:
    if age is None:
        return None
    bands = ((0, 0), (1, 4), (5, 11), (12, 17), (18, 39), (40, 64), (65, 200))
    for i, (lo, hi) in enumerate(bands):
        if lo <= age <= hi:
            return str((99381 if new else 99391) + i)
    return None


# A preventive visit named as a past or future one is not today's: "last seen 9/2025 for annual exam",
# "Annual exam 2 wk ago", "due for her physical", "prior AWV 06/2025".
_NOT_TODAY_BEFORE = re.compile(
    r"(?<![\w-])(?:last seen|seen (?:\w+ ){0,3}for|last|prior|previous|previously|recent|since (?:her|his|the)|"
    r"at (?:her|his|the) last|had|has had|due for|at an?|separate|future|schedul\w*|overdue for|return for|"
    r"rtc for|f/u for|next|at (?:her|his) upcoming|upcoming)\W+(?:[\w/]+\W+){0,3}$", re.I)
_NOT_TODAY_AFTER = re.compile(
    r"\s*(?:with (?:her |his |the |a )?(?:prior|previous|old|former|other|outside)\b|"
    r"\(?\s*(?:on |in )?(?:\d{1,2}/)?(?:\d{1,2}/)?(?:19|20)\d\d(?![\d/])|"
    r"\d+\s*(?:d|days?|wks?|weeks?|mos?|months?|yrs?|years?)\s+ago|"
    r"in \d+\s*(?:d|days?|wks?|weeks?|mos?|months?)(?![\w-])|last (?:week|month|year)|"
    r"(?:is |was )?due|scheduled|next (?:week|month|year))",
    re.I)


def _current(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``rx`` that names today's visit, not a past or planned one."""
    for m in rx.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[line_start:m.start()]
        in_parentheses = before.rfind("(") > before.rfind(")")  # "(14.5 kg at 3-yr WCC)": an aside
        if in_parentheses or _NOT_TODAY_BEFORE.search(text[max(line_start, m.start() - 40):m.start()]) or \
                _NOT_TODAY_AFTER.match(text, m.end()):
            continue
        return m
    return None


def evaluation_and_management(
    text: str, sentences: list[Sentence], doc: EncounterDocumentation, notes: list[str]
) -> list[LineDraft]:
    out: list[LineDraft] = []
    new = _NEW.search(text)
    established = _ESTABLISHED.search(text)
    is_new = bool(new) and not (established and established.group().lower().startswith("est"))
    prev = _current(_PREVENTIVE, text)
    awv = _current(_AWV, text)
    if awv:
        # Medicare's annual wellness visit: the first one (G0438) or a later one (G0439); the
        # "Welcome to Medicare" preventive exam (IPPE) is G0402. Not a preventive-medicine 9938x/9939x.
        s_awv = _sentence_for(sentences, awv.start())
        if any(not re.search(r"(?<![\w-])(?:no|not|never had|without|prior|previous|had)\s+(?:an?\s+|the\s+|"
                             r"her\s+|his\s+)?$", text[max(0, m.start() - 20):m.start()], re.I)
               for m in _IPPE.finditer(text)) and not _AWV_INITIAL.search(text):
            awv_code, rule = "G0402", "em.awv.ippe"
        elif _AWV_INITIAL.search(text):
            awv_code, rule = "G0438", "em.awv.initial"
        else:
            awv_code, rule = "G0439", "em.awv.subsequent"
        out.append(LineDraft(awv_code, rule, 0.85, evidence=[Evidence(awv.start(), awv.end(), s_awv, awv.group())],
                             dx_hint=("Z00",)))
        prev = None
    if prev:
        code = preventive_code(doc.age_on_service_date(), is_new)
        if code:
            s = _sentence_for(sentences, prev.start())
            out.append(LineDraft(code, "em.preventive", 0.85,
                                 evidence=[Evidence(prev.start(), prev.end(), s, prev.group())],
                                 dx_hint=("Z00",)))
        else:
            notes.append("preventive visit documented but patient age unknown")
    levels: list[tuple[int, Evidence, str]] = []
    for m in _EM_CODE.finditer(text):
        lvl = int(m.group(1)[-1])
        levels.append((lvl, Evidence(m.start(), m.end(), _sentence_for(sentences, m.start()),
                                     m.group()), "explicit_code"))
        is_new = m.group(1).startswith("9920")
    for m in _LEVEL.finditer(text):
        raw = m.group(1).upper()
        lvl = _ROMAN.get(raw) or int(raw)
        levels.append((lvl, Evidence(m.start(), m.end(), _sentence_for(sentences, m.start()),
                                     m.group()), "level"))
    for m in _MDM.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        levels.append((_MDM_LEVEL[word], Evidence(m.start(), m.end(),
                                                  _sentence_for(sentences, m.start()),
                                                  m.group()), "mdm"))
    for m in _TIME.finditer(text):
        lvl_t = _time_level(_minutes(m), is_new)
        if lvl_t:
            levels.append((lvl_t, Evidence(m.start(), m.end(), _sentence_for(sentences, m.start()),
                                           m.group()), "time"))
    nurse = _current(_NURSE, text)
    if nurse is not None and not levels and not prev and not awv and not _OTHER_NURSE_SERVICE.search(text):
        out.append(LineDraft("99211", "em.nurse", 0.8, evidence=[
            Evidence(nurse.start(), nurse.end(), _sentence_for(sentences, nurse.start()), nurse.group())]))
        return out
    if levels and (not prev or SEPARATELY_IDENTIFIABLE.search(text)):
        lvl, _, how = max(levels, key=lambda t: t[0])  # MDM or time, whichever is higher
        if not is_new and lvl == 1:
            lvl = 2
        code = f"992{'0' if is_new else '1'}{lvl}"
        conf = 0.9 if how in ("explicit_code", "level") else 0.85
        if not (new or established):
            conf -= 0.2  # visit type guessed as established
            notes.append("new vs established patient not documented; assumed established")
        out.append(LineDraft(code, f"em.office.{how}", conf,
                             evidence=[lv[1] for lv in levels if lv[0] == lvl]))
        if prev:
            out[-1].modifiers.append("25")
    return out


def office_visit_from_decision_making(
    text: str, sentences: list[Sentence], decision: DecisionMaking, notes: list[str]
) -> LineDraft:
    """The office E/M whose level follows from the MDM elements (no level, MDM phrase or code is
    documented); when total time is documented, the higher of the two (the guidelines allow either)."""
    new = _NEW.search(text)
    established = _ESTABLISHED.search(text)
    is_new = bool(new) and not (established and established.group().lower().startswith("est"))
    level = decision.grade + 1  # straightforward 2 .. high 5
    how = "mdm_elements"
    evidence = [*decision.problems.evidence, *decision.data.evidence, *decision.risk.evidence]
    for m in _TIME.finditer(text):
        by_time = _time_level(_minutes(m), is_new)
        if by_time and by_time > level:
            level, how = by_time, "time"
            evidence = [Evidence(m.start(), m.end(), _sentence_for(sentences, m.start()), m.group())]
    conf = 0.8
    if not (new or established):
        conf -= 0.2
        notes.append("new vs established patient not documented; assumed established")
    return LineDraft(f"992{'0' if is_new else '1'}{level}", f"em.office.{how}", conf, evidence=evidence)


def prolonged_and_complexity_add_ons(
    text: str, sentences: list[Sentence], doc: EncounterDocumentation, office: LineDraft
) -> list[LineDraft]:
    """Prolonged service (99417 per 15 minutes beyond the level-5 time for most payers; G2212 beyond
    the level-5 range for Medicare) and Medicare's visit-complexity add-on G2211 (a longitudinal
    relationship documented, the visit not billed with modifier 25)."""
    out: list[LineDraft] = []
    if office.code in ("99205", "99215"):
        is_new = office.code == "99205"
        medicare = (doc.payer_category or "").lower() == "medicare"
        for m in _TIME.finditer(text):
            minutes = _minutes(m)
            threshold = (74 if is_new else 54) if medicare else (60 if is_new else 40)
            units = (minutes - threshold) // 15
            if units >= 1:
                ev = Evidence(m.start(), m.end(), _sentence_for(sentences, m.start()), m.group())
                code = "G2212" if medicare else "99417"
                out.append(LineDraft(code, f"em.prolonged.{'medicare' if medicare else 'cpt'}", 0.85,
                                     units=Decimal(units), evidence=[ev]))
                break
    if (doc.payer_category or "").lower() == "medicare" and "25" not in office.modifiers:
        lon = _LONGITUDINAL.search(text)
        if lon:
            out.append(LineDraft("G2211", "em.complexity_add_on", 0.8, evidence=[
                Evidence(lon.start(), lon.end(), _sentence_for(sentences, lon.start()), lon.group())]))
    return out


def _sentence_for(sentences: list[Sentence], pos: int) -> str:
    for s in sentences:
        if s.start <= pos < s.end:
            return s.section
    return "other"


# ---------------------------------------------------------------------------------- vaccines
@dataclass(frozen=True)
class VaccineRule:
    pattern: re.Pattern[str]
    code: str
    admin_group: str  # flu | pneumo | hepb | other
    components: int = 1  # toxoids/antigens counselled on (90460 first, 90461 each additional)


def _v(rx: str, code: str, group: str = "other", components: int = 1) -> VaccineRule:
    return VaccineRule(re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w-])", re.I), code, group, components)


# Combination products first: "DTaP-IPV" must not also read as DTaP and IPV.
VACCINES: tuple[VaccineRule, ...] = (
    _v(r"DTaP[- /]HepB[- /]IPV|pediarix", "90723", components=5),
    _v(r"DTaP[- /]IPV[- /]Hib[- /]HepB|vaxelis", "90697", components=6),
    _v(r"DTaP[- /]IPV[- /](?:Hib|Hib[- /]PRP-T)|pentacel", "90698", components=5),
    _v(r"DTaP[- /]IPV|kinrix|quadracel", "90696", components=4),
    _v(r"MMRV|MMR[- /]varicella|proquad", "90710", components=4),
    _v(r"rotavirus(?: vaccine)?,? (?:pentavalent|RV5)|rotateq|RV5", "90680"),
    _v(r"rotavirus(?: vaccine)?,? (?:monovalent|RV1)|rotarix|RV1|rotavirus vaccine", "90681"),
    _v(r"Hib(?:[- ]PRP-T| vaccine)?|acthib|hiberix|pedvaxhib", "90648"),
    _v(r"IPV|ipol|polio vaccine", "90713"),
    _v(r"MenACWY[- ]?TT|menquadfi", "90619"),  # tetanus-toxoid carrier; -D and -CRM are 90734
    _v(r"MenACWY(?:[- ]?(?:CRM|D))?|menactra|menveo|meningococcal conjugate", "90734"),
    _v(r"MenB|bexsero|trumenba", "90620"),
    _v(r"(?:hepatitis A|hep A)(?: vaccine)?,? (?:pediatric|peds|ped|2[- ]dose)|havrix (?:pediatric|720)", "90633"),
    _v(r"PCV13|prevnar 13", "90670", "pneumo"),
    _v(r"high[- ]dose (?:flu|influenza)(?: vaccine| shot)?|fluzone high[- ]dose", "90662", "flu"),
    _v(r"(?:quadrivalent|IIV4) (?:flu|influenza) vaccine|(?:flu|influenza) vaccine,? "
       r"(?:quadrivalent|IIV4)", "90686", "flu"),
    _v(r"(?:flu|influenza) (?:vaccine|shot|immunization|vaccination)|fluzone|fluarix|flulaval|"
       r"afluria|IIV3", "90656", "flu"),
    _v(r"Tdap|boostrix|adacel", "90715", components=3),
    _v(r"Td vaccine|Td booster|tenivac", "90714", components=2),
    _v(r"DTaP|daptacel|infanrix", "90700", components=3),
    _v(r"MMR(?: vaccine)?|measles[, ]+mumps[, ]+(?:and )?rubella vaccine", "90707", components=3),
    _v(r"varicella vaccine|varivax", "90716"),
    _v(r"PPSV23|pneumovax(?: 23)?|pneumococcal polysaccharide vaccine", "90732", "pneumo"),
    _v(r"PCV20|prevnar 20", "90677", "pneumo"),
    _v(r"PCV21|capvaxive", "90684", "pneumo"),
    _v(r"PCV15|vaxneuvance", "90671", "pneumo"),
    _v(r"hepatitis B vaccine|hep B vaccine|engerix(?:-B)?|recombivax", "90746", "hepb"),
    _v(r"hepatitis A vaccine|hep A vaccine|havrix|vaqta", "90632"),
    _v(r"HPV9? vaccine|gardasil(?: ?9)?|HPV9", "90651"),
    _v(r"shingrix|zoster vaccine|shingles vaccine", "90750"),
)
# One search per sentence before the rules: most sentences name no vaccine at all.
_ANY_VACCINE = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in VACCINES), re.I)
# A sentence about a vaccine: a product, or the words clinicians use for one ("Shingrix (recombinant zoster)
# recommended", "Influenza, high-dose ... given"). The diseases it names are what it prevents, not diagnoses.
VACCINE_SENTENCE = re.compile(_ANY_VACCINE.pattern + r"|(?<![\w-])(?:vaccin\w*|immuni[sz]\w*|VIS|boosters?|"
                              r"shots?|recombinant|toxoid|series|dose #?\d)(?![\w-])", re.I)
_MEDICARE_ADMIN = {"flu": "G0008", "pneumo": "G0009", "hepb": "G0010"}
# Face-to-face counselling by the physician or QHP (handing out the VIS alone is not counselling).
_VACCINE_COUNSELLING = re.compile(r"(?<![\w-])(?:counsel(?:ed|ing|led|ling)?|risks and benefits (?:were )?"
                                  r"(?:discussed|reviewed)|discussed (?:the )?(?:risks|benefits|vaccines?))(?![\w-])",
                                  re.I)


# In a sentence that lists today's vaccines ("Immunizations today: MMR #1, varicella #1, hepatitis A #1"),
# the antigen's name alone is the vaccine.
_VACCINE_LIST = re.compile(r"(?<![\w-])(?:immuni[sz]ations?|vaccines?|vaccinations?|shots)\b[^.\n]{0,40}?"
                           r"(?:today|given|administered|:)|(?<![\w-])(?:given|administered) today:", re.I)
_BARE_ANTIGENS: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w-])", re.I), child, adult, group)
    for rx, child, adult, group in (
        (r"varicella|chickenpox", "90716", "90716", "other"),
        (r"hepatitis A|hep A|HepA", "90633", "90632", "other"),
        (r"hepatitis B|hep B|HepB", "90744", "90746", "hepb"),
        (r"polio", "90713", "90713", "other"),
        (r"rotavirus", "90681", "90681", "other"),
        (r"HPV9?", "90651", "90651", "other"),
        (r"meningococcal|MCV4", "90734", "90734", "other"),
    ))
_VIS_GIVEN = re.compile(r"(?<![\w-])VIS(?:s)? (?:given|provided|reviewed)|tolerated (?:well|without)", re.I)
# "Tdap 2022", "flu shot 10/2025", "Tdap (2019)": the date of a past dose, not today's.
# Also "PCV20 given 2024, complete" and "Shingrix series complete".
_PAST_DOSE = re.compile(r"\s*\(?\s*(?:(?:given|received|done|administered|completed?)\s+(?:in\s+|on\s+)?"
                        r"(?=[\d(]|last\b))?\(?(?:(?:\d{1,2}/)?(?:\d{1,2}/)?(?:19|20)\d\d|last\b|in (?:19|20)\d\d|"
                        r"utd|up to date|(?:series )?complete(?:d)?\b)", re.I)


_GIVEN_NOW = re.compile(r"(?<![\w-])(?:given|administered|IM|injected|today)(?![\w-])", re.I)


def _given_today(window: str, m: re.Match[str], given_elsewhere: bool) -> bool:
    """The vaccine mention ``m`` is a dose given at this visit: not refused or deferred, not an earlier
    dose ("PCV20 given 2024"), and the sentence (or its section, or the next sentence) says it was given."""
    clause = _clause(window, m.start())
    prior = _PAST_DOSE.match(window, m.end())
    past = bool(prior) and not _GIVEN_NOW.search(clause.replace(prior.group(), " ", 1) if prior else clause)
    return not (_NEG_ACTION.search(clause) or past) and bool(_GIVEN.search(window) or given_elsewhere)


def _clause(window: str, pos: int) -> str:
    """The clause of the sentence around ``pos`` ("No prior pneumococcal vaccine: Prevnar 20 given" has two)."""
    start = max(window.rfind(":", 0, pos), window.rfind(";", 0, pos)) + 1
    ends = [i for i in (window.find(":", pos), window.find(";", pos)) if i != -1]
    return window[start : min(ends) if ends else len(window)]


def vaccines(text: str, sentences: list[Sentence], doc: EncounterDocumentation) -> list[LineDraft]:
    products: list[tuple[VaccineRule, Evidence]] = []
    seen: set[str] = set()
    age = doc.age_on_service_date()
    for i, s in enumerate(sentences):
        if s.section in ("allergies", "family_history", "ros", "pmh", "medications"):
            continue
        window = text[s.start : s.end]
        taken: list[tuple[int, int]] = []
        listed = bool(_VACCINE_LIST.search(window))
        following = text[sentences[i + 1].start : sentences[i + 1].end] if i + 1 < len(sentences) else ""
        given_next = listed and bool(_VIS_GIVEN.search(following))
        for rule in (VACCINES if _ANY_VACCINE.search(window) else ()):
            if rule.code in seen or (rule.admin_group == "flu" and any(c in seen for c in ("90662", "90686", "90656"))):
                continue

            # Each mention outside a combination already read ("DTaP" of "DTaP-IPV"); "Tdap (last tetanus
            # 2011): Tdap 0.5 mL IM given" is given by its second mention.
            m = next((x for x in rule.pattern.finditer(window)
                      if not any(a < x.end() and x.start() < b for a, b in taken)
                      and _given_today(window, x, s.section == "procedure" or given_next)), None)
            if m is None:
                continue
            seen.add(rule.code)
            taken.append((m.start(), m.end()))
            products.append((rule, Evidence(s.start + m.start(), s.start + m.end(), s.section,
                                            m.group())))
        if not listed or _NEG_ACTION.search(window):
            continue
        for rx, child, adult, group in _BARE_ANTIGENS:
            code = child if age is not None and age < 19 else adult
            bm = next((x for x in rx.finditer(window) if not any(a < x.end() and x.start() < b for a, b in taken)),
                      None)
            if bm is None or code in seen or (_PAST_DOSE.match(window, bm.end())
                                              and not _GIVEN_NOW.search(_clause(window, bm.start()))):
                continue
            seen.add(code)
            taken.append((bm.start(), bm.end()))
            products.append((VaccineRule(rx, code, group), Evidence(s.start + bm.start(), s.start + bm.end(),
                                                                   s.section, bm.group())))
    out: list[LineDraft] = []
    for rule, ev in products:
        conf = 0.75 if rule.code == "90656" else 0.88  # product formulation is often implicit
        out.append(LineDraft(rule.code, "vaccine.product", conf, evidence=[ev], dx_hint=("Z23",)))
    medicare = (doc.payer_category or "").lower() == "medicare"
    if products and age is not None and age < 19 and _VACCINE_COUNSELLING.search(text):
        # Under 19 with the physician or QHP counselling on each vaccine: 90460 per vaccine (its first
        # component), 90461 per additional component (CPT), instead of 90471/90472.
        evs = [ev for _, ev in products]
        out.append(LineDraft("90460", "vaccine.admin.counselled", 0.85, units=Decimal(len(products)),
                             evidence=evs, dx_hint=("Z23",)))
        extra = sum(rule.components - 1 for rule, _ in products)
        if extra:
            out.append(LineDraft("90461", "vaccine.admin.counselled", 0.85, units=Decimal(extra), evidence=evs,
                                 dx_hint=("Z23",)))
        return out
    others: list[Evidence] = []
    for rule, ev in products:
        if medicare and rule.admin_group in _MEDICARE_ADMIN:
            out.append(LineDraft(_MEDICARE_ADMIN[rule.admin_group], "vaccine.admin.medicare", 0.88,
                                 evidence=[ev], dx_hint=("Z23",)))
        else:
            others.append(ev)
    if others:
        out.append(LineDraft("90471", "vaccine.admin", 0.88, evidence=[others[0]],
                             dx_hint=("Z23",)))
        if len(others) > 1:
            out.append(LineDraft("90472", "vaccine.admin", 0.88, units=Decimal(len(others) - 1),
                                 evidence=others[1:], dx_hint=("Z23",)))
    return out


# ---------------------------------------------------------------------------------- labs
@dataclass(frozen=True)
class LabRule:
    pattern: re.Pattern[str]
    code: str
    rapid: bool  # a stated result is enough to know it was done here
    dx_hint: tuple[str, ...]


def _lab(rx: str, code: str, rapid: bool, hint: tuple[str, ...], flags: int = re.I) -> LabRule:
    return LabRule(re.compile(r"(?<![\w-])(?:" + rx + r")(?![\w-])", flags), code, rapid, hint)


LABS: tuple[LabRule, ...] = (
    _lab(r"rapid strep(?: test| screen)?|strep (?:test|screen)|rapid antigen strep|RADT", "87880",
         True, ("J02", "J03", "R07.0", "R50")),
    _lab(r"rapid (?:flu|influenza)(?: A/B| A and B)?(?: test| swab)?|(?:flu|influenza) swab|"
         r"POC (?:flu|influenza)(?: A/B| A and B)?(?: test| swab)?|(?:flu|influenza) A/B(?: antigen| test)?",
         "87804", True, ("J10", "J11", "R50", "R05")),
    _lab(r"rapid covid(?:-19)?(?: test| antigen)?|covid(?:-19)? (?:rapid )?(?:antigen|Ag)(?: test)?|"
         r"SARS-CoV-2 (?:antigen|Ag)|POC covid(?:-19)?(?: Ag| antigen| test)?", "87811", True,
         ("U07.1", "R05", "R50", "R07.0")),
    _lab(r"rapid RSV(?: antigen| test| swab)?|RSV (?:rapid )?(?:antigen|Ag)(?: test)?|POC RSV", "87807", True,
         ("J21.0", "J12.1", "B97.4", "J06", "R05")),
    _lab(r"(?:POC|point[- ]of[- ]care|fingerstick|in[- ]office|coaguchek) (?:PT/)?INR|(?:PT/)?INR \((?:POC|"
         r"fingerstick|point[- ]of[- ]care)\)|INR,? (?:POC|fingerstick|point[- ]of[- ]care)", "85610", True,
         ("Z79.01", "I48", "I26", "I82", "Z95.2")),
    _lab(r"monospot|mono ?spot|rapid mono(?:nucleosis)?(?: test)?|heterophile(?: antibody)?(?: test)?", "86308",
         True, ("B27", "J02", "R50", "R59")),
    _lab(r"(?:POC|fingerstick|point[- ]of[- ]care|in[- ]office) (?:hemoglobin|Hgb|Hb)|hemocue", "85018", True,
         ("D50", "D64", "O99.0", "Z13.0")),
    _lab(r"wet (?:mount|prep)(?:aration)?", "87210", True, ("N76", "B96", "A59", "B37")),
    _lab(r"KOH (?:prep|preparation|exam)", "87220", True, ("B35", "B36", "B37", "L30")),
    _lab(r"urine (?:pregnancy test|hcg)|UPT|urine beta[- ]hcg", "81025", True, ("Z32", "N91", "R10")),
    _lab(r"(?:automated )?(?:urinalysis|urine dip(?:stick)?|dipstick UA|UA dip(?:stick)?|UA)",
         "81002", True, ("N39", "N30", "R30", "R35", "R31", "E11", "R10")),
    _lab(r"fingerstick glucose|finger[- ]stick glucose|POC glucose|point[- ]of[- ]care glucose|"
         r"capillary (?:blood )?glucose|glucometer reading|CBG", "82962", True, ("E11", "E10", "R73")),
    _lab(r"(?:POC|point[- ]of[- ]care|in[- ]office) (?:hemoglobin )?A1c|(?:POC|point[- ]of[- ]care)"
         r" HbA1c|A1c \(POC\)|(?:hemoglobin |Hb)?A1c,? (?:POC|point[- ]of[- ]care)", "83036", True,
         ("E11", "E10", "R73")),
    _lab(r"CBC(?: with diff(?:erential)?)?|complete blood count", "85025", False,
         ("D50", "D64", "R53", "R50")),
    _lab(r"CMP|comprehensive metabolic panel", "80053", False, ("E11", "I10", "I12", "N18", "E78")),
    _lab(r"lipid panel|lipid profile|fasting lipids", "80061", False, ("E78", "Z13.220", "I25")),
)
_ANY_LAB = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in LABS), re.I)
_IN_OFFICE = re.compile(r"(?<![\w-])(in[- ]office|in[- ]house|in clinic|point[- ]of[- ]care|POC|"
                        r"performed|done today|run today|obtained today|rapid)(?![\w-])", re.I)
_RESULT = re.compile(r"(?<![\w-])(positive|negative|pos|neg|normal|abnormal|trace|\d+(?:\.\d+)?"
                     r"\s*(?:%|mg/dl)?|nitrite|leukocyte|unremarkable|wnl|within normal limits)"
                     r"(?![\w-])", re.I)
_VENIPUNCTURE = re.compile(r"(?<![\w-])(venipuncture|blood (?:was )?drawn|drew blood|"
                           r"labs drawn|phlebotomy|drawn (?:today|in (?:the )?office|here|in clinic)|"
                           r"(?:were|was) drawn|(?:TSH|CBC|BMP|CMP|A1c|lipids?|panel|level|ferritin|INR|PT/INR)"
                           r" drawn)(?![\w-])", re.I)
_FUTURE = re.compile(r"(?<![\w-])(will|next visit|to be drawn|scheduled?|tomorrow|fasting "
                     r"labs? (?:at|before)|at (?:the )?(?:hospital|lab|outside lab|pre-?admission)|"
                     r"ordered|prior to|before (?:the )?(?:next|surgery))(?![\w-])", re.I)
_DRAWN = re.compile(r"(?<![\w-])(?:drawn|draw|drew|collected|sent|send|venipuncture)(?![\w-])", re.I)
_RUN_HERE = re.compile(r"(?<![\w-])(?:run|performed|analy[sz]ed|in[- ]house (?:lab|analy[sz]er)|point[- ]of[- ]care|"
                       r"POC|resulted in (?:the )?office)(?![\w-])", re.I)
_AUTOMATED = re.compile(r"(?<!non-)(?<!non )(?:automated|analyzer|clinitek)", re.I)


# One test for both viruses, said so: "combined antigen test (SARS-CoV-2 + influenza A/B)", "flu/COVID combo".
_MULTIPLEX = re.compile(r"(?<![\w-])(?:combined|combo|combination|multiplex|triple)(?![\w-])|"
                        r"(?:SARS-CoV-2|COVID(?:-19)?)\s*(?:\+|/|&)\s*(?:influenza|flu)|"
                        r"(?:influenza|flu)(?: A/B)?\s*(?:\+|/|&)\s*(?:SARS-CoV-2|COVID)", re.I)


def labs(text: str, sentences: list[Sentence]) -> list[LineDraft]:
    out: dict[str, LineDraft] = {}
    for s in sentences:
        if s.section in ("pmh", "family_history", "medications", "allergies", "ros"):
            continue
        window = text[s.start : s.end]
        vm = _VENIPUNCTURE.search(window)
        if vm and "36415" not in out and not _FUTURE.search(window):
            out["36415"] = LineDraft("36415", "lab.venipuncture", 0.85, evidence=[Evidence(
                s.start + vm.start(), s.start + vm.end(), s.section, vm.group())])
        if _NEG_ACTION.search(window):
            continue
        for rule in (LABS if _ANY_LAB.search(window) else ()):
            m = rule.pattern.search(window)
            if not m or rule.code in out:
                continue
            in_office = _IN_OFFICE.search(window)
            if not rule.rapid and _DRAWN.search(window) and not _RUN_HERE.search(window):
                # "CBC, CMP drawn in clinic today": the office drew the blood (36415); the lab that runs the
                # panel bills it.
                in_office = None
            result = _RESULT.search(window[m.end():])
            if not (in_office or (rule.rapid and result)):
                continue
            code = rule.code
            if code == "81002" and _AUTOMATED.search(window):
                code = "81003"
            units = Decimal(2 if code == "87804" and re.search(r"A/B|A and B", window) else 1)
            out[rule.code] = LineDraft(code, "lab.in_office", 0.85 if in_office else 0.78,
                                       units=units, evidence=[Evidence(
                                           s.start + m.start(), s.start + m.end(), s.section,
                                           m.group())], dx_hint=rule.dx_hint)
        if "87804" in out and _MULTIPLEX.search(window) and re.search(r"SARS-CoV-2|COVID", window, re.I) and \
                s.start <= out["87804"].evidence[0].start < s.end:
            # One combined SARS-CoV-2 and influenza A/B antigen test is its own code, not two tests.
            flu = out.pop("87804")
            out.pop("87811", None)
            out["87428"] = LineDraft("87428", "lab.in_office", flu.confidence, evidence=flu.evidence,
                                     dx_hint=("J10", "J11", "U07.1", "R50", "R05"))
    return list(out.values())


# ---------------------------------------------------------------------------------- ECG
_ECG = re.compile(r"(?<![\w-])(ECG|EKG|electrocardiogram)(?![\w-])", re.I)
_ECG_DONE = re.compile(r"(?<![\w-])(performed|obtained|done|today|in[- ]office|12[- ]lead|shows|"
                       r"showed|reveals|revealed|demonstrates|interpret\w*|NSR|normal sinus|"
                       r"sinus rhythm|sinus tachycardia|sinus bradycardia|rate \d+|"
                       r"atrial fibrillation|no acute ST)(?![\w-])", re.I)
_ECG_NOT = re.compile(r"(?<![\w-])(outside|prior|previous|old|last|from (?:the )?(?:ED|ER|"
                      r"hospital)|ordered|order|will obtain|schedule|refer)(?![\w-])", re.I)


def ecg(text: str, sentences: list[Sentence]) -> list[LineDraft]:
    for i, s in enumerate(sentences):
        if s.section in ("pmh", "family_history", "medications", "allergies", "ros"):
            continue
        window = text[s.start : s.end]
        m = _ECG.search(window)
        if m and re.fullmatch(r"\s*(?:12[- ]lead )?(?:ECG|EKG)s?\s*:?\s*", window, re.I) and i + 1 < len(sentences):
            # "ECG" as the heading of its own paragraph: the next sentence is the tracing's read.
            window = text[sentences[i + 1].start : sentences[i + 1].end]
        if not m or _ECG_NOT.search(re.sub(r"(?i)\bno (?:prior|previous|old)\b", " ", window)) or not \
                _ECG_DONE.search(window) or NEGATED_BEFORE.search(window[:m.start()]):
            continue  # "No screening ECG done" is none
        code = "93000"
        if re.search(r"tracing only", window, re.I):
            code = "93005"
        elif re.search(r"interpretation only", window, re.I):
            code = "93010"
        return [LineDraft(code, "ecg.in_office", 0.86, evidence=[Evidence(
            s.start + m.start(), s.start + m.end(), s.section, m.group())],
            dx_hint=("R07", "I48", "R00", "R55", "R42", "I10", "I25", "R06"))]
    return []


# ---------------------------------------------------------------------------------- injections
@dataclass(frozen=True)
class DrugRule:
    pattern: re.Pattern[str]
    code: str
    unit_mg: float | None  # billing unit size in mg (None: one unit per dose)


_DRUGS = (
    DrugRule(re.compile(r"(?<![\w-])(ketorolac|toradol)(?![\w-])", re.I), "J1885", 15.0),
    DrugRule(re.compile(r"(?<![\w-])(ceftriaxone|rocephin)(?![\w-])", re.I), "J0696", 250.0),
    DrugRule(re.compile(r"(?<![\w-])(triamcinolone|kenalog)(?![\w-])", re.I), "J3301", 10.0),
    DrugRule(re.compile(r"(?<![\w-])(cyanocobalamin|vitamin B12|B12)(?![\w-])", re.I), "J3420",
             None),
    DrugRule(re.compile(r"(?<![\w-])(methylprednisolone acetate|depo-?medrol)(?![\w-])", re.I), "J1030", None),
    DrugRule(re.compile(r"(?<![\w-])(dexamethasone(?: sodium phosphate)?|decadron)(?![\w-])", re.I), "J1100", 1.0),
    DrugRule(re.compile(r"(?<![\w-])(medroxyprogesterone(?: acetate)?|depo-?provera)(?![\w-])", re.I), "J1050", 1.0),
    DrugRule(re.compile(r"(?<![\w-])(testosterone cypionate|depo-?testosterone)(?![\w-])", re.I), "J1071", 1.0),
    DrugRule(re.compile(r"(?<![\w-])(ondansetron|zofran)(?= [^.\n]{0,20}(?:IM|IV|inj))", re.I), "J2405", 1.0),
)
# Methylprednisolone acetate is coded by the vial strength given (J1020 20 mg, J1030 40 mg, J1040 80 mg).
_METHYLPRED_BY_DOSE = ((20.0, "J1020"), (40.0, "J1030"), (80.0, "J1040"))
_DOSE = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|g|gm|gram|grams|mcg)(?![\w-])", re.I)
_INJ_ROUTE = re.compile(r"(?<![\w-])(IM|intramuscular(?:ly)?|subcutaneous(?:ly)?|SQ|subq|"
                        r"injection|injected|given)(?![\w-])", re.I)
_SYSTEMIC_ROUTE = re.compile(r"(?<![\w-])(IM|intramuscular(?:ly)?|subcutaneous(?:ly)?|SQ|subq|deltoid|gluteal|"
                             r"ventrogluteal|buttock|thigh)(?![\w-])", re.I)


def injections(text: str, sentences: list[Sentence], at_site: bool = False) -> list[LineDraft]:
    """Injected drugs (J codes by dose) and their IM/SC administration (96372). ``at_site``: the note
    documents an injection into a joint, lesion, tendon or trigger point, whose code includes the
    injection: the drug then takes 96372 only where an IM/SC route is written."""
    out: list[LineDraft] = []
    im_done = False
    for i, s in enumerate(sentences):
        if s.section in ("pmh", "family_history", "medications", "allergies", "ros"):
            continue
        window = text[s.start : s.end]
        if _NEG_ACTION.search(window) and not re.search(r"\bgiven\b|\badministered\b", window,
                                                        re.I):
            continue
        # "R knee intra-articular injection, landmark guided. Triamcinolone 40 mg + lidocaine.": the drug of
        # a site injection is often its own sentence after the procedure's.
        previous = text[sentences[i - 1].start : sentences[i - 1].end] if i else ""
        routed = bool(_INJ_ROUTE.search(window)) or (at_site and bool(_INJ_ROUTE.search(previous)))
        for drug in _DRUGS:
            dm = drug.pattern.search(window)
            if not dm or not routed:
                continue
            if any(d.code == drug.code for d in out):
                continue
            units = Decimal(1)
            dose = _DOSE.search(window)
            if drug.unit_mg and dose:
                mg = float(dose.group(1))
                unit = dose.group(2).lower()
                mg = mg * 1000 if unit in ("g", "gm", "gram", "grams") else (
                    mg / 1000 if unit == "mcg" else mg)
                units = Decimal(max(1, int(-(-mg // drug.unit_mg))))
            code = drug.code
            if code == "J1030" and dose:
                mg = float(dose.group(1))
                code = next((c for upper, c in _METHYLPRED_BY_DOSE if mg <= upper), "J1040")
                units = Decimal(max(1, int(-(-mg // 80)))) if mg > 80 else Decimal(1)
            out.append(LineDraft(code, "injection.drug", 0.82, units=units,
                                 evidence=[Evidence(s.start + dm.start(), s.start + dm.end(),
                                                    s.section, dm.group())]))
            if not im_done and (not at_site or _SYSTEMIC_ROUTE.search(window)):
                im_done = True
                out.append(LineDraft("96372", "injection.administration", 0.82,
                                     evidence=[_ev(text, s)]))
    return out


_INCISION_DRAINAGE = re.compile(r"(?<![\w-])(incision and drainage|I&D|I and D)(?![\w-])|"
                                # described rather than named: "1.5 cm incision with #11 blade, 5 mL purulent
                                # drainage expressed"
                                r"(?<![\w-])incis(?:ion|ed)\b[^.\n]{0,80}?(?<![\w-])(?:purulen\w*|pus|drainage|"
                                r"drained)(?![\w-])", re.I)
# Dressing or debridement of a partial-thickness burn, by body surface: < 5 % (16020), 5-10 % (16025),
# > 10 % (16030).
_BURN_CARE = re.compile(r"(?<![\w-])(?:debrid\w*|dressings?|dressed|silver sulfadiazine|silvadene|xeroform|"
                        r"bacitracin|nonadherent|mepilex|blisters? (?:unroofed|ruptured|drained|debrided))(?![\w-])",
                        re.I)
_BURN_WORD = re.compile(r"(?<![\w-])(?:burns?|partial[- ]thickness|2nd[- ]degree|second[- ]degree)(?![\w-])", re.I)
_SUPERFICIAL_BURN = re.compile(r"(?<![\w-])(?:first[- ]degree|1st[- ]degree|superficial)(?![\w-])", re.I)
_CARE_DONE = re.compile(r"(?<![\w-])(?:debrided|applied|unroofed|cleansed|cleaned|dressed|placed)(?![\w-])", re.I)
_COMPLICATED = re.compile(r"(?<![\w-])(complicated|multiple abscesses|multiple incisions|drain placed|"
                          r"penrose|counter-?incision)(?![\w-])", re.I)
_NEB = re.compile(r"(?<![\w-])(nebuli[sz]er treatment|neb(?:ulizer)? (?:treatment|tx)|"
                  r"duoneb|albuterol neb\w*|nebulized albuterol|nebuli[sz]er x\s?\d|neb x\s?\d|"
                  r"nebuli[sz]er (?:given|in (?:the )?office|administered))(?![\w-])", re.I)
# The drug of an in-office nebulizer treatment (HCPCS, non-compounded unit dose).
_NEB_DRUG = (
    (re.compile(r"ipratropium[- /]albuterol|albuterol[- /]ipratropium|duoneb", re.I), "J7620"),
    (re.compile(r"(?<![\w-])(?:albuterol|salbutamol)(?![\w-])", re.I), "J7613"),
)
_TOBACCO = re.compile(r"(?:(?:smoking|tobacco|nicotine|cigarettes?|vaping)[^.\n]{0,30}?)?cessation:?\s*(?:was\s+)?"
                      r"counsel\w*[^.\n]{0,40}?(\d{1,2})\s*min|counsel\w*[^.\n]{0,30}?(?:smoking|tobacco|nicotine|"
                      r"vaping) cessation[^.\n]{0,40}?(\d{1,2})\s*min", re.I)
# Brief emotional/behavioural assessment with a scored standardized instrument (96127 per instrument).
_INSTRUMENT = re.compile(r"(?<![\w-])(PHQ-?9|PHQ-?A|GAD-?7|EPDS|Edinburgh(?: postnatal depression scale)?|PCL-?5|"
                         r"Vanderbilt|SCARED|CRAFFT|PSC-?17|ASQ-SE(?:-2)?)(?![\w-])", re.I)
_SCORED = re.compile(r"(?<![\w-])(scored|score[sd]?|administered|completed)(?![\w-])|[:=]?\s*\d{1,2}\b", re.I)
_SBI = re.compile(r"(?:screening and brief intervention|SBIRT|brief intervention)[^.\n]{0,30}?(\d{1,2})\s*min", re.I)


_ACP = re.compile(r"(?:advance care planning|(?<![\w-])ACP(?![\w-]))[^.\n]{0,60}?(\d{1,3})\s*min|"
                  r"(\d{1,3})\s*min\w*[^.\n]{0,40}?(?:advance care planning|advance directives?)", re.I)


def other_services(text: str, sentences: list[Sentence]) -> list[LineDraft]:
    out: list[LineDraft] = []
    for s in sentences:
        if s.section in ("pmh", "family_history", "medications", "allergies", "ros"):
            continue
        window = text[s.start : s.end]
        m = _NEB.search(window)
        if m and not any(d.code == "94640" for d in out) and (
                _GIVEN.search(window) or s.section == "procedure" or re.search(r"\bx\s?\d|in (?:the )?office",
                                                                             m.group(), re.I)) \
                and not _NEG_ACTION.search(window) and not re.search(r"home neb", window, re.I):
            out.append(LineDraft("94640", "neb.treatment", 0.82, evidence=[_ev(text, s)],
                                 dx_hint=("J45", "J44", "J20", "R06")))
            drug = next((code for rx, code in _NEB_DRUG if rx.search(window)), None)
            if drug:
                out.append(LineDraft(drug, "neb.drug", 0.8, evidence=[_ev(text, s)],
                                     dx_hint=("J45", "J44", "J20", "R06")))
        instruments = {i.group(1).upper().replace("-", "") for i in _INSTRUMENT.finditer(window)
                       if _SCORED.search(window, i.end(), min(len(window), i.end() + 40))}
        if instruments and s.section not in ("plan",) and not re.search(r"\b(?:recheck|repeat|next visit|"
                                                                          r"will)\b", window, re.I):
            seen = next((d for d in out if d.code == "96127"), None)
            if seen is None:
                out.append(LineDraft("96127", "screening.instrument", 0.8, units=Decimal(len(instruments)),
                                     evidence=[_ev(text, s)]))
            else:
                seen.units += len(instruments)
        sbi = _SBI.search(window)
        if sbi and not any(d.code in ("99408", "99409") for d in out) and int(sbi.group(1)) >= 15:
            out.append(LineDraft("99408" if int(sbi.group(1)) <= 30 else "99409", "counseling.alcohol_sbi", 0.82,
                                 evidence=[_ev(text, s)], dx_hint=("F10", "Z71.41")))
        idm = _INCISION_DRAINAGE.search(window)
        if idm and not any(d.code in ("10060", "10061") for d in out) and not _NEG_ACTION.search(
                window) and re.search(r"abscess|cyst|furuncle|boil|carbuncle|paronychia", text, re.I):
            code = "10061" if _COMPLICATED.search(text) and not re.search(
                r"(?<![\w-])simple(?![\w-])", text, re.I) else "10060"
            out.append(LineDraft(code, "incision_drainage", 0.84, evidence=[_ev(text, s)],
                                 dx_hint=("L02", "L72", "L05")))
        if (s.section == "procedure" or _GIVEN_NOW.search(window) or _CARE_DONE.search(window)) and \
                _BURN_CARE.search(window) and \
                _BURN_WORD.search(text) and not any(d.rule == "proc.burn_care" for d in out) and \
                not _NEG_ACTION.search(window) and not _SUPERFICIAL_BURN.search(text):
            pct = TBSA.search(text)
            share = tbsa_percent(pct) if pct else 0.0
            code = "16030" if share > 10 else "16025" if share >= 5 else "16020"
            out.append(LineDraft(code, "proc.burn_care", 0.8, evidence=[_ev(text, s)], dx_hint=("T2", "T3")))
        acp = _ACP.search(window)
        if acp and not any(d.rule == "counseling.advance_care_planning" for d in out):
            minutes = int(acp.group(1) or acp.group(2))
            if minutes >= 16:  # CPT time rule: more than half of the first 30 minutes
                out.append(LineDraft("99497", "counseling.advance_care_planning", 0.84, evidence=[_ev(text, s)],
                                     dx_hint=("Z71.89", "Z00")))
                if minutes >= 46:
                    out.append(LineDraft("99498", "counseling.advance_care_planning.additional", 0.84,
                                         units=Decimal((minutes - 46) // 30 + 1), evidence=[_ev(text, s)],
                                         dx_hint=("Z71.89", "Z00")))
        t = _TOBACCO.search(window)
        if t and not any(d.code in ("99406", "99407") for d in out):
            minutes = int(t.group(1) or t.group(2))
            if minutes > 3:
                code = "99406" if minutes <= 10 else "99407"
                out.append(LineDraft(code, "counseling.tobacco", 0.85, evidence=[_ev(text, s)],
                                     dx_hint=("F17", "Z72.0")))
    return out


# ---------------------------------------------------------------------------------- colonoscopy
_COLONOSCOPY = re.compile(r"(?<![\w-])colonoscopy(?![\w-])", re.I)
# What a colonoscopy report says and a note that only mentions one does not.
_SCOPE_REPORT = re.compile(r"(?<![\w-])(?:cecum|cecal|appendiceal orifice|ileocecal valve|terminal ileum|withdrawal "
                           r"time|(?:good|adequate|excellent|fair|poor|inadequate) prep|prep (?:was|quality)|boston "
                           r"bowel|bbps|colonoscope|scope (?:was )?(?:advanced|inserted|withdrawn)|retroflex\w*|"
                           r"polypectomy|snare|cold forceps)(?![\w-])", re.I)
_SNARE = re.compile(r"(?<![\w-])snare(?![\w-])", re.I)
_BIOPSY = re.compile(r"(?<![\w-])(biops(?:y|ies|ied)|cold forceps|forceps)(?![\w-])", re.I)
_SCREENING = re.compile(r"(?<![\w-])screening(?![\w-])", re.I)


def colonoscopy(text: str, sentences: list[Sentence], doc: EncounterDocumentation,
                notes: list[str]) -> list[LineDraft]:
    if not _SCOPE_REPORT.search(text):
        return []  # a colonoscopy mentioned (due, referred, never done) is not one reported here
    proc = [s for s in sentences if s.section in ("procedure", "other", "results", "assessment")]
    cm = None
    for s in proc:
        window = text[s.start : s.end]
        m = _COLONOSCOPY.search(window)
        if m and not _NEG_ACTION.search(window) and not NEGATED_BEFORE.search(window[: m.start()]):
            cm = s
            break
    if cm is None:
        return []
    body = " ".join(text[s.start : s.end] for s in sentences if s.section not in (
        "pmh", "family_history", "medications", "allergies", "ros"))
    snare = _SNARE.search(body)
    biopsy = _BIOPSY.search(body)
    screening = bool(_SCREENING.search(text))
    medicare = (doc.payer_category or "").lower() == "medicare"
    out: list[LineDraft] = []
    ev = [_ev(text, cm)]
    hint = ("Z12.11", "K63.5", "D12", "K57", "K64", "Z80.0", "Z86.010")
    if snare:
        out.append(LineDraft("45385", "colonoscopy.snare", 0.85, evidence=ev, dx_hint=hint))
    if biopsy:
        out.append(LineDraft("45380", "colonoscopy.biopsy", 0.85, evidence=ev, dx_hint=hint))
        if snare:
            out[-1].modifiers.append("XS")
            notes.append("biopsy and snare polypectomy: confirm separate lesions for XS")
    if not out:
        if screening and medicare:
            code = "G0121"  # the engine switches to G0105 when high-risk codes are found
            out.append(LineDraft(code, "colonoscopy.screening.medicare", 0.85, evidence=ev,
                                 dx_hint=hint))
        else:
            out.append(LineDraft("45378", "colonoscopy.diagnostic", 0.85, evidence=ev,
                                 dx_hint=hint))
    if screening:
        for line in out:
            if line.code.startswith("45"):
                line.modifiers.insert(0, "PT" if medicare else "33")
    return out
