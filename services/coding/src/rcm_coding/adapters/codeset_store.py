"""The code-set store: CMS releases a billing office imports once, validated, kept as prebuilt indexes.

A directory (setting ``CODESETS_DIR``; default ``$XDG_CACHE_HOME/rcm/codesets``, i.e.
``~/.cache/rcm/codesets``; the container image sets ``/data/codesets``)::

    CODESETS_DIR/
      packaged/icd10cm-2026-04-<fingerprint>.index   the packaged release, built at first start
      icd10cm/FY2027/manifest.json                   kind, version, window, sources + SHA-256, counts, imported at
      icd10cm/FY2027/index-<fingerprint>.index       the prebuilt index the service reads
      icd10cm/FY2027/sources/icd10cm-codes-2027.txt.gz   the files as imported (gzip), to rebuild the index
      ncci-ptp/v324r0/index-<fingerprint>.sqlite     ...
      hcpcs/2027-JAN/ ... mue/2026Q4/ ... cpt/CPT2027/ ...

**Why these formats** (details in :mod:`rcm_coding.adapters.codeset_index`): the target is code
sets ready in <= 0.5 s and a coding process under 120 MB. The engine's domain keeps ICD-10-CM as
~98,000 ``TabularEntry`` objects, so a start must create them; a checksummed ``marshal`` file of
plain tuples is the cheapest stdlib way to get there (~0.3 s and ~55 MB here, against 3.4 s
and ~165 MB for the XML through simple-icd-10-cm). HCPCS, CPT and MUE are small and use the same
container. The NCCI PTP table (~2 million edits a quarter) would not fit the memory target as
objects at all: it stays in an indexed, read-only SQLite file and is queried per code pair.

**Import** (:meth:`CodeSetStore.import_release`) checks the files before anything is stored
(:mod:`rcm_coding.adapters.codeset_files`: format with the line of the first bad record, counts
against a floor, effective dates, ICD-10-CM windows that overlap), builds the index in a staging
directory and renames it into place, so a release is either fully there or absent. Importing
files already imported (same SHA-256) is a no-op and says so. One import at a time (a lock file).

**Loading** (:func:`load_code_sets`): the packaged ICD-10-CM release plus every imported one (each
for its own dates of service), and for HCPCS, CPT, NCCI PTP and MUE the imported release in effect
on the start date, else the packaged illustrative samples (HCPCS, NCCI, MUE) or our own CPT labels.
Warnings (:class:`CodeSetWarning`) say plainly when a date of service has no ICD-10-CM release or
a sample is in use. An index made stale by a new engine version is rebuilt from the kept sources.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from rcm_coding.adapters import codeset_files as files_
from rcm_coding.adapters import codeset_index as index_
from rcm_coding.adapters.codeset_files import KIND_TITLES, KINDS, MIN_RECORDS, CodeSetRejectedError, Window
from rcm_coding.adapters.reference_data import (
    PACKAGED_ICD10CM_VERSION,
    ICD10CMRelease,
    load_hcpcs_sample,
    load_icd10cm,
    load_mue_sample,
    load_own_cpt_labels,
    load_ptp_sample,
    packaged_icd10cm,
    packaged_icd10cm_index_path,
)
from rcm_coding.domain.codesets import ICD10CM_APRIL_2026_FROM, ICD10CM_APRIL_2026_TO, CodeSetRegistry
from rcm_coding.domain.icd10cm import ICD10CMCodeSet
from rcm_coding.domain.ncci import MUELimit
from rcm_coding.domain.procedure_codes import ProcedureCode

__all__ = [
    "KINDS", "KIND_TITLES", "MIN_RECORDS", "CodeSetRejectedError", "CodeSetStatus", "CodeSetStore", "CodeSetWarning",
    "ImportOutcome", "LoadedCodeSets", "Release", "ReleaseInUse", "SourceFile", "Window", "load_code_sets",
    "load_service_code_sets", "store_status",
]
log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
SOURCES = "sources"
PER_FILE = "file:"  # counts of one source file, e.g. the edits of ccipra-v324r0-f2.txt
Origin = Literal["imported", "packaged", "sample"]
T = TypeVar("T")
# Kinds whose packaged stand-in is an illustrative sample, not a CMS release (warned about when in use).
SAMPLE_KINDS = ("hcpcs", "ncci-ptp", "mue")
IMPORT_HINT = {
    "icd10cm": "rcm codesets import icd10cm icd10cm-codes-<year>.txt icd10cm-tabular-<year>.xml",
    "hcpcs": "rcm codesets import hcpcs HCPC<year>_<MON>_ANWEB.txt",
    "ncci-ptp": "rcm codesets import ncci-ptp ccipra-v<NNN>r<N>-f1.txt ... ccipra-v<NNN>r<N>-f4.txt",
    "mue": "rcm codesets import mue MCR_MUE_PractitionerServices_Eff_<date>.csv",
    "cpt": "rcm codesets import cpt <your licensed CPT file>.csv",
}


@dataclass(frozen=True)
class SourceFile:
    """A file a release was imported from."""

    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Release:
    """One release of one kind: imported (with its manifest and directory), packaged, or a sample."""

    kind: str
    version: str
    origin: Origin
    window: Window | None
    sources: tuple[SourceFile, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    imported_at: datetime | None = None
    directory: Path | None = None

    @property
    def title(self) -> str:
        return f"{KIND_TITLES[self.kind]} {self.version}"

    def describe_source(self) -> str:
        if self.origin == "imported":
            return ", ".join(s.name for s in self.sources)
        return {"packaged": "packaged", "sample": "packaged illustrative sample"}[self.origin] + (
            f": {', '.join(s.name for s in self.sources)}" if self.sources else "")

    def manifest(self) -> dict[str, Any]:
        """The JSON of ``manifest.json``."""
        assert self.window is not None and self.imported_at is not None
        return {"format": MANIFEST_FORMAT, "kind": self.kind, "version": self.version,
                "effective_from": self.window.effective_from.isoformat(),
                "effective_to": self.window.effective_to.isoformat() if self.window.effective_to else None,
                "window_basis": self.window.basis,
                "sources": [{"name": s.name, "sha256": s.sha256, "bytes": s.bytes} for s in self.sources],
                "counts": dict(self.counts), "imported_at": self.imported_at.isoformat()}

    @classmethod
    def from_manifest(cls, data: Mapping[str, Any], directory: Path) -> Release:
        to = data.get("effective_to")
        return cls(kind=data["kind"], version=data["version"], origin="imported",
                   window=Window(date.fromisoformat(data["effective_from"]), date.fromisoformat(to) if to else None,
                                 data.get("window_basis", "given")),
                   sources=tuple(SourceFile(s["name"], s["sha256"], int(s["bytes"])) for s in data["sources"]),
                   counts={k: int(v) for k, v in data.get("counts", {}).items()},
                   imported_at=datetime.fromisoformat(data["imported_at"]), directory=directory)


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: ``imported`` False when these files were imported already (nothing done)."""

    release: Release
    imported: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeSetWarning:
    """Something an operator must fix, said plainly (e.g. no ICD-10-CM release for today's visits)."""

    kind: str
    message: str


@dataclass(frozen=True)
class ReleaseInUse:
    release: Release
    in_use: bool


@dataclass(frozen=True)
class CodeSetStatus:
    """Every release per kind, which are in use on ``on``, and the warnings for that date."""

    on: date
    releases: tuple[ReleaseInUse, ...]
    warnings: tuple[CodeSetWarning, ...]

    def icd10cm_warning(self) -> CodeSetWarning | None:
        return next((w for w in self.warnings if w.kind == "icd10cm"), None)


def packaged_releases() -> list[Release]:
    """What the platform ships: the ICD-10-CM April 2026 release, our CPT labels, three samples."""
    return [
        Release("icd10cm", PACKAGED_ICD10CM_VERSION, "packaged",
                Window(ICD10CM_APRIL_2026_FROM, ICD10CM_APRIL_2026_TO, "packaged with simple-icd-10-cm"),
                (SourceFile("simple-icd-10-cm (CMS April 1, 2026 update)", "", 0),)),
        Release("hcpcs", "sample", "sample", None, (SourceFile("hcpcs_sample_2026.txt", "", 0),)),
        Release("ncci-ptp", "sample", "sample", None, (SourceFile("ncci_ptp_practitioner_sample.txt", "", 0),)),
        Release("mue", "sample", "sample", None, (SourceFile("ncci_mue_practitioner_sample.csv", "", 0),)),
        Release("cpt", "own-labels", "packaged", None,
                (SourceFile("cpt_own_labels.csv (code numbers, our labels, no AMA descriptors)", "", 0),)),
    ]


def _slug(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", version).strip("._") or "release"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CodeSetStore:
    """The store directory: import, list, remove and load releases."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root if root is not None else index_.default_codesets_dir()).expanduser()

    # ------------------------------------------------------------------ listing
    def releases(self, kind: str | None = None) -> list[Release]:
        """The imported releases (of ``kind``), ordered by kind and start date."""
        out: list[Release] = []
        for k in [kind] if kind else KINDS:
            for manifest in sorted((self.root / k).glob(f"*/{MANIFEST}")):
                try:
                    out.append(Release.from_manifest(json.loads(manifest.read_text()), manifest.parent))
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.warning("ignoring the unreadable code-set manifest %s (%s)", manifest, exc)
        return sorted(out, key=lambda r: (KINDS.index(r.kind), r.window.effective_from if r.window else date.min))

    # ------------------------------------------------------------------ import
    def import_release(
        self, kind: str, paths: Sequence[Path | str], *, version: str | None = None,
        effective_from: date | None = None, effective_to: date | None = None, min_records: int | None = None,
        now: datetime | None = None,
    ) -> ImportOutcome:
        """Validate and load a release once (module docstring); :class:`CodeSetRejectedError` names the refusal."""
        if kind not in KINDS:
            raise CodeSetRejectedError("files", f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
        files = [Path(p).expanduser() for p in paths]
        for f in files:
            if not f.is_file():
                raise CodeSetRejectedError("files", f"no file at {f}")
        if version is not None and not version.strip():
            raise CodeSetRejectedError("files", "--version must not be empty")
        sources = tuple(SourceFile(f.name, sha256_file(f), f.stat().st_size) for f in files)
        floor = MIN_RECORDS[kind] if min_records is None else min_records
        with index_.exclusive_lock(self.root / ".import.lock"):
            for stale in self.root.glob(".staging-*"):  # left by an import that died (this lock was theirs)
                shutil.rmtree(stale, ignore_errors=True)
            existing = self.releases(kind)
            same = sorted(s.sha256 for s in sources)
            for release in existing:
                if sorted(s.sha256 for s in release.sources) == same:
                    return ImportOutcome(release, False)
            staging = self.root / f".staging-{uuid.uuid4().hex}"
            (staging / SOURCES).mkdir(parents=True)
            try:
                release, notes = _IMPORTERS[kind](files, staging, _Request(version, effective_from, effective_to,
                                                                          floor, existing))
                release = replace(release, sources=sources, imported_at=now or datetime.now(UTC))
                for f in files:
                    with open(f, "rb") as src, gzip.open(staging / SOURCES / f"{f.name}.gz", "wb", 6) as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                (staging / MANIFEST).write_text(json.dumps(release.manifest(), indent=2) + "\n")
                target = self.root / kind / _slug(release.version)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(staging, target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        return ImportOutcome(replace(release, directory=target), True, tuple(notes))

    def remove(self, kind: str, version: str) -> Release:
        """Remove an imported release (running services keep what they loaded until they restart)."""
        with index_.exclusive_lock(self.root / ".import.lock"):
            for release in self.releases(kind):
                if release.version == version and release.directory is not None:
                    trash = self.root / f".removed-{uuid.uuid4().hex}"
                    os.rename(release.directory, trash)
                    shutil.rmtree(trash, ignore_errors=True)
                    return release
        known = ", ".join(r.version for r in self.releases(kind)) or "none"
        raise CodeSetRejectedError("files", f"no imported {kind} release {version!r} (imported: {known})")

    # ------------------------------------------------------------------ loading
    def prebuild_packaged(self) -> tuple[Path, float]:
        """Build (or check) the prebuilt index of the packaged ICD-10-CM release; its path and seconds taken."""
        t = time.perf_counter()
        packaged_icd10cm(self.root)
        path = packaged_icd10cm_index_path(self.root)
        if not path.is_file():
            raise OSError(f"could not write {path}")
        return path, time.perf_counter() - t

    def load_icd10cm(self, release: Release) -> ICD10CMCodeSet:
        fingerprint = index_.builder_fingerprint()

        def build(path: Path) -> ICD10CMCodeSet:
            with self._sources(release) as paths:
                code_set = _parse_icd10cm(paths, release.version)
            index_.write_icd10cm_index(path, code_set, fingerprint, {"version": release.version})
            return code_set

        return self._cached(release, "index", lambda p: index_.read_icd10cm_index(p, fingerprint), build)

    def load_procedures(self, release: Release) -> dict[str, ProcedureCode]:
        fingerprint = index_.builder_fingerprint()

        def build(path: Path) -> dict[str, ProcedureCode]:
            with self._sources(release) as paths:
                parse = files_.parse_hcpcs_release if release.kind == "hcpcs" else files_.parse_cpt_release
                codes = parse(paths, release.version, release.window.effective_from if release.window else None,
                              None, 0).codes
            index_.write_index(path, release.kind, fingerprint, index_.procedure_payload(codes))
            return codes

        return self._cached(release, "index", lambda p: index_.procedures_from_payload(
            index_.read_index(p, release.kind, fingerprint)), build)

    def load_mue(self, release: Release) -> dict[str, MUELimit]:
        fingerprint = index_.builder_fingerprint()

        def build(path: Path) -> dict[str, MUELimit]:
            with self._sources(release) as paths:
                limits = files_.parse_mue_release(paths, release.version, date.min, None, 0).limits
            index_.write_index(path, "mue", fingerprint, index_.mue_payload(limits))
            return limits

        return self._cached(release, "index", lambda p: index_.mue_from_payload(
            index_.read_index(p, "mue", fingerprint)), build)

    def load_ptp(self, release: Release) -> index_.PTPTable:
        fingerprint = index_.builder_fingerprint()

        def build(path: Path) -> index_.PTPTable:
            with self._sources(release) as paths:
                scan = files_.PTPScan()
                index_.write_ptp_index(path, files_.stream_ptp_edits(files_.ptp_files(paths), scan), fingerprint)
            return index_.PTPTable(path, fingerprint)

        # Unlike the others, a PTP index cannot be held in memory instead: a store that cannot be
        # written gets the index built in a temporary directory.
        return self._cached(release, "sqlite", lambda p: index_.PTPTable(p, fingerprint), build, scratch=True)

    def _cached(self, release: Release, ext: str, read: Callable[[Path], T], build: Callable[[Path], T],
                scratch: bool = False) -> T:
        assert release.directory is not None
        path = release.directory / f"index-{index_.builder_fingerprint()[:16]}.{ext}"
        try:
            return index_.cached_build(path, read, build)
        except OSError as exc:
            log.warning("cannot write the index of %s in %s (%s: %s): building it %s at every start",
                        release.title, release.directory, type(exc).__name__, exc,
                        "in a temporary directory" if scratch else "in memory")
            tmp = Path(tempfile.mkdtemp(prefix="rcm-codeset-"))
            return build(tmp / path.name)

    @contextlib.contextmanager
    def _sources(self, release: Release) -> Iterator[list[Path]]:
        """The release's kept source files, decompressed into a temporary directory and checked."""
        assert release.directory is not None
        with tempfile.TemporaryDirectory(prefix="rcm-codeset-sources-") as tmp:
            out = []
            for source in release.sources:
                target = Path(tmp) / source.name
                with gzip.open(release.directory / SOURCES / f"{source.name}.gz", "rb") as src, \
                        open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                if sha256_file(target) != source.sha256:
                    raise RuntimeError(f"{release.directory / SOURCES / source.name}.gz does not match the SHA-256 "
                                       f"of its manifest: the store is damaged; import {release.title} again")
                out.append(target)
            log.info("rebuilding the index of %s from its kept sources", release.title)
            yield out


# ------------------------------------------------------------------------------ importers per kind
@dataclass(frozen=True)
class _Request:
    version: str | None
    effective_from: date | None
    effective_to: date | None
    floor: int
    existing: list[Release]


def _check_version_free(kind: str, version: str, existing: Sequence[Release]) -> None:
    for release in existing:
        if _slug(release.version) == _slug(version):
            raise CodeSetRejectedError(
                "conflict", f"{release.title} is already imported from other files "
                            f"({', '.join(s.name for s in release.sources)}, imported "
                            f"{release.imported_at:%Y-%m-%d}): give another --version, or remove it first "
                            f"(rcm codesets remove {kind} {release.version})")


def _check_icd10cm_overlap(window: Window, existing: Sequence[Release]) -> None:
    for release in [*(r for r in packaged_releases() if r.kind == "icd10cm"), *existing]:
        if release.window is not None and window.overlaps(release.window):
            where = ("the packaged release" if release.origin == "packaged" else
                     f"imported {release.imported_at:%Y-%m-%d} from {', '.join(s.name for s in release.sources)}")
            raise CodeSetRejectedError(
                "overlap", f"dates of service {window.describe()} overlap ICD-10-CM {release.version} "
                           f"({release.window.describe()}, {where}): each date of service has exactly one "
                           "ICD-10-CM release")


def _parse_icd10cm(paths: Sequence[Path], version: str, floor: int = 0) -> ICD10CMCodeSet:
    pair = files_.icd10cm_files(paths)
    code_list = files_.read_icd10cm_code_list(pair.code_list)
    files_.check_floor("icd10cm", len(code_list), floor, pair.code_list.name)
    files_.check_icd10cm_tabular(pair.tabular)
    return files_.build_icd10cm(pair, version, code_list).code_set


def _import_icd10cm(paths: Sequence[Path], staging: Path, req: _Request) -> tuple[Release, list[str]]:
    pair = files_.icd10cm_files(paths)
    code_list = files_.read_icd10cm_code_list(pair.code_list)
    files_.check_floor("icd10cm", len(code_list), req.floor, pair.code_list.name)
    tabular = files_.check_icd10cm_tabular(pair.tabular)
    window = files_.icd10cm_window(pair, tabular.version_year, req.effective_from, req.effective_to)
    version = files_.icd10cm_version(window, pair, req.version)
    _check_version_free("icd10cm", version, req.existing)
    _check_icd10cm_overlap(window, req.existing)
    built = files_.build_icd10cm(pair, version, code_list)
    code_set = built.code_set
    index_.write_icd10cm_index(staging / f"index-{index_.builder_fingerprint()[:16]}.index", code_set,
                               index_.builder_fingerprint(), {"version": version})
    counts = {"codes": len(code_list), "billable": sum(1 for e in code_set.entries.values() if e.billable),
              "tabular entries": len(code_set)}
    notes = [f"dates of service {window.describe()}: {window.basis}"] if window.basis != "given" else []
    if built.left_out:
        counts["left out"] = len(built.left_out)
        notes.append(f"{len(built.left_out)} listed code(s) left out, e.g. {', '.join(built.left_out[:3])}: the "
                     "engine's ICD-10-CM model (rcm_coding.domain.icd10cm.looks_like_code) takes only codes with a "
                     "digit in the second place, so it cannot propose or check them (as with the packaged release)")
    return Release("icd10cm", version, "imported", window, counts=counts), notes


def _import_procedures(paths: Sequence[Path], staging: Path, req: _Request, kind: str) -> tuple[Release, list[str]]:
    parse = files_.parse_hcpcs_release if kind == "hcpcs" else files_.parse_cpt_release
    parsed = parse(paths, req.version, req.effective_from, req.effective_to, req.floor)
    _check_version_free(kind, parsed.version, req.existing)
    index_.write_index(staging / f"index-{index_.builder_fingerprint()[:16]}.index", kind,
                       index_.builder_fingerprint(), index_.procedure_payload(parsed.codes))
    notes = [f"in effect from {parsed.window.effective_from}: {parsed.window.basis}"] \
        if parsed.window.basis != "given" else []
    return Release(kind, parsed.version, "imported", parsed.window, counts={"codes": len(parsed.codes)}), notes


def _import_mue(paths: Sequence[Path], staging: Path, req: _Request) -> tuple[Release, list[str]]:
    parsed = files_.parse_mue_release(paths, req.version, req.effective_from, req.effective_to, req.floor)
    _check_version_free("mue", parsed.version, req.existing)
    index_.write_index(staging / f"index-{index_.builder_fingerprint()[:16]}.index", "mue",
                       index_.builder_fingerprint(), index_.mue_payload(parsed.limits))
    notes = [f"in effect from {parsed.window.effective_from}: {parsed.window.basis}"] \
        if parsed.window.basis != "given" else []
    return Release("mue", parsed.version, "imported", parsed.window, counts={"codes": len(parsed.limits)}), notes


def _import_ptp(paths: Sequence[Path], staging: Path, req: _Request) -> tuple[Release, list[str]]:
    ptp = files_.ptp_files(paths)
    if req.version is None and ptp.version is None:
        raise CodeSetRejectedError("files", "no ccipra-v<NNN>r<N>-f<n> in the file names: give --version")
    version = req.version or str(ptp.version)
    _check_version_free("ncci-ptp", version, req.existing)
    scan = files_.PTPScan()
    index_.write_ptp_index(staging / f"index-{index_.builder_fingerprint()[:16]}.sqlite",
                           files_.stream_ptp_edits(ptp, scan), index_.builder_fingerprint())
    files_.check_floor("ncci-ptp", scan.edits, req.floor, " + ".join(f.name for f in ptp.files))
    window = files_.ptp_window(ptp, scan, req.effective_from, req.effective_to)
    counts = {"edits": scan.edits, **{f"{PER_FILE}{name}": n for name, n in scan.per_file.items()}}
    notes = [f"in effect from {window.effective_from}: {window.basis}"] if window.basis != "given" else []
    return Release("ncci-ptp", version, "imported", window, counts=counts), notes


_IMPORTERS: dict[str, Any] = {
    "icd10cm": _import_icd10cm,
    "hcpcs": lambda p, s, r: _import_procedures(p, s, r, "hcpcs"),
    "cpt": lambda p, s, r: _import_procedures(p, s, r, "cpt"),
    "mue": _import_mue,
    "ncci-ptp": _import_ptp,
}


# ------------------------------------------------------------------------------ in use and warnings
def in_effect(releases: Sequence[Release], on: date) -> Release | None:
    """The imported release of one kind in effect on ``on``: the latest whose window covers it."""
    covering = [r for r in releases if r.window is not None and r.window.covers(on)]
    return max(covering, key=lambda r: r.window.effective_from if r.window else date.min, default=None)


def releases_in_use(imported: Sequence[Release], on: date) -> list[ReleaseInUse]:
    """Every release (packaged first) with whether the service uses it on ``on``: every ICD-10-CM
    release (each for its own dates of service); for the other kinds one, the imported release in
    effect, else the packaged one."""
    out: list[ReleaseInUse] = []
    for kind in KINDS:
        mine = [r for r in imported if r.kind == kind]
        packaged = [r for r in packaged_releases() if r.kind == kind]
        if kind == "icd10cm":
            out += [ReleaseInUse(r, True) for r in [*packaged, *mine]]
            continue
        chosen = in_effect(mine, on)
        out += [ReleaseInUse(r, chosen is None) for r in packaged]
        out += [ReleaseInUse(r, r is chosen) for r in mine]
    return out


def warnings_for(used: Sequence[ReleaseInUse], on: date) -> list[CodeSetWarning]:
    """Plain warnings: no ICD-10-CM release for dates of service on ``on``; a sample in use."""
    out: list[CodeSetWarning] = []
    icd = [u.release for u in used if u.release.kind == "icd10cm" and u.in_use]
    if not any(r.window and r.window.covers(on) for r in icd):
        fy = files_.fiscal_year_of(on)
        loaded = ", ".join(f"{r.version} ({r.window.describe() if r.window else '-'})" for r in icd) or "none"
        out.append(CodeSetWarning("icd10cm", (
            f"no ICD-10-CM release covers dates of service on {on} (loaded: {loaded}): encounters of that date go to "
            f"review with CODESET_UNAVAILABLE. Import FY{fy} (dates of service "
            f"{files_.fiscal_year_window(fy)[0]}..{files_.fiscal_year_window(fy)[1]}) from the CMS files: rcm codesets "
            f"import icd10cm icd10cm-codes-{fy}.txt icd10cm-tabular-{fy}.xml")))
    for u in used:
        if u.in_use and u.release.origin == "sample" and u.release.kind in SAMPLE_KINDS:
            size = f" ({', '.join(f'{n:,} {k}' for k, n in u.release.counts.items())})" if u.release.counts else ""
            out.append(CodeSetWarning(u.release.kind, (
                f"{KIND_TITLES[u.release.kind]}: the packaged illustrative sample{size} is in use, not a CMS release; "
                f"import the CMS files: {IMPORT_HINT[u.release.kind]}")))
    return out


def store_status(store: CodeSetStore, on: date) -> CodeSetStatus:
    """What a service started on ``on`` would use, and the warnings for that date (read from the store only)."""
    used = [ReleaseInUse(replace(u.release, counts=_sample_counts(u.release.kind)), u.in_use)
            if u.release.origin == "sample" else u for u in releases_in_use(store.releases(), on)]
    return CodeSetStatus(on, tuple(used), tuple(warnings_for(used, on)))


def _sample_counts(kind: str) -> dict[str, int]:
    # The samples are a few dozen lines: counting them is cheaper than keeping the numbers in sync.
    if kind == "hcpcs":
        return {"codes": len(load_hcpcs_sample())}
    if kind == "mue":
        return {"codes": len(load_mue_sample())}
    return {"pairs": len(load_ptp_sample())}


# ------------------------------------------------------------------------------ the service's code sets
@dataclass
class LoadedCodeSets:
    """The registry the engine codes with, and the releases it was loaded from."""

    registry: CodeSetRegistry
    used: tuple[ReleaseInUse, ...]
    loaded_on: date
    store_dir: Path
    notes: tuple[str, ...] = ()

    def status(self, on: date) -> CodeSetStatus:
        """The loaded releases and the warnings for dates of service on ``on``."""
        used = tuple(u for u in self.used if u.in_use)
        return CodeSetStatus(on, used, tuple(warnings_for(used, on)))


def load_code_sets(store: CodeSetStore, today: date) -> LoadedCodeSets:
    """Every ICD-10-CM release (packaged + imported) and the HCPCS, CPT, NCCI, MUE in effect on ``today``."""
    registry = CodeSetRegistry()
    imported = store.releases()
    used = releases_in_use(imported, today)
    loaded: list[ReleaseInUse] = []
    for entry in used:
        release = entry.release
        if not entry.in_use:
            loaded.append(entry)
            continue
        t = time.perf_counter()
        counts: dict[str, int] = dict(release.counts)
        if release.kind == "icd10cm":
            code_set = packaged_icd10cm(store.root) if release.origin == "packaged" else store.load_icd10cm(release)
            assert release.window is not None and release.window.effective_to is not None
            registry.register_icd10cm(code_set, release.window.effective_from, release.window.effective_to)
            counts.setdefault("tabular entries", len(code_set))
        elif release.kind in ("hcpcs", "cpt"):
            if release.origin == "imported":
                codes = store.load_procedures(release)
            else:
                codes = load_hcpcs_sample() if release.kind == "hcpcs" else load_own_cpt_labels()
            if release.kind == "hcpcs":
                registry.hcpcs = codes
            else:  # a licensed file's descriptors, our labels for any code it lacks
                registry.cpt = {**load_own_cpt_labels(), **codes}
            counts.setdefault("codes", len(codes))
        elif release.kind == "mue":
            registry.mue = store.load_mue(release) if release.origin == "imported" else load_mue_sample()
            counts.setdefault("codes", len(registry.mue))
        elif release.origin == "imported":
            registry.ptp = store.load_ptp(release)
        else:
            registry.ptp = load_ptp_sample()
            counts.setdefault("pairs", len(registry.ptp))
        registry.load_seconds[f"{release.kind} {release.version}"] = time.perf_counter() - t
        loaded.append(ReleaseInUse(replace(release, counts=counts), True))
    return LoadedCodeSets(registry, tuple(loaded), today, store.root)


def load_service_code_sets(store: CodeSetStore, today: date,
                           configured: Sequence[ICD10CMRelease] = ()) -> LoadedCodeSets:
    """The coding service's start: ``ICD10CM_RELEASES`` imported into the store if not there yet (each
    once; a refusal stops the start with its reason), then :func:`load_code_sets`. A store that cannot
    be written (a read-only file system) gets the configured releases parsed in memory, as before the
    store existed, with a warning in the log."""
    notes: list[str] = []
    parse_instead: list[ICD10CMRelease] = []
    for r in configured:
        try:
            outcome = store.import_release("icd10cm", [r.code_list_path, r.tabular_xml_path], version=r.version,
                                           effective_from=r.effective_from, effective_to=r.effective_to)
        except OSError as exc:
            log.warning("cannot import ICD10CM_RELEASES %s into the code-set store %s (%s: %s): parsing its XML "
                        "at every start instead", r.version, store.root, type(exc).__name__, exc)
            parse_instead.append(r)
            continue
        notes.append(f"ICD10CM_RELEASES {r.version}: " + ("imported into the code-set store" if outcome.imported
                                                          else "already in the code-set store"))
    loaded = load_code_sets(store, today)
    extra: list[ReleaseInUse] = []
    for r in parse_instead:
        t = time.perf_counter()
        code_set = load_icd10cm(r.version, r.code_list_path, r.tabular_xml_path)
        loaded.registry.register_icd10cm(code_set, r.effective_from, r.effective_to)
        loaded.registry.load_seconds[f"icd10cm {r.version} (XML)"] = time.perf_counter() - t
        extra.append(ReleaseInUse(Release(
            "icd10cm", r.version, "imported", Window(r.effective_from, r.effective_to, "ICD10CM_RELEASES"),
            tuple(SourceFile(Path(p).name, "", 0) for p in (r.code_list_path, r.tabular_xml_path)),
            {"tabular entries": len(code_set)}), True))
    return replace(loaded, used=(*loaded.used, *extra), notes=tuple(notes))
