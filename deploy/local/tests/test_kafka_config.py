from __future__ import annotations

import re
from pathlib import Path

from rcm_devstack import StackPorts
from rcm_devstack.kafka import (
    cluster_id,
    find_pom,
    java_major_version,
    kafka_version,
    libs_dir_for,
    new_cluster_id,
    server_properties,
)
from rcm_devstack.layout import StackLayout

PORTS = StackPorts(kafka=31092, kafka_controller=31093, postgres=31432)


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return {key: value for key, value in pairs}


def test_broker_listens_on_loopback_ports_as_one_kraft_node(tmp_path: Path) -> None:
    props = _properties(server_properties(StackLayout(tmp_path), PORTS))
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:31093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:31092,CONTROLLER://127.0.0.1:31093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:31092"
    assert props["log.dirs"] == str(tmp_path / "kafka" / "data")


def test_broker_never_creates_topics_on_first_use(tmp_path: Path) -> None:
    props = _properties(server_properties(StackLayout(tmp_path), PORTS))
    assert props["auto.create.topics.enable"] == "false"


def test_internal_topics_fit_a_single_node(tmp_path: Path) -> None:
    props = _properties(server_properties(StackLayout(tmp_path), PORTS))
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_cluster_id_looks_like_a_kafka_uuid_and_is_kept(tmp_path: Path) -> None:
    layout = StackLayout(tmp_path)
    first = cluster_id(layout)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", first)
    assert not first.startswith("-")
    assert cluster_id(layout) == first
    assert new_cluster_id() != first


def test_java_major_version_reads_old_and_new_version_strings() -> None:
    assert java_major_version('openjdk version "17.0.15" 2025-04-15') == 17
    assert java_major_version('java version "1.8.0_392"') == 8
    assert java_major_version('openjdk version "21" 2023-09-19') == 21
    assert java_major_version("no version here") is None


def test_shipped_pom_names_a_kafka_version(tmp_path: Path) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", kafka_version(find_pom()))


def _pom(version: str, extra: str = "") -> str:
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        f"<properties><kafka.version>{version}</kafka.version></properties>{extra}</project>"
    )


def test_jar_cache_is_keyed_by_kafka_version_and_pom_content(tmp_path: Path) -> None:
    layout = StackLayout(tmp_path / "home")
    pom = tmp_path / "pom.xml"
    pom.write_text(_pom("4.1.1"))
    first = libs_dir_for(layout, pom)
    assert first.name.startswith("kafka-4.1.1-")
    pom.write_text(_pom("4.2.0"))
    bumped = libs_dir_for(layout, pom)
    assert bumped.name.startswith("kafka-4.2.0-")
    pom.write_text(_pom("4.1.1", "<!-- another dependency -->"))
    assert libs_dir_for(layout, pom) not in (first, bumped)
