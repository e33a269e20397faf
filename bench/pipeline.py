"""Pipeline throughput on the local stack, against a plain-aiokafka baseline in the same run.

    uv run python bench/pipeline.py [-n 300]

1. Baseline: four pass-through hops with plain aiokafka (consume, produce to the next
   topic, commit), over the same broker, with records the size of a real
   EncounterCompleted event, in topics with the same partition count.
2. Platform: the sandbox and the four services as separate processes; N clean encounters
   published; the clock stops when all N are posted as paid by the payments service.

Prints both rates, their ratio, and CPU milliseconds per encounter for each process.
Numbers, not assertions: nothing here fails on speed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from rcm_cli.environment import resolve_target
from rcm_cli.observe import pipeline_counts
from rcm_cli.processes import DATABASES, SERVICES, build_platform
from rcm_cli.publish import encounter_events, publish_encounters
from rcm_cli.synthetic import encounters, payer_business_date
from rcm_shared.db.admin import create_database, drop_database

PARTITIONS = 6


async def baseline(bootstrap: str, values: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> float:
    """Seconds for all records to pass four plain consume -> produce -> commit hops."""
    run = uuid.uuid4().hex[:8]
    topics = [f"bench{run}.hop{i}" for i in range(5)]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics])
    await admin.close()
    await asyncio.sleep(1)  # leaders elected before the first fetch
    n = len(values)
    done = asyncio.Event()
    arrived = 0

    async def hop(src: str, dst: str | None) -> None:
        nonlocal arrived
        consumer = AIOKafkaConsumer(src, bootstrap_servers=bootstrap, group_id=f"{src}.g", enable_auto_commit=False,
                                    auto_offset_reset="earliest")
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
        await consumer.start()
        await producer.start()
        try:
            while not done.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=200)
                futures = []
                for records in batch.values():
                    for r in records:
                        if dst is None:
                            arrived += 1
                        else:
                            futures.append(await producer.send(dst, value=r.value, key=r.key, headers=list(r.headers)))
                await asyncio.gather(*futures)
                if batch:
                    await consumer.commit()
                if arrived >= n:
                    done.set()
        finally:
            await consumer.stop()
            await producer.stop()

    tasks = [asyncio.create_task(hop(topics[i], topics[i + 1])) for i in range(4)]
    tasks.append(asyncio.create_task(hop(topics[4], None)))
    await asyncio.sleep(3)  # let the groups join before the clock starts
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    started = time.perf_counter()
    futures = [await producer.send(topics[0], value=v, key=k, headers=h) for k, v, h in values]
    await asyncio.gather(*futures)
    await producer.stop()
    # Stop at the first hop that fails instead of waiting out the timeout.
    finished = asyncio.create_task(done.wait())
    await asyncio.wait([finished, *tasks], timeout=600, return_when=asyncio.FIRST_COMPLETED)
    elapsed = time.perf_counter() - started
    if not done.is_set():
        done.set()
        await asyncio.gather(*tasks)  # raises the hop's error, if one failed
        raise TimeoutError(f"baseline: {arrived}/{n} records arrived within 600 s")
    await asyncio.gather(*tasks)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=300, help="encounters")
    parser.add_argument("--baseline-records", type=int, default=3000,
                        help="records through the baseline (at least n; a short run measures only start-up)")
    args = parser.parse_args()
    n = args.n
    target = resolve_target()
    events = encounter_events(encounters(n, seed=99, clean=True, prefix="BENCH"))
    wire = [e.to_kafka() for e in events]
    size = sum(len(v) for _, v, _ in wire) / n
    print(f"broker {target.kafka_bootstrap}; {n} encounters, mean event size {size:.0f} bytes")

    base_wire = [wire[i % n] for i in range(max(n, args.baseline_records))]
    base_s = asyncio.run(baseline(target.kafka_bootstrap, base_wire))
    base_rate = len(base_wire) / base_s
    print(f"baseline (4 plain aiokafka hops): {len(base_wire)} records in {base_s:.2f} s, {base_rate:.1f} records/s")

    run = uuid.uuid4().hex[:8]
    namespace = f"bench{run}"
    names = {s: f"bench_{run}_{s}" for s in DATABASES}

    async def create() -> dict[str, str]:
        return {s: await create_database(target.database_url, name) for s, name in names.items()}

    urls = asyncio.run(create())
    work = Path(tempfile.mkdtemp(prefix="rcm-bench-"))
    plat = build_platform(kafka_bootstrap=target.kafka_bootstrap, database_urls=urls, namespace=namespace,
                          logs_dir=work / "logs", sandbox_data_dir=work / "sandbox", remit_delay_s=0.0,
                          extra_env={"TOPIC_PARTITIONS": str(PARTITIONS), "LOG_LEVEL": "WARNING"},
                          payer_date=payer_business_date())
    plat.start(timeout_s=180)
    try:
        service_urls = {name: p.url for name, p in plat.processes.items()}
        procs = {name: psutil.Process(p.proc.pid) for name, p in plat.processes.items() if p.proc}
        cpu_before = {name: sum(pr.cpu_times()[:2]) for name, pr in procs.items()}
        started = time.perf_counter()
        asyncio.run(publish_encounters(target.kafka_bootstrap, namespace, events, keyring_url=plat.keyring_url))
        deadline = time.monotonic() + 1200
        paid = 0
        while time.monotonic() < deadline:
            c = asyncio.run(pipeline_counts(service_urls, target.kafka_bootstrap, namespace))
            paid = c.paid
            if paid >= n or c.settled(n) >= n:
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        cpu_after = {name: sum(pr.cpu_times()[:2]) for name, pr in procs.items()}
    finally:
        plat.stop()

        async def drop() -> None:
            for name in names.values():
                await drop_database(target.database_url, name)

        asyncio.run(drop())
    rate = paid / elapsed
    print(f"platform (sandbox + 4 services, real X12, DB in the loop): {paid}/{n} paid in {elapsed:.2f} s, "
          f"{rate:.1f} encounters/s")
    print(f"ratio platform / baseline: {rate / base_rate:.3f}")
    print("CPU ms per encounter:")
    for name in ("sandbox", *SERVICES):
        if name in cpu_before:
            print(f"  {name:<12} {1000 * (cpu_after[name] - cpu_before[name]) / max(paid, 1):8.2f}")
    return 0 if paid == n else 1


if __name__ == "__main__":
    sys.exit(main())
