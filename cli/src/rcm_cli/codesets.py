"""``rcm codesets``: import the CMS code-set releases into the coding service's store, and see
what the service codes with.

The store is a directory on the host (or volume) where the coding service runs: ``--dir``, else
``CODESETS_DIR``, else ``~/.cache/rcm/codesets``. Validation, formats and the store's layout are
the coding service's (``rcm_coding.adapters.codeset_store``, the one service module this CLI
uses: the service reads what this writes). A service picks imported releases up at its next start.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rcm_coding.adapters.codeset_store import CodeSetStatus, CodeSetStore

app = typer.Typer(help="Code-set releases (ICD-10-CM, HCPCS, NCCI PTP, MUE, CPT): import the CMS files, see what "
                       "is in use.", no_args_is_help=True)
console = Console()

StoreDir = Annotated[Path | None, typer.Option("--dir", envvar="CODESETS_DIR", file_okay=False,
                                               help="the code-set store [default: ~/.cache/rcm/codesets]")]


def _store(store_dir: Path | None) -> CodeSetStore:
    from rcm_coding.adapters.codeset_store import CodeSetStore

    return CodeSetStore(store_dir)


@app.command("import")
def import_release(
    kind: Annotated[str, typer.Argument(help="icd10cm, hcpcs, ncci-ptp, mue or cpt")],
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, show_default=False,
                                                help="the release's files as CMS publishes them (ICD-10-CM: the "
                                                     "codes .txt and the tabular .xml; NCCI PTP: f1..fN)")],
    version: Annotated[str | None, typer.Option("--version", help="label kept with every coding result, e.g. "
                                                                  "FY2027 [default: from the file names]")] = None,
    effective_from: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"],
                                                            help="first date of service [default: from the file "
                                                                 "names]")] = None,
    effective_to: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"],
                                                          help="last date of service [ICD-10-CM default: end of "
                                                               "the fiscal year; others: until superseded]")] = None,
    min_count: Annotated[int | None, typer.Option("--min-count", min=0,
                                                  help="refuse fewer records [default: icd10cm 60000 codes, "
                                                       "ncci-ptp 100000 edits, others 5000 codes]")] = None,
    store_dir: StoreDir = None,
) -> None:
    """Validate a release and load it into the store once (importing the same files again does nothing)."""
    from rcm_coding.adapters.codeset_store import CodeSetRejectedError

    store = _store(store_dir)
    try:
        with console.status(f"checking and indexing {len(files)} file(s)..."):
            outcome = store.import_release(
                kind, files, version=version, effective_from=effective_from.date() if effective_from else None,
                effective_to=effective_to.date() if effective_to else None, min_records=min_count)
    except CodeSetRejectedError as exc:
        console.print(f"[red]refused ({exc.check}):[/] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    except OSError as exc:
        console.print(f"[red]cannot write the store {store.root}:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    release = outcome.release
    window = release.window.describe() if release.window else "-"
    if not outcome.imported:
        when = f" on {release.imported_at:%Y-%m-%d %H:%M} UTC" if release.imported_at else ""
        console.print(f"[cyan]already imported:[/] these files are {escape(release.title)} (dates of service "
                      f"{window}), imported{when}; nothing done")
        return
    for note in outcome.notes:
        console.print(escape(note))
    console.print(f"[green]imported[/] {escape(release.title)}: {_counts(release.counts)}; dates of service {window}")
    console.print(f"stored in {release.directory}; the coding service loads it at its next start")


@app.command("status")
def status(
    on: Annotated[datetime | None, typer.Option("--date", formats=["%Y-%m-%d"],
                                                help="the date of service to check [default: today]")] = None,
    check: Annotated[bool, typer.Option("--check", help="exit 1 when there is a warning")] = False,
    store_dir: StoreDir = None,
) -> None:
    """Every release per kind with its dates of service and source; warnings when the date has no ICD-10-CM
    release or the NCCI/MUE/HCPCS in use are the packaged illustrative samples."""
    from rcm_coding.adapters.codeset_store import store_status

    store = _store(store_dir)
    day = on.date() if on else date.today()
    result = store_status(store, day)
    console.print(f"code-set store {store.root}; dates of service on {day}")
    console.print(_table(result))
    for warning in result.warnings:
        console.print(f"[yellow]warning ({warning.kind}):[/] [yellow]{escape(warning.message)}[/]")
    if not result.warnings:
        console.print("[green]no warning[/]")
    if check and result.warnings:
        raise typer.Exit(1)


def _table(result: CodeSetStatus) -> Table:
    table = Table("kind", "version", "dates of service", "source", "counts", "imported", "in use")
    for used in result.releases:
        r = used.release
        window = r.window.describe() if r.window else "-"
        counts = _counts(r.counts)
        in_use = "[green]yes[/]" if used.in_use else "no"
        if used.in_use and r.kind == "icd10cm" and r.window is not None:
            in_use = "[green]covers the date[/]" if r.window.covers(result.on) else "yes (other dates)"
        if used.in_use and r.origin == "sample":
            in_use = "[yellow]yes (sample)[/]"
        table.add_row(r.kind, escape(r.version), window, escape(r.describe_source()), counts,
                      f"{r.imported_at:%Y-%m-%d}" if r.imported_at else "-", in_use)
    return table


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n:,} {what}" for what, n in counts.items() if ":" not in what)  # not the per-file ones


@app.command("remove")
def remove(
    kind: Annotated[str, typer.Argument(help="icd10cm, hcpcs, ncci-ptp, mue or cpt")],
    version: Annotated[str, typer.Argument(help="the release's version, as `rcm codesets status` shows it")],
    store_dir: StoreDir = None,
) -> None:
    """Remove an imported release (a running service keeps what it loaded until its next start)."""
    from rcm_coding.adapters.codeset_store import CodeSetRejectedError

    try:
        release = _store(store_dir).remove(kind, version)
    except CodeSetRejectedError as exc:
        console.print(f"[red]{escape(exc.message)}[/]")
        raise typer.Exit(2) from exc
    console.print(f"removed {escape(release.title)}")


@app.command("prebuild")
def prebuild(store_dir: StoreDir = None) -> None:
    """Build the prebuilt index of the packaged ICD-10-CM release now (image builds, `make setup`); the
    service builds it at its first start otherwise."""
    store = _store(store_dir)
    try:
        path, seconds = store.prebuild_packaged()
    except OSError as exc:
        console.print(f"[red]cannot write the store {store.root}:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    console.print(f"packaged ICD-10-CM index ready: {path} ({seconds:.1f} s)")
