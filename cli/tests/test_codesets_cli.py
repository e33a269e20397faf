"""`rcm codesets import|status|remove`: the coding service's code-set store from the command line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from rcm_cli.main import app
from rcm_coding import testing as t
from rcm_coding.adapters.reference_data import packaged_icd10cm, packaged_icd10cm_index_path
from typer.testing import CliRunner


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    target = packaged_icd10cm_index_path(tmp_path / "store")
    target.parent.mkdir(parents=True)
    packaged_icd10cm()
    shutil.copyfile(packaged_icd10cm_index_path(), target)  # building it takes seconds
    return tmp_path / "store"


def rcm(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    # One line of words: rich wraps lines and draws the table's borders.
    return result.exit_code, " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())


def test_import_infers_fy2027_says_so_and_a_second_import_does_nothing(store_dir: Path, tmp_path: Path) -> None:
    codes, tabular = t.write_icd10cm_release(tmp_path / "cms", 2027)
    code, out = rcm("codesets", "import", "icd10cm", str(codes), str(tabular), "--version", "FY2027",
                    "--dir", str(store_dir))
    assert code == 2 and "refused (count): icd10cm-codes-2027.txt holds 8 codes" in out
    code, out = rcm("codesets", "import", "icd10cm", str(codes), str(tabular), "--version", "FY2027",
                    "--min-count", "1", "--dir", str(store_dir))
    assert code == 0, out
    assert "dates of service 2026-10-01..2027-09-30: inferred from the file names: FY2027" in out
    assert "imported ICD-10-CM FY2027: 8 codes, 8 billable, 15 tabular entries; dates of service " \
           "2026-10-01..2027-09-30" in out
    code, out = rcm("codesets", "import", "icd10cm", str(tabular), str(codes), "--min-count", "1",
                    "--dir", str(store_dir))
    assert code == 0 and "already imported: these files are ICD-10-CM FY2027" in out and "nothing done" in out


def test_status_lists_each_release_and_warns_with_a_failing_check(store_dir: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODESETS_DIR", str(store_dir))  # the store from the environment, as the service reads it
    code, out = rcm("codesets", "status", "--date", "2026-12-02")
    assert code == 0
    assert "warning (icd10cm): no ICD-10-CM release covers dates of service on 2026-12-02" in out
    assert "warning (ncci-ptp): NCCI PTP (practitioner): the packaged illustrative sample (23 pairs) is in use" in out
    assert rcm("codesets", "status", "--date", "2026-12-02", "--check")[0] == 1

    codes, tabular = t.write_icd10cm_release(tmp_path / "cms", 2027)
    assert rcm("codesets", "import", "icd10cm", str(codes), str(tabular), "--min-count", "1")[0] == 0
    for kind, files in (("hcpcs", [t.write_hcpcs_file(tmp_path / "cms")]),
                        ("mue", [t.write_mue_file(tmp_path / "cms")]),
                        ("ncci-ptp", t.write_ptp_files(tmp_path / "cms"))):
        assert rcm("codesets", "import", kind, *map(str, files), "--min-count", "1")[0] == 0
    code, out = rcm("codesets", "status", "--date", "2027-02-01", "--check")
    assert code == 0 and "no warning" in out
    assert "icd10cm FY2027 2026-10-01..2027-09-30 icd10cm-codes-2027.txt, icd10cm-tabular-2027.xml" in out
    assert "ncci-ptp v331r0 2027-01-01..(until superseded) ccipra-v331r0-f1.txt, ccipra-v331r0-f2.txt 6 edits" in out

    code, out = rcm("codesets", "remove", "icd10cm", "FY2027")
    assert code == 0 and "removed ICD-10-CM FY2027" in out
    code, out = rcm("codesets", "status", "--date", "2027-02-01", "--check")
    assert code == 1 and "no ICD-10-CM release covers dates of service on 2027-02-01" in out
    assert rcm("codesets", "remove", "icd10cm", "FY2027")[0] == 2
