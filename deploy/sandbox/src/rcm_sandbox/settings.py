"""Sandbox settings from the environment (SANDBOX_*), validated at start."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from rcm_shared.auth import DEVELOPMENT_CLEARINGHOUSE_TOKEN, Permission, Principal, StaticTokens


class SandboxSettings(BaseSettings):
    """SANDBOX_HOST, SANDBOX_PORT, SANDBOX_CONFIG, SANDBOX_SEED, SANDBOX_DATA_DIR,
    SANDBOX_REMIT_DELAY_SECONDS, SANDBOX_REMIT_BATCH_SECONDS, SANDBOX_BUSINESS_DATE,
    SANDBOX_CLIENT_TOKENS. A bad value stops the start."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore", case_sensitive=False)

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8088
    config: Path | None = Field(default=None, description="data file; default: the packaged one")
    seed: Annotated[int, Field(ge=0)] = 42
    data_dir: Path | None = Field(default=None, description="where sandbox.sqlite3 lives; default: a temp dir")
    remit_delay_seconds: Annotated[float, Field(ge=0, le=86_400)] = 2.0
    remit_batch_seconds: Annotated[float, Field(gt=0, le=3_600)] = 1.0
    business_date: date | None = Field(
        default=None,
        description="the date the payers take as today when the sandbox starts (time runs on from there): "
                    "timely filing and the dates in 999/277CA/835 follow it; default: the real date")

    client_tokens: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr(DEVELOPMENT_CLEARINGHOUSE_TOKEN)], min_length=1,
        description="SANDBOX_CLIENT_TOKENS: JSON list of the bearer tokens of its clients (submitters); "
                    "every route but /healthz needs one. Default: the development token")

    @field_validator("client_tokens")
    @classmethod
    def _tokens_are_long_enough(cls, value: list[SecretStr]) -> list[SecretStr]:
        if any(len(t.get_secret_value()) < 16 for t in value):
            raise ValueError("SANDBOX_CLIENT_TOKENS entries must be at least 16 characters")
        return value

    def authenticator(self) -> StaticTokens:
        """The clearinghouse's clients: each token may exchange files with it."""
        return StaticTokens({t.get_secret_value(): Principal(subject=f"client-{i + 1}", roles=frozenset(),
                                                             issuer="sandbox",
                                                             grants=frozenset({Permission.CLEARINGHOUSE_EXCHANGE}))
                             for i, t in enumerate(self.client_tokens)})

    @field_validator("config")
    @classmethod
    def _config_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"SANDBOX_CONFIG {value} is not a file")
        return value

    def database_path(self) -> Path:
        """The SQLite file; a fresh temp dir when no SANDBOX_DATA_DIR is set."""
        base = self.data_dir if self.data_dir is not None else Path(tempfile.mkdtemp(prefix="rcm-sandbox-"))
        return base / "sandbox.sqlite3"
