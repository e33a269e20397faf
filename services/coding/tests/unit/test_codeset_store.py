"""The code-set store: CMS files validated and imported once, prebuilt indexes, what is in use, warnings.

The files are small synthetic releases in the CMS layouts (``rcm_coding.testing``); the count
floors are lowered with ``min_records`` except where the floor itself is tested.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rcm_coding import testing as t
from rcm_coding.adapters import codeset_files, codeset_index
from rcm_coding.adapters.codeset_store import (
    CodeSetRejectedError,
    CodeSetStore,
    load_code_sets,
    load_service_code_sets,
    store_status,
)
from rcm_coding.adapters.reference_data import (
    ICD10CMRelease,
    load_engine,
    load_icd10cm,
    packaged_icd10cm,
    packaged_icd10cm_index_path,
)
from rcm_coding.domain.icd10cm import TabularEntry
from rcm_coding.domain.model import EncounterDocumentation

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture()
def store(tmp_path: Path) -> CodeSetStore:
    """An empty store, but for the packaged release's index (copied: building it takes seconds)."""
    target = packaged_icd10cm_index_path(tmp_path / "store")
    target.parent.mkdir(parents=True)
    shutil.copyfile(shared_packaged_index(), target)
    return CodeSetStore(tmp_path / "store")


def shared_packaged_index() -> Path:
    packaged_icd10cm()  # the default store's (built once per machine and engine version)
    return packaged_icd10cm_index_path()


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    return tmp_path / "cms"


def refused(check: str, store: CodeSetStore, kind: str, files: list[Path], **kwargs: object) -> str:
    with pytest.raises(CodeSetRejectedError) as info:
        store.import_release(kind, files, **{"min_records": 1, **kwargs})  # type: ignore[arg-type]
    assert info.value.check == check, info.value.message
    assert not list(store.root.glob(".staging-*")), "a refused import leaves nothing behind"
    return info.value.message


# ------------------------------------------------------------------------------ ICD-10-CM
def test_an_icd10cm_release_is_imported_once_with_its_manifest_and_window_inferred_from_the_names(
        store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src, 2027)
    outcome = store.import_release("icd10cm", [tabular, codes], min_records=1, now=NOW)
    release = outcome.release
    assert outcome.imported and release.version == "FY2027"
    assert release.window is not None
    assert (release.window.effective_from, release.window.effective_to) == (date(2026, 10, 1), date(2027, 9, 30))
    assert "inferred from the file names: FY2027" in outcome.notes[0]
    assert release.directory == store.root / "icd10cm" / "FY2027"
    manifest = json.loads((release.directory / "manifest.json").read_text())
    assert manifest["kind"] == "icd10cm" and manifest["version"] == "FY2027"
    assert (manifest["effective_from"], manifest["effective_to"]) == ("2026-10-01", "2027-09-30")
    assert {s["name"]: s["sha256"] for s in manifest["sources"]} == {
        tabular.name: codeset_index_sha(tabular), codes.name: codeset_index_sha(codes)}
    assert manifest["counts"] == {"codes": 8, "billable": 8, "tabular entries": 15}
    assert manifest["imported_at"] == NOW.isoformat()
    kept = release.directory / "sources" / f"{codes.name}.gz"
    assert gzip.decompress(kept.read_bytes()) == codes.read_bytes()

    again = store.import_release("icd10cm", [codes, tabular], min_records=1)
    assert not again.imported and again.release.version == "FY2027"
    assert [r.version for r in store.releases("icd10cm")] == ["FY2027"]


def codeset_index_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_imported_index_reads_back_the_code_set_simple_icd_10_cm_builds_from_the_files(
        store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src, 2027)
    release = store.import_release("icd10cm", [codes, tabular], min_records=1).release
    from_index = store.load_icd10cm(release)
    parsed = load_icd10cm("FY2027", str(codes), str(tabular))
    assert from_index == parsed and from_index.entries.keys() == parsed.entries.keys()
    assert from_index.is_billable("S93.401A") and not from_index.is_billable("S93.401")
    assert from_index.get("S93.401A").parent == "S93.401"  # type: ignore[union-attr]
    assert from_index.excludes1_refs("E11.9")  # inherited from E11


def test_the_april_update_and_the_tabular_version_give_the_window_too(store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src / "april", 2027, april=True)
    april = store.import_release("icd10cm", [codes, tabular], min_records=1)
    assert april.release.version == "2027-04"
    assert april.release.window and april.release.window.describe() == "2027-04-01..2027-09-30"
    plain = src / "plain"
    plain.mkdir(parents=True)
    (plain / "codes.txt").write_text(t.code_list())
    (plain / "tabular.xml").write_text(t.tabular_xml(2028))
    outcome = store.import_release("icd10cm", [plain / "codes.txt", plain / "tabular.xml"], min_records=1)
    assert outcome.release.version == "FY2028" and "<version>2028</version>" in outcome.notes[0]


def test_an_icd10cm_release_below_the_floor_is_refused_with_its_count(store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src)
    message = refused("count", store, "icd10cm", [codes, tabular], min_records=None)
    assert "holds 8 codes" in message and "at least 60,000" in message


@pytest.mark.parametrize(("codes_text", "expected"), [
    ("I10     Essential (primary) hypertension\nI10.1   dotted code\n", "line 2: expected a code without its dot"),
    ("00001 A00     0 Cholera\n", "looks like the order file"),
    ("I10     Essential hypertension\n\nI10     Essential hypertension\n", "line 3: code I10 again (first on line 1)"),
    ("I10     Essential hypertension\nE116    Type 2 diabetes with other complications\n",
     "line 2: code E116 has subcodes in the tabular"),
    ("I10     Essential hypertension\nJ449    COPD\n", "line 2: code J449 is not in the tabular"),
])
def test_a_bad_code_list_is_refused_at_its_first_bad_line(store: CodeSetStore, src: Path, codes_text: str,
                                                          expected: str) -> None:
    codes, tabular = t.write_icd10cm_release(src, codes_text=codes_text)
    message = refused("format", store, "icd10cm", [codes, tabular])
    assert message.startswith("icd10cm-codes-2027.txt") and expected in message


def good_xml() -> str:
    return t.tabular_xml(2027)


@pytest.mark.parametrize(("xml_text", "expected"), [
    (good_xml().replace("</chapter>", ""), "not well-formed XML (mismatched tag)"),
    (good_xml().replace("ICD10CM.tabular", "tabular"), "line 2: the root element is <tabular>"),
    (good_xml().replace("<desc>Sprain of ankle</desc>", ""), "line 62: <diag> S93.4 has no <desc>"),
    (good_xml().replace("<name>I10</name>", ""), "line 10: <diag> without a <name>"),
    (good_xml().replace("<name>S93.40</name>", "<name>S94.40</name>"), "code S94.40 is nested under S93.4"),
    (good_xml().replace("<name>I1Z.9</name>", "<name>I1Z.0</name>"), "code I1Z.0 again (first on line"),
    (good_xml().replace("<name>E11.9</name>", "<name>E11-9</name>"), "'E11-9' is not an ICD-10-CM code"),
    (good_xml().replace("<ICD10CM.tabular>", '<!DOCTYPE x [<!ENTITY a "b">]>\n<ICD10CM.tabular>'),
     "a DOCTYPE declaration"),
    (good_xml().replace("<version>2027</version>", ""), "<introduction> where the tabular has <version>"),
])
def test_a_bad_tabular_file_is_refused_with_the_line_of_the_first_problem(
        store: CodeSetStore, src: Path, xml_text: str, expected: str) -> None:
    codes, tabular = t.write_icd10cm_release(src, xml_text=xml_text)
    message = refused("format", store, "icd10cm", [codes, tabular])
    assert message.startswith("icd10cm-tabular-2027.xml line ") and expected in message, message


def test_icd10cm_dates_are_checked_against_each_other_and_the_tabulars_fiscal_year(
        store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src, 2027)
    assert "ends (2026-10-01) before it starts (2027-09-30)" in refused(
        "dates", store, "icd10cm", [codes, tabular], effective_from=date(2027, 9, 30), effective_to=date(2026, 10, 1))
    message = refused("dates", store, "icd10cm", [codes, tabular], effective_from=date(2027, 10, 1),
                      effective_to=date(2028, 9, 30))
    assert "is the FY2027 release" in message and "2026-10-01..2027-09-30" in message
    other = src / "mixed"
    other.mkdir()
    mixed = other / "icd10cm-tabular-2028.xml"
    mixed.write_text(t.tabular_xml(2028))
    assert "different years: 2027 (icd10cm-codes-2027.txt), 2028 (icd10cm-tabular-2028.xml)" in refused(
        "dates", store, "icd10cm", [codes, mixed])
    bare = src / "bare"
    bare.mkdir()
    (bare / "codes.txt").write_text(t.code_list())
    (bare / "tabular.xml").write_text(t.tabular_xml(2027).replace("<version>2027</version>", "<version/>"))
    assert "give --from and --to" in refused("dates", store, "icd10cm", [bare / "codes.txt", bare / "tabular.xml"])


def test_overlapping_icd10cm_windows_are_refused_naming_the_release_they_overlap(
        store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src / "a", 2026)
    message = refused("overlap", store, "icd10cm", [codes, tabular], version="FY2026-test")
    assert "2025-10-01..2026-09-30 overlap ICD-10-CM 2026-04 (2026-04-01..2026-09-30, the packaged release)" in message
    store.import_release("icd10cm", [codes, tabular], version="FY2026-early", effective_from=date(2025, 10, 1),
                         effective_to=date(2026, 3, 31), min_records=1, now=NOW)
    other = t.write_icd10cm_release(src / "b", 2026, codes_text=t.code_list().replace("Type 2", "Type II"))
    message = refused("overlap", store, "icd10cm", list(other), version="FY2026-other",
                      effective_from=date(2026, 3, 1), effective_to=date(2026, 3, 15))
    assert "overlap ICD-10-CM FY2026-early (2025-10-01..2026-03-31, imported 2026-12-02 from " in message


def test_a_version_imported_from_other_files_is_a_conflict(store: CodeSetStore, src: Path) -> None:
    codes, tabular = t.write_icd10cm_release(src / "a", 2027)
    store.import_release("icd10cm", [codes, tabular], min_records=1)
    codes2, tabular2 = t.write_icd10cm_release(src / "b", 2027, codes_text=t.code_list().replace("Type 2", "Type II"))
    message = refused("conflict", store, "icd10cm", [codes2, tabular2])
    assert "ICD-10-CM FY2027 is already imported from other files" in message
    assert "rcm codesets remove icd10cm FY2027" in message


def test_icd10cm_takes_its_two_files_and_names_what_is_missing(store: CodeSetStore, src: Path) -> None:
    codes, _ = t.write_icd10cm_release(src)
    assert "the tabular XML" in refused("files", store, "icd10cm", [codes])
    assert "no file at" in refused("files", store, "icd10cm", [codes, src / "missing.xml"])
    assert "unknown kind 'icd9'" in refused("files", store, "icd9", [codes])


# ------------------------------------------------------------------------------ HCPCS, CPT, MUE, PTP
def test_the_procedure_kinds_import_with_their_dates_from_the_file_names(store: CodeSetStore, src: Path) -> None:
    hcpcs = store.import_release("hcpcs", [t.write_hcpcs_file(src)], min_records=1).release
    assert (hcpcs.version, hcpcs.counts, hcpcs.window) == (
        "2027-JAN", {"codes": 3}, codeset_files.Window(date(2027, 1, 1), None, "inferred from the file name: "
                                                                            "2027-01-01"))
    mue = store.import_release("mue", [t.write_mue_file(src)], min_records=1).release
    assert (mue.version, mue.counts["codes"]) == ("2027Q1", 3)
    cpt = store.import_release("cpt", [t.write_cpt_file(src)], min_records=1).release
    assert cpt.version == "CPT2027"
    ptp = store.import_release("ncci-ptp", t.write_ptp_files(src), min_records=1).release
    assert ptp.version == "v331r0" and ptp.counts["edits"] == 6
    assert ptp.window and ptp.window.basis == "inferred from the latest edit effective date in the files: 2027-01-01"
    assert store.load_procedures(hcpcs)["G2211"].label.startswith("Visit complexity")
    assert store.load_mue(mue)["96372"].max_units == 4
    table = store.load_ptp(ptp)
    assert [e.modifier_indicator for e in table.get(("45380", "45378"), [])] == ["1"]
    assert table.get(("45378", "45380")) is None and len(table) == 6 and ("93000", "93005") in table


def test_below_the_floor_each_kind_says_how_many_it_holds(store: CodeSetStore, src: Path) -> None:
    assert "holds 3 codes; a complete HCPCS Level II release has at least 5,000" in refused(
        "count", store, "hcpcs", [t.write_hcpcs_file(src)], min_records=None)
    assert "holds 6 edits; a complete NCCI PTP (practitioner) release has at least 100,000" in refused(
        "count", store, "ncci-ptp", t.write_ptp_files(src), min_records=None)


def test_bad_hcpcs_cpt_mue_and_ptp_records_are_refused_at_their_line(store: CodeSetStore, src: Path) -> None:
    hcpcs = t.write_hcpcs_file(src)
    lines = hcpcs.read_text().splitlines()
    hcpcs.write_text("\n".join([*lines[:2], "99213" + lines[2][5:], *lines[3:]]) + "\n")
    assert "HCPC2027_JAN_ANWEB.txt line 3: '99213' is not a HCPCS Level II code" in refused(
        "format", store, "hcpcs", [hcpcs])
    hcpcs.write_text("\n".join([*lines[:1], lines[1][:10] + "5" + lines[1][11:]]) + "\n")
    assert "HCPC2027_JAN_ANWEB.txt: HCPCS line 2: record id '5' not in 3/4/7/8" in refused(
        "format", store, "hcpcs", [hcpcs])
    cpt = t.write_cpt_file(src)
    cpt.write_text(cpt.read_text() + "9921,too short\n")
    assert "line 4: '9921' is not a CPT code" in refused("format", store, "cpt", [cpt])
    cpt.write_text("code,price\n99213,10\n")
    assert "needs columns 'code' and one of short_descriptor/descriptor/label" in refused(
        "format", store, "cpt", [cpt])
    mue = t.write_mue_file(src)
    mue.write_text(mue.read_text() + '"99214","1","7 Unknown","x"\n')
    assert "MUE line 6: adjudication indicator '7 Unknown'" in refused("format", store, "mue", [mue])
    f1, f2 = t.write_ptp_files(src)
    f2.write_text(f2.read_text() + "99214\t99211\t\t2027XX01\t*\t0\tx\n")
    assert "ccipra-v331r0-f2.txt: PTP line 6: date '2027XX01' is not YYYYMMDD" in refused(
        "format", store, "ncci-ptp", [f1, f2])


def test_a_bad_ptp_line_deep_in_a_big_file_keeps_its_own_line_number(
        store: CodeSetStore, src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codeset_files, "_PTP_CHUNK_LINES", 2)  # the file is read in chunks of 2 lines
    [f1] = t.write_ptp_files(src, files=1)
    f1.write_text(f1.read_text() + "99214\t99211\t\t20270101\t*\t5\tx\n")
    assert "ccipra-v331r0-f1.txt: PTP line 9: modifier indicator '5'" in refused("format", store, "ncci-ptp", [f1])


def test_ptp_files_are_one_whole_practitioner_release(store: CodeSetStore, src: Path) -> None:
    files = t.write_ptp_files(src, files=3)
    assert "the files f1..f3 together: f2 missing" in refused("files", store, "ncci-ptp", [files[0], files[2]])
    other = t.write_ptp_files(src / "q2", version="v332r0", files=1)
    assert "different releases (v331r0, v332r0)" in refused("files", store, "ncci-ptp", [files[0], *other])
    hospital = src / "ccioph-v331r0-f1.txt"
    hospital.write_text(files[0].read_text())
    assert "hospital outpatient PTP file" in refused("files", store, "ncci-ptp", [hospital])
    dme = src / "MCR_MUE_DMESupplierServices_Eff_01-01-2027.csv"
    dme.write_text(t.write_mue_file(src).read_text())
    assert "is the DME supplier MUE file" in refused("files", store, "mue", [dme])
    undated = src / "mue.csv"
    undated.write_text(t.write_mue_file(src).read_text())
    assert "no date in mue.csv: give --from" in refused("dates", store, "mue", [undated])


# ------------------------------------------------------------------------------ in use, warnings, loading
def test_status_warns_for_a_date_without_icd10cm_and_for_the_samples_until_cms_files_are_imported(
        store: CodeSetStore, src: Path) -> None:
    status = store_status(store, date(2026, 12, 2))
    icd = status.icd10cm_warning()
    assert icd is not None and "no ICD-10-CM release covers dates of service on 2026-12-02" in icd.message
    assert "rcm codesets import icd10cm icd10cm-codes-2027.txt icd10cm-tabular-2027.xml" in icd.message
    assert sorted(w.kind for w in status.warnings) == ["hcpcs", "icd10cm", "mue", "ncci-ptp"]
    assert "the packaged illustrative sample (23 pairs) is in use" in next(
        w.message for w in status.warnings if w.kind == "ncci-ptp")
    assert store_status(store, date(2026, 6, 1)).icd10cm_warning() is None

    store.import_release("icd10cm", list(t.write_icd10cm_release(src, 2027)), min_records=1)
    store.import_release("hcpcs", [t.write_hcpcs_file(src)], min_records=1)
    store.import_release("mue", [t.write_mue_file(src)], min_records=1)
    store.import_release("ncci-ptp", t.write_ptp_files(src), min_records=1)
    assert store_status(store, date(2027, 2, 1)).warnings == ()
    # Imported ahead of their date (CMS publishes weeks before a quarter): the samples stay in use until then.
    december = store_status(store, date(2026, 12, 2))
    assert sorted(w.kind for w in december.warnings) == ["hcpcs", "mue", "ncci-ptp"]
    in_use = {(u.release.kind, u.release.version) for u in december.releases if u.in_use}
    assert ("ncci-ptp", "sample") in in_use and ("icd10cm", "FY2027") in in_use


def test_the_service_codes_with_the_imported_releases_in_effect(store: CodeSetStore, src: Path) -> None:
    store.import_release("icd10cm", list(t.write_icd10cm_release(src, 2027)), min_records=1)
    store.import_release("ncci-ptp", t.write_ptp_files(src), min_records=1)
    store.import_release("mue", [t.write_mue_file(src)], min_records=1)
    loaded = load_code_sets(store, date(2027, 2, 1))
    assert loaded.status(date(2027, 2, 1)).warnings[0].kind == "hcpcs"  # only the HCPCS sample is left
    assert loaded.registry.describe_icd10cm() == "2026-04 (2026-04-01..2026-09-30), FY2027 (2026-10-01..2027-09-30)"
    engine = load_engine(loaded.registry)
    result = engine.code_encounter(EncounterDocumentation("Assessment: Essential hypertension.", date(2027, 2, 1),
                                                          "F", 50))
    assert result.code_set_versions["icd10cm"] == "FY2027"
    assert engine.registry.ptp_edits_for("99213", "36415", date(2027, 2, 1))  # the imported edit, not the sample's
    assert engine.registry.mue["J1030"].max_units == 10


def test_a_stale_or_damaged_index_is_rebuilt_from_the_kept_sources(
        store: CodeSetStore, src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    release = store.import_release("icd10cm", list(t.write_icd10cm_release(src, 2027)), min_records=1).release
    assert release.directory is not None
    original = store.load_icd10cm(release)
    [index] = release.directory.glob("index-*.index")
    index.write_bytes(index.read_bytes()[:-10])  # truncated
    assert store.load_icd10cm(release) == original
    # A new engine version (another fingerprint): a new index beside the old one, same content.
    monkeypatch.setattr(codeset_index, "builder_fingerprint", lambda extra="": "f" * 64)
    assert store.load_icd10cm(release) == original
    assert sorted(p.name for p in release.directory.glob("index-*.index")) == sorted(
        [index.name, "index-ffffffffffffffff.index"])


def test_two_threads_building_one_index_build_it_once(tmp_path: Path) -> None:
    path = tmp_path / "x.index"
    built: list[int] = []

    def build(target: Path) -> str:
        built.append(1)
        time.sleep(0.3)
        codeset_index.write_index(target, "test", "fp", ["payload"])
        return "built"

    def read(target: Path) -> str:
        return str(codeset_index.read_index(target, "test", "fp")[0])

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(codeset_index.cached_build(path, read, build)))
               for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(built) == 1 and sorted(results) == ["built", "payload", "payload", "payload"]
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["x.index"]


@pytest.mark.slow
def test_two_processes_starting_together_end_with_one_good_index(store: CodeSetStore, src: Path) -> None:
    release = store.import_release("icd10cm", list(t.write_icd10cm_release(src, 2027)), min_records=1).release
    assert release.directory is not None
    expected = store.load_icd10cm(release)
    for index in release.directory.glob("index-*"):
        index.unlink()
    script = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
              "from pathlib import Path\nfrom rcm_coding.adapters.codeset_store import CodeSetStore\n"
              f"s = CodeSetStore(Path({str(store.root)!r}))\n"
              "print(len(s.load_icd10cm(s.releases('icd10cm')[0])))\n")
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env={**os.environ}) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert [out.strip() for out, _ in outputs] == [str(len(expected))] * 2
    assert sum(err.count("rebuilding the index of ICD-10-CM FY2027") for _, err in outputs) == 1
    assert len(list(release.directory.glob("index-*.index"))) == 1
    assert not list(release.directory.glob(".*.tmp"))
    assert store.load_icd10cm(release) == expected


def test_configured_releases_are_imported_on_start_once(store: CodeSetStore, src: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codeset_files.MIN_RECORDS, "icd10cm", 1)
    codes, tabular = t.write_icd10cm_release(src, 2027)
    configured = [ICD10CMRelease("FY2027", date(2026, 10, 1), date(2027, 9, 30), str(codes), str(tabular))]
    first = load_service_code_sets(store, date(2026, 12, 2), configured)
    assert first.notes == ("ICD10CM_RELEASES FY2027: imported into the code-set store",)
    assert first.status(date(2026, 12, 2)).icd10cm_warning() is None
    second = load_service_code_sets(store, date(2026, 12, 2), configured)
    assert second.notes == ("ICD10CM_RELEASES FY2027: already in the code-set store",)


def test_a_store_that_cannot_be_written_still_starts_parsing_in_memory(tmp_path: Path, src: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    unwritable = CodeSetStore(blocker / "store")
    codes, tabular = t.write_icd10cm_release(src, 2027)
    small = load_icd10cm("2026-04-stand-in", str(codes), str(tabular))
    from rcm_coding.adapters import reference_data

    monkeypatch.setattr(reference_data, "load_icd10cm", lambda *a, **k: small)  # the packaged XML, ~4 s
    configured = [ICD10CMRelease("FY2027", date(2026, 10, 1), date(2027, 9, 30), str(codes), str(tabular))]
    monkeypatch.setattr("rcm_coding.adapters.codeset_store.load_icd10cm", lambda *a, **k: small)
    loaded = load_service_code_sets(unwritable, date(2026, 12, 2), configured)
    assert loaded.registry.describe_icd10cm() == \
        "2026-04-stand-in (2026-04-01..2026-09-30), 2026-04-stand-in (2026-10-01..2027-09-30)"
    assert loaded.status(date(2026, 12, 2)).icd10cm_warning() is None


def test_the_packaged_release_from_its_prebuilt_index_is_the_one_parsed_from_the_xml_code_by_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = load_icd10cm()  # what every start did before the index: simple-icd-10-cm's XML
    built = packaged_icd10cm(tmp_path)  # a first start: parses the XML once and writes the index
    assert packaged_icd10cm_index_path(tmp_path).is_file()
    from rcm_coding.adapters import reference_data

    def no_xml(*args: object, **kwargs: object) -> None:
        raise AssertionError("a start with the index must not parse the XML")

    monkeypatch.setattr(reference_data, "load_icd10cm", no_xml)
    read = packaged_icd10cm(tmp_path)  # every later start
    fields = [f.name for f in dataclasses.fields(TabularEntry)]
    assert {"description", "billable", "parent", "excludes1", "code_first", "use_additional",
            "seven_chr_def"} <= set(fields)
    for code_set in (built, read):
        assert code_set.version == parsed.version == "2026-04"
        assert list(code_set.entries) == list(parsed.entries) and len(code_set) == 98166
        for code, entry in parsed.entries.items():
            mine = code_set.entries[code]
            for name in fields:
                assert getattr(mine, name) == getattr(entry, name), (code, name)
                assert type(getattr(mine, name)) is type(getattr(entry, name)), (code, name)
        assert code_set == parsed


@pytest.mark.slow
def test_the_real_tabular_in_the_cms_layout_passes_every_check_at_the_real_floor(
        store: CodeSetStore, src: Path) -> None:
    """The packaged release's own 10 MB tabular and a CMS-format code list of its billable codes."""
    import importlib.util

    packaged = packaged_icd10cm()
    spec = importlib.util.find_spec("simple_icd_10_cm")
    assert spec is not None and spec.submodule_search_locations
    src.mkdir(parents=True)
    tabular = src / "icd10cm-tabular-2026.xml"
    shutil.copyfile(Path(spec.submodule_search_locations[0]) / "data" / "icd10c-tabular-April-1-2026.xml", tabular)
    codes = src / "icd10cm-codes-2026.txt"
    lines = [f"{e.code.replace('.', ''):<7} {e.description}" for e in packaged.entries.values() if e.billable]
    codes.write_text("\n".join([*lines, "QA00101 SCN2A-related neurodevelopmental disorder"]) + "\n")
    outcome = store.import_release("icd10cm", [codes, tabular], version="FY2026-first-half",
                                   effective_from=date(2025, 10, 1), effective_to=date(2026, 3, 31))
    assert outcome.release.counts["codes"] >= 60_000 and outcome.release.counts["left out"] == 1
    assert "1 listed code(s) left out, e.g. QA00101" in outcome.notes[0]
    assert store.load_icd10cm(outcome.release).entries == packaged.entries
