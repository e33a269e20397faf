"""Who may call the platform's HTTP APIs: OAuth2 bearer tokens (JWT), roles and permissions.

Every route except ``/healthz``, ``/readyz`` and ``/metrics`` needs a bearer token. A token is
verified with PyJWT (no hand-written crypto): its signature against the issuer's JWKS
(asymmetric algorithms only), its issuer, audience and expiry (all required), not-before and
issued-at, with a small clock leeway. Its subject (``sub``) is the identity the audit trail
records; its roles come from one claim (``roles`` by default; ``AUTH_ROLES_CLAIM`` names
another, dotted for nested claims such as Keycloak's ``realm_access.roles``). Roles the
platform does not know grant nothing.

In development (and only there: settings refuse it elsewhere) a static signing key stands in
for the identity provider: :func:`mint_development_token` signs HS256 tokens for named users
(``rcm login --user alice --role coder`` prints one), and the services verify them with the
same key.

The role matrix (:data:`ROLE_PERMISSIONS`) is declared once here because it spans every service;
each route names the one :class:`Permission` it needs.
"""

from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import jwt

DEVELOPMENT_ISSUER = "rcm-development-issuer"
# Audit trails store the subject (with a prefix such as "coder:") in 80-character columns.
MAX_SUBJECT_CHARS = 64
DEFAULT_AUDIENCE = "rcm"
# The development key is a well-known value on purpose: it only ever works in development
# (ServiceSettings refuses a development key outside it).
DEVELOPMENT_SIGNING_KEY = "rcm-development-signing-key-0123456789abcdef"
# The payer sandbox's client token in development (refused by ServiceSettings outside development).
DEVELOPMENT_CLEARINGHOUSE_TOKEN = "rcm-development-clearinghouse-token"
_ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


class Role(StrEnum):
    """The platform's roles (the values tokens carry)."""

    INTEGRATION = "integration"  # hospital IT: publishes encounters, reads statuses
    CODER = "coder"  # works the coding review queue
    BILLER = "biller"  # claims, work queues, corrections, appeals, write-offs up to a limit
    BILLING_MANAGER = "billing-manager"  # approves write-offs above the biller's limit
    PATIENT_ACCOUNTS = "patient-accounts"  # patient payments and statements
    AUDITOR = "auditor"  # reads everything, replays and verifies the history; writes nothing
    ADMIN = "admin"  # configuration


class Permission(StrEnum):
    """What a route needs. ``*:read`` permissions only read; every other one changes state or
    sends something out (a 270 to a payer, a coder's decision)."""

    API_DOCS = "api:docs"  # the OpenAPI document and its pages
    STATUS_READ = "status:read"  # summaries and statuses, no clinical or demographic detail
    ELIGIBILITY_READ = "eligibility:read"  # stored coverage answers (plan, benefits)
    ELIGIBILITY_CHECK = "eligibility:check"  # a real-time 270 to the payer
    CODING_READ = "coding:read"  # a coded encounter with its note evidence
    CODING_REVIEW = "coding:review"  # the review queue and a coder's decisions
    CLAIMS_READ = "claims:read"
    PAYMENTS_READ = "payments:read"
    CLEARINGHOUSE_EXCHANGE = "clearinghouse:exchange"  # the clearinghouse's own API (sandbox)

    @property
    def reads_only(self) -> bool:
        return self.value.endswith((":read", ":docs"))


_READS = frozenset(p for p in Permission if p.reads_only and p is not Permission.CLEARINGHOUSE_EXCHANGE)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    # Minimum necessary: hospital IT publishes encounters (Kafka) and reads statuses, no patient detail.
    Role.INTEGRATION: frozenset({Permission.API_DOCS, Permission.STATUS_READ}),
    Role.CODER: frozenset({Permission.API_DOCS, Permission.STATUS_READ, Permission.CODING_READ,
                           Permission.CODING_REVIEW}),
    Role.BILLER: frozenset({Permission.API_DOCS, Permission.STATUS_READ, Permission.ELIGIBILITY_READ,
                            Permission.ELIGIBILITY_CHECK, Permission.CLAIMS_READ, Permission.PAYMENTS_READ}),
    Role.BILLING_MANAGER: frozenset({Permission.API_DOCS, Permission.STATUS_READ, Permission.ELIGIBILITY_READ,
                                     Permission.ELIGIBILITY_CHECK, Permission.CLAIMS_READ,
                                     Permission.PAYMENTS_READ}),
    Role.PATIENT_ACCOUNTS: frozenset({Permission.API_DOCS, Permission.STATUS_READ, Permission.ELIGIBILITY_READ,
                                      Permission.ELIGIBILITY_CHECK, Permission.PAYMENTS_READ}),
    # Read-only everything: every permission that only reads, none that writes.
    Role.AUDITOR: _READS,
    Role.ADMIN: frozenset({Permission.API_DOCS, Permission.STATUS_READ}),
}


def roles_with(permission: Permission) -> list[Role]:
    """The roles that grant ``permission``, in declaration order."""
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]


@dataclass(frozen=True)
class Principal:
    """The caller a verified token names. ``grants`` are permissions given directly rather than
    by a role (a clearinghouse client of the sandbox)."""

    subject: str
    roles: frozenset[Role]
    issuer: str
    grants: frozenset[Permission] = frozenset()

    def allows(self, permission: Permission) -> bool:
        return permission in self.grants or any(permission in ROLE_PERMISSIONS[role] for role in self.roles)


class Authenticator(Protocol):
    """Turns a bearer token into a principal, or raises :class:`AuthenticationError`."""

    async def verify(self, token: str) -> Principal: ...


class AuthenticationError(Exception):
    """A token that cannot be trusted; ``reason`` says why without echoing the token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IdentityProviderUnavailableError(Exception):
    """The identity provider's keys cannot be fetched: not the caller's fault (503, retry)."""


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _roles(value: Any) -> frozenset[Role]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return frozenset()
    known = {r.value: r for r in Role}
    return frozenset(known[v] for v in value if isinstance(v, str) and v in known)


class TokenVerifier:
    """Verifies bearer tokens: against a JWKS (production) or the development signing key.

    The JWKS is fetched on first use and cached (PyJWT's client, refetched when a token names
    an unknown key id); the blocking fetch runs off the event loop.
    """

    def __init__(self, *, issuer: str, audience: str, jwks_url: str | None = None,
                 development_key: str | None = None, roles_claim: str = "roles", leeway_s: float = 30.0) -> None:
        if (jwks_url is None) == (development_key is None):
            raise ValueError("a token verifier needs exactly one of a JWKS URL and a development signing key")
        self.issuer = issuer
        self.audience = audience
        self.roles_claim = roles_claim
        self.leeway_s = leeway_s
        self._development_key = development_key
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5) if jwks_url else None

    async def verify(self, token: str) -> Principal:
        """The principal of a valid ``token``; :class:`AuthenticationError` for any other, and
        :class:`IdentityProviderUnavailableError` when the keys to check it cannot be fetched."""
        if self._jwks is not None:
            try:
                key: Any = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
            except jwt.PyJWKClientConnectionError:
                raise IdentityProviderUnavailableError("the identity provider's keys cannot be fetched") from None
            except jwt.PyJWTError:
                raise AuthenticationError("the token names no key of the identity provider") from None
            algorithms = _ASYMMETRIC
        else:
            key, algorithms = self._development_key, ["HS256"]
        try:
            claims = jwt.decode(
                token, key, algorithms=algorithms, audience=self.audience, issuer=self.issuer, leeway=self.leeway_s,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError(f"the token is not for this audience ({self.audience})") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("the token is from another issuer") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationError("the token's signature does not verify") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"the token has no {exc.claim!r} claim") from None
        except jwt.PyJWTError as exc:
            raise AuthenticationError(f"the token is not valid ({type(exc).__name__})") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT_CHARS \
                or any(ord(c) < 32 or ord(c) == 127 for c in subject):
            raise AuthenticationError(f"the token's subject is empty, longer than {MAX_SUBJECT_CHARS} characters "
                                      "or holds a control character")
        return Principal(subject=subject, roles=_roles(_claim(claims, self.roles_claim)), issuer=self.issuer)


def mint_development_token(subject: str, roles: Iterable[Role | str], *, key: str = DEVELOPMENT_SIGNING_KEY,
                           issuer: str = DEVELOPMENT_ISSUER, audience: str = DEFAULT_AUDIENCE,
                           ttl_s: int = 8 * 3600, now: float | None = None) -> str:
    """A token of the development issuer for ``subject`` with ``roles`` (development only)."""
    issued = int(time.time() if now is None else now)
    values = [str(r.value if isinstance(r, Role) else r) for r in roles]
    claims = {"iss": issuer, "aud": audience, "sub": subject, "iat": issued, "nbf": issued,
              "exp": issued + ttl_s, "jti": uuid.uuid4().hex, "roles": values}
    return jwt.encode(claims, key, algorithm="HS256")


class StaticTokens:
    """Pre-shared bearer tokens, each naming a principal (an API key scheme, as clearinghouses
    hand their submitters). Compared in constant time."""

    def __init__(self, principals: Mapping[str, Principal]) -> None:
        if not principals or any(len(t) < 16 for t in principals):
            raise ValueError("static tokens must be at least 16 characters")
        self._principals = dict(principals)

    async def verify(self, token: str) -> Principal:
        for candidate, principal in self._principals.items():
            if hmac.compare_digest(candidate.encode(), token.encode()):
                return principal
        raise AuthenticationError("the token is not a known client token")
