"""Start-up failures a developer can fix: each message names the cause and the remedy."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from rcm_devstack import LocalStack, StackError, StackPorts
from rcm_devstack.kafka import resolve_jars
from rcm_devstack.layout import StackLayout

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="needs java")
needs_maven = pytest.mark.skipif(shutil.which("mvn") is None, reason="needs mvn")


def test_missing_java_is_reported_with_how_to_install_it(
    tmp_path: Path, free_ports: StackPorts, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(StackError, match="`java` was not found") as error:
        LocalStack(tmp_path / "home", ports=free_ports).up(timeout=5)
    assert "apt-get install openjdk-17-jre-headless" in str(error.value)
    assert not (tmp_path / "home" / "run" / "postgres.pid").exists()


@needs_java
def test_missing_maven_is_reported_when_the_jars_are_not_cached(
    tmp_path: Path, free_ports: StackPorts, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_java = tmp_path / "only-java"
    only_java.mkdir()
    java = shutil.which("java")
    assert java is not None
    (only_java / "java").symlink_to(Path(java).resolve())
    monkeypatch.setenv("PATH", str(only_java))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(StackError, match="`mvn` was not found") as error:
        LocalStack(tmp_path / "home", ports=free_ports).up(timeout=5)
    assert "apt-get install maven" in str(error.value)


@pytest.mark.parametrize(
    ("component", "variable"),
    [("kafka", "RCM_KAFKA_PORT"), ("kafka_controller", "RCM_KAFKA_CONTROLLER_PORT"), ("postgres", "RCM_PG_PORT")],
)
def test_a_port_held_by_another_program_is_named_with_the_variable_that_moves_it(
    tmp_path: Path,
    free_ports: StackPorts,
    listening_socket: socket.socket,
    component: str,
    variable: str,
) -> None:
    taken = listening_socket.getsockname()[1]
    ports = StackPorts(**{**free_ports.__dict__, component: taken})
    with pytest.raises(StackError) as error:
        LocalStack(tmp_path / "home", ports=ports).up(timeout=5)
    message = str(error.value)
    assert f"port {taken}" in message
    assert f"{variable}=<port>" in message


@needs_maven
def test_maven_failure_shows_the_end_of_its_log_and_where_the_log_is(tmp_path: Path) -> None:
    pom = tmp_path / "pom.xml"
    pom.write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>x</groupId><artifactId>y</artifactId><version>1</version>"
        "<packaging>no-such-packaging</packaging>"
        "<properties><kafka.version>9.9.9</kafka.version></properties></project>"
    )
    layout = StackLayout(tmp_path / "home")
    with pytest.raises(StackError, match="Maven could not fetch the Kafka jars") as error:
        resolve_jars(layout, pom, timeout=240)
    message = str(error.value)
    assert str(layout.maven_log) in message
    assert "no-such-packaging" in message
    assert not list(layout.kafka_libs_root.glob("kafka-9.9.9-*"))
