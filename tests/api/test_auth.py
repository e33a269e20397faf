"""Every route of every service and of the sandbox is protected (issue 10).

Parametrized over each app's own OpenAPI, so a route added without ``requires(...)`` fails here:
without a token, with a malformed, expired, wrong-audience, wrong-issuer or wrongly signed token
the answer is 401 (a problem, with ``WWW-Authenticate``); with a valid token whose roles lack the
route's permission it is 403. Only /healthz, /readyz and /metrics are public; /openapi.json and
/docs need a token too. The apps run without their lifespan: authorization is decided before a
route touches its database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from rcm_claims.bootstrap import create_app as claims_app
from rcm_claims.config import ClaimsSettings
from rcm_coding.bootstrap import create_app as coding_app
from rcm_coding.config import CodingSettings
from rcm_eligibility.bootstrap import create_app as eligibility_app
from rcm_eligibility.config import EligibilitySettings
from rcm_payments.bootstrap import create_app as payments_app
from rcm_payments.config import PaymentsSettings
from rcm_sandbox.bootstrap import create_app as sandbox_app
from rcm_sandbox.settings import SandboxSettings
from rcm_shared.auth import ROLE_PERMISSIONS, Permission, Role, mint_development_token
from rcm_shared.testing.auth import bearer, clearinghouse_headers

PUBLIC = {"/healthz", "/readyz", "/metrics"}
COMMON: dict[str, Any] = {"kafka_bootstrap_servers": "127.0.0.1:9", "database_url": "postgresql://u:p@127.0.0.1:9/x"}
SANDBOX = "http://127.0.0.1:9"

SERVICE_APPS: dict[str, Callable[[], FastAPI]] = {
    "eligibility": lambda: eligibility_app(EligibilitySettings(**COMMON, sandbox_url=SANDBOX)),
    "coding": lambda: coding_app(CodingSettings(**COMMON)),
    "claims": lambda: claims_app(ClaimsSettings(**COMMON, sandbox_url=SANDBOX)),
    "payments": lambda: payments_app(PaymentsSettings(**COMMON, sandbox_url=SANDBOX)),
}
_apps: dict[str, FastAPI] = {}


def app_named(name: str) -> FastAPI:
    if name not in _apps:
        _apps[name] = sandbox_app(SandboxSettings()) if name == "sandbox" else SERVICE_APPS[name]()
    return _apps[name]


def operations(name: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    schema = app_named(name).openapi()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def protected(names: list[str]) -> list[Any]:
    return [pytest.param(n, m, p, o.get("x-permission"), id=f"{n} {m} {p}")
            for n in names for m, p, o in operations(n) if not o.get("x-public")]


def call(name: str, method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    import asyncio

    url = path.replace("{", "").replace("}", "")  # /v1/x/{claim_id} -> /v1/x/claim_id: any valid id
    body = {} if method in ("POST", "PUT", "PATCH") else None

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_named(name)),
                                     base_url="http://test") as http:
            return await http.request(method, url, json=body, headers=headers or {})

    return asyncio.run(go())


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


ALL = ["eligibility", "coding", "claims", "payments", "sandbox"]
SERVICES = ALL[:4]


@pytest.mark.parametrize("name", ALL)
def test_only_health_readiness_and_metrics_are_public(name: str) -> None:
    public = {path for _, path, operation in operations(name) if operation.get("x-public")}
    assert public <= PUBLIC, f"{name} has unprotected routes: {sorted(public - PUBLIC)}"
    for method, path, operation in operations(name):
        if not operation.get("x-public"):
            assert operation["x-permission"] in {p.value for p in Permission}, (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize(("name", "method", "path", "permission"), protected(ALL))
def test_a_route_without_a_token_answers_401(name: str, method: str, path: str, permission: str) -> None:
    response = call(name, method, path)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def _bad_tokens() -> dict[str, str]:
    now = time.time()
    return {
        "malformed": "not-a-jwt",
        "expired": mint_development_token("alice", list(Role), now=now - 10 * 3600, ttl_s=3600),
        "wrong audience": mint_development_token("alice", list(Role), audience="another-api"),
        "wrong issuer": mint_development_token("alice", list(Role), issuer="https://evil.example"),
        "wrong signature": mint_development_token("alice", list(Role), key="another-key-0123456789abcdef0123456789"),
        "no subject": mint_development_token("", list(Role)),
    }


@pytest.mark.parametrize("kind", sorted(_bad_tokens()))
@pytest.mark.parametrize(("name", "method", "path", "permission"), protected(SERVICES))
def test_an_invalid_token_answers_401_and_says_why(name: str, method: str, path: str, permission: str,
                                                   kind: str) -> None:
    token = _bad_tokens()[kind]
    body = assert_problem(call(name, method, path, {"authorization": f"Bearer {token}"}), 401)
    assert body["detail"] and token not in body["detail"]


@pytest.mark.parametrize(("name", "method", "path", "permission"), protected(SERVICES))
def test_a_token_whose_roles_lack_the_permission_answers_403(name: str, method: str, path: str,
                                                             permission: str) -> None:
    lacking = [r for r in Role if Permission(permission) not in ROLE_PERMISSIONS[r]]
    for roles in ([lacking[0]] if lacking else [], []):  # a role without it; no role at all
        body = assert_problem(call(name, method, path, bearer(*roles) if roles else _no_roles()), 403)
        assert body["permission"] == permission


def _no_roles() -> dict[str, str]:
    return {"authorization": f"Bearer {mint_development_token('nobody', [])}"}


@pytest.mark.parametrize(("name", "method", "path", "permission"), protected(["sandbox"]))
def test_the_sandbox_refuses_an_unknown_client_token(name: str, method: str, path: str, permission: str) -> None:
    assert_problem(call(name, method, path, {"authorization": "Bearer not-a-client-token-at-all"}), 401)
    # A platform user's token is no clearinghouse credential.
    assert_problem(call(name, method, path, bearer()), 401)


@pytest.mark.parametrize("name", ALL)
def test_the_api_document_and_its_pages_need_a_token(name: str) -> None:
    for path in ("/openapi.json", "/docs"):
        assert_problem(call(name, "GET", path), 401)
    good = clearinghouse_headers() if name == "sandbox" else bearer(Role.ADMIN)
    assert call(name, "GET", "/openapi.json", good).status_code == 200
    assert call(name, "GET", "/redoc").status_code in (401, 404)


def test_an_auditor_reads_everything_and_writes_nothing() -> None:
    for permission in Permission:
        granted = permission in ROLE_PERMISSIONS[Role.AUDITOR]
        assert granted == (permission.reads_only and permission is not Permission.CLEARINGHOUSE_EXCHANGE), permission
