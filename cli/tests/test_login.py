"""`rcm login` prints a development token the services accept; outside development it refuses."""

from __future__ import annotations

import pytest
from rcm_cli.credentials import service_headers
from rcm_cli.main import app
from rcm_shared.auth import DEVELOPMENT_ISSUER, DEVELOPMENT_SIGNING_KEY, Role, TokenVerifier
from typer.testing import CliRunner

VERIFIER = TokenVerifier(issuer=DEVELOPMENT_ISSUER, audience="rcm", development_key=DEVELOPMENT_SIGNING_KEY)


async def test_login_prints_a_token_naming_the_user_and_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    result = CliRunner().invoke(app, ["login", "--user", "alice", "--role", "coder", "--role", "auditor"])
    assert result.exit_code == 0, result.output
    principal = await VERIFIER.verify(result.output.strip())
    assert principal.subject == "alice" and principal.roles == {Role.CODER, Role.AUDITOR}


def test_login_refuses_unknown_roles_and_production(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["login", "--user", "alice", "--role", "superuser"])
    assert result.exit_code == 2 and "superuser" in result.output
    monkeypatch.setenv("ENVIRONMENT", "production")
    result = CliRunner().invoke(app, ["login", "--user", "alice", "--role", "coder"])
    assert result.exit_code == 2 and "RCM_TOKEN" in result.output


async def test_the_command_reads_as_an_auditor_unless_given_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RCM_TOKEN", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    principal = await VERIFIER.verify(service_headers()["authorization"].removeprefix("Bearer "))
    assert principal.subject == "rcm-cli" and principal.roles == {Role.AUDITOR}
    monkeypatch.setenv("RCM_TOKEN", "from-the-identity-provider")
    assert service_headers() == {"authorization": "Bearer from-the-identity-provider"}
