"""The ``rcm`` command: local stack, services, publishing and the demo."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Healthcare revenue-cycle platform: local stack, services, demo.", no_args_is_help=True)
stack_app = typer.Typer(help="The local Kafka + PostgreSQL stack (no Docker needed).", no_args_is_help=True)
services_app = typer.Typer(help="Run the four services and the payer sandbox as processes.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")
app.add_typer(services_app, name="services")
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

    target = resolve_target()
    urls = {s: asyncio.run(ensure_database(target.database_url, f"rcm_{s}")) for s in SERVICES}
    platform = build_platform(kafka_bootstrap=target.kafka_bootstrap, database_urls=urls, namespace=namespace,
                              logs_dir=target.home / "logs", sandbox_data_dir=target.home / "sandbox",
                              remit_delay_s=remit_delay, payer_date=payer_date.date() if payer_date else None)
    platform.start()
    table = Table("process", "url", "log")
    for name, p in platform.processes.items():
        table.add_row(name, p.url, str(p.log_path))
    console.print(table)
    console.print("running; Ctrl-C stops them gracefully")
    stop = False

    def _on_signal(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        while not stop:
            time.sleep(0.5)
            dead = [n for n, p in platform.processes.items() if not p.alive()]
            if dead:
                console.print(f"[red]exited:[/] {', '.join(dead)} (see logs)")
                break
    finally:
        platform.stop()


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
    target = resolve_target()
    asyncio.run(publish_encounters(target.kafka_bootstrap, namespace, events))
    console.print(f"published {len(events)} event(s) to {namespace}.encounters")


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


@app.command("dead-letters")
def dead_letters_cmd(namespace: Annotated[str, typer.Option(help="topic namespace")] = "rcm") -> None:
    """Every dead-lettered record with the reason, the service and where it came from."""
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


