"""The ``rcm`` command reaches a secured broker with the services' variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from rcm_cli.kafka_client import kafka_options
from rcm_shared.testing.tls import CertificateAuthority

VARIABLES = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD",
             "KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE")


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_without_variables_the_command_speaks_plaintext() -> None:
    assert kafka_options() == {"security_protocol": "PLAINTEXT"}


def test_the_command_authenticates_as_the_environment_says(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ca = CertificateAuthority.create(tmp_path)
    for name, value in {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
                        "KAFKA_SASL_USERNAME": "operator", "KAFKA_SASL_PASSWORD": "op-Zr8wq3Lm",
                        "KAFKA_SSL_CAFILE": str(ca.certificate)}.items():
        monkeypatch.setenv(name, value)
    options = kafka_options()
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("operator", "op-Zr8wq3Lm")
    assert options["ssl_context"].check_hostname


def test_a_half_configured_environment_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "operator")
    with pytest.raises(ValueError, match="KAFKA_SASL_PASSWORD"):
        kafka_options()
