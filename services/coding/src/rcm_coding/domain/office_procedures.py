"""Office procedures and in-office imaging: what a physician did today, to CPT lines.

Each rule reads one kind of procedure from the note and picks its code from what the note says
about it (count of lesions, size and site of a wound, joint size, number of X-ray views, guidance):

* ``proc.repair.{simple,intermediate,complex}``: wound repairs. Lengths are summed per repair tier
  and CPT anatomic group (simple 12001-12018, intermediate 12031-12057, complex 13100-13153 with
  their add-ons); the tier comes from the closure described (layered closure or heavy
  contamination: intermediate; debridement of wound edges, extensive undermining, retention sutures
  or exposed tendon/bone: complex). A wound's length may sit in the exam and its closure in the
  procedure paragraph; one closure statement then applies to every measured wound.
* ``proc.destruction.{benign,premalignant}``: cryotherapy/curettage of warts and other benign
  lesions (17110 up to 14, 17111 for 15 or more) or actinic keratoses (17000, 17003 each of lesions
  2-14, 17004 for 15 or more).
* ``proc.skin_tags``, ``proc.biopsy.skin``, ``proc.intralesional``, ``proc.foreign_body.*``,
  ``proc.cerumen``, ``proc.nail``, ``proc.trigger_point``, ``proc.tendon``, ``joint.injection``
  (small 20600/20604, intermediate 20605/20606, major 20610/20611 joints or bursae, by site and
  ultrasound guidance), ``service.epley``: one line each, with the count where the code counts.
* ``test.spirometry`` (94010, 94060 with a bronchodilator) and ``test.xray.*`` (in-office
  radiographs by region and number of views, interpreted here).

Minor procedures (every ``proc.`` and ``joint.`` rule, global period 0 or 10 days) include the visit
that decided on them; tests (``test.``) and ``service.`` lines do not (an E/M beside them takes modifier 25
when it is separately identifiable). Anything said to be declined, ordered, referred, scheduled, planned or done
before today is not coded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rcm_coding.domain.model import Evidence
from rcm_coding.domain.note_text import NEGATED_BEFORE, Sentence, laterality
from rcm_coding.domain.procedures import LineDraft

__all__ = ["office_procedures", "repair_lines", "SITE_INJECTION_RULES"]

# Sections where a procedure is history or a list, never today's service.
_NOT_TODAY_SECTIONS = ("pmh", "family_history", "social_history", "medications", "allergies", "ros")
_NOT_TODAY = re.compile(
    r"(?<![\w-])(?:declined|declines|refused|refuses|deferred|defer|will (?:return|schedule|consider|do|"
    r"need|obtain|order|refer|repeat|plan)|next visit|ordered|order(?:ing)?|referr(?:ed|al)|refer to|"
    r"scheduled?|planned|plan(?:s|ning)? (?:for|to)|consider(?:ing)?|candidate for|previously|prior|"
    r"last (?:year|visit|month|week)|(?:years?|months?|weeks?) ago|history of|h/o|s/p|"
    r"if (?:not|no|persists|worse|needed|recurs)|return (?:for|in)|recheck|repeat (?:in|if|at)|"
    r"next (?:injection|visit|time|dose|treatment|procedure)|may repeat|no sooner than)(?![\w-])",
    re.I)
_YEAR = re.compile(r"(?<![\w/-])(?:19|20)\d\d(?![\w/-])")
_TODAY = re.compile(r"(?<![\w-])(?:today|this visit|in (?:the )?office|in[- ]clinic|here)(?![\w-])", re.I)
# Words that say the procedure was carried out (past tense, technique, tolerance).
_DONE = re.compile(
    r"(?<![\w-])(?:performed|done|completed|removed|extracted|excised|obtained|applied|placed|injected|"
    r"administered|treated|frozen|froze|destroyed|cleared|disimpacted|drained|aspirated|irrigated|"
    r"tolerated|consent(?:ed)?|prepped|today|in[- ]office|in clinic|by me|my (?:interpretation|read|review)|"
    r"interpreted|freeze[- ]thaw|\d+ (?:lesions?|sites?) (?:treated|total))(?![\w-])", re.I)

_NUMBER_WORDS = {"one": 1, "a single": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
                 "fourteen": 14, "fifteen": 15, "sixteen": 16, "twenty": 20}
_NUM = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token.lower()]


@dataclass(frozen=True)
class Context:
    """One note as the rules read it."""

    text: str
    sentences: Sequence[Sentence]
    procedure_note: bool  # the note is headed as a procedure visit

    def window(self, s: Sentence) -> str:
        return self.text[s.start : s.end]

    def today(self) -> list[Sentence]:
        """Sentences that may describe today's services."""
        return [s for s in self.sentences if s.section not in _NOT_TODAY_SECTIONS]


def _done_today(ctx: Context, s: Sentence, m: re.Match[str]) -> bool:
    """The mention at ``m`` (relative to the sentence) is a service performed at this visit."""
    window = ctx.window(s)
    if NEGATED_BEFORE.search(window[: m.start()]):
        return False
    if _NOT_TODAY.search(window):
        return False
    if _YEAR.search(window) and not _TODAY.search(window):
        return False  # "(XR 2025)", "Tdap 2022": a date of something past
    # A note headed as a procedure visit describes today's procedure without saying "performed".
    return bool(_DONE.search(window)) or s.section == "procedure" or ctx.procedure_note


def _ev(ctx: Context, s: Sentence) -> Evidence:
    return Evidence(s.start, s.end, s.section, ctx.text[s.start : s.end])


def _side_modifier(ctx: Context, s: Sentence, m: re.Match[str]) -> list[str]:
    side = laterality(ctx.text, s, s.start + m.start(), s.start + m.end())
    return {"R": ["RT"], "L": ["LT"], "B": ["50"]}.get(side, [])


@functools.lru_cache(maxsize=64)
def _count_pattern(noun: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.-])" + _NUM + r"(?!\s*(?:mm|cm|ml|mg|mcg|g|%|-0)\b)\s+(?:[\w/-]+\s+){0,3}?(?:" +
                      noun + r")(?![\w-])|"
                      r"(?:" + noun + r")[^.\n]{0,25}?(?:x|times|total(?: of)?|number(?:ed)?:?)\s?(\d{1,2})(?![\w-])",
                      re.I)


def _count(ctx: Context, first: Sentence, noun: str) -> int | None:
    """A stated count of ``noun`` (lesions, warts, ...) in the sentence or the note's procedure text."""
    rx = _count_pattern(noun)
    for s in [first, *[x for x in ctx.today() if x is not first]]:
        m = rx.search(ctx.window(s))
        if m:
            return _number(m.group(1) or m.group(2))
    return None


def _neighbourhood(ctx: Context, s: Sentence) -> str:
    """The sentence with the one before and after it and the note's heading: where a procedure's object
    ("4 verruca vulgaris on R hand") is named when its technique is in another sentence."""
    i = list(ctx.sentences).index(s)
    parts = [ctx.sentences[j] for j in (0, i - 1, i, i + 1) if 0 <= j < len(ctx.sentences)]
    return " ".join(ctx.window(x) for x in dict.fromkeys(parts) if x.section not in _NOT_TODAY_SECTIONS)


# ------------------------------------------------------------------------------- destruction
_DESTROY = re.compile(r"(?<![\w-])(?:cryotherapy|cryosurgery|cryo|liquid nitrogen|LN2|destruction|destroyed|"
                      r"curettage|curetted|electrodesiccation|electrocautery|cauterized|freeze[- ]thaw)"
                      r"(?![\w-])", re.I)
_PREMALIGNANT = re.compile(r"(?<![\w-])(?:(?i:actinic keratos[ie]s|solar keratos[ie]s)|AKs?)(?![\w-])")
_BENIGN = re.compile(r"(?<![\w-])(?:(?i:warts?|verruca(?:e| vulgaris| plantaris)?|molluscum(?: contagiosum)?|"
                     r"seborrheic keratos[ie]s|lesions?)|SKs?)(?![\w-])")


def _destruction(ctx: Context) -> list[LineDraft]:
    for s in ctx.today():
        window = ctx.window(s)
        m = _DESTROY.search(window)
        if not m or not _done_today(ctx, s, m):
            continue
        near = _neighbourhood(ctx, s)
        pre = _PREMALIGNANT.search(near)
        if pre:
            n = _count(ctx, s, r"actinic keratos[ie]s|AKs?|lesions?|sites?") or 1
            if n >= 15:
                return [LineDraft("17004", "proc.destruction.premalignant", 0.84, evidence=[_ev(ctx, s)],
                                  dx_hint=("L57.0",))]
            out = [LineDraft("17000", "proc.destruction.premalignant", 0.84, evidence=[_ev(ctx, s)],
                             dx_hint=("L57.0",))]
            if n > 1:
                out.append(LineDraft("17003", "proc.destruction.premalignant", 0.84, units=Decimal(n - 1),
                                     evidence=[_ev(ctx, s)], dx_hint=("L57.0",)))
            return out
        if _BENIGN.search(near) is None:
            continue
        n = _count(ctx, s, r"warts?|verruca(?:e| vulgaris| plantaris)?|lesions?|molluscum|papules") or 1
        return [LineDraft("17111" if n >= 15 else "17110", "proc.destruction.benign", 0.84, evidence=[_ev(ctx, s)],
                          dx_hint=("B07", "B08.1", "L82", "L98"))]
    return []


# ------------------------------------------------------------------------------- skin
_SKIN_TAG = re.compile(r"(?<![\w-])(?:skin tags?|acrochordons?|fibroepithelial polyps?)(?![\w-])", re.I)
_SNIP = re.compile(r"(?<![\w-])(?:removed|snipped|excised|scissor|shave[sd]?|removal)(?![\w-])", re.I)
_BIOPSY = (
    ("11106", "11107", re.compile(r"(?<![\w-])incisional biops(?:y|ies)(?![\w-])", re.I)),
    ("11104", "11105", re.compile(r"(?<![\w-])punch biops(?:y|ies)(?![\w-])", re.I)),
    ("11102", "11103", re.compile(r"(?<![\w-])(?:shave|tangential|saucerization)(?: \((?:shave|tangential)\))? "
                                  r"biops(?:y|ies)(?![\w-])", re.I)),
)
_INTRALESIONAL = re.compile(r"(?<![\w-])intralesional(?:ly)?(?![\w-])", re.I)


def _skin(ctx: Context) -> list[LineDraft]:
    out: list[LineDraft] = []
    for s in ctx.today():
        window = ctx.window(s)
        m = _SKIN_TAG.search(window)
        if m and _SNIP.search(window) and _done_today(ctx, s, m) and not any(d.code == "11200" for d in out):
            n = _count(ctx, s, r"skin tags?|tags|acrochordons?|lesions?") or 1
            out.append(LineDraft("11200", "proc.skin_tags", 0.84, evidence=[_ev(ctx, s)], dx_hint=("L91.8",)))
            if n > 15:
                out.append(LineDraft("11201", "proc.skin_tags", 0.84, units=Decimal(-(-(n - 15) // 10)),
                                     evidence=[_ev(ctx, s)], dx_hint=("L91.8",)))
        m = _INTRALESIONAL.search(window)
        if m and _done_today(ctx, s, m) and not any(d.rule == "proc.intralesional" for d in out):
            n = _count(ctx, s, r"lesions?|scars?|keloids?|cysts?") or 1
            out.append(LineDraft("11901" if n > 7 else "11900", "proc.intralesional", 0.84, evidence=[_ev(ctx, s)],
                                 dx_hint=("L91.0", "L72", "L63", "L40")))
    biopsies: list[tuple[str, str, int, Sentence]] = []
    for primary, addon, rx in _BIOPSY:
        for s in ctx.today():
            m = rx.search(ctx.window(s))
            if m and _done_today(ctx, s, m):
                biopsies.append((primary, addon, _count(ctx, s, r"biops(?:y|ies)|lesions?|sites?|specimens?") or 1, s))
                break
    for i, (primary, addon, n, s) in enumerate(biopsies):
        # CPT: one primary code (the first of the most invasive technique); others as add-ons.
        if i == 0:
            out.append(LineDraft(primary, "proc.biopsy.skin", 0.82, evidence=[_ev(ctx, s)],
                                 dx_hint=("D48.5", "D22", "L82", "C44", "L98")))
            n -= 1
        if n > 0:
            out.append(LineDraft(addon, "proc.biopsy.skin", 0.82, units=Decimal(n), evidence=[_ev(ctx, s)],
                                 dx_hint=("D48.5", "D22", "L82", "C44", "L98")))
    return out


# ------------------------------------------------------------------------------- foreign body
_FOREIGN_BODY = re.compile(r"(?<![\w-])(?:foreign bod(?:y|ies)|FB|splinters?|slivers?|glass (?:shards?|fragments?|"
                           r"pieces?)|fish ?hook|thorns?|metal(?:lic)? (?:fragments?|shavings?|flecks?)|"
                           r"rust ring|bead|pebble)(?![\w-])", re.I)
_REMOVED = re.compile(r"(?<![\w-])(?:removed|removal|extracted|retrieved|taken out|out intact|burr(?:ed)?)"
                      r"(?![\w-])", re.I)
_EYE = re.compile(r"(?<![\w-])(?:cornea|corneal|conjunctiva|conjunctival|eye|eyelid|sclera|slit[- ]lamp)(?![\w-])",
                  re.I)
_CORNEA = re.compile(r"(?<![\w-])(?:cornea|corneal|rust ring)(?![\w-])", re.I)
_CORNEAL_FB = re.compile(r"(?:\bFB|foreign body|metal\w*)[^.\n;]{0,40}?\bcornea|\bcorneal\b[^.\n;]{0,20}?(?:\bFB|"
                         r"foreign body)", re.I)
_EAR = re.compile(r"(?<![\w-])(?:ear canal|external (?:auditory )?canal|ear)(?![\w-])", re.I)
_NOSE = re.compile(r"(?<![\w-])(?:nose|nostril|naris|nasal)(?![\w-])", re.I)
_COMPLICATED_FB = re.compile(r"(?<![\w-])(?:complicated|extensive dissection|deep dissection|fluoroscop\w*|"
                             r"multiple incisions)(?![\w-])", re.I)


def _foreign_body(ctx: Context) -> list[LineDraft]:
    for s in ctx.today():
        window = ctx.window(s)
        m = _FOREIGN_BODY.search(window)
        while m and NEGATED_BEFORE.search(window[: m.start()]):
            m = _FOREIGN_BODY.search(window, m.end())
        if not m or not _REMOVED.search(window) or not _done_today(ctx, s, m):
            continue
        if _EYE.search(window):
            slit = re.search(r"slit[- ]lamp", ctx.text, re.I)
            # The removal sentence may not name the site the exam gave ("Slit lamp: metallic FB R cornea";
            # "Under slit lamp, FB removed with 25g needle").
            corneal = _CORNEA.search(window) or _CORNEAL_FB.search(ctx.text)
            code = ("65222" if slit else "65220") if corneal else "65205"
            return [LineDraft(code, "proc.foreign_body.eye", 0.82, evidence=[_ev(ctx, s)], dx_hint=("T15", "S05"))]
        if _EAR.search(window):
            return [LineDraft("69200", "proc.foreign_body.ear", 0.82, evidence=[_ev(ctx, s)], dx_hint=("T16",))]
        if _NOSE.search(window):
            return [LineDraft("30300", "proc.foreign_body.nose", 0.82, evidence=[_ev(ctx, s)], dx_hint=("T17.1",))]
        code = "10121" if _COMPLICATED_FB.search(window) else "10120"
        return [LineDraft(code, "proc.foreign_body.skin", 0.84, evidence=[_ev(ctx, s)],
                          dx_hint=("S", "T14", "M79.5"))]
    return []


# ------------------------------------------------------------------------------- cerumen
_CERUMEN = re.compile(r"(?<![\w-])(?:cerumen|ear ?wax|impaction)(?![\w-])", re.I)
_INSTRUMENT = re.compile(r"(?<![\w-])(?:curette?|curetted|forceps|suction|loop|instrumentation|instrument|spoon|"
                         r"under direct visuali[sz]ation|manual(?:ly)?)(?![\w-])", re.I)
_LAVAGE = re.compile(r"(?<![\w-])(?:irrigat\w*|lavage|flush(?:ed|ing)?|elephant ear)(?![\w-])", re.I)
_BOTH_EARS = re.compile(r"(?<![\w-])(?:both ears|bilateral(?:ly)?|bilat|AU|b/l)(?![\w-])", re.I)


def _cerumen(ctx: Context) -> list[LineDraft]:
    for s in ctx.today():
        window = ctx.window(s)
        m = _CERUMEN.search(window)
        if not m or not _done_today(ctx, s, m) or not re.search(
                r"(?<![\w-])(?:removed|removal|cleared|disimpacted|extracted|irrigated|lavaged|flushed)(?![\w-])",
                window, re.I):
            continue
        if _INSTRUMENT.search(window):
            code = "69210"
        elif _LAVAGE.search(window):
            code = "69209"
        else:
            continue
        mods = ["50"] if _BOTH_EARS.search(window) else _side_modifier(ctx, s, m)
        return [LineDraft(code, "proc.cerumen", 0.84, mods, evidence=[_ev(ctx, s)], dx_hint=("H61.2",))]
    return []


# ------------------------------------------------------------------------------- nails
_NAIL = re.compile(r"(?<![\w-])(?:(?:toe)?nails?|nail plate|ingrown|onychocryptosis)(?![\w-])", re.I)
_AVULSION = re.compile(r"(?<![\w-])(?:avulsion|avulsed|removed|removal|partial nail|wedge)(?![\w-])", re.I)
_MATRIX = re.compile(r"(?<![\w-])(?:matrixectomy|phenol|matrix (?:ablat|destroy|excis)\w*|chemical matricectomy)"
                     r"(?![\w-])", re.I)


def _nail(ctx: Context) -> list[LineDraft]:
    for s in ctx.today():
        window = ctx.window(s)
        m = _NAIL.search(window)
        if not m or not _AVULSION.search(window) or not _done_today(ctx, s, m):
            continue
        if re.search(r"(?<![\w-])(?:trim(?:med)?|debrid\w*|clipp\w*)(?![\w-])", window, re.I) and not re.search(
                r"avulsion|avulsed|matrix|phenol", window, re.I):
            continue
        matrix = [m for m in _MATRIX.finditer(ctx.text) if not NEGATED_BEFORE.search(ctx.text[max(0, m.start() - 30):
                                                                                              m.start()])
                  and not re.match(r"[^.;\n]{0,12}\bnot\b", ctx.text[m.end():])]
        code = "11750" if matrix else "11730"
        return [LineDraft(code, "proc.nail", 0.82, _side_modifier(ctx, s, m), evidence=[_ev(ctx, s)],
                          dx_hint=("L60.0", "L03.0", "B35.1"))]
    return []


# ------------------------------------------------------------------------------- injections at a site
_INJECT = re.compile(r"(?<![\w-])(?:inject(?:ed|ion|ions)?|aspirat(?:ed|ion)|arthrocentesis|tapped)(?![\w-])", re.I)
_ULTRASOUND = re.compile(r"(?<![\w-])(?:ultrasound[- ]guided|under ultrasound|US[- ]guided|with ultrasound|"
                         r"ultrasound guidance|sonographic guidance)(?![\w-])", re.I)
_NO_ULTRASOUND = re.compile(r"(?<![\w-])(?:no ultrasound|without ultrasound|landmark[- ]guided|landmarks?)(?![\w-])",
                            re.I)
_JOINT_SITES = (
    # (size, site words): the most specific group is tried first.
    ("intermediate", re.compile(r"(?<![\w-])(?:wrist|elbow|ankle|acromioclavicular|AC joint|TMJ|temporomandibular|"
                                r"olecranon bursa|radiocarpal)(?![\w-])", re.I)),
    ("small", re.compile(r"(?<![\w-])(?:finger|toe|MCP|PIP|DIP|MTP|IP joint|interphalangeal|metacarpophalangeal|"
                         r"metatarsophalangeal|CMC|carpometacarpal|thumb)(?![\w-])", re.I)),
    ("major", re.compile(r"(?<![\w-])(?:knee|shoulder|hip|subacromial|glenohumeral|trochanteric|prepatellar|"
                         r"pes anserine|suprapatellar)(?![\w-])", re.I)),
)
_JOINT_CODES = {"small": ("20600", "20604"), "intermediate": ("20605", "20606"), "major": ("20610", "20611")}
_TRIGGER_POINT = re.compile(r"(?<![\w-])(?:trigger[- ]points?(?: injections?)?|TPIs?)(?![\w-])", re.I)
_TENDON_SHEATH = re.compile(r"(?<![\w-])(?:tendon sheath|trigger finger|trigger thumb|de quervain'?s?|first dorsal "
                            r"compartment|plantar fascia|plantar fasciitis|stenosing tenosynovitis)(?![\w-])", re.I)
_TENDON_ORIGIN = re.compile(r"(?<![\w-])(?:lateral epicondyl\w*|medial epicondyl\w*|tennis elbow|golfer'?s elbow|"
                            r"common extensor origin)(?![\w-])", re.I)
_CARPAL_TUNNEL = re.compile(r"(?<![\w-])carpal tunnel(?![\w-])", re.I)
_JOINT_WORD = re.compile(r"(?<![\w-])(?:joint|intra-?articular|bursa|bursal|intrabursal|arthrocentesis|aspirat\w+|"
                         r"corticosteroid injection|steroid injection|injection|injected)(?![\w-])", re.I)

# Line rules whose drug is injected at a site (the drug line stands; 96372 does not).
SITE_INJECTION_RULES = ("joint.", "proc.intralesional", "proc.trigger_point", "proc.tendon")


def _site_injections(ctx: Context) -> list[LineDraft]:
    out: list[LineDraft] = []
    for s in ctx.today():
        window = ctx.window(s)
        inj = _INJECT.search(window)
        if not inj or not _done_today(ctx, s, inj) or _INTRALESIONAL.search(window):
            continue
        if re.search(r"(?<![\w-])(?:IM|intramuscular(?:ly)?|deltoid|gluteal|subcutaneous(?:ly)?|SQ|subq)(?![\w-])",
                     window) and not _JOINT_WORD.search(window.replace(inj.group(), "", 1)):
            continue  # a systemic injection (96372), not one at a site
        if not out and _TRIGGER_POINT.search(window):
            muscles = _count(ctx, s, r"muscles?|muscle groups?") or 1
            out.append(LineDraft("20553" if muscles >= 3 else "20552", "proc.trigger_point", 0.82,
                                 evidence=[_ev(ctx, s)], dx_hint=("M79.1", "M62.8", "M54")))
            continue
        if not out and (cm := _CARPAL_TUNNEL.search(window)):
            out.append(LineDraft("20526", "proc.tendon.carpal_tunnel", 0.82, _side_modifier(ctx, s, cm),
                                 evidence=[_ev(ctx, s)], dx_hint=("G56.0",)))
            continue
        if not out and (tm := _TENDON_ORIGIN.search(window)):
            out.append(LineDraft("20551", "proc.tendon.origin", 0.82, _side_modifier(ctx, s, tm),
                                 evidence=[_ev(ctx, s)], dx_hint=("M77.0", "M77.1")))
            continue
        if not out and (sh := _TENDON_SHEATH.search(window)):
            out.append(LineDraft("20550", "proc.tendon.sheath", 0.82, _side_modifier(ctx, s, sh),
                                 evidence=[_ev(ctx, s)], dx_hint=("M65.3", "M65.4", "M72.2")))
            continue
        if any(not d.rule.startswith("joint.") for d in out) or not _JOINT_WORD.search(window):
            continue
        for size, rx in _JOINT_SITES:
            site = rx.search(window) or (None if out else _site_in_heading(ctx, rx))
            if site is None:
                continue
            guided = bool(_ULTRASOUND.search(window) or (_ULTRASOUND.search(ctx.text) and not out)) and not (
                _NO_ULTRASOUND.search(window) or (not rx.search(window) and _NO_ULTRASOUND.search(ctx.text)))
            code = _JOINT_CODES[size][1 if guided else 0]
            mods = _side_modifier(ctx, s, site) if rx.search(window) else _heading_side(ctx)
            if any(d.code == code and d.modifiers == mods for d in out):
                break  # the same joint described again
            # Each joint injected is its own line (20610-RT and 20600-LT; NCCI pairs them with XS).
            out.append(LineDraft(code, f"joint.{'aspiration' if 'aspirat' in window.lower() else 'injection'}."
                                       f"{size}", 0.85, mods, evidence=[_ev(ctx, s)],
                                 dx_hint=("M17", "M16", "M18", "M19", "M25", "M75", "M70", "M76", "M10", "M1A")))
            break
    if not out and (tp := _TRIGGER_POINT.search(_heading(ctx))):
        # A note headed "TPI visit" whose paragraphs inject the muscles without the words again.
        n_muscles = _count(ctx, ctx.sentences[0], r"muscles?|muscle groups?") if ctx.sentences else None
        if any(re.search(r"(?<![\w-])(?:into|injected|lidocaine|needle)(?![\w-])", ctx.window(x), re.I)
               for x in ctx.today()):
            out.append(LineDraft("20553" if (n_muscles or 1) >= 3 else "20552", "proc.trigger_point", 0.8,
                                 evidence=[Evidence(tp.start(), tp.end(), ctx.sentences[0].section, tp.group())],
                                 dx_hint=("M79.1", "M62.8", "M54")))
    return out


def _heading(ctx: Context) -> str:
    return ctx.text[: ctx.sentences[0].end] if ctx.sentences else ""


def _site_in_heading(ctx: Context, rx: re.Pattern[str]) -> re.Match[str] | None:
    head = _heading(ctx)
    return rx.search(head) if _INJECT.search(head) else None


def _heading_side(ctx: Context) -> list[str]:
    if not ctx.sentences:
        return []
    first = ctx.sentences[0]
    side = laterality(ctx.text, first, first.start, first.start)
    return {"R": ["RT"], "L": ["LT"], "B": ["50"]}.get(side, [])


# ------------------------------------------------------------------------------- vestibular
_EPLEY = re.compile(r"(?<![\w-])(?:epley(?: maneuver| manoeuvre)?|canalith repositioning|semont(?: maneuver)?|"
                    r"particle repositioning|BBQ roll|lempert)(?![\w-])", re.I)


def _epley(ctx: Context) -> list[LineDraft]:
    for s in ctx.today():
        m = _EPLEY.search(ctx.window(s))
        if m and _done_today(ctx, s, m) and not re.search(r"handout|at home|home (?:exercises|maneuvers)|taught",
                                                          ctx.window(s), re.I):
            return [LineDraft("95992", "service.epley", 0.84, evidence=[_ev(ctx, s)], dx_hint=("H81.1",))]
    return []


# ------------------------------------------------------------------------------- tests
_SPIROMETRY = re.compile(r"(?<![\w-])(?:spirometry|PFTs?|pulmonary function test(?:s|ing)?|FEV1)(?![\w-])", re.I)
_BRONCHODILATOR = re.compile(r"(?<![\w-])(?:pre[- ]?(?:and|/)\s?post[- ]?bronchodilator|post[- ]?bronchodilator|"
                             r"before and after (?:albuterol|bronchodilator)|bronchodilator response|reversibility)"
                             r"(?![\w-])", re.I)


def _spirometry(ctx: Context) -> list[LineDraft]:
    for s in ctx.today():
        window = ctx.window(s)
        m = _SPIROMETRY.search(window)
        if not m or not _done_today(ctx, s, m):
            continue
        if not re.search(r"in[- ]office|in clinic|today|performed|my interpretation|interpreted|done here", window,
                         re.I):
            continue
        code = "94060" if _BRONCHODILATOR.search(window) else "94010"
        return [LineDraft(code, "test.spirometry", 0.84, evidence=[_ev(ctx, s)],
                          dx_hint=("J44", "J45", "R06", "Z01.811"))]
    return []


_XRAY = re.compile(r"(?<![\w-])(?:x-?rays?|XR|CXR|radiographs?|films?|plain films?)(?![\w-])", re.I)
_VIEWS = re.compile(r"(?<![\w-])" + _NUM + r"[- ](?:views?|v)(?![\w-])|(?<![\w-])(PA and lateral|AP and lateral|"
                    r"PA/lat|AP/lat)(?![\w-])", re.I)
# (region words, [(minimum views, code), ...]) tried in order; the last band applies to more views.
_XRAY_REGIONS: tuple[tuple[re.Pattern[str], tuple[tuple[int, str], ...], int], ...] = tuple(
    (re.compile(r"(?<![\w-])(?:" + words + r")(?![\w-])", re.I), bands, default)
    for words, bands, default in (
        (r"chest|CXR", ((1, "71045"), (2, "71046"), (3, "71047"), (4, "71048")), 2),
        (r"ribs?", ((1, "71100"),), 2),
        (r"c-?spine|cervical spine", ((1, "72020"), (2, "72040"), (4, "72050"), (6, "72052")), 2),
        (r"t-?spine|thoracic spine", ((1, "72070"), (3, "72072"), (4, "72074")), 2),
        (r"l-?spine|lumbar(?: spine)?|lumbosacral", ((1, "72020"), (2, "72100"), (4, "72110"), (6, "72114")), 2),
        # The hip codes include the pelvis when performed ("AP pelvis + AP/lateral L hip"): hip first.
        (r"hip", ((1, "73501"), (2, "73502"), (4, "73503")), 2),
        (r"pelvis", ((1, "72170"), (3, "72190")), 1),
        (r"clavicle", ((1, "73000"),), 2),
        (r"shoulder", ((1, "73020"), (2, "73030")), 2),
        (r"humerus", ((1, "73060"),), 2),
        (r"elbow", ((1, "73070"), (3, "73080")), 2),
        (r"forearm|radius and ulna", ((1, "73090"),), 2),
        (r"wrist|scaphoid", ((1, "73100"), (3, "73110")), 3),
        (r"fingers?|thumb", ((1, "73140"),), 2),
        (r"hand", ((1, "73120"), (3, "73130")), 3),
        (r"knee", ((1, "73560"), (3, "73562"), (4, "73564")), 2),
        (r"tib(?:ia)?/?fib(?:ula)?|lower leg|tibia|fibula", ((1, "73590"),), 2),
        (r"ankle", ((1, "73600"), (3, "73610")), 3),
        (r"calcaneus|heel", ((1, "73650"),), 2),
        (r"toes?", ((1, "73660"),), 2),
        (r"foot|feet", ((1, "73620"), (3, "73630")), 3),
        (r"abdomen|KUB|abdominal", ((1, "74018"), (2, "74019"), (3, "74021")), 1),
    ))
_XRAY_HERE = re.compile(r"(?<![\w-])(?:in[- ]office|in clinic|here|today|my (?:interpretation|read|review)|"
                        r"interpreted by me|i (?:read|interpreted)|obtained|performed|taken|shows?|showed|reveals?|"
                        r"revealed|demonstrates?|no (?:acute )?fracture|negative for fracture)(?![\w-])", re.I)
_XRAY_ELSEWHERE = re.compile(r"(?<![\w-])(?:outside|from (?:the )?(?:ED|ER|urgent care|hospital)|ED|ER|hospital|"
                             r"radiology report|report(?:ed)? by|read by radiology|per radiology|last|prior|"
                             r"previous|old|reviewed (?:the )?(?:outside|prior))(?![\w-])", re.I)


def _xrays(ctx: Context) -> list[LineDraft]:
    out: list[LineDraft] = []
    regions: set[str] = set()
    for s in ctx.today():
        window = ctx.window(s)
        m = _XRAY.search(window)
        if not m or _XRAY_ELSEWHERE.search(window) or not _done_today(ctx, s, m) or not _XRAY_HERE.search(window):
            continue
        for rx, bands, default in _XRAY_REGIONS:
            site = rx.search(window)
            if site is None or rx.pattern in regions:
                continue
            regions.add(rx.pattern)
            v = _VIEWS.search(window)
            views = (2 if v.group(2) else _number(v.group(1))) if v else default
            code = bands[0][1]
            for minimum, band_code in bands:
                if views >= minimum:
                    code = band_code
            out.append(LineDraft(code, "test.xray", 0.84 if v else 0.72, _side_modifier(ctx, s, site),
                                 evidence=[_ev(ctx, s)]))
            break
    return out


_VISION = re.compile(r"(?<![\w-])(?:vision screen(?:ing)?|visual acuity(?: screen(?:ing)?)?|snellen|HOTV|LEA "
                     r"(?:symbols|chart)|acuity)(?![\w-])", re.I)
_PHOTOSCREEN = re.compile(r"(?<![\w-])(?:photoscreen(?:ing|er)?|instrument[- ]based vision|spot vision|plusoptix|"
                          r"automated vision screen(?:ing)?)(?![\w-])", re.I)
_ACUITY_RESULT = re.compile(r"\b20/\d{2,3}\b|(?<![\w-])(?:pass(?:ed)?|fail(?:ed)?|refer(?:red)?)(?![\w-])", re.I)
_HEARING = re.compile(r"(?<![\w-])(?:hearing screen(?:ing)?|audiometr(?:y|ic screen(?:ing)?)|pure[- ]tone "
                      r"(?:screen(?:ing)?|audiometry))(?![\w-])", re.I)
_DEVELOPMENTAL = re.compile(r"(?<![\w-])(?:ASQ(?:-3)?|ages and stages|M-?CHAT(?:-R)?(?:/F)?|PEDS (?:tool|screen)|"
                            r"developmental screen(?:ing)? (?:instrument|tool|questionnaire))(?![\w-])", re.I)
_SCORED = re.compile(r"(?<![\w-])(?:scored?|administered|completed|pass(?:ed)?|fail(?:ed)?|normal|low risk|"
                     r"negative|positive|at risk|below cutoff|above cutoff)(?![\w-])|\d", re.I)


def _screenings(ctx: Context) -> list[LineDraft]:
    """Screening tests done at the visit with a result: vision (99173 chart, 99177 instrument), hearing
    (92551 pure-tone screen), a standardized developmental instrument (96110, per instrument)."""
    out: list[LineDraft] = []
    for s in ctx.today():
        window = ctx.window(s)
        if _NOT_TODAY.search(window):
            continue
        if not any(d.rule.startswith("test.screening.vision") for d in out):
            if _PHOTOSCREEN.search(window) and _SCORED.search(window):
                out.append(LineDraft("99177", "test.screening.vision.instrument", 0.82, evidence=[_ev(ctx, s)],
                                     dx_hint=("Z00", "Z01.0")))
            elif _VISION.search(window) and _ACUITY_RESULT.search(window):
                out.append(LineDraft("99173", "test.screening.vision", 0.82, evidence=[_ev(ctx, s)],
                                     dx_hint=("Z00", "Z01.0")))
        if not any(d.code == "92551" for d in out) and _HEARING.search(window) and re.search(
                r"pass(?:ed)?|fail(?:ed)?|refer|\d+\s*(?:dB|Hz)|normal", window, re.I) and not re.search(
                r"(?<![\w-])(?:subjective|no concerns|denies)(?![\w-])", window, re.I):
            out.append(LineDraft("92551", "test.screening.hearing", 0.8, evidence=[_ev(ctx, s)],
                                 dx_hint=("Z00", "Z01.1")))
        instruments = {m.group().upper().replace("-", "")[:4] for m in _DEVELOPMENTAL.finditer(window)}
        if instruments and _SCORED.search(window) and not any(d.code == "96110" for d in out):
            out.append(LineDraft("96110", "test.screening.developmental", 0.8, units=Decimal(len(instruments)),
                                 evidence=[_ev(ctx, s)], dx_hint=("Z00", "Z13.4")))
    return out


# ------------------------------------------------------------------------------- repairs
_REPAIR = re.compile(r"(?<![\w-])(?:repair(?:ed)?|sutur(?:e|ed|es|ing)|closed|closure|dermabond|tissue adhesive|"
                     r"skin adhesive|staples?|stapled|simple interrupted|running)(?![\w-])", re.I)
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*(cm|centimeters?|mm)(?![\w-])", re.I)
_WOUND = re.compile(r"(?<![\w-])(?:lacerations?|lac|wounds?|cuts?|incisions?|avulsions?|defects?)(?![\w-])", re.I)
_COMPLEX = re.compile(r"(?<![\w-])(?:complex (?:repair|closure|layered)|debridement of (?:the )?(?:devitalized |"
                      r"necrotic )?(?:wound )?(?:edges?|margins?)|debrided (?:the )?(?:wound )?(?:edges?|margins?)|"
                      r"(?:sharp )?debridement of devitalized|extensive undermining|undermin\w+ (?:of )?(?:the )?"
                      r"(?:wound )?(?:edges?|margins?)|retention sutures?|exposed (?:bone|tendon|cartilage)|"
                      r"vermilion border (?:re-?)?approximat\w*|helical rim)(?![\w-])", re.I)
_INTERMEDIATE = re.compile(r"(?<![\w-])(?:intermediate|layered|two[- ]layer|multi-?layer|layer(?:ed)? closure|"
                           r"deep (?:dermal )?sutures?|buried (?:\d-0 )?\w* ?(?:deep )?(?:dermal )?sutures?|"
                           r"subcutaneous sutures?|subcuticular|heavily contaminated|extensive cleaning|removal of "
                           r"(?:embedded )?(?:particulate|debris|gravel))(?![\w-])", re.I)
_SIMPLE_SAID = re.compile(r"(?<![\w-])(?:simple(?: closure| repair| interrupted)?|single[- ]layer)(?![\w-])", re.I)
_NO_REPAIR = re.compile(r"(?<![\w-])(?:steri[- ]?strips? only|only steri[- ]?strips?|no (?:closure|repair|sutures?) "
                        r"(?:needed|required|indicated)|left open|healing by secondary intention|not sutured)(?![\w-])",
                        re.I)
_SUTURES_OUT = re.compile(r"(?<![\w-])(?:sutures? (?:out|removal|removed)|suture removal|remove sutures|staples? "
                          r"(?:out|removal|removed))(?![\w-])", re.I)
_ADHESIVE_ONLY = re.compile(r"(?<![\w-])(?:dermabond|tissue adhesive|skin adhesive|skin glue|glue)(?![\w-])", re.I)
# CPT anatomic groups of wound repair, by tier (a site belongs to the first group naming it).
_FACE_WORDS = r"face|facial|forehead|brow|eyebrow|eyelids?|cheek|chin|lips?|nose|nasal|ears?|mucous membrane|mouth|" \
              r"temple|jaw|mandible|malar|philtrum|vermilion"
_SITE_GROUPS = (
    ("eyelid_nose_ear_lip", r"eyelids?|nose|nasal|ears?|lips?|vermilion|philtrum|helix|helical"),
    ("forehead_cheek_chin_mouth", r"forehead|brow|eyebrow|cheek|chin|mouth|face|facial|temple|jaw|malar"),
    ("neck_hand_foot_genitalia", r"neck|hands?|palm|palmar|dorsum of (?:the )?hand|fingers?|thumb|digits?|"
                                 r"fingertip|feet|foot|toes?|sole|plantar|genitalia|scrotum|penis|labia"),
    ("scalp_arm_leg", r"scalp|arms?|forearm|elbow|upper arm|wrist|legs?|thigh|knee|shin|calf|ankle|lower extremity|"
                      r"upper extremity|extremity|hip|buttock"),
    ("trunk", r"trunk|chest|abdomen|abdominal|back|flank|shoulder|axilla|axillary|groin"),
)
_SITE_RX = tuple((name, re.compile(r"(?<![\w-])(?:" + words + r")(?![\w-])", re.I)) for name, words in _SITE_GROUPS)


# Upper bound of each length band (cm) and its code.
_Bands = tuple[tuple[float, str], ...]
_SIMPLE_BODY: _Bands = ((2.5, "12001"), (7.5, "12002"), (12.5, "12004"), (20.0, "12005"), (30.0, "12006"),
                      (1e9, "12007"))
_SIMPLE_FACE: _Bands = ((2.5, "12011"), (5.0, "12013"), (7.5, "12014"), (12.5, "12015"), (20.0, "12016"),
                      (30.0, "12017"), (1e9, "12018"))
_INTERMEDIATE_BANDS: dict[str, _Bands] = {
    "scalp_arm_leg": ((2.5, "12031"), (7.5, "12032"), (12.5, "12034"), (20.0, "12035"), (30.0, "12036"),
                            (1e9, "12037")),
    "neck_hand_foot_genitalia": ((2.5, "12041"), (7.5, "12042"), (12.5, "12044"), (20.0, "12045"),
                                       (30.0, "12046"), (1e9, "12047")),
    "face": ((2.5, "12051"), (5.0, "12052"), (7.5, "12053"), (12.5, "12054"), (20.0, "12055"),
                   (30.0, "12056"), (1e9, "12057")),
}
# Complex repair: primary code for 1.1-2.5 cm and 2.6-7.5 cm, an add-on for each further 5 cm.
_COMPLEX_CODES = {
    "trunk": ("13100", "13101", "13102"),
    "scalp_arm_leg": ("13120", "13121", "13122"),
    "forehead_cheek_chin_mouth": ("13131", "13132", "13133"),
    "neck_hand_foot_genitalia": ("13131", "13132", "13133"),
    "eyelid_nose_ear_lip": ("13151", "13152", "13153"),
}
_TIERS = ("simple", "intermediate", "complex")
# The open-wound categories a repair treats (S01 head ... S91 ankle and foot).
_OPEN_WOUNDS = ("S01", "S11", "S21", "S31", "S41", "S51", "S61", "S71", "S81", "S91")


def _site_group(window: str, near: int) -> str | None:
    """The CPT site group of the body-site word nearest ``near`` in the window."""
    best: tuple[int, str] | None = None
    for name, rx in _SITE_RX:
        for m in rx.finditer(window):
            dist = abs(m.start() - near)
            if best is None or dist < best[0]:
                best = (dist, name)
    return best[1] if best else None


_NOT_A_WOUND_LENGTH = re.compile(r"(?:undermin\w*|margins?|circumferential\w*|~|approximately)[^.;]{0,20}$|"
                                 r"\s*(?:circumferential\w*|of undermining|margins?)", re.I)


def _higher(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if _TIERS.index(a) >= _TIERS.index(b) else b


def _tier(window: str) -> str | None:
    if _COMPLEX.search(window):
        return "complex"
    if _INTERMEDIATE.search(window):
        return "intermediate"
    if _SIMPLE_SAID.search(window) or _REPAIR.search(window):
        return "simple"
    return None


def _tier_group(tier: str, group: str) -> str:
    if tier == "simple":
        return "face" if group in ("eyelid_nose_ear_lip", "forehead_cheek_chin_mouth") else "body"
    if tier == "intermediate":
        if group in ("eyelid_nose_ear_lip", "forehead_cheek_chin_mouth"):
            return "face"
        return "scalp_arm_leg" if group == "trunk" else group  # 12031-12037 include the trunk
    return group


def _repair_codes(tier: str, group: str, total_cm: float) -> list[tuple[str, Decimal]]:
    if tier == "simple":
        bands = _SIMPLE_FACE if group == "face" else _SIMPLE_BODY
        return [(next(code for upper, code in bands if total_cm <= upper + 1e-9), Decimal(1))]
    if tier == "intermediate":
        bands = _INTERMEDIATE_BANDS[group]
        return [(next(code for upper, code in bands if total_cm <= upper + 1e-9), Decimal(1))]
    first, second, addon = _COMPLEX_CODES[group]
    if total_cm <= 1.0 + 1e-9:
        return []  # complex repair codes start at 1.1 cm: a coder reports the simple or intermediate repair
    if total_cm <= 2.5 + 1e-9:
        return [(first, Decimal(1))]
    out = [(second, Decimal(1))]
    if total_cm > 7.5 + 1e-9:
        out.append((addon, Decimal(int(-(-(total_cm - 7.5) // 5)))))
    return out


@dataclass
class _Wound:
    length_cm: float
    group: str | None
    tier: str | None  # the closure said in the same sentence, if any
    evidence: Evidence


def repair_lines(text: str, sentences: Sequence[Sentence], notes: list[str],
                 medicare: bool = False) -> list[LineDraft]:
    """Wound repairs: lengths summed per tier and anatomic group, as CPT reports them."""
    ctx = Context(text, sentences, False)
    repair_note = bool(re.search(r"(?<![\w-])(?:lacerations?|repairs?|wounds?|sutur\w*)(?![\w-])", _heading(ctx), re.I))
    wounds: list[_Wound] = []
    pending: list[_Wound] = []  # wounds of the last sentence that named some, waiting for their closure
    general_tiers: list[str] = []
    stated_total: float | None = None
    any_closure = False
    adhesive_only: bool | None = None  # every closure statement is tissue adhesive alone
    evidence: list[Evidence] = []
    for s in ctx.today():
        window = ctx.window(s)
        if _NOT_TODAY.search(window) or _NO_REPAIR.search(window):
            continue
        if _YEAR.search(window) and not _TODAY.search(window):
            continue
        closes = bool(_REPAIR.search(window)) and not _SUTURES_OUT.search(window)
        described = bool(_COMPLEX.search(window) or _INTERMEDIATE.search(window))
        tier = _tier(window) if closes or described else None
        if closes:
            any_closure = True
            adhesive = bool(_ADHESIVE_ONLY.search(window))
            sutured = bool(re.search(r"sutur|staple|nylon|vicryl|monocryl|prolene|chromic|interrupted|running",
                                     window, re.I))
            adhesive_only = (adhesive_only is not False) and adhesive and not sutured
        lengths = [(m, float(m.group(1)) / (10 if m.group(2).lower() == "mm" else 1)) for m in _LENGTH.finditer(window)]
        # A wound's length sits next to its noun ("3.2 cm stellate laceration", "laceration 4.0 cm");
        # other lengths (undermining "~1 cm circumferentially", a 4-0 suture) measure something else.
        # In a repair note's numbered wound list ("1. L cheek, 1.8 cm, through dermis") a length beside a body
        # site is a wound too.
        wound_lengths = [(m, cm) for m, cm in lengths
                         if (_WOUND.search(window, max(0, m.start() - 30), min(len(window), m.end() + 40))
                             or (repair_note and _site_group(window[max(0, m.start() - 40):m.end() + 40], 40)))
                         and not _NOT_A_WOUND_LENGTH.search(window, max(0, m.start() - 25), m.start())
                         and not _NOT_A_WOUND_LENGTH.match(window, m.end())]
        if closes and re.search(r"(?<![\w-])total(?![\w-])", window, re.I) and lengths and not _WOUND.search(window):
            stated_total = sum(cm for _, cm in lengths)
            if tier and tier != "simple":
                general_tiers.append(tier)
            continue
        for m, cm in wound_lengths:
            group = _site_group(window, m.start())
            same = next((w for w in wounds if abs(w.length_cm - cm) < 1e-9 and w.group in (group, None)), None)
            if same is not None:
                # The exam measures the wound, the procedure paragraph repeats it: one wound.
                same.tier = _higher(same.tier, tier)
                same.group = same.group or group
                continue
            wounds.append(_Wound(cm, group, tier, _ev(ctx, s)))
            pending.append(wounds[-1])
        if wound_lengths:
            pending = [w for w in pending if w.evidence.start == s.start]  # this sentence's wounds wait
            continue
        if (closes or described) and tier and lengths:
            # "1) Forehead 3.5 cm - layered closure": a closure that names a measured wound by its length and
            # site is that wound's, whichever sentence measured it.
            named = [w for m, cm in lengths for w in wounds if abs(w.length_cm - cm) < 1e-9
                     and w.group in (_site_group(window, m.start()), None)]
            for w in named:
                w.tier = _higher(w.tier, tier)
            if named:
                pending = [w for w in pending if w not in named]
                continue
        if (closes or described) and tier:
            untiered = [w for w in pending if w.tier is None]
            if untiered:
                # "2. L volar forearm, 3.0 cm. Single-layer 4-0 nylon x5.": the closure after a wound is its own.
                for w in untiered:
                    w.tier = tier
                pending = []
                continue
            general_tiers.append(tier)
            evidence.append(_ev(ctx, s))
    if not wounds:
        if general_tiers and re.search(r"lacerat|wound", text, re.I):
            notes.append("repair documented without a length: the repair code needs the size")
        return []
    general: str | None = None
    for t in general_tiers if any_closure else ():
        general = _higher(general, t)
    totals: dict[tuple[str, str], tuple[float, list[Evidence]]] = {}
    for w in wounds:
        tier = w.tier or general
        if tier is None:
            continue  # a measured wound nobody closed
        if w.group is None:
            notes.append("repair documented without an anatomic site: the repair code needs it")
            continue
        key = (tier, _tier_group(tier, w.group))
        total, ev = totals.get(key, (0.0, []))
        totals[key] = (total + w.length_cm, [*ev, w.evidence, *evidence])
    if stated_total is not None and len(totals) == 1:
        key = next(iter(totals))
        totals[key] = (stated_total, totals[key][1])
    out: list[LineDraft] = []
    for (tier, group), (total, ev) in totals.items():
        if tier == "simple" and medicare and adhesive_only and len(totals) == 1:
            # Medicare pays a wound closed with tissue adhesive alone as G0168, not as a repair.
            out.append(LineDraft("G0168", "proc.repair.adhesive", 0.8, evidence=ev, dx_hint=_OPEN_WOUNDS))
            continue
        codes = _repair_codes(tier, group, total)
        if not codes:
            notes.append(f"complex repair of {total:g} cm: complex codes start at 1.1 cm; code the repair manually")
        for code, units in codes:
            out.append(LineDraft(code, f"proc.repair.{tier}", 0.85, units=units,
                                 evidence=list(dict.fromkeys(ev)), dx_hint=_OPEN_WOUNDS))
    return out


# ------------------------------------------------------------------------------- entry point
_IMPLANT = re.compile(r"(?<![\w-])(?:nexplanon|implanon|etonogestrel (?:\d+ ?mg )?implant|contraceptive implant|"
                      r"subdermal (?:contraceptive )?implant|arm implant)(?![\w-])", re.I)
_IUD = re.compile(r"(?<![\w-])(?:IUD|IUS|intrauterine (?:device|system)|mirena|liletta|kyleena|skyla|paragard|"
                  r"LNG[- ]IUD|levonorgestrel IUD|copper IUD)(?![\w-])", re.I)
_INSERTED = re.compile(r"(?<![\w-])(?:inserted|insertion|placed|placement|reinserted|reinsertion|new (?:one|implant|"
                       r"device) (?:inserted|placed))(?![\w-])", re.I)
_TAKEN_OUT = re.compile(r"(?<![\w-])(?:removed|removal|explanted|extracted|taken out)(?![\w-])", re.I)
# The device's own HCPCS supply code (the insertion code does not include it): by brand first, then by a dose
# only one device has (52 mg is both Mirena and Liletta, so it names neither).
_IUD_SUPPLY = ((re.compile(r"mirena", re.I), "J7298"), (re.compile(r"liletta", re.I), "J7297"),
               (re.compile(r"kyleena", re.I), "J7296"), (re.compile(r"skyla", re.I), "J7301"),
               (re.compile(r"paragard|copper", re.I), "J7300"),
               (re.compile(r"19\.5 ?mg", re.I), "J7296"), (re.compile(r"13\.5 ?mg", re.I), "J7301"))


# Counselling, a plan or the device's expiry, not a placement today: "discussed IUD options", "will schedule
# insertion", "valid 3 yrs (removal by 5/2029)".
_NOT_A_PLACEMENT = re.compile(r"(?<![\w-])(?:discuss\w*|counsel\w*|options|consider\w*|will|plan(?:s|ning)?|valid|"
                              r"due|by \d)(?![\w-])", re.I)
_SAME_DEVICE = re.compile(r"(?<![\w-])(?:implant|rod|device|one)(?![\w-])", re.I)


def _contraception(ctx: Context) -> list[LineDraft]:
    """Contraceptive implant (11981 insertion with its J7307 supply, 11982 removal, 11983 both) and
    IUD (58300 insertion with the device's J code, 58301 removal): a procedure done today, not counselled."""
    inserted = removed = None
    device = ""
    for s in ctx.today():
        window = ctx.window(s)
        for rx, kind in ((_IMPLANT, "implant"), (_IUD, "iud")):
            m = rx.search(window)
            if m is None and device == kind:
                # "...removed intact; new implant inserted through the same incision": the device again
                m = _SAME_DEVICE.search(window)
            if not m or NEGATED_BEFORE.search(window[:m.start()]) or _NOT_TODAY.search(window) or \
                    _NOT_A_PLACEMENT.search(window):
                continue
            device = device or kind
            if kind != device:
                continue
            if _INSERTED.search(window):
                inserted = inserted or _ev(ctx, s)
            if _TAKEN_OUT.search(window):
                removed = removed or _ev(ctx, s)
    out: list[LineDraft] = []
    if device == "implant" and (inserted or removed):
        if inserted and removed:
            code, rule = "11983", "proc.contraception.implant_replace"
        elif inserted:
            code, rule = "11981", "proc.contraception.implant_insert"
        else:
            code, rule = "11982", "proc.contraception.implant_remove"
        out.append(LineDraft(code, rule, 0.84, evidence=[e for e in (inserted, removed) if e], dx_hint=("Z30",)))
        if inserted:
            out.append(LineDraft("J7307", "proc.contraception.implant_supply", 0.84, evidence=[inserted],
                                 dx_hint=("Z30",)))
    elif device == "iud" and (inserted or removed):
        if removed:
            out.append(LineDraft("58301", "proc.contraception.iud_remove" if not inserted else
                                 "proc.contraception.iud_replace", 0.84, evidence=[removed], dx_hint=("Z30",)))
        if inserted:
            out.append(LineDraft("58300", "proc.contraception.iud_insert" if not removed else
                                 "proc.contraception.iud_replace", 0.84, evidence=[inserted], dx_hint=("Z30",)))
            supply = next((code for rx, code in _IUD_SUPPLY if rx.search(ctx.text)), None)
            if supply:
                out.append(LineDraft(supply, "proc.contraception.iud_supply", 0.82, evidence=[inserted],
                                     dx_hint=("Z30",)))
    return out


_RULES: tuple[Callable[[Context], list[LineDraft]], ...] = (
    _destruction, _skin, _foreign_body, _cerumen, _nail, _site_injections, _epley, _spirometry, _xrays,
    _screenings, _contraception,
)
_PROCEDURE_HEADING = re.compile(r"\A[^\n]{0,60}?(?<![\w-])(?:procedures?|TPI|trigger point injections?|"
                                r"laceration repair|I&D)(?![\w-])", re.I)


def office_procedures(text: str, sentences: Sequence[Sentence]) -> list[LineDraft]:
    """Lines for the office procedures and in-office imaging the note documents (repairs aside)."""
    ctx = Context(text, sentences, bool(_PROCEDURE_HEADING.search(text)))
    out: list[LineDraft] = []
    for rule in _RULES:
        out += rule(ctx)
    return out
