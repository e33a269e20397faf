"""The real stack: a Kafka broker and a PostgreSQL server started in a temporary home on
free ports (never the defaults, so a developer's own stack is left alone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError
from rcm_devstack import LocalStack, StackError, StackPorts
from rcm_devstack.processes import is_alive, port_in_use

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def stack_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rcm-home")


@pytest.fixture(scope="module")
def launched(stack_home: Path, module_free_ports: StackPorts) -> Iterator[LocalStack]:
    """Started by a separate `python -m rcm_devstack up` that has exited by the time the
    tests run: what `rcm stack up` does."""
    env = {
        **os.environ,
        "RCM_KAFKA_PORT": str(module_free_ports.kafka),
        "RCM_KAFKA_CONTROLLER_PORT": str(module_free_ports.kafka_controller),
        "RCM_PG_PORT": str(module_free_ports.postgres),
    }
    stack = LocalStack(stack_home, ports=module_free_ports)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "rcm_devstack", "up", "--home", str(stack_home), "--timeout", "240"],
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert f"KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{module_free_ports.kafka}" in result.stdout
        yield stack
    finally:
        stack.down()


@pytest.fixture
def stack(launched: LocalStack) -> LocalStack:
    # up() is idempotent, so every test can insist on a running stack whatever ran before.
    launched.up(timeout=240)
    return launched


def test_stack_keeps_running_after_the_process_that_started_it_exits(
    stack: LocalStack,
) -> None:
    status = stack.status()
    assert status.running
    for component in status.components:
        assert component.pid is not None
        assert psutil.Process(component.pid).is_running()
        assert os.getsid(component.pid) == component.pid


def test_second_up_reuses_the_running_processes(stack: LocalStack) -> None:
    before = {c.name: c.pid for c in stack.status().components}
    endpoints = stack.up(timeout=60)
    after = {c.name: c.pid for c in stack.status().components}
    assert after == before
    assert endpoints == stack.endpoints()
    assert endpoints.kafka_bootstrap == f"127.0.0.1:{stack.ports.kafka}"
    assert endpoints.database_url == f"postgresql://postgres@127.0.0.1:{stack.ports.postgres}/postgres"


def test_status_names_each_component_with_port_log_and_data_dir(stack: LocalStack) -> None:
    status = stack.status()
    kafka = status.component("kafka")
    postgres = status.component("postgres")
    assert (kafka.port, postgres.port) == (stack.ports.kafka, stack.ports.postgres)
    assert kafka.log_path == stack.logs_dir / "kafka.log"
    assert postgres.log_path == stack.logs_dir / "postgres.log"
    assert kafka.log_path.stat().st_size > 0
    assert (postgres.data_dir / "PG_VERSION").is_file()
    printed = str(status)
    assert f"127.0.0.1:{stack.ports.kafka}" in printed
    assert "running" in printed


async def test_ensure_database_creates_it_once_and_its_url_connects(stack: LocalStack) -> None:
    name = f"rcm_test_{uuid.uuid4().hex[:8]}"
    url = stack.ensure_database(name)
    assert url == f"postgresql://postgres@127.0.0.1:{stack.ports.postgres}/{name}"
    assert stack.ensure_database(name) == url
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval("SELECT current_database()") == name
    finally:
        await connection.close()


def test_ensure_database_refuses_a_name_that_would_need_quoting(stack: LocalStack) -> None:
    with pytest.raises(StackError, match="not allowed"):
        stack.ensure_database('claims"; DROP DATABASE postgres; --')


async def test_kafka_round_trips_a_message_through_a_consumer_group(stack: LocalStack) -> None:
    bootstrap = stack.endpoints().kafka_bootstrap
    topic = f"rcm.test.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"claim-submitted", key=b"pcn-1")
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id="devstack-test",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        message = await consumer.getone()
        await consumer.commit()
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"pcn-1", b"claim-submitted")


async def test_kafka_does_not_create_a_topic_on_first_use(stack: LocalStack) -> None:
    bootstrap = stack.endpoints().kafka_bootstrap
    topic = f"rcm.undeclared.{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises((UnknownTopicOrPartitionError, KafkaTimeoutError)):
            await producer.send_and_wait(topic, b"x")
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        assert topic not in await admin.list_topics()
    finally:
        await admin.close()


def test_up_with_other_ports_while_running_asks_for_down_first(stack: LocalStack, free_ports: StackPorts) -> None:
    with pytest.raises(StackError, match="run `rcm stack down` first"):
        LocalStack(stack.home, ports=free_ports).up(timeout=30)


def test_down_stops_both_servers_and_a_second_down_is_harmless(stack: LocalStack) -> None:
    processes = [psutil.Process(c.pid) for c in stack.status().components]
    stack.down()
    status = stack.status()
    assert not any(c.running for c in status.components)
    for process in processes:
        assert not is_alive(process)
    assert not port_in_use(stack.ports.kafka)
    assert not port_in_use(stack.ports.postgres)
    stack.down()
    restarted = stack.up(timeout=240)
    assert restarted == stack.endpoints()
    assert stack.status().running


def test_up_recovers_after_both_servers_were_killed_and_pids_reused(stack: LocalStack) -> None:
    for component in stack.status().components:
        assert component.pid is not None
        os.killpg(component.pid, signal.SIGKILL)
        psutil.Process(component.pid).wait(timeout=30)
    assert not any(c.running for c in stack.status().components)
    # As after a reboot: the stale postmaster.pid now names a live, unrelated process.
    postmaster_pid = stack.status().component("postgres").data_dir / "postmaster.pid"
    lines = postmaster_pid.read_text().splitlines()
    postmaster_pid.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")
    stack.up(timeout=240)
    assert stack.status().running
    assert stack.ensure_database("rcm_after_crash").endswith("/rcm_after_crash")


def test_cli_status_exits_zero_when_running_and_three_when_stopped(stack: LocalStack, tmp_path: Path) -> None:
    running = subprocess.run(
        [sys.executable, "-m", "rcm_devstack", "status", "--home", str(stack.home)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert running.returncode == 0, running.stdout + running.stderr
    stopped = subprocess.run(
        [sys.executable, "-m", "rcm_devstack", "status", "--home", str(tmp_path / "empty")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert stopped.returncode == 3
    assert "stopped" in stopped.stdout
