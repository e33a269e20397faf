"""Bearer tokens for tests: development-issuer tokens the services accept in development, and
the sandbox's development client token."""

from __future__ import annotations

from rcm_shared.auth import DEVELOPMENT_CLEARINGHOUSE_TOKEN, Role, mint_development_token

EVERY_ROLE: tuple[Role, ...] = tuple(Role)


def bearer(*roles: Role | str, subject: str = "test-user", **claims: object) -> dict[str, str]:
    """An Authorization header for ``subject`` with ``roles`` (every role when none is given)."""
    token = mint_development_token(subject, roles or EVERY_ROLE, **claims)  # type: ignore[arg-type]
    return {"authorization": f"Bearer {token}"}


def clearinghouse_headers(token: str = DEVELOPMENT_CLEARINGHOUSE_TOKEN) -> dict[str, str]:
    """The Authorization header of a sandbox client."""
    return {"authorization": f"Bearer {token}"}
