"""Pregnancy: conditions of a pregnant patient are coded from chapter 15 (O codes) first, with the weeks
of gestation (Z3A) last; postpartum depression is F53.0 (ICD-10-CM guidelines I.C.15).

Applied after the diagnoses are extracted: a pregnancy affirmed in the note (weeks of gestation with a
pregnancy word, or "pregnant" not negated) turns the conditions the classification routes to chapter 15
into their O code (by trimester from the weeks) and keeps the condition's own code where the O code
says "use additional code"; gestational diabetes is O24.41x by its treatment and never E11.x or Z79.4.
A condition of a pregnant patient this module does not map is left as it is with a review note: a coder
must decide whether it complicates the pregnancy (O99.x) or is incidental (Z33.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rcm_coding.domain.diagnoses import Candidate
from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.model import Evidence

# "20w2d", "30 weeks", "28+3 wks", "12 wk" (not "8-wk US": a hyphen ties it to another word).
_WEEKS = re.compile(r"(?<![\w.-])(\d{1,2})\s*(?:weeks?|wks?|wk|w)(?:\s*\d\s*d(?:ays?)?|\s*\+\s*\d)?(?![\w-])", re.I)
_PREGNANCY_WORD = re.compile(r"(?<![\w-])(?:pregnan\w*|gestation\w*|IUP|EGA|GA|G\d{1,2}(?:\s*P\d+\w*)?|prenatal|"
                             r"antepartum|intrauterine pregnancy|OB|LMP|EDD|gravidarum|hyperemesis|fetal|FHTs?|"
                             r"fundal height)(?![\w-])", re.I)
_GESTATIONAL_HTN = re.compile(r"(?<![\w-])(?:gestational hypertension|pregnancy[- ]induced hypertension|PIH|"
                              r"gestational HTN)(?![\w-])", re.I)
_NOT_PREGNANT = re.compile(r"(?<![\w-])(?:not pregnant|no pregnancy|pregnancy test (?:is |was )?negative|"
                           r"(?:upt|hcg) (?:is |was )?negative|negative (?:upt|hcg|pregnancy test))(?![\w-])", re.I)
_POSTPARTUM = re.compile(r"(?<![\w-])(?:postpartum|post-partum|postnatal|weeks? after delivery|"
                         r"(?:delivered|delivery) \d+ (?:weeks?|days?) ago|PPD)(?![\w-])", re.I)
_HYPEREMESIS = re.compile(r"hyperemesis", re.I)
_METABOLIC = re.compile(r"(?<![\w-])(?:dehydrat\w*|ketonuria|ketones|electrolyte|hypokalemi\w*|ivf|iv fluids)(?![\w-])",
                        re.I)
_INSULIN = re.compile(r"(?<![\w-])(?:insulin|nph|lispro|aspart|glargine|detemir)(?![\w-])", re.I)
_ORAL = re.compile(r"(?<![\w-])(?:metformin|glyburide)(?![\w-])", re.I)
_GDM = re.compile(r"(?<![\w-])(?:gestational diabetes|GDM|A1GDM|A2GDM|diabetes (?:of|in) pregnancy)(?![\w-])", re.I)


@dataclass(frozen=True)
class PregnancyFacts:
    weeks: int | None
    evidence: Evidence

    @property
    def trimester(self) -> int | None:
        if self.weeks is None:
            return None
        return 1 if self.weeks < 14 else 2 if self.weeks < 28 else 3


def find_pregnancy(text: str) -> PregnancyFacts | None:
    """The pregnancy the note affirms (weeks when stated), or None."""
    if _NOT_PREGNANT.search(text):
        return None
    for m in _WEEKS.finditer(text):
        window = text[max(0, m.start() - 60):m.end() + 40]
        if _PREGNANCY_WORD.search(window) and not _POSTPARTUM.search(window):
            weeks = int(m.group(1))
            if 4 <= weeks <= 43:
                return PregnancyFacts(weeks, Evidence(m.start(), m.end(), "other", m.group()))
    m2 = re.search(r"(?<![\w-])(?:pregnant|in pregnancy|intrauterine pregnancy|IUP)(?![\w-])", text, re.I)
    if m2 and not re.search(r"(?:not|no|denies|negative)\W+(?:\w+\W+)?$", text[max(0, m2.start() - 20):m2.start()],
                            re.I):
        return PregnancyFacts(None, Evidence(m2.start(), m2.end(), "other", m2.group()))
    return None


def _weeks_code(weeks: int) -> str:
    if weeks < 8:
        return "Z3A.01"
    if weeks > 42:
        return "Z3A.49"
    return f"Z3A.{weeks:02d}"


def apply(text: str, cands: list[Candidate], icd: ICD10CMCodeSet) -> tuple[list[Candidate], list[str], list[str]]:
    """(candidates, codes to sequence first, review notes) for a pregnant or postpartum patient."""
    notes: list[str] = []
    first: list[str] = []
    if _POSTPARTUM.search(text) and not find_pregnancy(text):
        for c in list(cands):
            if c.code.startswith(("F32", "F33")):
                # Postpartum depression is F53.0 (not F32.A, not O99.34 with F32.x).
                cands.remove(c)
                cands.append(Candidate("F53.0", "pregnancy.postpartum_depression", c.confidence, "condition",
                                       c.order, list(c.evidence), c.concept_id))
        return cands, first, notes
    facts = find_pregnancy(text)
    if facts is None:
        return cands, first, notes
    t = facts.trimester
    out: list[Candidate] = []
    gdm = _GDM.search(text)

    def o_code(base: str) -> str | None:
        code = f"{base}{t}" if t else f"{base}9"
        return code if icd.is_valid(code) and icd.is_billable(code) else None

    def add(code: str | None, like: Candidate, rule: str) -> None:
        if code is None:
            notes.append(f"pregnancy: no trimester for {like.code}; coder to assign the chapter 15 code")
            out.append(like)
            return
        out.append(Candidate(code, rule, like.confidence, "condition", like.order, list(like.evidence),
                             like.concept_id))
        first.append(code)

    for c in cands:
        code = c.code
        if gdm and (code.startswith(("E11", "E13", "E08")) or code in ("Z79.4", "Z79.84", "R73.9", "R73.09")):
            continue  # gestational diabetes is O24.41x alone
        if code.startswith("N30"):
            add(o_code("O23.1"), c, "pregnancy.bladder_infection")
        elif code == "N39.0":
            add(o_code("O23.4"), c, "pregnancy.urinary_infection")
        elif code.startswith("N10"):
            add(o_code("O23.0"), c, "pregnancy.kidney_infection")
        elif code.startswith("R11"):
            if _HYPEREMESIS.search(text):
                hyper = "O21.1" if _METABOLIC.search(text) else "O21.0"
                add(hyper, c, "pregnancy.hyperemesis")
            else:
                add("O21.9", c, "pregnancy.vomiting")
        elif code == "I10" and _GESTATIONAL_HTN.search(text):
            # Hypertension that began in this pregnancy, without significant proteinuria (O13), is not the
            # pre-existing essential hypertension of O10.01-.
            add(o_code("O13."), c, "pregnancy.gestational_hypertension")
        elif code == "I10":
            add(o_code("O10.01"), c, "pregnancy.preexisting_hypertension")
        elif code.startswith("E11"):
            add(o_code("O24.11"), c, "pregnancy.preexisting_type2_diabetes")
            out.append(c)
        elif code.startswith("E10"):
            add(o_code("O24.01"), c, "pregnancy.preexisting_type1_diabetes")
            out.append(c)
        elif code.startswith(("J00", "J01", "J02", "J03", "J04", "J06", "J20", "J18", "J45", "J10", "J11")):
            add(o_code("O99.51"), c, "pregnancy.respiratory")
            out.append(c)  # "use additional code" for the respiratory condition
        elif code.startswith(("F32", "F33", "F41")):
            add(o_code("O99.34"), c, "pregnancy.mental")
            out.append(c)
        elif code.startswith(("D50", "D64")):
            add(o_code("O99.01"), c, "pregnancy.anemia")
            out.append(c)
        else:
            if c.kind in ("condition", "symptom", "injury") and not code.startswith("O"):
                notes.append(f"pregnancy: {code} is not sequenced with a chapter 15 code (O99.x or Z33.1): "
                             "coder to decide")
            out.append(c)
    if gdm:
        if _INSULIN.search(text):
            code = "O24.414"
        elif _ORAL.search(text):
            code = "O24.415"
        else:
            code = "O24.410"
        ev = Evidence(gdm.start(), gdm.end(), "other", gdm.group())
        out.append(Candidate(code, "pregnancy.gestational_diabetes", 0.85, "condition", gdm.start(), [ev]))
        first.insert(0, code)
    if facts.weeks is not None:
        out.append(Candidate(_weeks_code(facts.weeks), "pregnancy.weeks_of_gestation", 0.85, "status", 10**9,
                             [facts.evidence]))
    else:
        notes.append("pregnancy documented without the weeks of gestation (Z3A)")
    return out, first, notes
