from datetime import date

import pytest
from rcm_coding.adapters.reference_data import default_engine
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.icd10cm import ICD10CMCodeSet, TabularEntry
from rcm_coding.domain.procedure_codes import ProcedureCode


@pytest.fixture(scope="session")
def engine() -> CodingEngine:
    return default_engine()


@pytest.fixture(scope="session")
def reference() -> CodeSetRegistry:
    """A few codes of each kind, built in memory (no files): what the review edits need in fast tests."""
    icd = ICD10CMCodeSet("test", {
        "I10": TabularEntry("I10", "Essential (primary) hypertension", True, None),
        "R05": TabularEntry("R05", "Cough", False, None),
        "R05.9": TabularEntry("R05.9", "Cough, unspecified", True, "R05"),
        "J18.9": TabularEntry("J18.9", "Pneumonia, unspecified organism", True, None),
        "N40.0": TabularEntry("N40.0", "Benign prostatic hyperplasia without lower urinary tract symptoms", True,
                              None),
    })
    registry = CodeSetRegistry()
    registry.register_icd10cm(icd, date(2026, 1, 1), date(2026, 12, 31))
    registry.cpt = {c: ProcedureCode(c, label, "CPT") for c, label in
                    (("99213", "office visit, established, low"), ("96372", "injection, IM or SC"))}
    registry.hcpcs = {"J1030": ProcedureCode("J1030", "methylprednisolone acetate 40 mg", "HCPCS")}
    return registry
