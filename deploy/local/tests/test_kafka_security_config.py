"""The broker configuration with a secured client listener (rcm_devstack.kafka.KafkaSecurity)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rcm_devstack import StackError, StackPorts
from rcm_devstack.kafka import KafkaSecurity, ScramUser, scram_arguments, server_properties
from rcm_devstack.layout import StackLayout

PORTS = StackPorts(kafka=31092, kafka_controller=31093, postgres=31432)
BROKER = ScramUser("broker", "b-Secret-1")
ALICE = ScramUser("alice", "a-Secret-2")


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return {key: value for key, value in pairs}


@pytest.fixture()
def pem_files(tmp_path: Path) -> tuple[Path, Path]:
    keystore, truststore = tmp_path / "broker.keystore.pem", tmp_path / "ca.pem"
    keystore.write_text("key and chain\n")
    truststore.write_text("ca\n")
    return keystore, truststore


def test_sasl_ssl_is_the_only_client_listener_and_the_controller_stays_on_loopback(
        tmp_path: Path, pem_files: tuple[Path, Path]) -> None:
    keystore, truststore = pem_files
    security = KafkaSecurity("SASL_SSL", keystore, truststore, users=(BROKER, ALICE))
    props = _properties(server_properties(StackLayout(tmp_path), PORTS, security))
    assert props["listeners"] == "SASL_SSL://127.0.0.1:31092,CONTROLLER://127.0.0.1:31093"
    assert props["advertised.listeners"] == "SASL_SSL://127.0.0.1:31092"
    assert props["inter.broker.listener.name"] == "SASL_SSL"
    assert props["listener.security.protocol.map"] == "CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL"
    assert "PLAINTEXT://" not in props["listeners"]
    assert props["ssl.keystore.type"] == props["ssl.truststore.type"] == "PEM"
    assert props["ssl.keystore.location"] == str(keystore)
    assert props["ssl.truststore.location"] == str(truststore)
    assert props["ssl.endpoint.identification.algorithm"] == "https"
    assert props["sasl.enabled.mechanisms"] == props["sasl.mechanism.inter.broker.protocol"] == "SCRAM-SHA-512"
    jaas = props["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"]
    assert jaas == ('org.apache.kafka.common.security.scram.ScramLoginModule required '
                    'username="broker" password="b-Secret-1";')
    # The rest of the single-node configuration is unchanged.
    assert props["auto.create.topics.enable"] == "false"
    assert props["log.dirs"] == str(tmp_path / "kafka" / "data")


def test_ssl_alone_asks_clients_for_a_certificate(tmp_path: Path, pem_files: tuple[Path, Path]) -> None:
    security = KafkaSecurity("SSL", *pem_files)
    props = _properties(server_properties(StackLayout(tmp_path), PORTS, security))
    assert props["listeners"] == "SSL://127.0.0.1:31092,CONTROLLER://127.0.0.1:31093"
    assert props["ssl.client.auth"] == "required"
    assert not any(key.startswith("sasl.") for key in props)
    assert scram_arguments(security) == []


def test_without_security_the_listener_is_plaintext_and_has_no_tls_settings(tmp_path: Path) -> None:
    props = _properties(server_properties(StackLayout(tmp_path), PORTS))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:31092,CONTROLLER://127.0.0.1:31093"
    assert not any(key.startswith(("ssl.", "sasl.")) for key in props)


def test_every_scram_user_is_added_when_the_storage_is_formatted(pem_files: tuple[Path, Path]) -> None:
    security = KafkaSecurity("SASL_SSL", *pem_files, mechanism="SCRAM-SHA-256", users=(BROKER, ALICE))
    assert scram_arguments(security) == [
        "--add-scram", "SCRAM-SHA-256=[name=broker,password=b-Secret-1]",
        "--add-scram", "SCRAM-SHA-256=[name=alice,password=a-Secret-2]",
    ]
    assert "b-Secret-1" not in repr(security), "passwords stay out of reprs"


@pytest.mark.parametrize(("protocol", "users", "message"), [
    ("SASL_SSL", (), "needs at least one SCRAM user"),
    ("SASL_SSL", (ScramUser("bob", 'pa"ss'),), "without spaces"),
    ("SASL_SSL", (ScramUser("bo,b", "pass"),), "without spaces"),
    ("SASL_SSL", (ScramUser("bob", ""),), "non-empty"),
    ("PLAINTEXT", (), "SSL or SASL_SSL"),
])
def test_a_configuration_kafka_would_misread_is_refused(
        pem_files: tuple[Path, Path], protocol: str, users: tuple[ScramUser, ...], message: str) -> None:
    with pytest.raises(StackError, match=message):
        KafkaSecurity(protocol, *pem_files, users=users)  # type: ignore[arg-type]


def test_missing_pem_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="keystore .*absent.pem does not exist"):
        KafkaSecurity("SSL", tmp_path / "absent.pem", tmp_path / "absent-ca.pem")
