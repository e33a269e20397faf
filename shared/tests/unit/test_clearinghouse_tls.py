"""HTTPS to the clearinghouse: its certificate is checked, against CLEARINGHOUSE_CAFILE for a private CA."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.messaging.errors import TransientError
from rcm_shared.testing.tls import CertificateAuthority

MAILBOX = {"files": [{"seq": 1, "file_id": "F1", "kind": "835", "created_at": "2025-01-01T00:00:00Z",
                      "content": "ISA*..."}]}


class _Mailbox(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps(MAILBOX).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[CertificateAuthority, CertificateAuthority, Path]:
    directory = tmp_path_factory.mktemp("pki")
    return CertificateAuthority.create(directory), CertificateAuthority.create(directory, "stranger CA"), directory


@pytest.fixture(scope="module")
def https_clearinghouse(pki: tuple[CertificateAuthority, CertificateAuthority, Path]) -> Iterator[str]:
    ca, _, directory = pki
    certificate = ca.issue(directory, "clearinghouse")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.certificate, certificate.key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Mailbox)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_clearinghouse_signed_by_the_configured_private_ca_is_reached(
        https_clearinghouse: str, pki: tuple[CertificateAuthority, CertificateAuthority, Path]) -> None:
    client = ClearinghouseClient(https_clearinghouse, token="t", cafile=str(pki[0].certificate))
    try:
        files = await client.mailbox("835", after=0)
    finally:
        await client.aclose()
    assert [f.file_id for f in files] == ["F1"]


@pytest.mark.parametrize("trusting", ["system CAs", "another CA"])
async def test_a_clearinghouse_certificate_nobody_vouched_for_is_refused(
        https_clearinghouse: str, pki: tuple[CertificateAuthority, CertificateAuthority, Path], trusting: str) -> None:
    cafile = None if trusting == "system CAs" else str(pki[1].certificate)
    client = ClearinghouseClient(https_clearinghouse, token="t", cafile=cafile)
    try:
        with pytest.raises(TransientError, match="ConnectError"):
            await client.mailbox("835", after=0)
    finally:
        await client.aclose()
