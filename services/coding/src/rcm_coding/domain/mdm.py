"""Medical decision making from its three elements (AMA office/outpatient E/M guidelines, 2021, and
their 2023 extension to other settings), when the note documents the elements but names no level.

Each element is graded straightforward (1), low (2), moderate (3) or high (4) with the evidence that
gave the grade; the MDM level is the one met or exceeded by two of the three (the middle grade).

* Problems addressed: a stable chronic illness or one acute uncomplicated illness or injury is low;
  two or more stable chronic illnesses, a chronic illness with exacerbation, progression or side
  effects of treatment, an undiagnosed new problem with uncertain prognosis, an acute illness with
  systemic symptoms or an acute complicated injury is moderate; a severe exacerbation or a threat to
  life or bodily function is high; one self-limited or minor problem is straightforward.
* Data reviewed and analysed: category 1 items (each unique test ordered, each unique test result
  reviewed, review of external notes; an independent historian), category 2 (independent
  interpretation of a test not separately reported), category 3 (discussion of management with an
  external physician or other qualified professional). Limited (low): two category 1 items or an
  independent historian; moderate: one of the three categories met (three category 1 items); extensive
  (high): two of the three categories.
* Risk of management: over-the-counter drugs or minor procedures are low, prescription drug
  management is moderate, a decision about hospitalisation or escalation of care, drug therapy needing
  intensive monitoring for toxicity, or emergency or risky major surgery is high; rest, fluids and
  reassurance alone are minimal.

Tests performed in the office and reported separately (an ECG with its interpretation, a rapid strep)
are not counted as data: their reporting already pays for them (AMA: not included when the
interpretation is reported separately).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rcm_coding.domain.model import Evidence
from rcm_coding.domain.note_text import Sentence, problem_context

GRADES = ("", "straightforward", "low", "moderate", "high")

# Chronic illnesses by ICD-10-CM category (a problem that lasts a year or more or until death).
_CHRONIC = re.compile(
    r"^(?:I1[0-6]|E0[89]|E1[0-3]|E78|E0[0-7]|E66|E55|E21|E28|E83|E89|D5[0-3]|D6[1-9]|J4[1-7]|J30|J31|J32|"
    r"N18|N40|N31|N39\.4|I2[05]|I4[4-9]|I50|I7[0-3]|I87|F0[1-3]|F1[0-9]\.2|F2[0-9]|F3[0-9]|F4[0-3]|F90|"
    r"F84|G2[0-5]|G3[0-5]|G4[0-7]|G89|K2[0-2]|K5[0-9]|K7[0-6]|K86|M0[5-9]|M1[0-9]|M1A|M3[0-6]|M4[0-9]|M5[0-4]|"
    r"M8[0-1]|M79\.7|L4[0-3]|L20|L70|L80|H40|H35|H26|B18|B20|C[0-9]{2}|D0[0-9]|E04|E05|E06|N94\.3|N95|Q|"
    r"O1[0-6]|O24|O99\.[23]|F53|E03|D50|D63|I48|G43|G47\.3)")
_EXACERBATION = re.compile(
    r"(?<![\w-])(?:worse|worsening|worsened|uncontrolled|poorly controlled|not (?:well )?controlled|"
    r"inadequately controlled|suboptimal(?:ly)?|not at goal|above goal|out of control|exacerbat\w*|flare\w*|"
    r"progress\w*|decompensat\w*|side effects?|adverse effects?|intoleran\w*|not tolerating|"
    r"elevated|rising|increased (?:pain|symptoms|frequency)|breakthrough|relapse\w*|recurren\w*|partial response|"
    r"partially (?:controlled|responsive|improved)|persistent|residual|symptomatic|supratherapeutic|"
    r"subtherapeutic)(?![\w-])", re.I)
_SEVERE = re.compile(r"(?<![\w-])(?:severe exacerbation|acute exacerbation requiring|threat to (?:life|bodily)|"
                     r"life[- ]threatening|suicidal ideation with (?:plan|intent)|active suicidal|"
                     r"hemodynamically unstable|sepsis|acute coronary syndrome|stroke symptoms|"
                     r"respiratory distress)(?![\w-])", re.I)
_SYSTEMIC = re.compile(r"(?<![\w-])(?:fever|febrile|chills|rigors|body aches|myalgias?|malaise|fatigue|"
                       r"dehydrat\w*|tachycardi\w*|T\s*10[0-3](?:\.\d)?|temp(?:erature)?\s*(?:of\s*)?(?:38|39|40|10[0-3]))"
                       r"(?![\w-])", re.I)
_NEGATED_BEFORE = re.compile(r"(?:no|denies|denied|without|negative for|afebrile|not)\b[^.;\n]{0,40}$", re.I)
_COMPLICATED_INJURY = re.compile(r"^S\d\d\.\d*[2-9]")  # fractures and dislocations of the S chapters, roughly
_MINOR = re.compile(r"^(?:J00|J06\.9|J02\.9|B35\.[3468]|L55|W57|L25|L23|S00|S10|S20|S30|S40|S50|S60|S70|S80|S90|T14\.8|"
                    r"B07|L70\.0|"
                    r"H10\.3|R21|L50)")

_TEST = (r"(?:cbc|cmp|bmp|lipid(?: panel| profile)?|a1c|hba1c|hemoglobin a1c|tsh|free t4|t4|psa|"
         r"urinalysis|ua|urine culture|culture|b12|vitamin d|ferritin|iron studies|inr|pt/inr|"
         r"esr|crp|uric acid|magnesium|liver (?:panel|function tests?)|lft|hepatic panel|renal panel|"
         r"microalbumin|uacr|egfr|creatinine|potassium|bnp|troponin|d-dimer|hcg|hiv|hcv|hepatitis (?:b|c)|"
         r"x-?rays?|xr|cxr|chest x-?ray|radiograph\w*|ultrasound|us|echo(?:cardiogram)?|ct|mri|dexa|"
         r"mammogram|holter|stress test|spirometry|pfts?|sleep study|ecg|ekg|colonoscopy|"
         r"stool (?:studies|culture)|c\.? diff|covid(?: test)?|flu (?:test|swab)|strep (?:test|culture)|"
         r"lithium(?: level)?|drug levels?|trough|urine drug screen|uds|calcium|"
         r"(?:rib|ankle|foot|wrist|hand|knee|shoulder|spine|trauma|sinus) series|pa chest|pa and lateral|"
         r"polysomnogra\w*|psg|holter|event monitor|ekg|nerve conduction|emg|colonoscopy report|pathology)")
_TEST_RX = re.compile(r"(?<![\w-])" + _TEST + r"(?![\w-])", re.I)
_ORDERED = re.compile(r"(?<![\w-])(?:order(?:ed|ing)?|obtain(?:ed)?|check(?:ing)?|draw(?:n)?|send|sent|"
                      r"get|will get|repeat|schedule[d]?|refer(?:red)? for|request(?:ed)?)\b[^.\n;]{0,50}?"
                      r"(?<![\w-])" + _TEST + r"(?![\w-])", re.I)
_REVIEWED = re.compile(r"(?<![\w-])(?:review(?:ed)?|results?|came back|showed|shows|returned)\b[^.\n;]{0,40}?"
                       r"(?<![\w-])" + _TEST + r"(?![\w-])|(?<![\w-])" + _TEST + r"\s*(?:results?\s*)?"
                       r"(?:reviewed|from \w+ (?:was|were|is)|(?:last|on) \d)|(?<![\w-])" + _TEST +
                       r"(?![\w-])[^.\n;]{0,25}?\((?:report |results? )?reviewed", re.I)
_EXTERNAL_NOTES = re.compile(r"(?<![\w-])(?:outside records|records from|external records|prior records|"
                             r"(?:ed|er|emergency department|hospital|discharge|specialist|consult(?:ant)?|"
                             r"cardiology|urgent care|ent|ortho\w*|surgeon|surgery|gi|neurology|"
                             r"nephrology|endocrinology|oncology)(?:'s)? (?:notes?|records?|summary|report) "
                             r"(?:were |was )?"
                             r"reviewed|reviewed (?:the )?(?:ed|er|hospital|discharge|outside|specialist|"
                             r"cardiology|consult|urgent care)\w* (?:notes?|records?|summary|report))", re.I)
_HISTORIAN = re.compile(r"(?<![\w-])(?:independent historian|history (?:obtained|provided|given) (?:from|by)|"
                        r"per (?:mom|mother|dad|father|parents?|caregiver|wife|husband|spouse|daughter|son)|"
                        r"(?:mom|mother|dad|father|parents?|caregiver|grandmother|guardian) (?:reports|states|"
                        r"says|notes|provides|gives|gave|describes))(?![\w-])", re.I)
_INTERPRETATION = re.compile(r"(?<![\w-])(?:independent(?:ly)? interpret\w*|i personally (?:reviewed|"
                             r"viewed|interpreted) the (?:images?|x-?rays?|films?|ecg|ekg|tracing|ct|mri)|"
                             r"my (?:own )?(?:read|interpretation) of)(?![\w-])", re.I)
_DISCUSSION = re.compile(r"(?<![\w-])(?:called (?:dr\.?|the (?:on[- ]call|ed|er) (?:physician|doctor|provider))|"
                         r"discussed (?:with|the case with|management with) (?:dr\.?|the "
                         r"(?:surgeon|cardiologist|specialist|oncologist|nephrologist|consultant)|"
                         r"cardiology|nephrology|ortho\w*|surgery|gi|pharmacist|case manager)|spoke with (?:dr\.?|"
                         r"cardiology|the \w+ist)|per discussion with dr\.?|curbside\w*)(?![\w-])", re.I)

_HOSPITAL = re.compile(r"(?<![\w-])(?:admit\w*|admission|hospitali[sz]\w*|"
                       r"go (?:directly |straight )?to (?:the )?(?:ed|er)|"
                       r"(?:send|sent|sending|driving|drive|take|taking) (?:her|him|them|pt|the patient|patient) "
                       r"(?:\w+ )?(?:to (?:the )?(?:ed|er|hospital)|now)|directly to (?:the )?(?:ed|er|hospital)|"
                       r"(?:ed|er) (?:evaluation|eval|transfer|referral|for (?:evaluation|iv|admission))|"
                       r"(?:gave|called (?:in )?)(?:a )?report to (?:the )?(?:ed|er)|called (?:the )?(?:ed|er)|"
                       r"(?:direct|immediate|urgent|emergent)\w* (?:ed|er|"
                       r"emergency department) (?:evaluation|referral|transfer)|to the (?:ed|er|emergency department)|"
                       r"sent (?:to|directly to) (?:the )?(?:ed|er|"
                       r"emergency)|refer(?:red)? to (?:the )?(?:ed|er|emergency)|transfer(?:red)? to (?:the )?"
                       r"(?:ed|er|hospital)|call(?:ed)? 911|ems|dnr|hospice|decision (?:for|to (?:proceed|undergo)) "
                       r"(?:with )?(?:urgent |emergency )?surgery|intensive monitoring for toxicity|"
                       r"toxicity monitoring|"
                       r"(?:lithium|digoxin|valproate|valproic acid|depakote|carbamazepine|tegretol|phenytoin|"
                       r"tacrolimus|cyclosporine|vancomycin|aminoglycoside) (?:level|trough)s?)(?![\w-])", re.I)
# Of the high-risk decisions, those about where the patient is treated say how grave the problem is.
_SENT_ELSEWHERE = re.compile(r"(?<![\w-])(?:admit\w*|admission|hospital\w*|ed|er|emergency|911|ems|transfer\w*|"
                             r"driving|drive|taking)(?![\w-])", re.I)
# Prescription drug management: an action on a drug (a named Rx drug or a prescription).
_RX_ACTION = r"(?:start\w*|begin|began|initiat\w*|prescrib\w*|rx|increase\w*|decrease\w*|reduc\w*|titrat\w*|" \
             r"adjust\w*|continue\w*|cont|refill\w*|renew\w*|switch\w*|change\w*|resume\w*|restart\w*|add\w*|" \
             r"stop\w*|discontinu\w*|hold|taper\w*|d/c)"
_RX_DRUG = (r"(?:\w+(?:pril|sartan|olol|dipine|statin|formin|gliptin|flozin|glutide|tide|azole|cillin|mycin|"
            r"floxacin|cycline|prazole|sone|solone|zepam|zolam|triptan|oxetine|pramine|azodone|"
            r"vudine|navir|tegravir|parin|xaban|gatran|farin|thiazide|semide|lactone|terol|sonide|lukast|tropium|"
            r"codone|morphone|tidine|oxacin|micin|ovir|amivir|mab|nib|triptyline|ipine|apine|idone|fenac|"
            r"conazole|dronate|parib|lamide|gliptin|vastatin|setron|tretin\w*|clovir)|insulin|metformin|levothyroxine|amoxicillin|augmentin|azithromycin|zpak|z-pak|"
            r"doxycycline|cephalexin|keflex|bactrim|nitrofurantoin|macrobid|prednisone|medrol|albuterol|"
            r"inhaler|lisinopril|amlodipine|hydrochlorothiazide|hctz|losartan|atorvastatin|rosuvastatin|"
            r"simvastatin|gabapentin|sertraline|fluoxetine|escitalopram|citalopram|bupropion|trazodone|"
            r"buspirone|omeprazole|pantoprazole|famotidine|montelukast|fluticasone|tamsulosin|finasteride|"
            r"allopurinol|colchicine|warfarin|apixaban|eliquis|rivaroxaban|xarelto|metoprolol|carvedilol|"
            r"furosemide|spironolactone|oseltamivir|tamiflu|valacyclovir|acyclovir|methotrexate|"
            r"hydroxychloroquine|ondansetron|zofran|cyclobenzaprine|meloxicam|naproxen|tramadol|methadone|"
            r"sertraline|hydroxyzine|lithium|levetiracetam|lamotrigine|quetiapine|aripiprazole|clonidine|"
            r"labetalol|nifedipine|topiramate|sumatriptan|propranolol|diclofenac|mupirocin|clindamycin|"
            r"tamsulosin|sildenafil|tadalafil|denosumab|alendronate|opioids?|sedatives?|anticoagula\w*|"
            r"trimethoprim|polymyxin|tobramycin|gentamicin|neomycin|benzonatate|prazosin|\w+osin|nitroglycerin|"
            r"ophthalmic|otic|gtts?|eye drops|ear drops|"
            r"antiplatelets?|aspirin|nsaids?|statins?|beta[- ]blockers?|ace inhibitors?|arbs?|ssris?|snris?|"
            r"benzodiazepines?|steroids?|antivirals?|antifungals?|antihypertensives?|diuretics?|"
            r"antibiotics?|abx|medications?|meds|dose|\d+\s?mg)")
_DOSE = (r"(?:\d+(?:\.\d+)?\s*(?:mg|mcg|g|units?|u|ml|puffs?|tabs?)\b|(?<![\w-])(?:bid|tid|qid|daily|qd|qhs|"
         r"qam|qpm|q\d+\s*h|q\d+h|prn|weekly|x\s*\d+\s*(?:d|days|wk|weeks))(?![\w-]))")
RX_DRUG = _RX_DRUG  # shared with the review gate: an assessment line that starts with a drug is plan
_RX = re.compile(r"(?<![\w-])" + _RX_ACTION + r"\b[^.\n;]{0,40}?(?<![\w-])" + _RX_DRUG + r"(?![\w-])|"
                 # a prescription written as drug, dose and frequency ("cephalexin 500 mg BID x7 d")
                 r"(?<![\w-])" + _RX_DRUG + r"(?![\w-])[^.\n;]{0,12}?" + _DOSE + r"|"
                 r"(?<![\w-])" + _RX_DRUG + r"\b[^.\n;]{0,30}?(?<![\w-])(?:" + _RX_ACTION[3:-1] +
                 r")(?![\w-])|(?<![\w-])(?:e-?prescribed|prescription (?:sent|given|written)|new rx|rx)(?![\w-])",
                 re.I)
_OTC = re.compile(r"(?<![\w-])(?:otc|over[- ]the[- ]counter|ibuprofen|advil|motrin|acetaminophen|tylenol|"
                  r"loratadine|claritin|cetirizine|zyrtec|fexofenadine|allegra|saline|guaifenesin|mucinex|"
                  r"dextromethorphan|antihistamine|nasal spray|lozenges?|honey|ice|heat|physical therapy|pt referral|"
                  r"splint|brace|ace wrap|crutches|sling|wound care|steri-?strips?)(?![\w-])", re.I)
_PRE_OPERATIVE = re.compile(r"(?<![\w-])(?:pre-?op(?:erative)?|pre-operative|pre-?surgical|pre-?procedur\w*) "
                            r"(?:\w+ )?(?:evaluation|eval|examination|exam|clearance|assessment|risk|visit|"
                            r"consult\w*|h&p|history and physical)|(?:medical|surgical|cardiac|pulmonary) clearance|"
                            r"cleared for surgery",
                            re.I)
_MAJOR_SURGERY = re.compile(r"(?<![\w-])(?:\w+ectomy|\w+plasty|arthroscop\w*|laminectomy|fusion|hernia repair|"
                            r"(?:joint|knee|hip|shoulder) replacement|colectomy|hysterectomy|general anesthesia|"
                            r"major surgery|open (?:\w+ )?repair)(?![\w-])", re.I)
_OTC_BEFORE = re.compile(r"(?<![\w-])(?:otc|over[- ]the[- ]counter)\s+(?:\w+\s+){0,1}\S*$", re.I)
_PLAN_SECTIONS = ("assessment", "plan", "procedure", "results", "other")


@dataclass(frozen=True)
class Problem:
    """One problem addressed: its code, whether chronic, and the span of the note that addresses it."""

    code: str
    kind: str  # condition | symptom | injury
    uncertain: bool = False
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Element:
    grade: int  # 1 straightforward .. 4 high
    why: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class DecisionMaking:
    problems: Element
    data: Element
    risk: Element

    @property
    def grade(self) -> int:
        """The grade two of the three elements meet or exceed."""
        return sorted((self.problems.grade, self.data.grade, self.risk.grade))[1]

    @property
    def name(self) -> str:
        return GRADES[self.grade]

    def explain(self) -> str:
        return (f"MDM {self.name}: problems {GRADES[self.problems.grade]} ({self.problems.why}); data "
                f"{GRADES[self.data.grade]} ({self.data.why}); risk {GRADES[self.risk.grade]} ({self.risk.why})")


def _ev(text: str, m: re.Match[str], sentences: Sequence[Sentence]) -> Evidence:
    section = next((s.section for s in sentences if s.start <= m.start() < s.end), "other")
    return Evidence(m.start(), m.end(), section, text[m.start():m.end()])


def _in_sections(sentences: Sequence[Sentence], pos: int, names: Sequence[str]) -> bool:
    return any(s.start <= pos < s.end and s.section in names for s in sentences)


def _context(text: str, sentences: Sequence[Sentence], evidence: Sequence[Evidence]) -> str:
    """Where a problem's status words are: the sentence holding its evidence, or in the assessment and plan
    the whole problem line ("PTSD, chronic - partial response. Start prazosin ..." is one problem)."""
    parts = [problem_context(text, s, e.start) for e in evidence for s in sentences if s.start <= e.start < s.end]
    return " ".join(dict.fromkeys(parts))


def grade_problems(text: str, sentences: Sequence[Sentence], problems: Sequence[Problem]) -> Element:
    """The problems element."""
    if not problems:
        return Element(1, "no problem coded")
    chronic_stable: list[Problem] = []
    moderate: list[tuple[Problem, str]] = []
    high: list[tuple[Problem, str]] = []
    acute: list[Problem] = []
    minor: list[Problem] = []
    for p in problems:
        context = _context(text, sentences, p.evidence)
        if _SEVERE.search(context):
            high.append((p, "severe exacerbation or threat to life or bodily function"))
        elif p.uncertain:
            moderate.append((p, "undiagnosed new problem with uncertain prognosis"))
        elif p.kind in ("condition", "symptom") and _CHRONIC.match(p.code):
            if _exacerbated(context) or _treatment_changed(context):
                moderate.append((p, "chronic illness with exacerbation, progression or side effects"))
            else:
                chronic_stable.append(p)
        elif p.kind == "injury" and _COMPLICATED_INJURY.match(p.code) and p.code[0] == "S" and "fracture" in \
                context.lower():
            moderate.append((p, "acute complicated injury"))
        elif _MINOR.match(p.code):
            minor.append(p)
        else:
            systemic = [m for m in _SYSTEMIC.finditer(text) if not _NEGATED_BEFORE.search(text[max(0, m.start() - 45):
                                                                                                  m.start()])]
            if p.kind == "condition" and systemic and _acute_infection(p.code):
                moderate.append((p, "acute illness with systemic symptoms"))
            else:
                acute.append(p)
    evidence = tuple(e for p in problems for e in p.evidence)
    if high:
        return Element(4, high[0][1], evidence)
    if moderate:
        return Element(3, moderate[0][1], evidence)
    if len(chronic_stable) >= 2:
        return Element(3, f"{len(chronic_stable)} stable chronic illnesses", evidence)
    if chronic_stable or acute:
        what = "1 stable chronic illness" if chronic_stable else "acute uncomplicated illness or injury"
        return Element(2, what, evidence)
    if len(minor) >= 2:
        return Element(2, "2 or more self-limited or minor problems", evidence)
    return Element(1, "1 self-limited or minor problem", evidence)


def _exacerbated(context: str) -> bool:
    for m in _EXACERBATION.finditer(context):
        before = context[max(0, m.start() - 25):m.start()].lower()
        if re.search(r"(?<![\w-])(?:no|not|without|denies|none|neither)\b[^.;]*$", before):
            continue
        return True
    return False


_CHANGED = re.compile(r"(?<![\w-])(?:start\w*|begin|initiat\w*|increase\w*|titrat\w*|uptitrat\w*|add\w*|"
                      r"switch\w*|change\w*|new diagnosis|newly diagnosed|new onset|not at goal)(?![\w-])", re.I)


def _treatment_changed(context: str) -> bool:
    """A chronic illness whose treatment is started or escalated is not at its goal, so not stable
    (stable means at the patient's treatment goal)."""
    return bool(_CHANGED.search(context))


def _acute_infection(code: str) -> bool:
    # Illnesses that can cause serious morbidity when they come with systemic symptoms (pneumonia,
    # pyelonephritis, diverticulitis, sepsis); the fever of a sore throat or a cystitis does not make
    # it more than an acute uncomplicated illness (AMA examples).
    return bool(re.match(r"^(?:J1[2-8]|J22|N10|K57|K35|K81|A4[01]|A49|N70|L03\.[0-9]1[0-9])", code))


def grade_data(text: str, sentences: Sequence[Sentence], *, separately_reported: Sequence[str] = ()) -> Element:
    """The data element (tests reported separately, e.g. an ECG billed with its interpretation, excluded)."""
    excluded = {t.lower() for t in separately_reported}
    tests: dict[str, Evidence] = {}
    for rx in (_ORDERED, _REVIEWED):
        for m in rx.finditer(text):
            if not _in_sections(sentences, m.start(), (*_PLAN_SECTIONS, "hpi", "exam", "chief_complaint")):
                continue
            # Every test the phrase names, to the end of its clause ("order CBC, CMP and TSH": three).
            clause_end = re.compile(r"[.;\n]").search(text, m.end())
            clause = slice(m.start(), clause_end.start() if clause_end else len(text))
            for name in _TEST_RX.finditer(text, clause.start, clause.stop):
                key = name.group().lower()
                if key not in excluded:
                    tests.setdefault(key, Evidence(name.start(), name.end(), _ev(text, m, sentences).section,
                                                   name.group()))
    external = [_ev(text, m, sentences) for m in _EXTERNAL_NOTES.finditer(text)]
    historian = [_ev(text, m, sentences) for m in _HISTORIAN.finditer(text)]
    interpretation = [_ev(text, m, sentences) for m in _INTERPRETATION.finditer(text)]
    discussion = [_ev(text, m, sentences) for m in _DISCUSSION.finditer(text)]
    category1 = len(tests) + (1 if external else 0) + (1 if historian else 0)
    met = sum((category1 >= 3, bool(interpretation), bool(discussion)))
    evidence = (*tests.values(), *external[:1], *historian[:1], *interpretation[:1], *discussion[:1])
    if met >= 2:
        return Element(4, "two of three data categories", evidence)
    if met == 1:
        why = ("three category 1 items" if category1 >= 3 else
               "independent interpretation of a test" if interpretation else "discussion with an external physician")
        return Element(3, why, evidence)
    if historian or len(tests) + (1 if external else 0) >= 2:
        return Element(2, "independent historian" if historian else "two category 1 items", evidence)
    return Element(1, "minimal or none", evidence)


def grade_risk(text: str, sentences: Sequence[Sentence]) -> Element:
    """The risk-of-management element, from the assessment and plan."""
    plan = [s for s in sentences if s.section in _PLAN_SECTIONS]

    def found(rx: re.Pattern[str]) -> list[Evidence]:
        out = []
        for m in (m for s in plan for m in rx.finditer(text, s.start, s.end)):
            before = text[max(0, m.start() - 30):m.start()].lower()
            if re.search(r"(?<![\w-])(?:no|not|declined|declines|refused|without|avoid)\b[^.;\n]*$", before):
                continue
            out.append(_ev(text, m, sentences))
        return out

    if high := found(_HOSPITAL):
        return Element(4, "decision about hospitalisation, escalation or high-risk therapy", tuple(high[:2]))
    if (preop := _PRE_OPERATIVE.search(text)) and (surgery := _MAJOR_SURGERY.search(text)):
        # A pre-operative risk assessment weighs the decision about elective major surgery (AMA: moderate).
        return Element(3, "decision regarding elective major surgery (pre-operative risk assessment)",
                       (_ev(text, preop, sentences), _ev(text, surgery, sentences)))
    # A drug bought over the counter ("OTC clotrimazole 1% cream BID") is not prescription drug management.
    if rx := [e for e in found(_RX) if not _OTC_BEFORE.search(text, max(0, e.start - 20), e.start + 1)
              and not re.match(r"\s*\(?(?:OTC|over[- ]the[- ]counter)", text[e.end:e.end + 25], re.I)]:
        return Element(3, "prescription drug management", tuple(rx[:3]))
    if otc := found(_OTC):
        return Element(2, "over-the-counter drugs or minor treatment", tuple(otc[:2]))
    return Element(1, "minimal", ())


def decision_making(text: str, sentences: Sequence[Sentence], problems: Sequence[Problem], *,
                    separately_reported: Sequence[str] = ()) -> DecisionMaking:
    """The three elements of MDM for this note."""
    problem = grade_problems(text, sentences, problems)
    risk = grade_risk(text, sentences)
    if risk.grade == 4 and problem.grade < 4 and any(_SENT_ELSEWHERE.search(e.text) for e in risk.evidence):
        # Admission or the emergency department was decided on (even if the patient declines): the
        # physician judged the problem a threat to life or bodily function (AMA: high complexity problem).
        problem = Element(4, "acute or chronic illness that poses a threat to life or bodily function (emergency "
                             "department or admission decided)", problem.evidence)
    return DecisionMaking(problem, grade_data(text, sentences, separately_reported=separately_reported), risk)
