"""Further ICD-10-CM releases, loaded from CMS-format files and chosen by date of service."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from rcm_coding.adapters.reference_data import ICD10CMRelease, load_engine
from rcm_coding.config import CodingSettings
from rcm_coding.domain.engine import CodingEngine
from rcm_coding.domain.model import EncounterDocumentation

# A miniature release in the CMS layouts (tabular XML: version, introduction, then chapters;
# code list: "CODE description" per line). Synthetic: one chapter, two codes, one new code
# that the packaged April 2026 release does not have.
TABULAR = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2027</version>
  <introduction><introSection type="title"><title>Test release</title></introSection></introduction>
  <chapter>
    <name>9</name><desc>Diseases of the circulatory system (I00-I99)</desc>
    <section id="I10-I1A"><desc>Hypertensive diseases (I10-I1A)</desc>
      <diag><name>I10</name><desc>Essential (primary) hypertension</desc></diag>
      <diag><name>I1Z</name><desc>Test-only hypertensive code of the synthetic release</desc>
        <diag><name>I1Z.0</name><desc>Test-only hypertensive code, first kind</desc></diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""
CODES = "I10     Essential (primary) hypertension\nI1Z0    Test-only hypertensive code, first kind\n"
FY2027 = (date(2026, 10, 1), date(2027, 9, 30))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("icd")
    (d / "codes.txt").write_text(CODES, encoding="utf-8")
    (d / "tabular.xml").write_text(TABULAR, encoding="utf-8")
    return d / "codes.txt", d / "tabular.xml"


def test_a_further_release_codes_its_own_dates_and_leaves_the_packaged_one_whole(
        engine: CodingEngine, files: tuple[Path, Path]) -> None:
    codes, tabular = files
    release = ICD10CMRelease("FY2027-test", *FY2027, str(codes), str(tabular))
    # A registry of its own (not the session's), sharing the packaged release and samples.
    registry = type(engine.registry)(icd10cm_versions=list(engine.registry.icd10cm_versions),
                                     hcpcs=engine.registry.hcpcs, cpt=engine.registry.cpt,
                                     ptp=engine.registry.ptp, mue=engine.registry.mue)
    loaded = load_engine(registry, releases=[release])
    note = "Assessment: Essential hypertension.\n"
    october = loaded.code_encounter(EncounterDocumentation(note, date(2026, 10, 15), "F", 50))
    assert [d.code for d in october.diagnoses] == ["I10"]
    assert october.code_set_versions == {"icd10cm": "FY2027-test"}
    september = loaded.code_encounter(EncounterDocumentation(note, date(2026, 9, 15), "F", 50))
    assert september.code_set_versions == {"icd10cm": "2026-04"}
    new_code = loaded.registry.icd10cm_for(date(2026, 10, 15))
    assert new_code.is_billable("I1Z.0") and not new_code.is_valid("E11.9")
    assert not loaded.registry.icd10cm_for(date(2026, 9, 15)).is_valid("I1Z.0")
    # Loading other files must not leave the package pointing at them.
    import simple_icd_10_cm as cm

    assert cm.is_valid_item("E11.9") and not cm.is_valid_item("I1Z.0")
    with pytest.raises(ValueError, match="overlaps"):
        load_engine(registry, releases=[release])


def test_releases_setting_reads_json_and_fails_fast_on_bad_files_or_windows(
        files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    codes, tabular = files
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/coding")
    good = {"version": "FY2027", "effective_from": "2026-10-01", "effective_to": "2027-09-30",
            "code_list": str(codes), "tabular_xml": str(tabular)}
    monkeypatch.setenv("ICD10CM_RELEASES", json.dumps([good]))
    release = CodingSettings().icd10cm_releases[0].to_reference_data()
    assert release == ICD10CMRelease("FY2027", *FY2027, str(codes), str(tabular))
    for bad, field in (({**good, "tabular_xml": "/nonexistent/tabular.xml"}, "tabular_xml"),
                       ({**good, "effective_to": "2026-01-01"}, "effective_to")):
        monkeypatch.setenv("ICD10CM_RELEASES", json.dumps([bad]))
        with pytest.raises(ValidationError, match=field):
            CodingSettings()
