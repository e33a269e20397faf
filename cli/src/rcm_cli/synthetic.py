"""Synthetic encounters for the demo, the end-to-end tests and the benchmark.

Patients come from the payer sandbox's roster so that eligibility and adjudication have
someone to find; names, dates and notes are invented. Deterministic for a seed.
``clean=True`` draws only active members with no scenario and visit patterns no payer
rule denies, so every encounter should end paid; ``clean=False`` mixes in terminated
members, demographic mismatches and reprocessing scenarios, as a real day would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rcm_shared.contracts.common import npi_from


@dataclass(frozen=True)
class Visit:
    """A visit pattern: what the note says and what the clinician entered."""

    name: str
    note: str
    diagnoses: tuple[str, ...]
    procedures: tuple[tuple[str, int], ...]
    preventive: bool = False


VISITS: tuple[Visit, ...] = (
    Visit("hypertension follow-up",
          "Chief complaint: blood pressure follow-up.\nHPI: Established patient here for hypertension. "
          "Taking lisinopril daily, no side effects. Denies chest pain or headache.\n"
          "Exam: BP 132/84, heart regular.\nAssessment: Essential hypertension, controlled.\n"
          "Plan: Continue lisinopril. Established patient office visit, low complexity medical decision making.",
          ("I10",), (("99213", 1),)),
    Visit("diabetes with CKD",
          "Chief complaint: diabetes follow-up.\nHPI: Type 2 diabetes with diabetic chronic kidney disease, "
          "stage 3a. A1c drawn today in office.\nAssessment: Type 2 diabetes mellitus with diabetic CKD; "
          "chronic kidney disease stage 3a.\nPlan: Hemoglobin A1c point of care test performed. "
          "Established patient office visit, moderate complexity medical decision making.",
          ("E11.22", "N18.31"), (("99214", 1), ("83036", 1))),
    Visit("urinary tract infection",
          "Chief complaint: burning with urination for two days.\nHPI: Dysuria and frequency. Denies fever.\n"
          "Exam: mild suprapubic tenderness.\nAssessment: Acute cystitis without hematuria.\n"
          "Plan: Urinalysis automated without microscopy performed in office. Nitrofurantoin. "
          "Established patient office visit, low complexity medical decision making.",
          ("N30.00",), (("99213", 1), ("81003", 1))),
    Visit("chest pain with ECG",
          "Chief complaint: chest pain.\nHPI: Intermittent chest pain for one week, not exertional.\n"
          "Exam: normal heart sounds.\nAssessment: Chest pain, unspecified.\n"
          "Plan: 12-lead ECG with interpretation and report performed in office, normal sinus rhythm. "
          "Established patient office visit, moderate complexity medical decision making.",
          ("R07.9",), (("99214", 1), ("93000", 1))),
    Visit("strep pharyngitis",
          "Chief complaint: sore throat.\nHPI: Sore throat and fever for two days.\n"
          "Exam: tonsillar exudate.\nAssessment: Streptococcal pharyngitis.\n"
          "Plan: Rapid strep test performed in office, positive. Amoxicillin. "
          "Established patient office visit, low complexity medical decision making.",
          ("J02.0",), (("99213", 1), ("87880", 1))),
    Visit("influenza vaccine",
          "Chief complaint: flu shot.\nHPI: Here for seasonal influenza vaccination. No allergies.\n"
          "Assessment: Encounter for immunization.\n"
          "Plan: Influenza vaccine, quadrivalent, preservative free, 0.5 mL IM given in left deltoid. "
          "Vaccine administration by nurse, one vaccine.",
          ("Z23",), (("90686", 1), ("90471", 1))),
    Visit("hyperlipidemia",
          "Chief complaint: cholesterol follow-up.\nHPI: Hyperlipidemia on atorvastatin.\n"
          "Assessment: Hyperlipidemia, unspecified.\nPlan: Lipid panel drawn, venipuncture performed. "
          "Established patient office visit, low complexity medical decision making.",
          ("E78.5",), (("99213", 1), ("80061", 1), ("36415", 1))),
)

# Every visit pattern above is coded by the engine without human review (checked by
# cli/tests/test_synthetic.py), so ``clean=True`` may draw any of them: an end-to-end run
# then measures delivery rather than the review queue.
NO_REVIEW_VISITS = tuple(v.name for v in VISITS)

PREVENTIVE_BY_AGE = ((1, "99391"), (5, "99392"), (12, "99393"), (18, "99394"), (40, "99395"), (65, "99396"),
                     (200, "99397"))


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def preventive_visit(age: int) -> Visit:
    """An annual preventive visit: the E/M code and the Z00 code follow the patient's age."""
    code = next(c for limit, c in PREVENTIVE_BY_AGE if age < limit)
    if age < 18:
        assessment, dx = "Encounter for routine child health examination without abnormal findings.", "Z00.129"
    else:
        assessment, dx = "Encounter for general adult medical examination without abnormal findings.", "Z00.00"
    return Visit("annual preventive exam",
                 "Chief complaint: annual physical.\nHPI: Established patient for periodic preventive "
                 f"examination. No complaints.\nAssessment: {assessment}\nPlan: Preventive visit, established "
                 "patient. Age-appropriate counseling.", (dx,), ((code, 1),), preventive=True)


def _sandbox_roster() -> tuple[list[Any], list[Any], dict[str, Any]]:
    """(clean members, members with a status or scenario, payers by id) from the sandbox's data file."""
    from rcm_sandbox.config import load_config

    config = load_config()
    clean = [m for m in config.members if m.status == "active" and m.scenario == "none"]
    troubled = [m for m in config.members if m not in clean]
    return clean, troubled, {p.payer_id: p for p in config.payers}


# The last date of service of the ICD-10-CM release the coding service packages (CMS April 2026
# file). The CLI does not import the coding service for it (a tool never reaches into a
# service's internals); cli/tests/test_synthetic.py fails if the two ever disagree.
PACKAGED_ICD10CM_LAST_DAY = date(2026, 9, 30)


def latest_codable_date(today: date | None = None) -> date:
    """The latest date of service the loaded ICD-10-CM release covers (at most yesterday).

    The packaged release (April 2026) ends on 2026-09-30; a later date of service needs
    the FY2027 files, which the coding engine refuses to guess. Synthetic visits therefore
    fall inside the covered window until a newer code set is loaded.
    """
    yesterday = (today or date.today()) - timedelta(days=1)
    return min(yesterday, PACKAGED_ICD10CM_LAST_DAY)


def payer_business_date(today: date | None = None) -> date | None:
    """The date the payer sandbox should take as today for synthetic encounters, or None for the real date.

    While the loaded code set covers yesterday, nothing is pinned. Once real time has moved past
    it, synthetic dates of service stop at the code set's last day; the sandbox is then dated the
    day after, so the payers' timely-filing limits (90 days at the shortest) judge the claims as
    if they were sent on time, and a run gives the same answer whatever the real date.
    """
    latest = latest_codable_date(today)
    yesterday = (today or date.today()) - timedelta(days=1)
    return latest + timedelta(days=1) if latest < yesterday else None


def encounters(n: int, *, seed: int = 7, clean: bool = True, latest: date | None = None,
               prefix: str = "ENC") -> Iterator[dict[str, Any]]:
    """``n`` EncounterCompleted payloads (JSON form), deterministic for ``seed``.

    Dates of service fall in the 30 days up to ``latest`` (default: the latest date the
    loaded code set covers), so timely filing holds for every sandbox payer.
    """
    rng = random.Random(seed)
    clean_members, troubled, payers = _sandbox_roster()
    latest = latest or latest_codable_date()
    clean_visits = [v for v in VISITS if v.name in NO_REVIEW_VISITS]
    seen: set[tuple[str, date, str]] = set()
    billing_npi = npi_from("198765432")
    doctors = [(npi_from(f"1{rng.randint(10_000_000, 99_999_999)}"), ln, fn)
               for ln, fn in (("Rivera", "Sam"), ("Okafor", "Ada"), ("Lindqvist", "Jo"), ("Tanaka", "Kai"))]
    produced = 0
    while produced < n:
        # A realistic day: most visits are clean, some hit terminated coverage or a payer scenario.
        m = rng.choice(troubled if not clean and rng.random() < 0.15 else clean_members)
        payer = payers[m.payer_id]
        dos = latest - timedelta(days=rng.randint(0, 29))
        visit = rng.choice(clean_visits if clean else VISITS)
        if payer.kind == "medicare" and visit.name == "influenza vaccine":
            # Medicare pays vaccine administration under G0008, not 90471.
            visit = Visit(visit.name, visit.note, visit.diagnoses, (("90686", 1), ("G0008", 1)))
        if not clean and payer.kind != "medicare" and rng.random() < 0.1:
            visit = preventive_visit(_age(m.birth_date, dos))
        key = (m.member_id, dos, visit.name)
        if key in seen:  # the payer would deny an identical claim as a duplicate (CO-18)
            continue
        seen.add(key)
        produced += 1
        npi, last, first = rng.choice(doctors)
        yield {
            "encounter_id": f"{prefix}-{seed}-{produced:06d}",
            "patient": {"first_name": m.first_name.title(), "last_name": m.last_name.title(),
                        "birth_date": m.birth_date.isoformat(), "sex": m.sex,
                        "address": {"line1": f"{rng.randint(1, 999)} Synthetic St", "city": "Springfield",
                                    "state": "IL", "postal_code": "62701"}},
            "coverage": {"payer_id": m.payer_id, "payer_name": payer.name[:60], "member_id": m.member_id,
                         "financial_class": str(payer.kind)},
            "rendering_provider": {"npi": npi, "last_name_or_org": last, "first_name": first},
            "billing_provider": {"npi": billing_npi, "last_name_or_org": "Synthetic Family Practice",
                                 "tax_id": "123456789",
                                 "address": {"line1": "100 Clinic Rd", "city": "Springfield", "state": "IL",
                                             "postal_code": "62701"}},
            "place_of_service": "11",
            "date_of_service": dos.isoformat(),
            "documentation": {
                "note_text": visit.note,
                "diagnoses": [{"code": c} for c in visit.diagnoses],
                "procedures": [{"code": c, "units": str(u)} for c, u in visit.procedures],
            },
        }
