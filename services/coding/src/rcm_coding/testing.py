"""Small files in the CMS layouts, for tests only (synthetic content, never shipped as data).

An ICD-10-CM release (``icd10cm-codes-<year>.txt`` + ``icd10cm-tabular-<year>.xml``) of a few
codes, a HCPCS annual fixed-width file, practitioner PTP and MUE files and a CPT CSV, each
written into a directory the test owns. The count floors of
:meth:`rcm_coding.adapters.codeset_store.CodeSetStore.import_release` are a parameter
(``min_records``), so these small files import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from rcm_coding.adapters.reference_data import format_hcpcs_record

# (code, description, children); a category's 7th characters in SEVENTH.
Node = tuple[str, str, tuple["Node", ...]]
TREE: tuple[Node, ...] = (
    ("I10", "Essential (primary) hypertension", ()),
    ("I1Z", "Test-only hypertensive disease of the synthetic release", (
        ("I1Z.0", "Test-only hypertensive disease, first kind", ()),
        ("I1Z.9", "Test-only hypertensive disease, unspecified", ()),
    )),
    ("E11", "Type 2 diabetes mellitus", (
        ("E11.9", "Type 2 diabetes mellitus without complications", ()),
        ("E11.6", "Type 2 diabetes mellitus with other specified complications", (
            ("E11.65", "Type 2 diabetes mellitus with hyperglycemia", ()),
        )),
    )),
    ("S93", "Dislocation and sprain of joints and ligaments at ankle, foot and toe level", (
        ("S93.4", "Sprain of ankle", (
            ("S93.40", "Sprain of unspecified ligament of ankle", (
                ("S93.401", "Sprain of unspecified ligament of right ankle", ()),
            )),
        )),
    )),
)
SEVENTH = {"S93": (("A", "initial encounter"), ("D", "subsequent encounter"), ("S", "sequela"))}
EXCLUDES1 = {"E11": ("diabetes mellitus due to underlying condition (E08.-)",)}


def _diag(code: str, desc: str, children: Sequence[Node], indent: str) -> str:
    parts = [f"{indent}<diag>", f"{indent}  <name>{code}</name>", f"{indent}  <desc>{escape(desc)}</desc>"]
    if code in EXCLUDES1:
        parts += [f"{indent}  <excludes1>"] + [f"{indent}    <note>{escape(n)}</note>" for n in EXCLUDES1[code]] + [
            f"{indent}  </excludes1>"]
    if code in SEVENTH:
        parts += [f"{indent}  <sevenChrDef>"] + [
            f'{indent}    <extension char="{c}">{escape(d)}</extension>' for c, d in SEVENTH[code]] + [
            f"{indent}  </sevenChrDef>"]
    for c_code, c_desc, c_children in children:
        parts.append(_diag(c_code, c_desc, c_children, indent + "  "))
    parts.append(f"{indent}</diag>")
    return "\n".join(parts)


def tabular_xml(version_year: int = 2027, tree: Sequence[Node] = TREE) -> str:
    """A tabular file in the CMS layout: version, introduction, one chapter, one section per category."""
    sections = "\n".join(
        f'    <section id="{code}-{code}">\n      <desc>{escape(desc)} ({code})</desc>\n'
        f"{_diag(code, desc, children, '      ')}\n    </section>" for code, desc, children in tree)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<ICD10CM.tabular>\n  <version>{version_year}</version>\n'
            "  <introduction><introSection type=\"title\"><title>Synthetic test release</title></introSection>"
            "</introduction>\n  <chapter>\n    <name>1</name>\n    <desc>Synthetic chapter (A00-Z99)</desc>\n"
            f"{sections}\n  </chapter>\n</ICD10CM.tabular>\n")


def billable_codes(tree: Sequence[Node] = TREE) -> list[tuple[str, str]]:
    """(dotless code, description) of every leaf, with the 7th characters of its category."""
    out: list[tuple[str, str]] = []

    def walk(code: str, desc: str, children: Sequence[Node], seventh: tuple[tuple[str, str], ...]) -> None:
        seventh = SEVENTH.get(code, seventh)
        if not children:
            if seventh:
                base = code.replace(".", "").ljust(6, "X")
                out.extend((base + c, f"{desc}, {d}") for c, d in seventh)
            else:
                out.append((code.replace(".", ""), desc))
        for c_code, c_desc, c_children in children:
            walk(c_code, c_desc, c_children, seventh)

    for code, desc, children in tree:
        walk(code, desc, children, ())
    return out


def code_list(tree: Sequence[Node] = TREE) -> str:
    """``icd10cm-codes-<year>.txt``: the code without its dot, padded to 8, then the description."""
    return "".join(f"{code:<8}{desc}\n" for code, desc in billable_codes(tree))


def write_icd10cm_release(directory: Path, year: int = 2027, *, april: bool = False,
                          version_year: int | None = None, codes_text: str | None = None,
                          xml_text: str | None = None) -> tuple[Path, Path]:
    """Write the two files of a synthetic release named as CMS names them; returns (code list, tabular)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"April-{year}" if april else str(year)
    codes = directory / f"icd10cm-codes-{stem}.txt"
    tabular = directory / f"icd10cm-tabular-{stem}.xml"
    codes.write_text(codes_text if codes_text is not None else code_list(), encoding="utf-8")
    tabular.write_text(xml_text if xml_text is not None else tabular_xml(version_year or year), encoding="utf-8")
    return codes, tabular


HCPCS_CODES = (("G0008", "Administration of influenza virus vaccine", "Admin influenza virus vac"),
               ("J1030", "Injection, methylprednisolone acetate, 40 mg", "Methylprednisolone 40 mg inj"),
               ("G2211", "Visit complexity inherent to evaluation and management associated with medical care "
                         "services that serve as the continuing focal point for all needed health care services",
                "Complex e/m visit add on"))


def write_hcpcs_file(directory: Path, year: int = 2027, codes: Sequence[tuple[str, str, str]] = HCPCS_CODES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"HCPC{year}_JAN_ANWEB.txt"
    lines = [line for code, long, short in codes for line in format_hcpcs_record(code, long, short, date(year, 1, 1))]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


PTP_HEADER = ("CMS NCCI Practitioner PTP Edits (synthetic, for tests)\n"
              "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
              "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n")


def write_ptp_files(directory: Path, version: str = "v331r0", quarter_start: date = date(2027, 1, 1),
                    files: int = 2) -> list[Path]:
    """``files`` practitioner PTP files f1..fN; the last edit of each takes effect on ``quarter_start``."""
    directory.mkdir(parents=True, exist_ok=True)
    pairs = [("93000", "93005", "0"), ("93000", "93010", "0"), ("45380", "45378", "1"), ("99213", "36415", "1"),
             ("20610", "20604", "1"), ("11042", "97597", "1")]
    out = []
    for n in range(1, files + 1):
        path = directory / f"ccipra-{version}-f{n}.txt"
        mine = pairs[n - 1::files]
        lines = [f"{c1}\t{c2}\t*\t19960101\t*\t{ind}\tMisuse of column two code with column one code"
                 for c1, c2, ind in mine[:-1]]
        c1, c2, ind = mine[-1]
        lines.append(f"{c1}\t{c2}\t\t{quarter_start:%Y%m%d}\t*\t{ind}\tStandards of medical / surgical practice")
        path.write_text(PTP_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        out.append(path)
    return out


def write_mue_file(directory: Path, effective: date = date(2027, 1, 1)) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"MCR_MUE_PractitionerServices_Eff_{effective:%m-%d-%Y}.csv"
    rows = [("99213", "1", "2 Date of Service Edit: Policy"), ("96372", "4", "3 Date of Service Edit: Clinical"),
            ("J1030", "10", "3 Date of Service Edit: Clinical")]
    path.write_text('"CMS NCCI Practitioner Services MUE Table (synthetic, for tests)"\n'
                    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n'
                    + "".join(f'"{c}","{u}","{m}","Clinical data"\n' for c, u, m in rows), encoding="utf-8")
    return path


def write_cpt_file(directory: Path, year: int = 2027) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"cpt-licensed-{year}.csv"
    path.write_text("code,short_descriptor\n99213,OFFICE O/P EST LOW 20 MIN (test text)\n"
                    "96372,THER/PROPH/DIAG INJ SC/IM (test text)\n", encoding="utf-8")
    return path
