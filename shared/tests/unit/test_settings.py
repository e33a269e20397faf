"""Settings fail fast and name the bad variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from rcm_shared.entrypoint import load_settings
from rcm_shared.settings import ServiceSettings, to_async_database_url

GOOD = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092", "DATABASE_URL": "postgresql://u:p@db:5432/rcm"}


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
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@db/rcm")
    monkeypatch.setenv("ENVIRONMENT", "production")
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
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql://rcm:Xq7-vL2p9s@db:5432/rcm")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("TOPIC_REPLICATION_FACTOR", "3")
    assert ServiceSettings().environment == "production"  # type: ignore[call-arg]
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("DATABASE_URL", "postgresql://rcm:changeme@db:5432/rcm")
    assert ServiceSettings().environment == "development"  # type: ignore[call-arg]
