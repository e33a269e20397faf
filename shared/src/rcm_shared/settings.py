"""Base settings every service extends.

Settings come from the environment (12-factor) and fail fast: a bad value stops the
process at start with a message naming the variable, rather than surfacing later as a
confusing connection error.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, get_args
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rcm_shared.auth import (
    DEFAULT_AUDIENCE,
    DEVELOPMENT_CLEARINGHOUSE_TOKEN,
    DEVELOPMENT_ISSUER,
    DEVELOPMENT_SIGNING_KEY,
    TokenVerifier,
)


class Environment(StrEnum):
    """Where the service runs; production refuses development conveniences."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


_PLACEHOLDER_MARKERS = ("replace_me", "replace-me", "replaceme", "changeme", "change_me", "change-me", "todo",
                        "xxx", "<", "${")
_PLACEHOLDER_WORDS = {"password", "secret", "example", "default", "placeholder", "test"}


# Development only, and public: refused outside development like the development signing key.
DEVELOPMENT_PHI_KEK = hashlib.sha256(b"rcm development PHI key-encryption key: never for real data").digest()
DEVELOPMENT_KEYRING_DATABASE = "rcm_keys"


def key_encryption_key(value: str | None, file: str | None, *, development: bool) -> bytes:
    """The keyring's 32-byte key-encryption key from PHI_KEK (base64) or PHI_KEK_FILE (a file of it);
    the public development key when neither is set (the caller refuses that outside development)."""
    if value is not None and file is not None:
        raise ValueError("PHI_KEK and PHI_KEK_FILE are both set: give the key once")
    if file is not None:
        path = Path(file)
        if not path.is_file():
            raise ValueError(f"PHI_KEK_FILE: no file at {path}")
        encoded = path.read_text().strip()
    elif value is not None:
        encoded = value.strip()
    else:
        return DEVELOPMENT_PHI_KEK
    try:
        key: bytes | None = base64.b64decode(encoded, validate=True)
    except ValueError:
        key = None
    if key is None or len(key) != 32:
        # Asked only of a value that is no key: a real key's base64 may contain "xxx" or "todo".
        if why := placeholder_secret(encoded):
            raise ValueError(f"PHI_KEK {why}: set the base64 of 32 random bytes")
        if key is None:
            raise ValueError("PHI_KEK is not base64")
        raise ValueError(f"PHI_KEK must decode to 32 bytes (a 256-bit key), not {len(key)}")
    if key == DEVELOPMENT_PHI_KEK and not development:
        raise ValueError("PHI_KEK is the public development key: set a real one outside development")
    return key


def placeholder_secret(value: str | None) -> str | None:
    """Why ``value`` is not a real secret (empty, a REPLACE_ME/changeme marker, a stock word), or None."""
    if value is None or not value.strip():
        return "is empty"
    lowered = value.strip().lower()
    if any(marker in lowered for marker in _PLACEHOLDER_MARKERS) or lowered in _PLACEHOLDER_WORDS:
        return "is a placeholder"
    return None


def _secret_fields(settings: BaseSettings) -> dict[str, str]:
    """Secret-looking string settings (``*_password``, ``*_secret``, ``*_token``) that are set, by name.

    An optional secret left unset (a SASL password with TLS-only Kafka) is not a placeholder; the
    settings that need it say so themselves.
    """
    out: dict[str, str] = {}
    for name in type(settings).model_fields:
        if name.endswith(("_password", "_secret", "_token")):
            value = getattr(settings, name)
            if value is None:
                continue
            out[name] = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return out


def to_async_database_url(url: str) -> str:
    """Return ``url`` with the asyncpg driver, accepting plain ``postgresql://`` URLs."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    scheme = url.split(":", 1)[0]
    raise ValueError(f"DATABASE_URL must be a PostgreSQL URL (postgresql://...), got scheme {scheme!r}")


# ----------------------------------------------------------------------------- transport security
KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_SSL"]
ScramMechanism = Literal["SCRAM-SHA-256", "SCRAM-SHA-512"]
DatabaseSslMode = Literal["disable", "require", "verify-ca", "verify-full"]


def _existing_file(variable: str, path: str | None) -> None:
    # Paths are configuration, not secrets: naming the missing file is what helps the operator.
    if path is not None and not Path(path).is_file():
        raise ValueError(f"{variable}: no file at {path}")


@dataclass(frozen=True)
class KafkaSecurity:
    """How a Kafka client encrypts and authenticates (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*).

    PLAINTEXT: neither (development). SSL: TLS, the brokers checked against ``ssl_cafile`` (the system
    store when unset), ourselves by a client certificate if ``ssl_certfile``/``ssl_keyfile`` are given
    (mTLS). SASL_SSL: the same TLS plus a SCRAM user and password. Built only valid: a bad combination
    raises ``ValueError`` naming the variable (never a secret's value).
    """

    protocol: KafkaSecurityProtocol = "PLAINTEXT"
    sasl_mechanism: ScramMechanism = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in get_args(KafkaSecurityProtocol):
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL must be one of {', '.join(get_args(KafkaSecurityProtocol))}")
        if self.sasl_mechanism not in get_args(ScramMechanism):
            raise ValueError(f"KAFKA_SASL_MECHANISM must be one of {', '.join(get_args(ScramMechanism))}")
        if self.protocol == "SASL_SSL":
            missing = [name for name, value in (("KAFKA_SASL_USERNAME", self.sasl_username),
                                                ("KAFKA_SASL_PASSWORD", self.sasl_password)) if not value]
            if missing:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL=SASL_SSL needs {' and '.join(missing)}")
        tls_files = (("KAFKA_SSL_CAFILE", self.ssl_cafile), ("KAFKA_SSL_CERTFILE", self.ssl_certfile),
                     ("KAFKA_SSL_KEYFILE", self.ssl_keyfile))
        if self.protocol == "PLAINTEXT" and any(value for _, value in tls_files):
            raise ValueError("KAFKA_SSL_* files are set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT would not use them: "
                             "set KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL")
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise ValueError("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together (a client certificate and its key)")
        for variable, path in tls_files:
            _existing_file(variable, path)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> KafkaSecurity:
        """The same variables the services read, from the environment (for tools such as the ``rcm`` command)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name, "").strip() or None

        return cls(protocol=(get("KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT").upper(),  # type: ignore[arg-type]
                   sasl_mechanism=(get("KAFKA_SASL_MECHANISM") or "SCRAM-SHA-512").upper(),  # type: ignore[arg-type]
                   sasl_username=get("KAFKA_SASL_USERNAME"), sasl_password=env.get("KAFKA_SASL_PASSWORD") or None,
                   ssl_cafile=get("KAFKA_SSL_CAFILE"), ssl_certfile=get("KAFKA_SSL_CERTFILE"),
                   ssl_keyfile=get("KAFKA_SSL_KEYFILE"))


@dataclass(frozen=True)
class DatabaseTLS:
    """How the service's PostgreSQL connections are encrypted (DATABASE_SSLMODE, DATABASE_SSLROOTCERT).

    The modes mean what libpq's do: ``require`` encrypts without checking the server, ``verify-ca``
    checks its certificate against ``sslrootcert`` (the system store when unset), ``verify-full`` also
    checks that the certificate names the host of DATABASE_URL.
    """

    sslmode: DatabaseSslMode = "disable"
    sslrootcert: str | None = None

    def __post_init__(self) -> None:
        if self.sslmode not in get_args(DatabaseSslMode):
            raise ValueError(f"DATABASE_SSLMODE must be one of {', '.join(get_args(DatabaseSslMode))}")
        if self.sslrootcert is not None and self.sslmode in ("disable", "require"):
            # A CA that is never checked reads like a verified connection; refuse the illusion.
            raise ValueError(f"DATABASE_SSLROOTCERT is set but DATABASE_SSLMODE={self.sslmode} does not verify the "
                             "server: use verify-full (or verify-ca)")
        _existing_file("DATABASE_SSLROOTCERT", self.sslrootcert)


class ServiceSettings(BaseSettings):
    """Settings shared by all four services (environment variables, case-insensitive)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    service_name: str = Field(default="rcm", description="set by each service's subclass")
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = Field(default="json", description="JSON lines, or plain text lines")

    kafka_bootstrap_servers: str = Field(description="host:port[,host:port]")
    database_url: str = Field(description="postgresql://user:password@host:port/database")
    # The password of DATABASE_URL from a file (a Docker or Kubernetes secret) instead of the URL.
    database_password_file: str | None = None
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

    # Bearer tokens (rcm_shared.auth). Production: the identity provider's issuer and JWKS URL.
    # Development only: with no JWKS URL, tokens of the development issuer signed with
    # AUTH_DEVELOPMENT_KEY (default: rcm_shared.auth's well-known key) are accepted.
    auth_issuer: str = Field(default=DEVELOPMENT_ISSUER, min_length=1)
    auth_audience: str = Field(default=DEFAULT_AUDIENCE, min_length=1)
    auth_jwks_url: str | None = Field(default=None, pattern=r"^https?://")
    auth_roles_claim: str = Field(default="roles", min_length=1, description="claim with the roles; dotted if nested")
    auth_development_key: SecretStr | None = None

    # PHI at rest (rcm_shared.phi): data keys live in a keyring database shared by every service
    # (development default: the database rcm_keys on DATABASE_URL's server, created if missing),
    # wrapped by the key-encryption key PHI_KEK (base64 of 32 bytes) or PHI_KEK_FILE (a secret's file).
    keyring_database_url: str | None = Field(default=None, description="postgresql://... of the keyring database")
    phi_kek: SecretStr | None = None
    phi_kek_file: str | None = None
    # A shred in another process takes effect here within this many seconds (keys are cached).
    phi_key_cache_ttl_s: Annotated[float, Field(ge=0, le=3600)] = 30.0
    # PHI an edge left unsealed on an input topic: accepted (and counted in rcm_phi_plaintext_input_total,
    # sealed from the first hop on) or refused as a dead letter naming the fields.
    phi_plaintext_input: Literal["accept", "refuse"] = "accept"

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

    @model_validator(mode="after")
    def _database_password_from_file(self) -> ServiceSettings:
        # Runs before the production checks below, which then see the password like one in the URL.
        if self.database_password_file is None:
            return self
        path = Path(self.database_password_file)
        if not path.is_file():
            raise ValueError(f"DATABASE_PASSWORD_FILE: no file at {path}")
        password = path.read_text().rstrip("\r\n")
        if not password:
            raise ValueError(f"DATABASE_PASSWORD_FILE: {path} is empty")
        parts = urlsplit(self.database_url)
        if parts.password is not None:
            raise ValueError("DATABASE_URL carries a password and DATABASE_PASSWORD_FILE is set: give it once")
        user = parts.username
        if not user:
            raise ValueError("DATABASE_PASSWORD_FILE is set but DATABASE_URL names no user (postgresql://user@host/db)")
        host = parts.netloc.rpartition("@")[2]
        netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
        self.database_url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        return self

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
            if self.auth_jwks_url is None or self.auth_development_key is not None:
                raise ValueError("outside development tokens must come from an identity provider: set AUTH_JWKS_URL "
                                 "(and AUTH_ISSUER) and leave AUTH_DEVELOPMENT_KEY unset")
            if self.auth_issuer == DEVELOPMENT_ISSUER:
                raise ValueError("AUTH_ISSUER is the development issuer: set the identity provider's issuer")
            if self.keyring_database_url is None:
                raise ValueError("KEYRING_DATABASE_URL is required outside development (the PHI data keys)")
            keyring_password = urlsplit(self.keyring_database_url).password
            if keyring_password is not None and (why := placeholder_secret(keyring_password)):
                raise ValueError(f"KEYRING_DATABASE_URL password {why}: set a real secret outside development")
            if self.phi_kek is None and self.phi_kek_file is None:
                raise ValueError("PHI_KEK or PHI_KEK_FILE is required outside development (the development "
                                 "key-encryption key is public)")
        if self.environment is Environment.PRODUCTION:
            if not (self.auth_jwks_url or "").startswith("https://"):
                raise ValueError("AUTH_JWKS_URL must be https in production")
            if not urlsplit(self.database_url).password:
                raise ValueError("DATABASE_URL must carry credentials in production")
            if self.topic_replication_factor < 3:
                raise ValueError("TOPIC_REPLICATION_FACTOR must be at least 3 in production")
        return self

    # ---- transport security --------------------------------------------------------------------------
    # Kafka: PLAINTEXT (development only; refused in production), SSL (TLS) or SASL_SSL (SCRAM over TLS).
    # KAFKA_SSL_CAFILE is the brokers' CA (the system store when unset); KAFKA_SSL_CERTFILE and
    # KAFKA_SSL_KEYFILE a client certificate for brokers that ask for one (mTLS).
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: ScramMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None
    # PostgreSQL: disable | require | verify-ca | verify-full (production requires verify-full);
    # unset: asyncpg's own default (which honours sslmode in DATABASE_URL and PGSSLMODE).
    # DATABASE_SSLROOTCERT is the database server's CA (the system store when unset).
    database_sslmode: DatabaseSslMode | None = None
    database_sslrootcert: str | None = None

    @model_validator(mode="after")
    def _transport_is_secure(self) -> ServiceSettings:
        # Building them checks them (files exist, SASL has a user and a password), naming the variable.
        _ = self.kafka_security, self.database_tls
        if self.environment is Environment.PRODUCTION:
            if self.kafka_security_protocol == "PLAINTEXT":
                raise ValueError("KAFKA_SECURITY_PROTOCOL=PLAINTEXT is refused in production (events carry patient "
                                 "data): use SASL_SSL or SSL")
            if self.database_sslmode != "verify-full":
                raise ValueError(f"DATABASE_SSLMODE={self.database_sslmode} is refused in production: use verify-full "
                                 "(TLS with the server's certificate and host name checked)")
        return self

    @property
    def kafka_security(self) -> KafkaSecurity:
        """The Kafka client security of these settings (see rcm_shared.messaging.kafka_security)."""
        password = self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None
        return KafkaSecurity(protocol=self.kafka_security_protocol, sasl_mechanism=self.kafka_sasl_mechanism,
                             sasl_username=self.kafka_sasl_username, sasl_password=password,
                             ssl_cafile=self.kafka_ssl_cafile, ssl_certfile=self.kafka_ssl_certfile,
                             ssl_keyfile=self.kafka_ssl_keyfile)

    @property
    def database_tls(self) -> DatabaseTLS | None:
        """The PostgreSQL TLS of these settings (see rcm_shared.db.database); None leaves asyncpg's default."""
        if self.database_sslmode is None:
            if self.database_sslrootcert is not None:
                raise ValueError("DATABASE_SSLROOTCERT is set without DATABASE_SSLMODE: set verify-full (or verify-ca)")
            return None
        return DatabaseTLS(sslmode=self.database_sslmode, sslrootcert=self.database_sslrootcert)

    @model_validator(mode="after")
    def _phi_kek_is_a_key(self) -> ServiceSettings:
        _ = self.phi_key_encryption_key
        if self.keyring_database_url is not None:
            to_async_database_url(self.keyring_database_url)
        return self

    @property
    def phi_key_encryption_key(self) -> bytes:
        """The 32-byte key-encryption key of the keyring (the development one when unset in development)."""
        return key_encryption_key(self.phi_kek.get_secret_value() if self.phi_kek else None, self.phi_kek_file,
                                  development=self.environment is Environment.DEVELOPMENT)

    @property
    def keyring_url(self) -> str:
        """KEYRING_DATABASE_URL, or in development the database rcm_keys beside DATABASE_URL's."""
        if self.keyring_database_url is not None:
            return self.keyring_database_url
        parts = urlsplit(self.database_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{DEVELOPMENT_KEYRING_DATABASE}", parts.query, parts.fragment))

    def token_verifier(self) -> TokenVerifier:
        """The verifier of this service's bearer tokens (JWKS outside development)."""
        if self.auth_jwks_url is not None:
            return TokenVerifier(issuer=self.auth_issuer, audience=self.auth_audience, jwks_url=self.auth_jwks_url,
                                 roles_claim=self.auth_roles_claim)
        key = self.auth_development_key.get_secret_value() if self.auth_development_key else DEVELOPMENT_SIGNING_KEY
        return TokenVerifier(issuer=self.auth_issuer, audience=self.auth_audience, development_key=key,
                             roles_claim=self.auth_roles_claim)

    @property
    def async_database_url(self) -> str:
        """The database URL with the asyncpg driver SQLAlchemy needs."""
        return to_async_database_url(self.database_url)


class ClearinghouseSettings(ServiceSettings):
    """The settings of a service that calls the clearinghouse (eligibility, claims, payments)."""

    sandbox_url: str = Field(pattern=r"^https?://", description="clearinghouse base URL (the payer sandbox locally)")
    # The clearinghouse's client credential (a bearer token), sent on every call to it.
    clearinghouse_token: SecretStr = SecretStr(DEVELOPMENT_CLEARINGHOUSE_TOKEN)
    # The CA of a clearinghouse whose certificate a private CA signed (the system store when unset).
    clearinghouse_cafile: str | None = None

    @model_validator(mode="after")
    def _real_clearinghouse_credential(self) -> ClearinghouseSettings:
        development_token = self.clearinghouse_token.get_secret_value() == DEVELOPMENT_CLEARINGHOUSE_TOKEN
        if self.environment is not Environment.DEVELOPMENT and development_token:
            raise ValueError("CLEARINGHOUSE_TOKEN is the development token: set the clearinghouse's credential")
        if self.environment is Environment.PRODUCTION and not self.sandbox_url.startswith("https://"):
            raise ValueError("SANDBOX_URL must be https in production (the clearinghouse carries PHI)")
        if self.clearinghouse_cafile is not None and not self.sandbox_url.startswith("https://"):
            raise ValueError("CLEARINGHOUSE_CAFILE is set but SANDBOX_URL is not https: nothing would check it")
        _existing_file("CLEARINGHOUSE_CAFILE", self.clearinghouse_cafile)
        return self
