"""Sandbox settings: a client token too short to be a credential stops the start, naming the variable."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from rcm_sandbox.settings import SandboxSettings
from rcm_shared.auth import DEVELOPMENT_CLEARINGHOUSE_TOKEN


def test_a_client_token_under_16_characters_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    short = "fifteen-chars15"
    assert len(short) == 15
    monkeypatch.setenv("SANDBOX_CLIENT_TOKENS", json.dumps(["a-long-enough-client-token", short]))
    with pytest.raises(ValidationError) as refused:
        SandboxSettings()
    assert "SANDBOX_CLIENT_TOKENS" in str(refused.value) and "16 characters" in str(refused.value)


def test_a_16_character_client_token_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_CLIENT_TOKENS", json.dumps(["sixteen-chars-16"]))
    assert [t.get_secret_value() for t in SandboxSettings().client_tokens] == ["sixteen-chars-16"]


def test_without_client_tokens_the_development_token_is_the_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANDBOX_CLIENT_TOKENS", raising=False)
    assert [t.get_secret_value() for t in SandboxSettings().client_tokens] == [DEVELOPMENT_CLEARINGHOUSE_TOKEN]


def test_a_bad_setting_stops_the_start_without_echoing_the_tokens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from rcm_sandbox.main import run

    monkeypatch.setenv("SANDBOX_CLIENT_TOKENS", '["a-long-enough-client-token", "short-token"]')
    with pytest.raises(SystemExit) as stopped:
        run()
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "SANDBOX_CLIENT_TOKENS" in err
    assert "a-long-enough-client-token" not in err and "short-token" not in err
