"""Settings fail fast and name the bad variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from rcm_shared.auth import DEVELOPMENT_CLEARINGHOUSE_TOKEN, DEVELOPMENT_ISSUER
from rcm_shared.entrypoint import load_settings
from rcm_shared.settings import ClearinghouseSettings, ServiceSettings, to_async_database_url

GOOD = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "DATABASE_URL": "postgresql://u:p@db:5432/rcm"}
# Tokens from an identity provider and a real clearinghouse (https, its credential): what a start outside
# development needs besides real database credentials.
IDENTITY_PROVIDER = {
    "AUTH_JWKS_URL": "https://idp.rcm.internal/realms/rcm/protocol/openid-connect/certs",
    "AUTH_ISSUER": "https://idp.rcm.internal/realms/rcm",
    "SANDBOX_URL": "https://clearinghouse.rcm.internal",
    "CLEARINGHOUSE_TOKEN": "ch-Zr8wq3Lm5Tn2Vb7K",
}
_AUTH_VARIABLES = ("AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_ROLES_CLAIM", "AUTH_DEVELOPMENT_KEY",
                   "SANDBOX_URL", "CLEARINGHOUSE_TOKEN")
# Encrypted, authenticated transport (production refuses PLAINTEXT Kafka and unverified PostgreSQL TLS).
# The PHI keyring of every environment outside development: its own database and a real KEK.
KEYRING = {"KEYRING_DATABASE_URL": "postgresql://rcm-keys:Kq9-wE4r7t@keys-db:5432/rcm_keys",
           "PHI_KEK": "n0Qk3F1m2e8xY4cV6bN7mL9pO0iU5yT3rE2wQ1aS4dE="}
SECURE_TRANSPORT = {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "rcm-service",
                    "KAFKA_SASL_PASSWORD": "kf-Qm4tR8wZ2xNp", "DATABASE_SSLMODE": "verify-full"}


def outside_development(monkeypatch: pytest.MonkeyPatch, environment: str, **variables: str | None) -> None:
    """A complete environment outside development; a variable given as None is unset."""
    for name in _AUTH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    env: dict[str, str | None] = {"KAFKA_BOOTSTRAP_SERVERS": "k:9092",
                                  "DATABASE_URL": "postgresql://rcm:Xq7-vL2p9s@db:5432/rcm",
                                  "ENVIRONMENT": environment, "TOPIC_REPLICATION_FACTOR": "3",
                                  **IDENTITY_PROVIDER, **SECURE_TRANSPORT, **KEYRING, **variables}
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_good_settings_load_and_give_an_asyncpg_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in GOOD.items():
        monkeypatch.setenv(k, v)
    s = ServiceSettings()  # type: ignore[call-arg]
    assert s.async_database_url == "postgresql+asyncpg://u:p@db:5432/rcm"


@pytest.mark.parametrize(("var", "value", "message"), [
    ("KAFKA_BOOTSTRAP_SERVERS", "localhost", "not host:port"),
    ("DATABASE_URL", "mysql://x@y/z", "PostgreSQL URL"),
    ("TOPIC_NAMESPACE", "bad name!", "TOPIC_NAMESPACE"),
    ("HTTP_PORT", "70000", "less than or equal"),
])
def test_a_bad_variable_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch, var: str, value: str,
                                                 message: str) -> None:
    for k, v in GOOD.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv(var, value)
    with pytest.raises(ValidationError) as err:
        ServiceSettings()  # type: ignore[call-arg]
    assert message in str(err.value)


def test_production_refuses_development_conveniences(monkeypatch: pytest.MonkeyPatch) -> None:
    outside_development(monkeypatch, "production", DATABASE_URL="postgresql://postgres@db/rcm")
    with pytest.raises(ValidationError, match="credentials in production"):
        ServiceSettings()  # type: ignore[call-arg]


def test_a_missing_variable_stops_the_process_with_status_2(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exit_:
        load_settings(ServiceSettings)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "KAFKA_BOOTSTRAP_SERVERS" in err and "DATABASE_URL" in err


def test_plain_postgres_urls_are_given_the_async_driver() -> None:
    assert to_async_database_url("postgres://a@b/c") == "postgresql+asyncpg://a@b/c"


@pytest.mark.parametrize("password", ["REPLACE_ME_PASSWORD", "changeme", "ChangeMe123", "", "password", "${DB_PASS}"])
@pytest.mark.parametrize("environment", ["test", "production"])
def test_placeholder_database_passwords_are_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, password: str, environment: str
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("DATABASE_URL", f"postgresql://rcm:{password}@db:5432/rcm")
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("TOPIC_REPLICATION_FACTOR", "3")
    with pytest.raises(ValidationError) as err:
        ServiceSettings()  # type: ignore[call-arg]
    assert "DATABASE_URL" in str(err.value)
    assert f":{password}@" not in str(err.value)  # the URL (and its secret) is never echoed


def test_the_k8s_secret_placeholder_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    import re
    from pathlib import Path

    secret = (Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "secret-database-urls.yaml").read_text()
    url = re.search(r"postgresql://\S+", secret)
    assert url is not None, "the k8s Secret names a database URL"
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("DATABASE_URL", url.group(0).strip("'\""))
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("TOPIC_REPLICATION_FACTOR", "3")
    with pytest.raises(ValidationError, match="placeholder"):
        ServiceSettings()  # type: ignore[call-arg]


def test_a_real_password_and_development_placeholders_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    outside_development(monkeypatch, "production")
    assert ServiceSettings().environment == "production"  # type: ignore[call-arg]
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("DATABASE_URL", "postgresql://rcm:changeme@db:5432/rcm")
    for name in _AUTH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert ServiceSettings().environment == "development"  # type: ignore[call-arg]


@pytest.mark.parametrize("settings_class", [ServiceSettings, ClearinghouseSettings])
@pytest.mark.parametrize("environment", ["test", "production"])
def test_an_identity_provider_and_a_real_clearinghouse_token_start_outside_development(
        monkeypatch: pytest.MonkeyPatch, environment: str, settings_class: type[ServiceSettings]) -> None:
    outside_development(monkeypatch, environment)
    settings = settings_class()  # type: ignore[call-arg]
    assert settings.environment == environment
    assert settings.auth_jwks_url == IDENTITY_PROVIDER["AUTH_JWKS_URL"]
    assert settings.token_verifier().issuer == IDENTITY_PROVIDER["AUTH_ISSUER"]


_DEVELOPMENT_KEY = "a-development-key-that-must-not-leak"


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize(("settings_class", "variables", "named", "secret"), [
    pytest.param(ServiceSettings, {"AUTH_JWKS_URL": None}, "AUTH_JWKS_URL", None, id="missing-jwks-url"),
    pytest.param(ServiceSettings, {"AUTH_DEVELOPMENT_KEY": _DEVELOPMENT_KEY}, "AUTH_DEVELOPMENT_KEY",
                 _DEVELOPMENT_KEY, id="development-key-set"),
    pytest.param(ServiceSettings, {"AUTH_ISSUER": None}, "AUTH_ISSUER", None, id="default-development-issuer"),
    pytest.param(ServiceSettings, {"AUTH_ISSUER": DEVELOPMENT_ISSUER}, "AUTH_ISSUER", None,
                 id="development-issuer"),
    pytest.param(ClearinghouseSettings, {"CLEARINGHOUSE_TOKEN": None}, "CLEARINGHOUSE_TOKEN", None,
                 id="default-clearinghouse-token"),
    pytest.param(ClearinghouseSettings, {"CLEARINGHOUSE_TOKEN": DEVELOPMENT_CLEARINGHOUSE_TOKEN},
                 "CLEARINGHOUSE_TOKEN", DEVELOPMENT_CLEARINGHOUSE_TOKEN, id="development-clearinghouse-token"),
])
def test_development_credentials_stop_the_start_outside_development_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], environment: str,
        settings_class: type[ServiceSettings], variables: dict[str, str | None], named: str,
        secret: str | None) -> None:
    outside_development(monkeypatch, environment, **variables)
    with pytest.raises(ValidationError, match=named):
        settings_class()  # type: ignore[call-arg]
    # The process stops at start (status 2) with the variable named, never its value.
    with pytest.raises(SystemExit) as exit_:
        load_settings(settings_class)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert named in err
    if secret is not None:
        assert secret not in err


def test_production_takes_the_identity_providers_keys_only_over_https(monkeypatch: pytest.MonkeyPatch) -> None:
    outside_development(monkeypatch, "production", AUTH_JWKS_URL="http://idp.rcm.internal/certs")
    with pytest.raises(ValidationError, match="AUTH_JWKS_URL must be https"):
        ServiceSettings()  # type: ignore[call-arg]
