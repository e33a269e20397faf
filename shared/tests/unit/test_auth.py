"""Bearer-token verification: the identity provider's JWKS (RS256, a real key served over HTTP)
and the development key; what a principal may do."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from rcm_shared.auth import (
    DEVELOPMENT_SIGNING_KEY,
    ROLE_PERMISSIONS,
    AuthenticationError,
    IdentityProviderUnavailableError,
    Permission,
    Principal,
    Role,
    StaticTokens,
    TokenVerifier,
    mint_development_token,
    roles_with,
)

ISSUER = "https://idp.example.test/realms/rcm"


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {"kid-1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "other": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


@pytest.fixture(scope="module")
def jwks_url(keys: dict[str, Any]) -> Iterator[str]:
    """The identity provider's JWKS document (only kid-1 is published)."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(keys["kid-1"].public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": "kid-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    server.shutdown()


def idp_token(key: Any, kid: str = "kid-1", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "rcm", "sub": "u-123", "iat": now, "exp": now + 300,
              "realm_access": {"roles": ["coder", "auditor", "not-a-platform-role"]}, **overrides}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256",
                      headers={"kid": kid})


def verifier(jwks_url: str) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience="rcm", jwks_url=jwks_url, roles_claim="realm_access.roles")


async def test_a_token_of_the_identity_provider_is_verified_against_its_jwks(keys: dict[str, Any],
                                                                            jwks_url: str) -> None:
    principal = await verifier(jwks_url).verify(idp_token(keys["kid-1"]))
    assert principal == Principal("u-123", frozenset({Role.CODER, Role.AUDITOR}), ISSUER)  # unknown role dropped
    assert principal.allows(Permission.CODING_REVIEW) and not principal.allows(Permission.CLEARINGHOUSE_EXCHANGE)


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"aud": "another-api"}, "audience"),
    ({"iss": "https://evil.example"}, "issuer"),
    ({"exp": None}, "'exp'"),
    ({"sub": None}, "'sub'"),
])
async def test_expiry_audience_issuer_and_required_claims_are_checked(
    keys: dict[str, Any], jwks_url: str, overrides: dict[str, Any], reason: str,
) -> None:
    with pytest.raises(AuthenticationError) as failure:
        await verifier(jwks_url).verify(idp_token(keys["kid-1"], **overrides))
    assert reason in failure.value.reason


async def test_a_key_the_provider_does_not_publish_or_a_forged_signature_is_refused(
    keys: dict[str, Any], jwks_url: str,
) -> None:
    with pytest.raises(AuthenticationError, match="no key"):
        await verifier(jwks_url).verify(idp_token(keys["other"], kid="other"))
    with pytest.raises(AuthenticationError, match="signature"):
        await verifier(jwks_url).verify(idp_token(keys["other"], kid="kid-1"))


async def test_a_symmetric_token_is_refused_when_the_provider_signs_asymmetrically(jwks_url: str) -> None:
    # The classic algorithm confusion: HS256 "signed" with the public key, or the development key.
    token = jwt.encode({"iss": ISSUER, "aud": "rcm", "sub": "x", "iat": int(time.time()),
                        "exp": int(time.time()) + 60}, DEVELOPMENT_SIGNING_KEY, algorithm="HS256",
                       headers={"kid": "kid-1"})
    with pytest.raises(AuthenticationError):
        await verifier(jwks_url).verify(token)


async def test_an_unreachable_identity_provider_is_unavailable_not_a_refusal() -> None:
    v = TokenVerifier(issuer=ISSUER, audience="rcm", jwks_url="http://127.0.0.1:9/certs")
    with pytest.raises(IdentityProviderUnavailableError, match="cannot be fetched"):
        await v.verify(jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": "kid-1"}))


async def test_the_development_key_verifies_development_tokens_only() -> None:
    v = TokenVerifier(issuer="rcm-development-issuer", audience="rcm", development_key=DEVELOPMENT_SIGNING_KEY)
    principal = await v.verify(mint_development_token("alice", [Role.BILLER]))
    assert principal.subject == "alice" and principal.roles == {Role.BILLER}
    with pytest.raises(AuthenticationError, match="signature"):
        await v.verify(mint_development_token("alice", [Role.BILLER], key="x" * 40))
    for subject in ("x" * 65, "coder\x00", " "):
        with pytest.raises(AuthenticationError, match="subject"):
            await v.verify(mint_development_token(subject, [Role.CODER]))
    with pytest.raises(ValueError):
        TokenVerifier(issuer="i", audience="a")


async def test_static_client_tokens_compare_exactly() -> None:
    client = Principal("client-1", frozenset(), "sandbox", frozenset({Permission.CLEARINGHOUSE_EXCHANGE}))
    tokens = StaticTokens({"s" * 20: client})
    assert await tokens.verify("s" * 20) == client
    for wrong in ("s" * 19, "s" * 21, ""):
        with pytest.raises(AuthenticationError):
            await tokens.verify(wrong)
    with pytest.raises(ValueError):
        StaticTokens({"short": client})


def test_the_role_matrix() -> None:
    assert roles_with(Permission.CODING_REVIEW) == [Role.CODER]
    assert Role.AUDITOR in roles_with(Permission.CLAIMS_READ)
    assert not any(p in ROLE_PERMISSIONS[Role.AUDITOR] for p in Permission if not p.reads_only)
    assert Permission.CODING_READ not in ROLE_PERMISSIONS[Role.BILLER]  # minimum necessary: no note evidence
    assert roles_with(Permission.CLEARINGHOUSE_EXCHANGE) == []
