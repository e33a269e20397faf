"""The computer-assisted coding engine.

Usage::

    from rcm_coding.adapters.reference_data import load_engine
    engine = load_engine()                  # ~4 s: parses the full ICD-10-CM tabular once
    result = engine.code_encounter(doc)     # CodingResult

The engine is pure: it holds the loaded reference data (a :class:`CodeSetRegistry` and a
:class:`Lexicon`) and codes documentation with it. Reading the files that reference data
comes from is the job of :mod:`rcm_coding.adapters.reference_data`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rcm_coding.domain import (
    combinations,
    diagnoses,
    mdm,
    office_procedures,
    pregnancy,
    procedures,
    review_gate,
    titles,
)
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.diagnoses import Candidate
from rcm_coding.domain.edits import run_edits
from rcm_coding.domain.errors import CodeSetNotAvailableError, InvalidEncounterError
from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.injuries import InjuryIndex
from rcm_coding.domain.lexicon import Lexicon
from rcm_coding.domain.model import (
    CodingResult,
    DiagnosisProposal,
    EditFailure,
    EncounterDocumentation,
    Evidence,
    ProcedureLine,
    StructuredProcedure,
)
from rcm_coding.domain.note_text import (
    Section,
    Sentence,
    mention_status,
    problem_context,
    sentence_at,
    sides_named,
    split_sections,
    split_sentences,
)
from rcm_coding.domain.procedures import LineDraft

__all__ = ["CodingEngine", "CodingResult", "EncounterDocumentation"]

REVIEW_CONFIDENCE_THRESHOLD = 0.7
# Minor procedures whose payment includes the visit that decided on them (global surgery): no E/M is
# derived from the note's MDM unless the note documents a separately identifiable service.
_INCLUDES_VISIT = ("proc.", "joint.", "incision_drainage", "colonoscopy.")
# Frequency-limited Medicare preventive services (42 CFR 410.15, 410.16; MLN6775421).
_FREQUENCY_LIMITED = {
    "G0438": "Medicare covers the initial annual wellness visit once per lifetime, not within 12 months of an IPPE",
    "G0439": "Medicare covers a subsequent annual wellness visit once every 12 months (11 full months after the "
             "last one)",
    "G0402": "Medicare covers the IPPE once, within the first 12 months of Part B enrollment",
}
_CONTRACEPTION_DX = {
    "proc.contraception.implant_insert": "Z30.017",  # initial prescription of implantable subdermal contraceptive
    "proc.contraception.implant_replace": "Z30.46",  # surveillance: checking, reinsertion or removal
    "proc.contraception.implant_remove": "Z30.46",
    "proc.contraception.iud_insert": "Z30.430",
    "proc.contraception.iud_remove": "Z30.432",
    "proc.contraception.iud_replace": "Z30.433",
}
_IPPE_ECG = {"93000": "G0403", "93005": "G0404", "93010": "G0405"}
# In-office tests reported on their own line are not counted again as MDM data.
_TEST_NAMES = {"93000": ("ecg", "ekg"), "93005": ("ecg", "ekg"), "87880": ("strep test",), "83036": ("a1c", "hba1c"),
               "81002": ("ua", "urinalysis"), "81003": ("ua", "urinalysis"), "87804": ("flu test", "flu swab"),
               "87635": ("covid", "covid test"), "94010": ("spirometry",), "82962": ("glucose",)}


_SERVICE_ONLY_VISIT = re.compile(r"(?<![\w-])(?:nurse|injection[- ]only|vaccine[- ]only|shot[- ]only|"
                                 r"immunization[- ]only|lab[- ]only|walk[- ]in (?:vaccine|injection|shot)|"
                                 r"standing order|no provider (?:visit|encounter|evaluation)|ma visit)(?![\w-])", re.I)


# Diseases a vaccine prevents: influenza, varicella and zoster, measles, rubella, mumps, tetanus, diphtheria,
# pertussis, hepatitis, pneumococcal and meningococcal disease, COVID-19, RSV, rotavirus, polio, HPV.
_VACCINE_PREVENTABLE = re.compile(r"^(?:J09|J1[01]|B0[1256]|B26|A3[3-7]|B1[5-9]|J13|J18|A40\.3|A39|U07\.1|"
                                  r"B97\.[47]|J21|A08\.0|A80|A63\.0)")


_DISEASE_PRESENT = re.compile(r"(?<![\w-])(?:positive|pos|\+|diagnos\w*|dx|tests?|swab\w*|symptoms?|sx|fevers?|"
                              r"cough\w*|tamiflu|oseltamivir|valacyclovir|acyclovir|rash|outbreak|infection|exposed|exposure)"
                              r"(?![\w-])", re.I)


_FINDINGS_STATED = re.compile(r"(?<![\w-])(?:(?P<normal>no abnormal findings|without abnormal findings|"
                              r"w/o abnormal findings|no abnormalities found)|with abnormal findings|"
                              r"abnormal findings noted)(?![\w-])", re.I)


def _without_vaccine_diseases(cands: list[Candidate], text: str, sentences: list[Sentence]) -> list[Candidate]:
    """A disease named only in sentences about its vaccine ("Influenza, high-dose (Fluzone) given", "Shingrix
    (recombinant zoster) recommended; pt declines") is what the vaccine prevents, not a diagnosis."""
    def about_vaccine(start: int) -> bool:
        sent = sentence_at(sentences, start)
        if sent is None or _DISEASE_PRESENT.search(text, sent.start, sent.end):
            return False  # "Influenza A, rapid test positive; no flu shot this year" is the disease
        return any(abs(m.start() - start) <= 40
                   for m in procedures.VACCINE_SENTENCE.finditer(text, sent.start, sent.end))
    return [c for c in cands if not (_VACCINE_PREVENTABLE.match(c.code) and c.evidence
                                     and all(about_vaccine(e.start) for e in c.evidence))]


def _without_unspecified_siblings(cands: list[Candidate], icd: ICD10CMCodeSet) -> list[Candidate]:
    """An unspecified code beside a specific code of its own category ("pink eye" H10.9 beside "acute
    mucopurulent conjunctivitis R eye" H10.021) is the same problem said twice: the specific code stays."""
    def unspecified(code: str) -> bool:
        return "unspecified" in icd.description(code).lower()
    return [c for c in cands if not (unspecified(c.code) and any(
        o.code != c.code and o.code[:3] == c.code[:3] and not unspecified(o.code) for o in cands))]


def _without_excluded_symptoms(cands: list[Candidate], icd: ICD10CMCodeSet) -> list[Candidate]:
    """A symptom code that an Excludes1 note bars beside a proposed diagnosis (R42 vertigo with H81.1 BPPV)
    is the diagnosis's own symptom, not coded with it (guideline I.B.4-5); the diagnosis stays."""
    definitive = [c for c in cands if not c.code.startswith(("R", "Z"))]
    drop: set[str] = set()
    for symptom in (c for c in cands if c.code.startswith("R")):
        for d in definitive:
            if any(ref.matches(d.code) for _, ref in icd.excludes1_refs(symptom.code)) or any(
                    ref.matches(symptom.code) for _, ref in icd.excludes1_refs(d.code)):
                drop.add(symptom.code)
    return [c for c in cands if c.code not in drop]


def _problem_line(text: str, sentences: list[Sentence], pos: int) -> str:
    sentence = sentence_at(sentences, pos)
    return problem_context(text, sentence, pos) if sentence is not None else ""


def _kind(code: str) -> str:
    return "symptom" if code.startswith("R") else "injury" if code.startswith(("S", "T")) else "condition"


def _tests_reported(drafts: list[LineDraft]) -> list[str]:
    return [name for d in drafts for name in _TEST_NAMES.get(d.code, ())]
# Lines for which an E/M on the same day needs modifier 25 (minor procedures and injections).
_NEEDS_25_WITH = re.compile(r"^(96372|90471|G000[89]|G0010|94640|10060)$")
_NEEDS_25_RULES = ("proc.", "joint.", "service.")
# Procedures whose line must point at a diagnosis of the kind they treat (their ``dx_hint``).
_NEEDS_DIAGNOSIS = ("proc.", "joint.", "service.", "incision_drainage", "colonoscopy.")


@dataclass
class CodingEngine:
    """Codes one encounter's documentation with loaded reference data (no I/O)."""

    registry: CodeSetRegistry
    lexicon: Lexicon
    # Title indexes of the releases used so far (built on first use: the lexicon covers most notes).
    _titles: dict[str, titles.TitleIndex] = field(default_factory=dict, repr=False, compare=False)
    _injuries: dict[str, InjuryIndex] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------------------------
    def code_encounter(self, doc: EncounterDocumentation) -> CodingResult:
        """Propose diagnoses and service lines for one encounter, run the edits, and decide
        whether a coder must review it."""
        if doc.patient_sex not in ("F", "M", "U"):
            raise InvalidEncounterError(f"patient_sex must be F, M or U (got {doc.patient_sex!r})")
        try:
            icd = self.registry.icd10cm_for(doc.date_of_service)
        except CodeSetNotAvailableError as exc:
            failure = EditFailure("CODESET_UNAVAILABLE", (), str(exc))
            return CodingResult((), (), (failure,), True, (str(exc),), {})
        text = doc.note_text
        age = doc.age_on_service_date()
        notes: list[str] = []
        sections = split_sections(text)
        sentences = split_sentences(text, sections)

        # --- procedures first: some imply diagnoses (Z23 for vaccines) and principal order
        drafts: list[LineDraft] = []
        drafts += procedures.evaluation_and_management(text, sentences, doc, notes)
        drafts += procedures.vaccines(text, sentences, doc)
        drafts += procedures.labs(text, sentences)
        drafts += procedures.ecg(text, sentences)
        medicare = (doc.payer_category or "").lower() == "medicare"
        drafts += office_procedures.repair_lines(text, sentences, notes, medicare=medicare)
        drafts += office_procedures.office_procedures(text, sentences)
        drafts += procedures.injections(text, sentences, at_site=any(
            d.rule.startswith(office_procedures.SITE_INJECTION_RULES) for d in drafts))
        drafts += procedures.other_services(text, sentences)
        drafts += procedures.colonoscopy(text, sentences, doc, notes)
        drafts = self._merge_structured_procedures(drafts, doc.structured_procedures, notes)
        if any(d.code in ("G0438", "G0439", "G0402") for d in drafts):
            # Visual acuity screening is an element of the IPPE and the AWV's review, not its own line.
            drafts = [d for d in drafts if not d.rule.startswith("test.screening.vision")]
            # Medicare's wellness visits include their health-risk screening: a scored depression
            # instrument is the annual depression screening G0444 with a subsequent AWV, never 96127.
            instrument = next((d for d in drafts if d.code == "96127"), None)
            if instrument is not None:
                drafts.remove(instrument)
                if any(d.code == "G0439" for d in drafts):
                    drafts.append(LineDraft("G0444", "screening.depression.medicare", 0.8,
                                            evidence=list(instrument.evidence)))
            if any(d.code == "G0402" for d in drafts):
                # The IPPE's screening ECG is its own Level II code (G0403 tracing with interpretation,
                # G0404 tracing only, G0405 interpretation only), never 93000-93010.
                for d in drafts:
                    if d.rule == "ecg.in_office":
                        d.code = _IPPE_ECG[d.code]
                        d.rule = "ecg.ippe_screening"

        # --- diagnoses
        mentions = diagnoses.find_mentions(text, sentences, self.lexicon)
        cands, dx_notes = diagnoses.extract_diagnoses(text, mentions, icd)
        notes += dx_notes
        cands = diagnoses.resolve_injuries(text, sentences, mentions, cands, icd, self._injury_index(icd))
        if any(c.kind in ("condition", "injury") for c in cands):
            notes = [n for n in notes if n != diagnoses.NO_DEFINITIVE_DIAGNOSIS]
        cands += self._titled_problems(text, sections, sentences, mentions, cands, drafts, icd)
        cands = _without_vaccine_diseases(cands, text, sentences)
        cands = combinations.apply_combinations(cands, icd)
        cands = combinations.add_companions(cands, text, sentences, age, icd)
        first: list[str] = []
        pregnancy_first: list[str] = []
        if doc.patient_sex != "M" and (age is None or 9 <= age <= 60):
            # Only a patient who can be pregnant: "G2211" or "RTC 6 wks" in a 72-year-old man's note is no
            # pregnancy (the maternity age and sex edits would catch it, after the fact).
            cands, pregnancy_first, pregnancy_notes = pregnancy.apply(text, cands, icd)
            notes += pregnancy_notes
        preventive = next((d for d in drafts if d.rule.startswith(("em.preventive", "em.awv"))), None)
        if preventive is not None:
            cands.append(self._preventive_dx(preventive, cands, age, text))
            first.append(cands[-1].code)
        screening = next((d for d in drafts if d.code == "G0444"), None)
        if screening is not None and not any(c.code == "Z13.31" for c in cands):
            # The annual depression screening is billed with its screening encounter (Z13.31).
            cands.append(Candidate("Z13.31", "dx.screening_depression", 0.85, "status", 10**9 - 1,
                                   list(screening.evidence)))
        contraception = next((d for d in drafts if d.rule in _CONTRACEPTION_DX), None)
        if contraception is not None and not any(c.code.startswith("Z30") for c in cands):
            # The encounter for the contraceptive procedure is the visit's reason (Z30.x), first-listed.
            cands.append(Candidate(_CONTRACEPTION_DX[contraception.rule], "dx.contraception_encounter", 0.85,
                                   "encounter", -1, list(contraception.evidence)))
            first.append(cands[-1].code)
        vaccine_lines = [d for d in drafts if d.rule.startswith("vaccine.")]
        if vaccine_lines:
            cands.append(Candidate("Z23", "dx.immunization_encounter", 0.9, "status",
                                   10**9, list(vaccine_lines[0].evidence)))
            if len(drafts) == len(vaccine_lines):
                first.insert(0, "Z23")  # vaccine-only visit: the immunization is the reason
        if any(d.code in ("45378", "45380", "45385", "G0121", "G0105") for d in drafts) and any(
                c.code == "Z12.11" for c in cands):
            first.insert(0, "Z12.11")
        if any(c.code.startswith(("Z80.0", "Z86.010", "K50", "K51")) for c in cands):
            for d in drafts:
                if d.code == "G0121":  # Medicare screening colonoscopy, high-risk patient
                    d.code, d.rule = "G0105", "colonoscopy.screening.medicare.high_risk"
        if preventive is not None or vaccine_lines or contraception is not None:
            # A preventive or immunization visit has its reason in the service itself (Z00.x, Z23);
            # an assessment without a condition is what such a note looks like, not a gap.
            notes = [n for n in notes if n != diagnoses.NO_DEFINITIVE_DIAGNOSIS]
        cands = self._refined(text, sentences, cands, icd)
        cands = _without_excluded_symptoms(cands, icd)
        cands = _without_unspecified_siblings(cands, icd)
        cands = self._merge_structured_diagnoses(cands, doc.structured_diagnoses, icd, notes)
        status_codes = {c.code for c in cands if c.kind == "status"}
        ordered = combinations.sequence(cands, icd, [*pregnancy_first, *first])
        dx = tuple(
            DiagnosisProposal(c.code, icd.description(c.code), c.rule, round(c.confidence, 3),
                              tuple(sorted(c.evidence, key=lambda e: e.start)))
            for c in ordered
        )

        # --- the visit's level from its MDM elements, when the note names none
        section_names = {sec.name for sec in sections}
        has_assessment = bool(section_names & {"assessment", "plan"})
        # A history, an exam, or an assessment outside a procedure note or a nurse visit: the
        # physician or QHP evaluated the patient.
        evaluated = bool(section_names & {"hpi", "exam", "ros"}) or (
            ("assessment" in section_names or section_names <= {"other"})  # a note without headers at all
            and "procedure" not in section_names and not _SERVICE_ONLY_VISIT.search(text))
        includes_visit = any(d.rule.startswith(_INCLUDES_VISIT) for d in drafts)
        other_visit = any(d.rule.startswith(("em.preventive", "em.nurse", "em.awv")) for d in drafts)
        separate = bool(procedures.SEPARATELY_IDENTIFIABLE.search(text))
        # A minor procedure's payment includes the decision to do it; a problem it does not treat, assessed
        # and managed in the assessment or plan, is a separately identifiable E/M (modifier 25).
        treated = tuple(h for d in drafts if d.rule.startswith(_INCLUDES_VISIT) for h in d.dx_hint)
        unrelated = [d for d in dx if includes_visit and not other_visit and treated
                     and not d.code.startswith(("Z", *treated)) and not (len(d.code) == 8 and d.code.endswith("S"))
                     and any(e.section in ("assessment", "plan") for e in d.evidence)]
        if (not any(d.rule.startswith("em.office") for d in drafts)
                and ((evaluated and ((not includes_visit and not other_visit) or separate)) or unrelated)):
            # Status codes (Z, an old MI) are history, not problems addressed at this visit.
            problems = [mdm.Problem(d.code, _kind(d.code), d.rule.startswith("dx.symptom_for_uncertain"),
                                    d.evidence) for d in (unrelated or dx)
                        if not d.code.startswith("Z") and d.code not in status_codes]
            if problems:
                decision = mdm.decision_making(text, sentences, problems,
                                               separately_reported=_tests_reported(drafts))
                office = procedures.office_visit_from_decision_making(text, sentences, decision, notes)
                if other_visit or includes_visit:
                    office.modifiers.append("25")
                drafts.insert(0, office)

        # --- lines: modifier 25, add-ons, pointers
        em = [d for d in drafts if d.rule.startswith("em.office")]
        if em and any(_NEEDS_25_WITH.match(d.code) or d.rule.startswith(_NEEDS_25_RULES) for d in drafts):
            for d in em:
                if "25" not in d.modifiers:
                    d.modifiers.append("25")
        for office in em[:1]:
            drafts += procedures.prolonged_and_complexity_add_ons(text, sentences, doc, office)
        if any(d.rule.startswith("em.awv") for d in drafts):
            for d in drafts:
                if d.rule == "counseling.advance_care_planning" and "33" not in d.modifiers:
                    d.modifiers.append("33")  # voluntary ACP with the AWV: no cost sharing (CMS)
        lines = tuple(self._line(d, dx) for d in drafts)

        failures = tuple(run_edits([d.code for d in dx], lines, date_of_service=doc.date_of_service,
                                   patient_age=age, patient_sex=doc.patient_sex,
                                   reference=self.registry))
        reasons = list(dict.fromkeys(notes))
        for f in failures:
            reasons.append(f"edit {f.edit_id}: {f.reason}")
        proposed: list[DiagnosisProposal | ProcedureLine] = [*dx, *lines]
        for p in proposed:
            if p.confidence < REVIEW_CONFIDENCE_THRESHOLD:
                reasons.append(f"low confidence {p.confidence:.2f} for {p.code} ({p.rule})")
        if not dx:
            reasons.append("no diagnosis proposed")
        for ln in lines:
            if ln.code in _FREQUENCY_LIMITED:
                # Medicare pays these once in a period the note cannot prove (no claims history here).
                reasons.append(f"{ln.code}: {_FREQUENCY_LIMITED[ln.code]}; the claims history that shows "
                               "eligibility is not in the note: coder to confirm")
        for proposal in dx:
            if ".laterality" in proposal.rule or proposal.rule.startswith("dx.injury"):
                sent = next((sentence_at(sentences, e.start) for e in proposal.evidence), None)
                if sent is not None and {"R", "L"} <= sides_named(text, sent):
                    # "R knee pain, L knee normal": the side came from the nearest word, which a coder confirms.
                    reasons.append(f"{proposal.code}: its sentence names both sides; coder to confirm the side")
        reasons += review_gate.gate_reasons(
            text, sections,
            coded=[review_gate.Span(e.start, e.end) for d in dx for e in d.evidence],
            recognised=[review_gate.Span(m.start, m.end) for m in mentions],
            services=[review_gate.Span(e.start, e.end) for ln in lines for e in ln.evidence],
            narrative_only=any(d.rule.startswith("dx.narrative") for d in dx),
            procedure_note=any(sec.name == "procedure" for sec in sections)
            and any(not ln.rule.startswith("em.") for ln in lines),
            # Every proposed condition, injury or symptom has evidence in the assessment or plan (of a note
            # that has one); Z codes (encounter reasons from the indication, status, family and personal
            # history, Z68/Z79 companions) are grounded where their own sections put them.
            ungrounded=[d.code for d in dx if (d.rule.startswith("dx.symptom_for_uncertain") or (
                has_assessment and d.rule.startswith(("dx.assessment", "dx.narrative")) and d.code[0] != "Z"))
                        and not any(e.section in review_gate.GROUNDED_SECTIONS for e in d.evidence)],
            derived_visit=next((ln.code for ln in lines if ln.rule == "em.office.mdm_elements"), None),
            sentences=[(st.start, st.end, st.section) for st in sentences],
            coded_titles=[d.description for d in dx] + [ln.description for ln in lines],
            line_rules=[ln.rule for ln in lines],
            # A nurse visit for a vaccine or an injection bills the service alone (no E/M).
            # A visit for a vaccine, an injection or a test alone bills the service, no E/M: a nurse
            # visit, or one whose only diagnoses are encounter codes (Z23, "encounter for immunization").
            only_services=bool(lines) and all(ln.rule.startswith(("vaccine.", "injection.", "lab.")) for ln in lines)
            and (bool(_SERVICE_ONLY_VISIT.search(text)) or all(d.code.startswith("Z") for d in dx)),
            has_visit_line=any(ln.rule.startswith("em.") for ln in lines),
            has_procedure_line=any(ln.rule.startswith(_INCLUDES_VISIT) for ln in lines),
            unsupported_lines=[d.code for d in drafts if d.rule.startswith(_NEEDS_DIAGNOSIS) and d.dx_hint
                               and not any(p.code.startswith(d.dx_hint) for p in dx)],
            family_history=[review_gate.Span(m.start, m.end) for m in mentions
                            if (m.status == "family" or m.sentence.section == "family_history")
                            and m.concept.family],
            preventive_with_problems=preventive is not None and not any(
                ln.rule.startswith("em.office") for ln in lines) and any(
                d.code[0] not in "Z" and d.rule.startswith("dx.") for d in dx),
        )
        reasons = list(dict.fromkeys(reasons))
        return CodingResult(dx, lines, failures, bool(reasons), tuple(reasons),
                            {"icd10cm": icd.version})

    def warm(self, date_of_service: date) -> None:
        """Build what the first note of a date of service would otherwise build (the release's title
        index, about a second): a service calls this in the background once its code sets are loaded."""
        try:
            icd = self.registry.icd10cm_for(date_of_service)
            self._title_index(icd)
            self._injury_index(icd)
        except CodeSetNotAvailableError:
            return

    # ------------------------------------------------------------------------------------
    def _injury_index(self, icd: ICD10CMCodeSet) -> InjuryIndex:
        index = self._injuries.get(icd.version)
        if index is None:
            index = self._injuries[icd.version] = InjuryIndex.build(icd)
        return index

    def _title_index(self, icd: ICD10CMCodeSet) -> titles.TitleIndex:
        index = self._titles.get(icd.version)
        if index is None:
            index = self._titles[icd.version] = titles.TitleIndex.build(icd)
        return index

    def _refined(self, text: str, sentences: list[Sentence], cands: list[Candidate],
                 icd: ICD10CMCodeSet) -> list[Candidate]:
        """An unspecified code whose problem line states more (a side, a site, a type) becomes the code of its
        category that says all of it (see :meth:`titles.TitleIndex.refine`)."""
        open_codes = [c for c in cands if c.kind in ("condition", "symptom") and c.rule.startswith("dx.")
                      and ".specificity" not in c.rule and not c.rule.startswith("dx.code_set_title")]
        if not open_codes:
            return cands
        index = self._title_index(icd)
        known = {c.code for c in cands}
        for c in open_codes:
            context = " ".join(dict.fromkeys(_problem_line(text, sentences, e.start) for e in c.evidence))
            better = index.refine(c.code, context)
            if better is not None and better not in known:
                known.discard(c.code)
                known.add(better)
                c.code, c.rule = better, c.rule + ".title_specificity"
                # Chosen by the words of a title, not a curated rule: a coder confirms it.
                c.confidence = min(c.confidence, REVIEW_CONFIDENCE_THRESHOLD - 0.01)
        return cands

    def _titled_problems(self, text: str, sections: list[Section], sentences: list[Sentence],
                         mentions: list[diagnoses.Mention], cands: list[Candidate], drafts: list[LineDraft],
                         icd: ICD10CMCodeSet) -> list[Candidate]:
        """Assessment problems the lexicon did not explain, written as the title of a billable code."""
        items = review_gate.assessment_items(text, sections)
        if not items:
            return []
        spans = review_gate.Span
        gaps = review_gate.unaccounted_items(
            text, items, coded=[spans(e.start, e.end) for c in cands for e in c.evidence],
            recognised=[spans(m.start, m.end) for m in mentions],
            services=[spans(e.start, e.end) for d in drafts for e in d.evidence],
            coded_words=frozenset(titles.stem(w) for c in cands
                                  for w in re.findall(r"[A-Za-z]{4,}", icd.description(c.code))))
        if not gaps:
            return []
        index = self._title_index(icd)
        known = {c.code for c in cands}
        found: list[Candidate] = []
        for item in gaps:
            start, end = review_gate.problem_head(text, item)
            sentence = sentence_at(sentences, start)
            if sentence is None or mention_status(text, sentence, end - 1, end) != "affirmed":
                continue  # "possible ...", "history of ...", "no ...": not the patient's condition today
            code = index.match(text[start:end], review_gate.NEUTRAL_STEMS)
            if code is None or code in known:
                continue
            kind = "symptom" if code.startswith("R") else "status" if code.startswith("Z") else "condition"
            found.append(Candidate(code, "dx.code_set_title", REVIEW_CONFIDENCE_THRESHOLD - 0.01, kind, start,
                                   [Evidence(start, end, sentence.section, text[start:end])]))
            known.add(code)
        return found

    @staticmethod
    def _preventive_dx(line: LineDraft, cands: list[Candidate], age: int | None, text: str) -> Candidate:
        abnormal = any(c.kind in ("condition", "symptom", "injury") for c in cands)
        stated = _FINDINGS_STATED.search(text)
        if stated:  # the physician's own word on the exam's findings wins
            abnormal = stated.group("normal") is None
        if age is not None and age < 18:
            code = "Z00.121" if abnormal else "Z00.129"
        else:
            code = "Z00.01" if abnormal else "Z00.00"
        return Candidate(code, "dx.preventive_encounter", 0.85, "encounter", -1,
                         list(line.evidence))

    def _line(self, d: LineDraft, dx: tuple[DiagnosisProposal, ...]) -> ProcedureLine:
        codes = [p.code for p in dx]
        pointers: list[int] = []
        for prefix in d.dx_hint:
            for i, c in enumerate(codes, start=1):
                if c.startswith(prefix) and i not in pointers:
                    pointers.append(i)
        if not pointers:
            skip = ("Z23", "Z68", "Z79", "Z80", "Z81", "Z82", "Z83", "Z84", "Z85", "Z86", "Z87")
            pointers = [i for i, c in enumerate(codes, start=1) if not c.startswith(skip)]
            if not pointers and codes:
                pointers = [1]
        return ProcedureLine(d.code, self.describe(d.code), d.rule, round(d.confidence, 3), tuple(d.modifiers),
                             d.units, tuple(pointers[:4]),
                             tuple(sorted(d.evidence, key=lambda e: e.start)))

    def _merge_structured_procedures(
        self, drafts: list[LineDraft], entered: tuple[StructuredProcedure, ...], notes: list[str]
    ) -> list[LineDraft]:
        for sp in entered:
            code = sp.code.strip().upper()
            if self.registry.procedure(code) is None:
                notes.append(f"clinician-entered procedure {code} is not a known CPT/HCPCS code")
                continue
            match = next((d for d in drafts if d.code == code), None)
            if match:
                match.confidence = min(0.99, match.confidence + 0.05)
                match.rule += "+structured"
                for mod in sp.modifiers:
                    if mod not in match.modifiers:
                        match.modifiers.append(mod)
            else:
                notes.append(f"clinician-entered procedure {code} is not supported by the note")
                drafts.append(LineDraft(code, "structured.clinician_entered", 0.6,
                                        list(sp.modifiers), sp.units))
        return drafts

    @staticmethod
    def _merge_structured_diagnoses(
        cands: list[Candidate], entered: tuple[str, ...], icd: ICD10CMCodeSet, notes: list[str]
    ) -> list[Candidate]:
        by = {c.code: c for c in cands}
        for raw in entered:
            code = icd.normalize(raw)
            if not icd.is_valid(code):
                notes.append(f"clinician-entered diagnosis {raw} is not a valid ICD-10-CM code")
                continue
            if not icd.is_billable(code):
                notes.append(f"clinician-entered diagnosis {code} is not billable (needs more "
                             "characters)")
                continue
            if code in by:
                by[code].confidence = min(0.99, by[code].confidence + 0.05)
                by[code].rule += "+structured"
            else:
                notes.append(f"clinician-entered diagnosis {code} is not supported by the note")
                by[code] = Candidate(code, "structured.clinician_entered", 0.6, "condition",
                                     10**8, [])
        return list(by.values())

    def describe(self, code: str) -> str:
        """Our label for a procedure code (never an AMA descriptor)."""
        proc = self.registry.procedure(code)
        return proc.label if proc else ""
