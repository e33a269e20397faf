"""Combination codes, required companions and sequencing of the diagnosis list.

* ``combination.diabetes_ckd``: diabetes + CKD → E1x.22 (the guideline's "with" presumes the
  link) and the N18 stage stays as the use-additional code.
* ``combination.diabetes_neuropathy``: diabetes + peripheral neuropathy → E1x.42.
* ``combination.hypertensive_ckd`` / ``..._heart`` / ``..._heart_ckd``: hypertension with CKD
  and/or heart failure → I12/I11/I13 (plus the N18 stage and the I50 type).
* ``companion.bmi``: BMI value → Z68.x, only with a weight diagnosis (adult or pediatric band).
* ``companion.long_term_drug``: insulin Z79.4, oral hypoglycemics Z79.84, anticoagulants Z79.01.
"""

from __future__ import annotations

import re

from rcm_coding.domain.diagnoses import Candidate
from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.model import Evidence
from rcm_coding.domain.note_text import TBSA, Sentence, sentence_at, tbsa_percent

_BMI = re.compile(r"(?<![\w-])BMI\s*(?:of|is|was|=|:)?\s*(\d{1,2}(?:\.\d+)?)", re.I)
_BMI_PCT = re.compile(r"(?<![\w-])BMI(?:[^.\n]|\.(?=\d)){0,40}?(?<![\d.])(\d{1,3})(?:st|nd|rd|th)?\s*"
                      r"(?:percentile|%ile)", re.I)
# Severe pediatric obesity is graded by the BMI as a percentage of the 95th percentile (FY2025 Z68.54-Z68.56).
_PCT_OF_95 = re.compile(r"(\d{2,3})\s*%\s*of (?:the )?95th(?: percentile)?", re.I)
_INSULIN = re.compile(r"(?<![\w-])(insulin|lantus|glargine|levemir|detemir|humalog|lispro|"
                      r"novolog|aspart|tresiba|degludec|basaglar|toujeo)(?![\w-])", re.I)
_ORAL_DM = re.compile(r"(?<![\w-])(metformin|glipizide|glyburide|glimepiride|sitagliptin|"
                      r"januvia|pioglitazone|empagliflozin|jardiance|dapagliflozin|farxiga|"
                      r"linagliptin|tradjenta)(?![\w-])", re.I)
# Injectable non-insulin antidiabetic drugs (GLP-1 and GIP/GLP-1 agonists): Z79.85, not Z79.84 (oral).
_INJECTABLE_DM = re.compile(r"(?<![\w-])(?:semaglutide|ozempic|dulaglutide|trulicity|liraglutide|victoza|"
                            r"tirzepatide|mounjaro|exenatide|byetta|bydureon|pramlintide|symlin)(?![\w-])", re.I)
_ORAL_FORM = re.compile(r"(?<![\w-])(?:rybelsus|oral semaglutide|semaglutide (?:\d+ ?mg )?(?:tab|tablet|po|oral))",
                        re.I)
_THIRD_TBSA = re.compile(r"(\d{1,2})\s*%\s*(?:third[- ]degree|full[- ]thickness)", re.I)
_ANTICOAG = re.compile(r"(?<![\w-])(apixaban|eliquis|rivaroxaban|xarelto|warfarin|coumadin|"
                       r"dabigatran|pradaxa|edoxaban)(?![\w-])", re.I)
# Menopausal hormone therapy (Z79.890), taken long term: estradiol, conjugated estrogens, HRT.
_HRT = re.compile(r"(?<![\w-])(?:estradiol|estrogens?|premarin|conjugated estrogens|HRT|MHT|hormone replacement|"
                  r"menopausal hormone therapy|estrace|vivelle|climara|divigel|activella|prempro)(?![\w-])", re.I)
_NOT_TAKING = re.compile(r"(?<![\w-])(stop|stopped|discontinue|discontinued|hold|declines|"
                         r"not on|off|consider|considering|may need|if)(?![\w-])", re.I)


def _take(cands: dict[str, Candidate], code: str) -> Candidate | None:
    return cands.pop(code, None)


def _merge(rule: str, code: str, parts: list[Candidate]) -> Candidate:
    ev: list[Evidence] = []
    for p in parts:
        ev.extend(p.evidence)
    return Candidate(code, rule, round(min(p.confidence for p in parts), 3), "condition",
                     min(p.order for p in parts), ev, parts[0].concept_id)


def apply_combinations(cands: list[Candidate], icd: ICD10CMCodeSet) -> list[Candidate]:
    by = {c.code: c for c in cands}
    ckd = sorted((c for c in by if c.startswith("N18")), key=_ckd_rank)
    if len(ckd) > 1:  # keep the most specific/highest stage documented
        for extra in ckd[:-1]:
            by[ckd[-1]].support(by.pop(extra))
        ckd = ckd[-1:]
    hf = [c for c in by if c.startswith("I50")]
    for prefix in ("E10", "E11"):
        dm = [c for c in by if c.startswith(prefix)]
        if not dm:
            continue
        if ckd and f"{prefix}.22" not in by:
            by[f"{prefix}.22"] = _merge("combination.diabetes_ckd", f"{prefix}.22",
                                        [by[dm[0]], by[ckd[0]]])
        if "G62.9" in by:
            neuro = by.pop("G62.9")
            if f"{prefix}.42" in by:
                by[f"{prefix}.42"].support(neuro)
            elif f"{prefix}.40" in by:
                by[f"{prefix}.40"].support(neuro)
            else:
                by[f"{prefix}.42"] = _merge("combination.diabetes_neuropathy", f"{prefix}.42",
                                            [by[dm[0]], neuro])
        if f"{prefix}.42" in by:
            by.pop(f"{prefix}.40", None)
        others = [c for c in by if c.startswith(prefix) and c != f"{prefix}.9"]
        if others and f"{prefix}.9" in by:
            base = by.pop(f"{prefix}.9")
            by[others[0]].support(base)
    if "I10" in by and (ckd or hf):
        htn = by.pop("I10")
        late = bool(ckd) and ckd[0] in ("N18.5", "N18.6")
        if ckd and hf:
            code, rule = ("I13.2" if late else "I13.0"), "combination.hypertensive_heart_ckd"
            parts = [htn, by[ckd[0]], by[hf[0]]]
        elif ckd:
            code, rule = ("I12.0" if late else "I12.9"), "combination.hypertensive_ckd"
            parts = [htn, by[ckd[0]]]
        else:
            code, rule = "I11.0", "combination.hypertensive_heart"
            parts = [htn, by[hf[0]]]
        by[code] = _merge(rule, code, parts)
    weight = [c for c in by if c.startswith("E66")]
    if len(weight) > 1 and "E66.9" in weight:
        keep = next(c for c in weight if c != "E66.9")
        by[keep].support(by.pop("E66.9"))
    return [c for c in by.values() if icd.is_valid(c.code)] + [
        c for c in by.values() if not icd.is_valid(c.code)
    ]


def _ckd_rank(code: str) -> tuple[int, str]:
    return (0 if code == "N18.9" else 1, code)


def bmi_code(value: float, age: int | None) -> str | None:
    """Adult Z68 code for a BMI value (patients 20 and older)."""
    if age is not None and age < 20:
        return None
    if value < 20:
        return "Z68.1"
    if value < 40:
        return f"Z68.{int(value)}"
    for upper, code in ((45, "Z68.41"), (50, "Z68.42"), (60, "Z68.43"), (70, "Z68.44")):
        if value < upper:
            return code
    return "Z68.45"


def pediatric_bmi_code(percentile: float, percent_of_95th: float | None = None) -> str:
    if percentile < 5:
        return "Z68.51"
    if percentile < 85:
        return "Z68.52"
    if percentile < 95:
        return "Z68.53"
    if percent_of_95th is not None and percent_of_95th >= 140:
        return "Z68.56"
    if percent_of_95th is not None and percent_of_95th >= 120:
        return "Z68.55"
    return "Z68.54"


_VACCINE_WORD = (r"(?:vaccines?|vaccinations?|immuni[sz]ations?|shots?|boosters?|flu|influenza|HPV|Tdap|MMR\w*|"
                 r"DTaP\w*|COVID(?:-19)?|pneumococcal|PCV\d*|PPSV\d*|shingles|zoster|shingrix|hepatitis [AB]|"
                 r"hep [AB]|varicella|rotavirus|meningococcal|RSV)")
_REFUSED = r"(?:declines?|declined|refuses?|refused|opts? out of|opted out of)"
# An immunization offered and refused (Z28.2x patient, Z28.82 caregiver): the refusal and a vaccine in
# one clause. "Will get it at the pharmacy" or "deferred" is no refusal.
_VACCINE_REFUSAL = re.compile(
    rf"(?<![\w-])(?:(?P<who1>parents?|mother|mom|father|dad|guardian|caregiver|family)\s+)?{_REFUSED}\b"
    rf"[^.;\n]{{0,40}}?(?<![\w-]){_VACCINE_WORD}(?![\w-])|"
    rf"(?<![\w-]){_VACCINE_WORD}(?![\w-])[^.\n]{{0,50}}?(?:(?P<who2>parents?|mother|mom|father|dad|guardian|"
    rf"caregiver|family)\s+)?(?<![\w-]){_REFUSED}(?![\w-])", re.I)
_GOT_ELSEWHERE = re.compile(r"(?<![\w-])(?:pharmacy|elsewhere|already (?:had|received|got)|up to date|UTD)(?![\w-])",
                            re.I)
_CAREGIVER = re.compile(r"(?<![\w-])(?:parents?|mother|mom|father|dad|guardian|caregiver|family)(?![\w-])", re.I)


# A screening test collected or done at this visit (not only ordered): its screening encounter code.
_SCREENING_TESTS = (
    (re.compile(r"(?<![\w-])(?:PSA|prostate[- ]specific antigen)(?![\w-])", re.I), "Z12.5"),
    (re.compile(r"(?<![\w-])(?:lipids?|lipid panel|cholesterol)(?![\w-])", re.I), "Z13.220"),
    (re.compile(r"(?<![\w-])(?:HIV)(?![\w-])", re.I), "Z11.4"),
    (re.compile(r"(?<![\w-])(?:hep(?:atitis)? C|HCV)(?![\w-])", re.I), "Z11.59"),
    (re.compile(r"(?<![\w-])(?:chlamydia|gonorrh\w*|GC/CT|STI|STD)(?![\w-])", re.I), "Z11.3"),
)
_SCREEN_WORD = re.compile(r"(?<![\w-])screen(?:ing)?(?![\w-])", re.I)
_COLLECTED_TODAY = re.compile(r"(?<![\w-])(?:drawn|collected|obtained|done) (?:in (?:the )?(?:clinic|office) )?today|"
                              r"(?:drawn|collected) (?:in (?:the )?(?:clinic|office)|here)(?![\w-])", re.I)


def _screenings_done(text: str, sentences: list[Sentence]) -> list[tuple[str, Evidence]]:
    out: list[tuple[str, Evidence]] = []
    for s in sentences:
        window = text[s.start:s.end]
        if s.section in ("pmh", "family_history", "ros") or not _SCREEN_WORD.search(window) or \
                not _COLLECTED_TODAY.search(window):
            continue
        for rx, code in _SCREENING_TESTS:
            m = rx.search(window)
            if m and code not in (c for c, _ in out):
                out.append((code, Evidence(s.start + m.start(), s.start + m.end(), s.section, m.group())))
    return out


def _vaccine_refusal(text: str, sentences: list[Sentence], age: int | None) -> tuple[str, Evidence] | None:
    for m in _VACCINE_REFUSAL.finditer(text):
        sent = sentence_at(sentences, m.start())
        if sent is None or sent.section in ("allergies", "family_history", "ros", "pmh"):
            continue
        clause = text[sent.start : sent.end]
        if _GOT_ELSEWHERE.search(clause):
            continue
        # A young child's refusal is the caregiver's; an adolescent's or adult's, unless a caregiver is named,
        # their own.
        young = age is not None and age < 12
        by_caregiver = bool(m.group("who1") or m.group("who2") or _CAREGIVER.search(clause))
        code = "Z28.82" if by_caregiver or young else "Z28.21"
        return code, Evidence(m.start(), m.end(), sent.section, m.group())
    return None


def add_companions(
    cands: list[Candidate], text: str, sentences: list[Sentence], age: int | None,
    icd: ICD10CMCodeSet,
) -> list[Candidate]:
    by = {c.code: c for c in cands}
    last_order = max((c.order for c in cands), default=0)
    if any(c.startswith(("E66", "R63.6")) for c in by):
        m = _BMI.search(text)
        pct = _BMI_PCT.search(text)
        code = None
        if pct and age is not None and 2 <= age < 20:
            of95 = _PCT_OF_95.search(text)
            code, span = pediatric_bmi_code(float(pct.group(1)), float(of95.group(1)) if of95 else None), pct
        elif m:
            code, span = bmi_code(float(m.group(1)), age), m
        if code and icd.is_billable(code):
            sent = sentence_at(sentences, span.start())
            by[code] = Candidate(code, "companion.bmi", 0.9, "status", last_order + 1,
                                 [Evidence(span.start(), span.end(),
                                           sent.section if sent else "other", span.group())])
    burns = [c for c in by if c.startswith(("T20", "T21", "T22", "T23", "T24", "T25"))]
    tbsa = TBSA.search(text)
    if burns and tbsa and not any(c.startswith("T31") for c in by):
        # The extent of body surface burned (T31), from the documented TBSA: tens of percent, then the
        # third-degree share (0 unless documented).
        total = tbsa_percent(tbsa)
        tens = min(9, int(total // 10))
        third = _THIRD_TBSA.search(text)
        third_tens = min(tens, int(float(third.group(1)) // 10)) if third else 0
        code = "T31.0" if tens == 0 else f"T31.{tens}{third_tens}"
        if icd.is_billable(code):
            sent = sentence_at(sentences, tbsa.start())
            by[code] = Candidate(code, "companion.burn_extent", 0.85, "status", last_order + 1, [Evidence(
                tbsa.start(), tbsa.end(), sent.section if sent else "other", tbsa.group())])
    for code, ev in _screenings_done(text, sentences):
        if code not in by and icd.is_billable(code):
            by[code] = Candidate(code, "companion.screening_collected", 0.8, "encounter", last_order + 1, [ev])
    refusal = _vaccine_refusal(text, sentences, age)
    if refusal is not None and icd.is_billable(refusal[0]) and not any(c.startswith("Z28") for c in by):
        by[refusal[0]] = Candidate(refusal[0], "companion.immunization_refused", 0.8, "status",
                                   last_order + 3, [refusal[1]])
    has_menopause = any(c.startswith(("N95", "E28.31", "E28.39")) for c in by)
    has_dm = any(c.startswith(("E10", "E11")) for c in by)
    has_clot_risk = any(c.startswith(("I48", "I82", "Z86.718", "I26")) for c in by)
    for rx, code, needed in ((_INSULIN, "Z79.4", has_dm), (_ORAL_DM, "Z79.84", has_dm),
                             (_INJECTABLE_DM, "Z79.85", has_dm), (_ORAL_FORM, "Z79.84", has_dm),
                             (_ANTICOAG, "Z79.01", has_clot_risk), (_HRT, "Z79.890", has_menopause)):
        if not needed or code in by:
            continue
        if code == "Z79.4" and any(c.startswith("E10") for c in by):
            continue  # type 1 diabetes implies insulin; Z79.4 is not added (guideline I.C.4.a.3)
        for m in rx.finditer(text):
            sent = sentence_at(sentences, m.start())
            if sent is None or sent.section in ("allergies", "family_history", "ros"):
                continue
            if _NOT_TAKING.search(text[sent.start : sent.end]):
                continue
            if code == "Z79.85" and _ORAL_FORM.search(text[sent.start : sent.end]):
                continue  # oral semaglutide is an oral antidiabetic (Z79.84)
            by[code] = Candidate(code, "companion.long_term_drug", 0.8, "status",
                                 last_order + 2, [Evidence(m.start(), m.end(), sent.section,
                                                           m.group())])
            break
    return list(by.values())


def sequence(cands: list[Candidate], icd: ICD10CMCodeSet, first_codes: list[str]) -> list[Candidate]:
    """Principal first: encounter reasons, then conditions in note order; Z status codes last;
    etiology before manifestation (tabular code-first notes)."""
    def key(c: Candidate) -> tuple[int, int]:
        if c.code in first_codes:
            return (0, first_codes.index(c.code))
        if c.kind == "encounter":
            return (1, c.order)
        if c.kind in ("condition", "injury"):
            return (2, c.order)
        if c.kind == "symptom":
            return (3, c.order)
        if c.code == "Z23":
            return (5, c.order)
        return (4, c.order)

    ordered = sorted(cands, key=key)
    for _ in range(len(ordered)):
        moved = False
        for i, a in enumerate(ordered):
            refs = icd.code_first_refs(a.code)
            if not refs:
                continue
            for j in range(i + 1, len(ordered)):
                if any(r.matches(ordered[j].code) for r in refs):
                    ordered.insert(i, ordered.pop(j))
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    return ordered
