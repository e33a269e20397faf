"""Base settings every service extends.

Settings come from the environment (12-factor) and fail fast: a bad value stops the
process at start with a message naming the variable, rather than surfacing later as a
confusing connection error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    """Where the service runs; production refuses development conveniences."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


_PLACEHOLDER_MARKERS = ("replace_me", "replace-me", "replaceme", "changeme", "change_me", "change-me", "todo",
                        "xxx", "<", "${")
_PLACEHOLDER_WORDS = {"password", "secret", "example", "default", "placeholder", "test"}


def placeholder_secret(value: str | None) -> str | None:
    """Why ``value`` is not a real secret (empty, a REPLACE_ME/changeme marker, a stock word), or None."""
    if value is None or not value.strip():
        return "is empty"
    lowered = value.strip().lower()
    if any(marker in lowered for marker in _PLACEHOLDER_MARKERS) or lowered in _PLACEHOLDER_WORDS:
        return "is a placeholder"
    return None


def _secret_fields(settings: BaseSettings) -> dict[str, str]:
    """Secret-looking string settings (``*_password``, ``*_secret``, ``*_token``) by name."""
    out: dict[str, str] = {}
    for name in type(settings).model_fields:
        if name.endswith(("_password", "_secret", "_token")):
            value = getattr(settings, name)
            out[name] = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value or "")
    return out


def to_async_database_url(url: str) -> str:
    """Return ``url`` with the asyncpg driver, accepting plain ``postgresql://`` URLs."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    scheme = url.split(":", 1)[0]
    raise ValueError(f"DATABASE_URL must be a PostgreSQL URL (postgresql://...), got scheme {scheme!r}")


class ServiceSettings(BaseSettings):
    """Settings shared by all four services (environment variables, case-insensitive)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    service_name: str = Field(default="rcm", description="set by each service's subclass")
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"

    kafka_bootstrap_servers: str = Field(description="host:port[,host:port]")
    database_url: str = Field(description="postgresql://user:password@host:port/database")
    topic_namespace: str = "rcm"
    topic_partitions: Annotated[int, Field(ge=1, le=1000)] = 6
    topic_replication_factor: Annotated[int, Field(ge=1, le=7)] = 1
    create_topics: bool = True

    http_host: str = "127.0.0.1"
    http_port: Annotated[int, Field(ge=0, le=65535)] = 8000

    consumer_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 200
    handler_max_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    retry_backoff_initial_ms: Annotated[int, Field(ge=1)] = 100
    retry_backoff_max_ms: Annotated[int, Field(ge=1)] = 5_000
    outbox_batch_size: Annotated[int, Field(ge=1, le=10_000)] = 500
    outbox_poll_interval_ms: Annotated[int, Field(ge=5, le=60_000)] = 200
    db_pool_size: Annotated[int, Field(ge=1, le=200)] = 5
    # A dead letter's record over this size keeps its size and SHA-256 instead of its value
    # (the relay's producer refuses records over about 1 MiB).
    dead_letter_max_bytes: Annotated[int, Field(ge=1_000, le=10_000_000)] = 900_000
    # How long one message waits on an unavailable dependency (database, broker, clearinghouse) with
    # its partition paused before the wait counts against its attempts (then a dead letter that
    # `rcm dead-letters redrive` sends back); 0 waits for as long as the outage lasts.
    infrastructure_wait_max_s: Annotated[float, Field(ge=0)] = 0.0
    # /readyz: an unpublished outbox row older than this, or a task restarted within this window, is not ready.
    readiness_outbox_max_age_s: Annotated[float, Field(gt=0)] = 60.0
    readiness_restart_window_s: Annotated[float, Field(gt=0)] = 300.0
    run_migrations: bool = True

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _bootstrap_has_ports(cls, value: str) -> str:
        hosts = [h.strip() for h in value.split(",") if h.strip()]
        if not hosts:
            raise ValueError("KAFKA_BOOTSTRAP_SERVERS is empty")
        for host in hosts:
            name, sep, port = host.rpartition(":")
            if not sep or not name or not port.isdigit():
                raise ValueError(f"KAFKA_BOOTSTRAP_SERVERS entry {host!r} is not host:port")
        return ",".join(hosts)

    @field_validator("database_url")
    @classmethod
    def _database_url_is_postgres(cls, value: str) -> str:
        to_async_database_url(value)
        return value

    @field_validator("topic_namespace")
    @classmethod
    def _namespace_is_topic_safe(cls, value: str) -> str:
        if not value or not all(c.isalnum() or c in "._-" for c in value):
            raise ValueError("TOPIC_NAMESPACE may hold only letters, digits, '.', '_' and '-'")
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> ServiceSettings:
        if self.environment is not Environment.DEVELOPMENT:
            # Outside development a placeholder secret (the k8s Secret's REPLACE_ME, changeme, an
            # empty password) stops the start, naming the variable but never echoing the value.
            password = urlsplit(self.database_url).password
            if password is not None and (why := placeholder_secret(password)):
                raise ValueError(f"DATABASE_URL password {why}: set a real secret outside development")
            for name, value in _secret_fields(self).items():
                if why := placeholder_secret(value):
                    raise ValueError(f"{name.upper()} {why}: set a real secret outside development")
        if self.environment is Environment.PRODUCTION:
            if not urlsplit(self.database_url).password:
                raise ValueError("DATABASE_URL must carry credentials in production")
            if self.topic_replication_factor < 3:
                raise ValueError("TOPIC_REPLICATION_FACTOR must be at least 3 in production")
        return self

    @property
    def async_database_url(self) -> str:
        """The database URL with the asyncpg driver SQLAlchemy needs."""
        return to_async_database_url(self.database_url)
