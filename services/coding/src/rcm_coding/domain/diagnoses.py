"""Diagnosis extraction: note mentions to ICD-10-CM candidates, following outpatient guidelines.

Rules (each proposal names the one that produced it):

* ``dx.assessment``: affirmed condition/injury/symptom mentions in the assessment, plan or
  procedure sections (or, when the note has none of those, in the whole narrative).
* ``dx.symptom_for_uncertain``: when the assessment only has uncertain diagnoses ("rule out",
  "probable", "suspected" ...) the documented symptoms are coded instead (chief complaint, HPI).
* ``dx.history``: "history of" / past-history mentions of conditions with a personal-history
  code (old MI I25.2, Z85-Z87); the active disease is not coded from them.
* ``dx.family_history``: family-history mentions become Z80-Z84 codes, never the disease.
* Negated mentions ("denies chest pain") are never coded.
* Symptoms integral to a coded definitive diagnosis are dropped (dysuria with UTI).
* Combination codes (``combination.*``) and BMI/long-term drug companions (``companion.*``)
  are applied afterwards by :mod:`rcm_coding.domain.combinations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.injuries import InjuryIndex, find_injuries
from rcm_coding.domain.lexicon import Concept, Lexicon, Match, Site, variant_codes
from rcm_coding.domain.model import Evidence
from rcm_coding.domain.note_text import (
    Sentence,
    Status,
    laterality,
    mention_status,
    problem_context,
    sentence_at,
)

DEFINITIVE_SECTIONS = ("assessment", "plan", "procedure")
NARRATIVE_SECTIONS = ("chief_complaint", "hpi", "other")
HISTORY_SECTIONS = ("pmh", "social_history", "assessment", "plan", "hpi", "other",
                    "chief_complaint")
SECTION_CONFIDENCE = {
    "assessment": 0.92, "plan": 0.88, "procedure": 0.86, "chief_complaint": 0.78, "hpi": 0.74,
    "pmh": 0.8, "family_history": 0.85, "social_history": 0.78, "other": 0.72, "results": 0.7,
}
_SUBSEQUENT = re.compile(r"(?<![\w-])(subsequent encounter|follow[- ]up|f/u|suture removal|"
                         r"wound check|recheck|re-check|healing well|routine healing)(?![\w-])", re.I)
_SEQUELA = re.compile(r"(?<![\w-])(sequela|sequelae|scar|late effect)(?![\w-])", re.I)


# A review reason the engine withdraws when the visit's own service gives its reason (Z00.x, Z23).
NO_DEFINITIVE_DIAGNOSIS = "no definitive diagnosis found in the assessment"


@dataclass
class Mention:
    concept: Concept
    start: int
    end: int
    sentence: Sentence
    status: Status
    abbreviation: bool


@dataclass
class Candidate:
    """A diagnosis being assembled: code, rule, confidence and its evidence."""

    code: str
    rule: str
    confidence: float
    kind: str
    order: int  # position in the note of the first evidence, for sequencing
    evidence: list[Evidence] = field(default_factory=list)
    concept_id: str = ""
    integral_to: tuple[str, ...] = ()

    def support(self, other: Candidate) -> None:
        """Merge another mention of the same code: more evidence, a little more confidence."""
        known = {(e.start, e.end) for e in self.evidence}
        self.evidence.extend(e for e in other.evidence if (e.start, e.end) not in known)
        self.confidence = min(0.99, max(self.confidence, other.confidence) + 0.02)
        self.order = min(self.order, other.order)


# "influenza vaccine", "strep test", "COVID swab": the disease word names a product or test.
_NOT_A_DIAGNOSIS_AFTER = re.compile(
    r"\s*(?:\(\w+\)\s*)?(?:vaccine|vaccination|immunization|shot|test|testing|swab|screen|screening|"
    r"risk (?:screen|screening|assessment|factors?)|antigen|PCR|panel|titer|antibod\w*)(?![\w-])", re.I)


def find_mentions(text: str, sentences: list[Sentence], lexicon: Lexicon) -> list[Mention]:
    out: list[Mention] = []
    for m in lexicon.find(text):
        sent = sentence_at(sentences, m.start)
        if sent is None:
            continue  # a header word, not body text
        if m.concept.kind != "encounter" and _NOT_A_DIAGNOSIS_AFTER.match(text, m.end):
            continue
        out.append(Mention(m.concept, m.start, m.end, sent, mention_status(text, sent, m.start,
                                                                             m.end), m.abbreviation))
    return out


def _nearest_site(concept: Concept, text: str, m: Match | Mention) -> tuple[Site, int] | None:
    best: tuple[tuple[int, int, int], Site] | None = None
    sent = m.sentence if isinstance(m, Mention) else None
    lo, hi = (sent.start, sent.end) if sent else (m.start, m.end)
    for rank, site in enumerate(concept.sites):
        for word in site.words:
            for hit in re.finditer(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text[lo:hi],
                                   re.I):
                s, e = lo + hit.start(), lo + hit.end()
                dist = m.start - e if e <= m.start else s - m.end
                key = (abs(dist), -len(word), rank)
                if best is None or key < best[0]:
                    best = (key, site)
    return (best[1], 0) if best else None


_FUTURE_AFTER = re.compile(r"\s+(?:in|at|after)\s+(?:\d|one|two|three|a\s)", re.I)


def encounter_is_subsequent(text: str, sentences: list[Sentence]) -> bool:
    """The visit itself is for follow-up of an injury (reason for visit or HPI says so)."""
    for s in sentences:
        if s.section not in ("chief_complaint", "hpi", "other"):
            continue
        for m in _SUBSEQUENT.finditer(text, s.start, s.end):
            if not _FUTURE_AFTER.match(text, m.end()):
                return True
    return False


def resolve_codes(
    mention: Mention, text: str, icd: ICD10CMCodeSet, subsequent_visit: bool
) -> tuple[list[str], float, str]:
    """Codes for an affirmed mention, a confidence penalty and a rule suffix."""
    c = mention.concept
    window = text[mention.sentence.start : mention.sentence.end]
    penalty = 0.05 if mention.abbreviation else 0.0
    suffix = ""
    codes = variant_codes(c, window)
    if not codes:
        codes = [c.code]
    else:
        suffix = ".specificity"
    lat_map = c.lat
    if c.sites:
        found = _nearest_site(c, text, mention)
        if found is None:
            penalty += 0.35  # a site is needed for a billable code: let a coder look
            suffix += ".no_site"
        else:
            site = found[0]
            if site.code:
                codes = [site.code]
                lat_map = None
            else:
                lat_map = site.lat
            suffix += ".site"
    if lat_map:
        side = laterality(text, mention.sentence, mention.start, mention.end)
        codes = lat_map[side].split(",")
        suffix += ".laterality"
        if side == "U":
            penalty += 0.12
    if c.kind == "injury":
        # A drug's adverse effect or a poisoning (T36-T65) is "A" while it is being treated (the dose held
        # or changed), even at a follow-up visit; a healing injury's follow-up is "D".
        drug_effect = bool(codes) and bool(_DRUG_EFFECT.match(codes[0]))
        seventh = seventh_character(window, subsequent_visit and not drug_effect)
        codes = [icd.with_seventh_character(code, seventh) if icd.seven_character_values(code)
                 else code for code in codes]
        suffix += f".seventh_{seventh}"
    return codes, penalty, suffix


_DRUG_EFFECT = re.compile(r"T(?:3[6-9]|[45]\d|6[0-5])")  # poisonings, adverse effects, toxic effects


def seventh_character(window: str, subsequent_visit: bool) -> str:
    """An injury's episode: S for a sequela, D for a visit after the active treatment, else A."""
    if _SEQUELA.search(window):
        return "S"
    if subsequent_visit or any(not _FUTURE_AFTER.match(window, m.end()) for m in _SUBSEQUENT.finditer(window)):
        return "D"
    return "A"


def resolve_injuries(text: str, sentences: list[Sentence], mentions: list[Mention], cands: list[Candidate],
                     icd: ICD10CMCodeSet, index: InjuryIndex) -> list[Candidate]:
    """Injuries coded from the kind, site and side their sentence states (:mod:`injuries`): a lexicon
    injury left unsited or unspecified takes the code the titles give; an injury the lexicon does not
    know (a splinter, a burn of a degree, a bruise of a site) is added."""
    in_assessment = any(m.sentence.section in ("assessment", "plan") for m in mentions) or any(
        s.section in ("assessment", "plan") and find_injuries(text[s.start:s.end]) for s in sentences)
    allowed = ("assessment", "plan", "procedure") if in_assessment else (
        "procedure", "chief_complaint", "hpi", "other", "exam")
    subsequent_visit = encounter_is_subsequent(text, sentences)
    out = list(cands)
    for s in sentences:
        if s.section not in allowed:
            continue
        window = text[s.start : s.end]
        for found in find_injuries(window, s.start):
            if mention_status(text, s, found.start, found.end) != "affirmed":
                continue
            base = index.resolve(found.kind, problem_context(text, s, found.start))
            if base is None:
                continue
            code = icd.with_seventh_character(base, seventh_character(window, subsequent_visit))
            if not icd.is_valid(code):
                continue
            evidence = Evidence(found.start, found.end, s.section, text[found.start:found.end])
            same = next((c for c in out if c.kind == "injury" and any(
                e.start < found.end and found.start < e.end for e in c.evidence)), None)
            if same is not None:
                # The curated lexicon code stands unless it is unsited (T14) or the title says more.
                if same.code != code and (same.code.startswith("T14") or (
                        "unspecified" in icd.description(same.code).lower()
                        and "unspecified" not in icd.description(code).lower()
                        and index.size(code) >= index.size(same.code))):
                    same.code, same.rule = code, same.rule + ".injury_title"
                continue
            existing = next((c for c in out if c.code == code), None)
            conf = SECTION_CONFIDENCE.get(s.section, 0.7) - 0.04
            cand = Candidate(code, "dx.injury_title", conf, "injury", found.start, [evidence])
            if existing is not None:
                existing.support(cand)
            else:
                out.append(cand)
    out = _wound_list(text, sentences, out, icd, index, subsequent_visit)
    # One injury, one code: merged duplicates after the replacements above.
    merged: dict[str, Candidate] = {}
    for c in out:
        if c.code in merged:
            merged[c.code].support(c)
        else:
            merged[c.code] = c
    return list(merged.values())


_LENGTH_CM = re.compile(r"\d+(?:\.\d+)?\s*(?:cm|mm)(?![\w-])", re.I)


def _wound_list(text: str, sentences: list[Sentence], cands: list[Candidate], icd: ICD10CMCodeSet,
                index: InjuryIndex, subsequent_visit: bool) -> list[Candidate]:
    """A note headed by its injuries ("laceration repair x3") that lists the wounds by site and length
    without repeating the word ("1. L cheek, 1.8 cm ...") codes each listed wound; the unsited code of
    the heading gives way to them."""
    unsited = [c for c in cands if c.kind == "injury" and c.code.startswith("T14")]
    if not unsited or not sentences:
        return cands
    heading = text[sentences[0].start:sentences[0].end]
    kinds = [m.kind for m in find_injuries(heading)]
    if not kinds:
        return cands
    found: list[Candidate] = []
    for s in sentences[1:]:
        window = text[s.start:s.end]
        if not _LENGTH_CM.search(window) or find_injuries(window):
            continue
        base = index.resolve(kinds[0], window)
        if base is None:
            continue
        code = icd.with_seventh_character(base, seventh_character(window, subsequent_visit))
        if icd.is_valid(code) and all(c.code != code for c in (*cands, *found)):
            found.append(Candidate(code, "dx.injury_title.wound_list", SECTION_CONFIDENCE.get(s.section, 0.7) - 0.06,
                                   "injury", s.start, [Evidence(s.start, s.end, s.section, window)]))
    if not found:
        return cands
    return [c for c in cands if c not in unsited] + found


def _evidence(m: Mention, text: str) -> Evidence:
    return Evidence(m.start, m.end, m.sentence.section, text[m.start : m.end])


def extract_diagnoses(
    text: str, mentions: list[Mention], icd: ICD10CMCodeSet
) -> tuple[list[Candidate], list[str]]:
    """Candidates per the module rules, plus review notes (things a coder should look at)."""
    lexicon_concepts = {m.concept.id: m.concept for m in mentions}
    notes: list[str] = []
    mention_sections = {m.sentence.section for m in mentions}
    # An assessment or plan names the diagnoses. A procedure note without one names its indication in the
    # procedure paragraph, the history or (a wound, a splinter) the exam.
    has_definitive_section = bool(mention_sections & {"assessment", "plan"})
    procedure_only = not has_definitive_section and "procedure" in mention_sections
    sources: tuple[str, ...] = DEFINITIVE_SECTIONS if has_definitive_section else NARRATIVE_SECTIONS
    if procedure_only:
        sources = ("procedure", *NARRATIVE_SECTIONS)

    cands: dict[str, Candidate] = {}
    subsequent_visit = encounter_is_subsequent(text, sorted({m.sentence for m in mentions},
                                                            key=lambda s: s.start))
    family: dict[str, Candidate] = {}
    history: dict[str, Candidate] = {}

    def add(code: str, rule: str, conf: float, kind: str, m: Mention) -> None:
        cand = Candidate(code, rule, round(conf, 3), kind, m.start, [_evidence(m, text)],
                         m.concept.id, m.concept.integral_to)
        if code in cands:
            cands[code].support(cand)
        else:
            cands[code] = cand

    uncertain_in_assessment = False
    for m in mentions:
        sec = m.sentence.section
        base = SECTION_CONFIDENCE.get(sec, 0.7)
        c = m.concept
        if m.status == "negated":
            continue
        if m.status == "family":
            if c.family:
                fam = Candidate(c.family, "dx.family_history", base, "status", m.start,
                                [_evidence(m, text)], c.id)
                if c.family in family:
                    family[c.family].support(fam)
                else:
                    family[c.family] = fam
            continue
        history_context = m.status == "history" or (sec in ("pmh", "social_history") and c.history)
        if history_context:
            if c.history and sec in HISTORY_SECTIONS:
                hist = Candidate(c.history, "dx.history", base - 0.04, "status", m.start,
                                 [_evidence(m, text)], c.id)
                if c.history in history:
                    history[c.history].support(hist)
                else:
                    history[c.history] = hist
            continue
        if m.status == "uncertain":
            if sec in sources and c.kind in ("condition", "injury"):
                uncertain_in_assessment = True
            continue
        # An encounter reason may head the note ("PRE-OP PULMONARY EVALUATION", "Reason for visit: ...").
        heading = m.start < (text.find("\n") % (len(text) + 1) or len(text))
        injury_in_exam = c.kind == "injury" and sec == "exam" and not has_definitive_section
        if sec not in sources and not injury_in_exam and not (
                c.kind == "encounter" and (sec == "chief_complaint" or heading)):
            continue
        codes, penalty, suffix = resolve_codes(m, text, icd, subsequent_visit)
        rule = ("dx.assessment" if has_definitive_section or (procedure_only and sec == "procedure")
                else "dx.narrative") + suffix
        for code in codes:
            add(code, rule, base - penalty, c.kind, m)

    definitive = [c for c in cands.values() if c.kind in ("condition", "injury")]
    symptoms_in_sources = [c for c in cands.values() if c.kind == "symptom"]
    if uncertain_in_assessment and not symptoms_in_sources:
        # Outpatient rule: do not code the uncertain diagnosis; code the documented symptoms.
        for m in mentions:
            if (m.concept.kind == "symptom" and m.status == "affirmed"
                    and m.sentence.section in ("chief_complaint", "hpi", "other")):
                codes, penalty, suffix = resolve_codes(m, text, icd, subsequent_visit)
                for code in codes:
                    add(code, "dx.symptom_for_uncertain" + suffix,
                        SECTION_CONFIDENCE.get(m.sentence.section, 0.7) - penalty, "symptom", m)
        if not any(c.kind == "symptom" for c in cands.values()):
            notes.append("uncertain diagnosis documented without a codable symptom")
    if not definitive and not any(c.kind in ("symptom", "encounter") for c in cands.values()):
        notes.append(NO_DEFINITIVE_DIAGNOSIS)

    # One concept, one code: a specific variant wins over the concept's unspecified default.
    by_concept: dict[str, list[str]] = {}
    for code, cand in cands.items():
        by_concept.setdefault(cand.concept_id, []).append(code)
    for cid, codes in by_concept.items():
        concept = lexicon_concepts.get(cid)
        if concept is None or len(codes) < 2:
            continue
        # The default may carry an injury's 7th character ("T14.8XXA" for the concept's "T14.8").
        default = next((c for c in codes if c == concept.code or (
            c.startswith(concept.code) and re.fullmatch(r"X*[ADS]", c[len(concept.code):].replace(".", "")))), None)
        if default is None:
            continue
        specific = next(c for c in codes if c != default)
        cands[specific].support(cands.pop(default))
    active_concepts = {c.concept_id for c in cands.values()}
    for code, hist in history.items():
        # "quit smoking" next to "current smoker": the active condition wins over its history.
        if hist.concept_id not in active_concepts and code not in cands:
            cands[code] = hist
    for code, fam in family.items():
        # Family history is coded when it matters to this visit: named outside the FH list.
        if any(e.section != "family_history" for e in fam.evidence) and code not in cands:
            cands[code] = fam

    coded = list(cands)
    for code in coded:
        cand = cands[code]
        if cand.kind == "symptom" and any(
            other.replace(".", "").startswith(tuple(p.replace(".", "") for p in cand.integral_to))
            for other in coded
            if other != code and other in cands and cands[other].kind in ("condition", "injury")
        ):
            del cands[code]
    return list(cands.values()), notes
