"""The credentials the ``rcm`` command presents to the services and to the clearinghouse.

``RCM_TOKEN`` (a bearer token of the identity provider) wins. Otherwise, in development only
(``ENVIRONMENT`` unset or ``development``), the command mints a token of the development issuer
for itself (subject ``rcm-cli``, role ``auditor``: it only reads), signed with
``AUTH_DEVELOPMENT_KEY`` or the development default, as the services expect. The sandbox's
client token is ``CLEARINGHOUSE_TOKEN`` or the development one.
"""

from __future__ import annotations

import os

from rcm_shared.auth import DEVELOPMENT_CLEARINGHOUSE_TOKEN, DEVELOPMENT_SIGNING_KEY, Role, mint_development_token

CLI_SUBJECT = "rcm-cli"


class CredentialsError(RuntimeError):
    """No token can be had (outside development without RCM_TOKEN)."""


def in_development() -> bool:
    return os.environ.get("ENVIRONMENT", "development").strip().lower() in ("", "development")


def development_token(subject: str, roles: list[Role], *, ttl_s: int = 8 * 3600) -> str:
    """A development-issuer token (refused outside development, where tokens come from the IdP)."""
    if not in_development():
        raise CredentialsError("tokens of the development issuer exist only in development: get one from the "
                               "identity provider and set RCM_TOKEN")
    key = os.environ.get("AUTH_DEVELOPMENT_KEY") or DEVELOPMENT_SIGNING_KEY
    return mint_development_token(subject, roles, key=key, ttl_s=ttl_s)


def service_headers() -> dict[str, str]:
    """Authorization for the services' APIs."""
    token = os.environ.get("RCM_TOKEN") or development_token(CLI_SUBJECT, [Role.AUDITOR], ttl_s=3600)
    return {"authorization": f"Bearer {token}"}


def clearinghouse_headers() -> dict[str, str]:
    """Authorization for the clearinghouse (the payer sandbox locally)."""
    return {"authorization": f"Bearer {os.environ.get('CLEARINGHOUSE_TOKEN') or DEVELOPMENT_CLEARINGHOUSE_TOKEN}"}
