"""Transport security settings: Kafka TLS and SASL/SCRAM, PostgreSQL TLS, the clearinghouse's CA,
the database password from a file. Bad values stop the start naming the variable, never a secret."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from rcm_shared.db.database import asyncpg_connect_args, database_ssl_context
from rcm_shared.messaging.kafka_security import KafkaSecurity, kafka_client_options
from rcm_shared.settings import ClearinghouseSettings, DatabaseTLS, ServiceSettings
from rcm_shared.testing.tls import CertificateAuthority

BASE: dict[str, Any] = {"kafka_bootstrap_servers": "k:9093", "database_url": "postgresql://rcm:Xq7-vL2p9s@db:5432/rcm"}
PRODUCTION: dict[str, Any] = {
    **BASE, "environment": "production", "topic_replication_factor": 3,
    "auth_jwks_url": "https://idp.rcm.internal/certs", "auth_issuer": "https://idp.rcm.internal",
    "kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "rcm-claims",
    "kafka_sasl_password": "kf-Qm4tR8wZ2xNp", "database_sslmode": "verify-full",
    "keyring_database_url": "postgresql://rcm-keys:Kq9-wE4r7t@keys-db:5432/rcm_keys",
    "phi_kek": "n0Qk3F1m2e8xY4cV6bN7mL9pO0iU5yT3rE2wQ1aS4dE=",
}
SECRET = "kf-Qm4tR8wZ2xNp"


@pytest.fixture(autouse=True)
def _no_transport_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD",
                 "KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE", "DATABASE_SSLMODE",
                 "DATABASE_SSLROOTCERT", "DATABASE_PASSWORD_FILE", "CLEARINGHOUSE_CAFILE", "ENVIRONMENT",
                 "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_DEVELOPMENT_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("pki"))


def settings(**values: Any) -> ServiceSettings:
    return ServiceSettings(**{**BASE, **values})


def test_production_starts_with_sasl_ssl_and_verified_database_tls() -> None:
    s = ServiceSettings(**PRODUCTION)
    assert s.kafka_security.protocol == "SASL_SSL"
    assert s.database_tls == DatabaseTLS(sslmode="verify-full")
    assert SECRET not in repr(s.kafka_security)


def test_production_refuses_plaintext_kafka() -> None:
    with pytest.raises(ValidationError, match="KAFKA_SECURITY_PROTOCOL=PLAINTEXT is refused in production"):
        ServiceSettings(**{**PRODUCTION, "kafka_security_protocol": "PLAINTEXT"})


@pytest.mark.parametrize("mode", ["disable", "require", "verify-ca"])
def test_production_requires_database_verify_full(mode: str) -> None:
    with pytest.raises(ValidationError, match=f"DATABASE_SSLMODE={mode} is refused in production"):
        ServiceSettings(**{**PRODUCTION, "database_sslmode": mode})


def test_development_may_use_plaintext_and_no_database_tls() -> None:
    s = settings()
    assert kafka_client_options(s.kafka_security) == {"security_protocol": "PLAINTEXT"}
    # Unset DATABASE_SSLMODE leaves asyncpg's default (it honours sslmode in the URL and PGSSLMODE);
    # an explicit disable turns TLS off.
    assert s.database_tls is None and asyncpg_connect_args(s.database_tls) == {}
    assert asyncpg_connect_args(settings(database_sslmode="disable").database_tls) == {"ssl": False}


def test_production_refuses_an_unset_database_sslmode() -> None:
    with pytest.raises(ValidationError, match="DATABASE_SSLMODE=None is refused in production"):
        ServiceSettings(**{k: v for k, v in PRODUCTION.items() if k != "database_sslmode"})


@pytest.mark.parametrize(("values", "named"), [
    ({"kafka_sasl_username": None}, "KAFKA_SASL_USERNAME"),
    ({"kafka_sasl_password": None}, "KAFKA_SASL_PASSWORD"),
    ({"kafka_sasl_username": None, "kafka_sasl_password": None}, "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
])
def test_sasl_needs_a_username_and_a_password(values: dict[str, Any], named: str) -> None:
    base = {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u", "kafka_sasl_password": SECRET}
    with pytest.raises(ValidationError, match=named):
        settings(**{**base, **values})


@pytest.mark.parametrize("variable", ["kafka_ssl_cafile", "kafka_ssl_certfile", "database_sslrootcert"])
def test_a_missing_certificate_file_is_named(tmp_path: Path, ca: CertificateAuthority, variable: str) -> None:
    values: dict[str, Any] = {"kafka_security_protocol": "SSL", "database_sslmode": "verify-full",
                              "kafka_ssl_cafile": str(ca.certificate)}
    if variable == "kafka_ssl_certfile":
        values["kafka_ssl_keyfile"] = str(ca.certificate)
    values[variable] = str(tmp_path / "absent.pem")
    with pytest.raises(ValidationError, match=f"{variable.upper()}: no file at .*absent.pem"):
        settings(**values)


def test_a_client_certificate_needs_its_key(ca: CertificateAuthority) -> None:
    with pytest.raises(ValidationError, match="KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together"):
        settings(kafka_security_protocol="SSL", kafka_ssl_certfile=str(ca.certificate))


def test_tls_files_with_plaintext_are_refused_rather_than_ignored(ca: CertificateAuthority) -> None:
    with pytest.raises(ValidationError, match="KAFKA_SECURITY_PROTOCOL=PLAINTEXT would not use them"):
        settings(kafka_ssl_cafile=str(ca.certificate))


def test_a_root_certificate_that_would_never_be_checked_is_refused(ca: CertificateAuthority) -> None:
    with pytest.raises(ValidationError, match="DATABASE_SSLMODE=require does not verify"):
        settings(database_sslmode="require", database_sslrootcert=str(ca.certificate))


@pytest.mark.parametrize("environment", ["test", "production"])
def test_a_placeholder_kafka_password_is_refused_outside_development_and_never_echoed(environment: str) -> None:
    with pytest.raises(ValidationError) as err:
        ServiceSettings(**{**PRODUCTION, "environment": environment, "kafka_sasl_password": "REPLACE_ME_KAFKA"})
    # What the entrypoint prints (rcm_shared.entrypoint.load_settings): the messages, without the input.
    messages = " ".join(e["msg"] for e in err.value.errors(include_input=False))
    assert "KAFKA_SASL_PASSWORD is a placeholder" in messages
    assert "REPLACE_ME_KAFKA" not in messages


def test_settings_from_the_environment_read_the_same_variables(monkeypatch: pytest.MonkeyPatch,
                                                               ca: CertificateAuthority) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": "k:9093", "DATABASE_URL": BASE["database_url"],
           "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
           "KAFKA_SASL_USERNAME": "rcm-claims", "KAFKA_SASL_PASSWORD": SECRET, "KAFKA_SSL_CAFILE": str(ca.certificate)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from_settings = ServiceSettings().kafka_security
    assert from_settings == KafkaSecurity.from_environ(env)
    assert from_settings.sasl_mechanism == "SCRAM-SHA-256"


def test_kafka_options_for_sasl_ssl_carry_scram_and_a_verifying_tls_context(ca: CertificateAuthority) -> None:
    security = KafkaSecurity(protocol="SASL_SSL", sasl_username="rcm-claims", sasl_password=SECRET,
                             ssl_cafile=str(ca.certificate))
    options = kafka_client_options(security)
    assert {k: v for k, v in options.items() if k != "ssl_context"} == {
        "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": "rcm-claims",
        "sasl_plain_password": SECRET}
    context: ssl.SSLContext = options["ssl_context"]
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", ca.name),),)]


def test_kafka_options_for_mutual_tls_load_the_client_certificate(tmp_path: Path, ca: CertificateAuthority) -> None:
    client = ca.issue(tmp_path, "client")
    options = kafka_client_options(KafkaSecurity(protocol="SSL", ssl_cafile=str(ca.certificate),
                                                 ssl_certfile=str(client.certificate), ssl_keyfile=str(client.key)))
    assert options["security_protocol"] == "SSL" and "sasl_mechanism" not in options
    # A key that is not the certificate's is named, not a bare SSL error.
    other = ca.issue(tmp_path, "other")
    with pytest.raises(ValueError, match="KAFKA_SSL_CERTFILE/KAFKA_SSL_KEYFILE"):
        kafka_client_options(KafkaSecurity(protocol="SSL", ssl_certfile=str(client.certificate),
                                           ssl_keyfile=str(other.key)))


def test_a_ca_file_that_holds_no_certificate_is_named(tmp_path: Path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("REPLACE_ME_KAFKA_CA_CERTIFICATE\n")
    with pytest.raises(ValueError, match="KAFKA_SSL_CAFILE .* holds no usable CA certificate"):
        kafka_client_options(KafkaSecurity(protocol="SSL", ssl_cafile=str(bogus)))
    with pytest.raises(ValueError, match="DATABASE_SSLROOTCERT .* holds no usable CA certificate"):
        database_ssl_context(DatabaseTLS(sslmode="verify-full", sslrootcert=str(bogus)))


def test_database_tls_modes_mean_what_libpqs_do(ca: CertificateAuthority) -> None:
    assert database_ssl_context(DatabaseTLS("disable")) is None
    require = database_ssl_context(DatabaseTLS("require"))
    assert require is not None and require.verify_mode == ssl.CERT_NONE and not require.check_hostname
    verify_ca = database_ssl_context(DatabaseTLS("verify-ca", str(ca.certificate)))
    assert verify_ca is not None and verify_ca.verify_mode == ssl.CERT_REQUIRED and not verify_ca.check_hostname
    full = database_ssl_context(DatabaseTLS("verify-full", str(ca.certificate)))
    assert full is not None and full.verify_mode == ssl.CERT_REQUIRED and full.check_hostname
    assert len(full.get_ca_certs()) == 1
    assert asyncpg_connect_args(None) == {}, "no TLS settings: asyncpg's own default"


def test_the_database_password_comes_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "postgres_password"
    secret.write_text("p@ss/w:rd\n")
    s = settings(database_url="postgresql://postgres@db:5432/rcm_claims", database_password_file=str(secret))
    assert s.database_url == "postgresql://postgres:p%40ss%2Fw%3Ard@db:5432/rcm_claims"
    with pytest.raises(ValidationError, match="give it once"):
        settings(database_password_file=str(secret))
    with pytest.raises(ValidationError, match="DATABASE_PASSWORD_FILE: no file at"):
        settings(database_url="postgresql://postgres@db/rcm", database_password_file=str(tmp_path / "absent"))


def test_the_clearinghouse_ca_file_must_exist_and_needs_https(tmp_path: Path, ca: CertificateAuthority) -> None:
    values: dict[str, Any] = {**BASE, "sandbox_url": "https://clearinghouse.rcm.internal"}
    assert ClearinghouseSettings(**values, clearinghouse_cafile=str(ca.certificate)).clearinghouse_cafile
    with pytest.raises(ValidationError, match="CLEARINGHOUSE_CAFILE: no file at"):
        ClearinghouseSettings(**values, clearinghouse_cafile=str(tmp_path / "absent.pem"))
    with pytest.raises(ValidationError, match="SANDBOX_URL is not https"):
        ClearinghouseSettings(**{**values, "sandbox_url": "http://sandbox:8080"},
                              clearinghouse_cafile=str(ca.certificate))
