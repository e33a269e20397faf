"""HTTP client for the clearinghouse (the payer sandbox locally): X12 exchange and mailbox.

Transport only: which transactions a service sends and what it does with the answers are
that service's business.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass

import httpx

from rcm_shared.auth import DEVELOPMENT_CLEARINGHOUSE_TOKEN
from rcm_shared.messaging.errors import TransientError

__all__ = ["DEVELOPMENT_CLEARINGHOUSE_TOKEN", "ClearinghouseClient", "MailboxFile", "X12Reply"]


@dataclass(frozen=True)
class X12Reply:
    """The clearinghouse's synchronous answer to an interchange."""

    status_code: int
    content: str
    result: str | None  # X-Sandbox-Result: accepted | rejected | duplicate


@dataclass(frozen=True)
class MailboxFile:
    seq: int
    file_id: str
    kind: str
    created_at: str
    content: str


def _refuse_unauthorized(response: httpx.Response) -> None:
    # Our credentials are wrong or missing: a configuration problem, not the message's fault. As a
    # TransientError the consumer pauses (visible in /readyz) and resumes once CLEARINGHOUSE_TOKEN is fixed.
    if response.status_code in (401, 403):
        raise TransientError(f"clearinghouse refused our credentials ({response.status_code}): check "
                             "CLEARINGHOUSE_TOKEN")


class ClearinghouseClient:
    """Async client; built in a service's bootstrap and closed at shutdown.

    Over https the clearinghouse's certificate and host name are always checked: against
    ``cafile`` (CLEARINGHOUSE_CAFILE, a private CA) when given, else the system's CAs.
    """

    def __init__(
        self, base_url: str, *, token: str | None = None, timeout_s: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None, cafile: str | None = None,
    ) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        verify: ssl.SSLContext | bool = True
        if cafile is not None:
            verify = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport,
                                       headers=headers, verify=verify)

    async def send_x12(self, interchange: str) -> X12Reply:
        """POST an interchange; 5xx and connection errors raise :class:`TransientError`."""
        try:
            response = await self._http.post(
                "/v1/x12", content=interchange.encode(), headers={"content-type": "application/edi-x12"}
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"clearinghouse unreachable: {type(exc).__name__}") from exc
        _refuse_unauthorized(response)
        if response.status_code >= 500:
            raise TransientError(f"clearinghouse answered {response.status_code}")
        return X12Reply(response.status_code, response.text, response.headers.get("x-sandbox-result"))

    async def mailbox(self, kind: str, after: int, limit: int = 100) -> list[MailboxFile]:
        """Files of ``kind`` with a sequence number above ``after``, oldest first."""
        try:
            response = await self._http.get("/v1/mailbox", params={"kind": kind, "after": after, "limit": limit})
            _refuse_unauthorized(response)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise TransientError(f"clearinghouse mailbox unavailable: {type(exc).__name__}") from exc
        return [
            MailboxFile(int(f["seq"]), str(f["file_id"]), str(f["kind"]), str(f["created_at"]), str(f["content"]))
            for f in response.json()["files"]
        ]

    async def ping(self) -> None:
        """Raise when the clearinghouse does not answer its health check."""
        response = await self._http.get("/healthz")
        response.raise_for_status()

    async def aclose(self) -> None:
        await self._http.aclose()
