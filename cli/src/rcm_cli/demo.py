"""``rcm demo``: the whole pipeline on the local stack, with live progress and a summary."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from decimal import Decimal

from rcm_shared.db.admin import create_database
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rcm_cli.environment import resolve_target
from rcm_cli.observe import PipelineCounts, pipeline_counts
from rcm_cli.processes import DATABASES, KEYRING, build_platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters, latest_codable_date, payer_business_date


def run_demo(n: int, *, seed: int, malformed: int, timeout_s: float, clean: bool, console: Console) -> int:
    """Run the demo; return a process exit code (0 when every encounter settled)."""
    target = resolve_target()
    run_id = uuid.uuid4().hex[:8]
    namespace = f"demo{run_id}"
    run_dir = target.home / "demo" / run_id
    console.print(f"[bold]RCM demo[/] run {run_id}: Kafka {target.kafka_bootstrap}, PostgreSQL "
                  f"({target.origin}); logs in {run_dir}")

    async def make_databases() -> dict[str, str]:
        return {s: await create_database(target.database_url, f"demo_{run_id}_{s}") for s in DATABASES}

    urls = asyncio.run(make_databases())
    payer_date = payer_business_date()
    if payer_date is not None:
        console.print(f"The loaded ICD-10-CM release ends {latest_codable_date()}: synthetic visits fall before it "
                      f"and the payer sandbox is dated {payer_date} (register a newer code set to code later dates).")
    platform = build_platform(kafka_bootstrap=target.kafka_bootstrap, database_urls=urls, namespace=namespace,
                              logs_dir=run_dir / "logs", sandbox_data_dir=run_dir / "sandbox", remit_delay_s=1.0,
                              sandbox_seed=seed, payer_date=payer_date)
    with console.status("starting the payer sandbox and four services (separate processes)..."):
        platform.start()
    service_urls = {name: p.url for name, p in platform.processes.items()}
    try:
        payloads = list(encounters(n, seed=seed, clean=clean, prefix=f"D{run_id[:4]}"))
        events = encounter_events(payloads)
        bad = [(f"BAD-{i}".encode(), b'{"encounter_id": "not an event"}') for i in range(malformed)]
        started = time.monotonic()
        asyncio.run(publish_encounters(target.kafka_bootstrap, namespace, events, raw=bad, keyring_url=urls[KEYRING]))
        console.print(f"published {len(events)} EncounterCompleted events (PHI sealed with each patient's data key) "
                      f"and {malformed} malformed record(s)")
        counts = _follow(n, service_urls, target.kafka_bootstrap, namespace, timeout_s, console)
        elapsed = time.monotonic() - started
        _summary(console, n, malformed, counts, elapsed)
        return 0 if counts.settled(n) >= n else 1
    finally:
        with console.status("stopping services (graceful shutdown)..."):
            platform.stop()
        console.print("The local stack keeps running: [bold]rcm stack down[/] stops it.")


def _follow(n: int, urls: dict[str, str], bootstrap: str, namespace: str, timeout_s: float,
            console: Console) -> PipelineCounts:
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    deadline = time.monotonic() + timeout_s
    with Progress(*columns, console=console) as progress:
        # Each bar counts against what reached its stage: an encounter sent to a human coder
        # never reaches claims, a held claim never reaches the payer.
        tasks = {name: progress.add_task(label, total=n) for name, label in (
            ("checked", "eligibility answered (271)"), ("coded", "coded or sent to review"),
            ("claimed", "claims sent (837) or held"), ("adjudicated", "remittance posted (835)"))}
        counts = PipelineCounts()
        while time.monotonic() < deadline:
            counts = asyncio.run(pipeline_counts(urls, bootstrap, namespace))
            progress.update(tasks["checked"], completed=counts.checked)
            progress.update(tasks["coded"], completed=counts.coded + counts.in_review)
            progress.update(tasks["claimed"], completed=counts.claimed + counts.held,
                            total=max(counts.coded, 1) if counts.coded + counts.in_review >= n else n)
            progress.update(tasks["adjudicated"], completed=counts.adjudicated,
                            total=max(counts.claimed, 1) if counts.settled(n) >= n else n)
            if counts.settled(n) >= n:
                break
            time.sleep(0.5)
    return counts


def _summary(console: Console, n: int, malformed: int, c: PipelineCounts, elapsed: float) -> None:
    table = Table(title=f"Pipeline summary ({elapsed:.1f} s, read back from the services)")
    table.add_column("stage")
    table.add_column("count", justify="right")
    table.add_column("detail")
    table.add_row("encountered", str(n), f"+ {malformed} malformed record(s) published on purpose")
    table.add_row("eligibility checked", str(c.checked), _fmt(c.eligibility))
    table.add_row("coded", str(c.coded), f"{c.in_review} sent to human review")
    table.add_row("claimed", str(c.claimed), _fmt({k: v for k, v in c.claims.items() if k != "built"}))
    paid_amount = Decimal(str(c.payments.get("paid_amount", "0")))
    table.add_row("paid", str(c.paid), f"${paid_amount:,.2f} paid; patient responsibility "
                  f"${Decimal(str(c.payments.get('patient_responsibility', '0'))):,.2f}; "
                  f"denied {c.payments.get('denied', 0)}, reversed {c.payments.get('reversed', 0)}")
    table.add_row("dead-lettered", str(c.dead_lettered), _fmt(c.dead_letters))
    table.add_row("sandbox received", str(c.sandbox.get("claims_received", "?")),
                  f"duplicate interchanges {c.sandbox.get('duplicate_interchanges', '?')}, "
                  f"remittances {c.sandbox.get('remittances_sent', '?')}")
    console.print(table)


def _fmt(d: Mapping[str, object]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items()) if v) or "-"


