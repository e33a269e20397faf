"""The ``rcm`` command: local stack, services, publishing and the demo."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from rcm_cli.codesets import app as codesets_app

app = typer.Typer(help="Healthcare revenue-cycle platform: local stack, services, demo.", no_args_is_help=True)
stack_app = typer.Typer(help="The local Kafka + PostgreSQL stack (no Docker needed).", no_args_is_help=True)
services_app = typer.Typer(help="Run the four services and the payer sandbox as processes.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")
app.add_typer(services_app, name="services")
app.add_typer(codesets_app, name="codesets")
console = Console()


@stack_app.command("up")
def stack_up() -> None:
    """Start Kafka (KRaft) and PostgreSQL; harmless when they already run."""
    from rcm_devstack import LocalStack, StackError

    try:
        with console.status("starting Kafka and PostgreSQL (first run resolves the Kafka jars with Maven)..."):
            eps = LocalStack().up()
    except StackError as exc:
        console.print(f"[red]stack up failed:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Kafka      {eps.kafka_bootstrap}\nPostgreSQL {eps.database_url}")


@stack_app.command("down")
def stack_down() -> None:
    """Stop Kafka and PostgreSQL (data stays)."""
    from rcm_devstack import LocalStack

    LocalStack().down()
    console.print("stack stopped")


@stack_app.command("status")
def stack_status() -> None:
    """Show whether each component runs, its pid, port and log."""
    from rcm_devstack import LocalStack

    console.print(str(LocalStack().status()))


@services_app.command("run")
def services_run(
    namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm",
    remit_delay: Annotated[float, typer.Option(help="sandbox seconds before an 835")] = 2.0,
    payer_date: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                        help="the date the payer sandbox takes as today")] = None,
) -> None:
    """Run sandbox + four services in the foreground until Ctrl-C (databases rcm_<service>)."""
    from rcm_shared.db.admin import ensure_database

    from rcm_cli.environment import resolve_target
    from rcm_cli.processes import SERVICES, build_platform
    from rcm_cli.supervisor import Supervisor

    target = resolve_target()
    urls = {s: asyncio.run(ensure_database(target.database_url, f"rcm_{s}")) for s in SERVICES}
    platform = build_platform(kafka_bootstrap=target.kafka_bootstrap, database_urls=urls, namespace=namespace,
                              logs_dir=target.home / "logs", sandbox_data_dir=target.home / "sandbox",
                              remit_delay_s=remit_delay, payer_date=payer_date.date() if payer_date else None)
    try:
        platform.start()
    except BaseException:  # not ready in time, or Ctrl-C while starting: leave nothing running
        platform.stop()
        raise
    table = Table("process", "url", "log")
    for name, p in platform.processes.items():
        table.add_row(name, p.url, str(p.log_path))
    console.print(table)
    console.print("running and supervised (a process that dies is restarted); Ctrl-C stops them gracefully")
    stop = False

    def _on_signal(*_: object) -> None:
        nonlocal stop
        stop = True

    def _report(line: str) -> None:
        console.print(f"[yellow]{datetime.now().strftime('%H:%M:%S')} supervisor:[/] {line}")

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    supervisor = Supervisor(platform.processes.values(), report=_report)
    try:
        supervisor.run(lambda: stop)
    finally:
        console.print("stopping...")
        platform.stop()
    restarted = {n: c for n, c in supervisor.restarts().items() if c}
    if restarted:
        console.print("restarts: " + ", ".join(f"{n} {c}" for n, c in restarted.items()))


@app.command()
def login(
    user: Annotated[str, typer.Option(help="the subject the token names (recorded in audit trails)")],
    role: Annotated[list[str], typer.Option(help="a role; repeat for several (integration, coder, biller, "
                                                 "billing-manager, patient-accounts, auditor, admin)")],
    ttl_hours: Annotated[float, typer.Option(min=0.01, max=24, help="lifetime of the token")] = 8.0,
) -> None:
    """Print a bearer token of the development issuer (development only; production tokens come
    from the identity provider). Use it as ``Authorization: Bearer <token>``."""
    from rcm_shared.auth import Role

    from rcm_cli.credentials import CredentialsError, development_token

    known = {r.value: r for r in Role}
    unknown = [r for r in role if r not in known]
    if unknown or not user.strip():
        console.print(f"[red]unknown role(s) {', '.join(unknown)}; known: {', '.join(known)}[/]" if unknown
                      else "[red]--user must not be empty[/]")
        raise typer.Exit(2)
    try:
        token = development_token(user.strip(), [known[r] for r in role], ttl_s=int(ttl_hours * 3600))
    except CredentialsError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    typer.echo(token)


@app.command()
def publish(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON object, JSON list or JSON lines")],
    namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm",
) -> None:
    """Publish EncounterCompleted event(s) from a JSON file to the encounters topic."""
    from rcm_cli.environment import resolve_target
    from rcm_cli.publish import encounter_events, publish_encounters

    text = file.read_text()
    try:
        data = json.loads(text)
        payloads = data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        payloads = [json.loads(line) for line in text.splitlines() if line.strip()]
    try:
        events = encounter_events(payloads)
    except ValidationError as exc:
        console.print(f"[red]{file} is not a valid EncounterCompleted:[/]")
        for err in exc.errors(include_input=False, include_url=False):
            console.print(f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
        raise typer.Exit(2) from exc
    from rcm_cli.phi import keyring_url

    target = resolve_target()
    asyncio.run(publish_encounters(target.kafka_bootstrap, namespace, events,
                                   keyring_url=keyring_url(target.database_url)))
    console.print(f"published {len(events)} event(s) to {namespace}.encounters (PHI sealed with each patient's "
                  "data key)")


@app.command()
def history(
    encounter_id: Annotated[str, typer.Argument(help="the encounter (correlation id)")],
    namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm",
) -> None:
    """An encounter's timeline across every topic: what happened, in order, and what caused it."""
    from rcm_cli.environment import resolve_target
    from rcm_cli.history import causation_report, encounter_history

    target = resolve_target()
    entries = asyncio.run(encounter_history(target.kafka_bootstrap, namespace, encounter_id))
    if not entries:
        console.print(f"no event for {encounter_id} in namespace {namespace}")
        raise typer.Exit(1)
    table = Table("time", "topic", "type", "source", "event id", "caused by", "trace")
    for e in entries:
        h = e.headers
        table.add_row(e.time, e.topic, e.type, h.get("ce_source", ""), e.event_id[:8],
                      (e.causation_id or "")[:8] or h.get("dlq_reason", "")[:60], (e.trace_id or "")[:8])
    console.print(table)
    report = causation_report(entries)
    if report.unbroken:
        console.print(f"causation chain: unbroken from {report.roots[0].type} ({len(entries)} events, one trace "
                      f"{next(iter(report.trace_ids))})")
    else:
        console.print(f"causation chain: BROKEN: {len(report.roots)} root(s), {len(report.broken)} event(s) whose "
                      f"cause is missing ({', '.join(sorted({e.type for e in report.broken})) or '-'}), "
                      f"{len(report.trace_ids)} trace(s)")


@app.command()
def status(
    namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm",
    show: Annotated[int, typer.Option(min=0, help="encounter ids to list per service")] = 20,
) -> None:
    """The stack, each service's dead letters by reason, and encounters waiting on a dead letter."""
    from rcm_devstack import LocalStack

    from rcm_cli.environment import resolve_target
    from rcm_cli.status import dead_letter_status

    target = resolve_target(start_stack=False)
    console.print(f"broker {target.kafka_bootstrap} ({target.origin})")
    if target.origin == "local stack":
        console.print(str(LocalStack().status()))
    try:
        services = asyncio.run(dead_letter_status(target.kafka_bootstrap, namespace))
    except Exception as exc:  # broker down: say so instead of a traceback
        console.print(f"[red]cannot read the topics of namespace {namespace}:[/] {type(exc).__name__}")
        raise typer.Exit(1) from exc
    table = Table("service", "dead letters", "error", "reason", "count")
    for s in services:
        if not s.total:
            table.add_row(s.service, "0", "", "", "")
        for i, ((error, reason), n) in enumerate(s.by_reason.most_common()):
            table.add_row(s.service if i == 0 else "", str(s.total) if i == 0 else "", error, reason, str(n))
    console.print(table)
    waiting = [s for s in services if s.waiting]
    if not waiting:
        console.print("no encounter is waiting on a dead-lettered prerequisite")
        return
    table = Table("service", "encounters waiting on a dead letter", "encounter ids")
    for s in waiting:
        more = f" ... and {len(s.waiting) - show} more" if len(s.waiting) > show else ""
        table.add_row(s.service, str(len(s.waiting)), ", ".join(s.waiting[:show]) + more)
    console.print(table)
    console.print("redrive them with: rcm dead-letters redrive --service <service> [--reason ...] [--ids ...]")


dead_letters_app = typer.Typer(help="Dead-lettered records: list them (default) or redrive them.")
app.add_typer(dead_letters_app, name="dead-letters")


@dead_letters_app.callback(invoke_without_command=True)
def dead_letters_cmd(
    ctx: typer.Context,
    namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm",
) -> None:
    """Every dead-lettered record with the reason, the service and where it came from."""
    if ctx.invoked_subcommand is not None:
        return
    from rcm_cli.environment import resolve_target
    from rcm_cli.history import dead_letters

    target = resolve_target()
    entries = asyncio.run(dead_letters(target.kafka_bootstrap, namespace))
    table = Table("service", "from", "error", "reason")
    for e in entries:
        h = e.headers
        table.add_row(h.get("dlq_service", "?"),
                      f"{h.get('dlq_original_topic')}[{h.get('dlq_original_partition')}]@{h.get('dlq_original_offset')}",
                      h.get("dlq_error_type", ""), h.get("dlq_reason", ""))
    console.print(table)
    console.print(f"{len(entries)} dead letter(s)")


@dead_letters_app.command("redrive")
def dead_letters_redrive(
    service: Annotated[str, typer.Option(help="whose dead letters: eligibility, coding, claims or payments")],
    reason: Annotated[str | None, typer.Option(help="only dead letters whose dlq_reason contains this")] = None,
    ids: Annotated[str | None, typer.Option(help="only these original event ids (ce_id), comma-separated")] = None,
    namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would be redriven; send nothing")] = False,
    replication_factor: Annotated[int, typer.Option(envvar="TOPIC_REPLICATION_FACTOR", min=1,
                                                    help="of the ledger topic, if it must be created")] = 1,
) -> None:
    """Send dead letters back to their original topic under a new event id (once per dead letter)."""
    from rcm_shared.topics import DEAD_LETTER_TOPIC

    from rcm_cli.environment import resolve_target
    from rcm_cli.redrive import parse_ids, redrive

    if service not in DEAD_LETTER_TOPIC:
        console.print(f"[red]unknown service {service!r}[/]; one of {', '.join(DEAD_LETTER_TOPIC)}")
        raise typer.Exit(2)
    from rcm_cli.phi import keyring_url

    target = resolve_target()
    report = asyncio.run(redrive(target.kafka_bootstrap, namespace, service, reason=reason, ids=parse_ids(ids),
                                 dry_run=dry_run, replication_factor=replication_factor,
                                 keyring_url=keyring_url(target.database_url)))
    table = Table("dead letter", "original id", "reason", "outcome", "new id", "why")
    styles = {"redriven": "green", "would redrive": "cyan", "refused": "red", "skipped": "yellow"}
    for o in report.outcomes:
        dl = o.dead_letter
        table.add_row(dl.coordinates, (dl.original_event_id or "-")[:36], dl.reason[:60],
                      f"[{styles[o.status]}]{o.status}[/]", str(o.event_id) if o.event_id else "", o.why)
    if report.outcomes:
        console.print(table)
    summary = ", ".join(f"{report.count(s)} {s}" for s in ("redriven", "would redrive", "refused", "skipped")
                        if report.count(s))
    console.print(f"{service}: {summary or 'nothing to redrive'}"
                  + (f"; {report.not_matched} not matching the filters" if report.not_matched else ""))
    if report.ids_not_found:
        console.print(f"[yellow]no dead letter of {service} for id(s):[/] {', '.join(report.ids_not_found)}")
    if dry_run:
        console.print("dry run: nothing sent")


@app.command()
def demo(
    encounters: Annotated[int, typer.Option("--encounters", "-n", min=1, help="how many encounters")] = 300,
    seed: Annotated[int, typer.Option(help="seed of the synthetic data")] = 7,
    malformed: Annotated[int, typer.Option(min=0, help="malformed records to show dead-lettering")] = 2,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the pipeline to settle")] = 600.0,
    clean: Annotated[bool, typer.Option(help="only payable encounters (no denials or holds)")] = False,
) -> None:
    """The whole pipeline on the local stack: N encounters from coding to payment, with a summary."""
    from rcm_cli.demo import run_demo

    code = run_demo(encounters, seed=seed, malformed=malformed, timeout_s=timeout, clean=clean, console=console)
    raise typer.Exit(code)




phi_app = typer.Typer(help="PHI at rest: forget a patient (shred their data key) or apply retention.",
                      no_args_is_help=True)
app.add_typer(phi_app, name="phi")


@phi_app.command("shred")
def phi_shred(
    mrn: Annotated[list[str] | None, typer.Option(help="a patient's medical record number (repeatable)")] = None,
    encounter: Annotated[list[str] | None, typer.Option(help="an encounter id (repeatable): shreds its patient's "
                                                              "key")] = None,
    file: Annotated[list[str] | None, typer.Option(help="a clearinghouse file id (repeatable)")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do it (it cannot be undone)")] = False,
) -> None:
    """Destroy data keys: every copy of the PHI they sealed (topics, dead letters, tables, backups)
    becomes unreadable at once; money, codes and ids stay. Services drop cached keys within
    PHI_KEY_CACHE_TTL_S."""
    from rcm_cli.environment import resolve_target
    from rcm_cli.phi import keyring_url, shred

    subjects = ([f"mrn:{m}" for m in mrn or []] + [f"encounter:{e}" for e in encounter or []]
                + [f"file:{f}" for f in file or []])
    if not subjects:
        console.print("[red]name at least one --mrn, --encounter or --file[/]")
        raise typer.Exit(2)
    if not yes:
        console.print(f"would shred the data keys of {len(subjects)} subject(s); add --yes to do it (irreversible)")
        raise typer.Exit(1)
    from rcm_shared.phi import PhiError

    target = resolve_target()
    try:
        done = asyncio.run(shred(keyring_url(target.database_url), subjects))
    except (PhiError, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    for subject, kid in done.items():
        kind = subject.split(":", 1)[0]
        console.print(f"{kind}: " + (f"key {kid} shredded" if kid else "no key (nothing sealed for it)"))
    raise typer.Exit(0 if all(done.values()) else 1)


@phi_app.command("expire")
def phi_expire(
    unused_days: Annotated[int, typer.Option(min=1, help="shred keys no encounter or file used for this many days "
                                                          "(HIPAA keeps records at least 6 years: 2190)")],
    yes: Annotated[bool, typer.Option("--yes", help="do it (it cannot be undone)")] = False,
) -> None:
    """Retention: shred every data key not used for ``--unused-days`` days."""
    from datetime import UTC, timedelta

    from rcm_cli.environment import resolve_target
    from rcm_cli.phi import keyring, keyring_url

    if not yes:
        console.print(f"would shred every key unused for {unused_days} days; add --yes to do it (irreversible)")
        raise typer.Exit(1)
    target = resolve_target()

    async def run() -> list[str]:
        async with keyring(keyring_url(target.database_url)) as ring:
            return await ring.expire(unused_since=datetime.now(UTC) - timedelta(days=unused_days))

    from rcm_shared.phi import PhiError

    try:
        kids = asyncio.run(run())
    except (PhiError, ValueError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    console.print(f"shredded {len(kids)} data key(s) unused for {unused_days} days")
