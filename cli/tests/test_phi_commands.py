"""`rcm phi shred` and `rcm phi expire` on a real keyring database: they forget what they are told
to, ask before doing it, and refuse a key-encryption key that is not the keyring's."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Awaitable, Callable

import pytest
from rcm_cli.main import app
from rcm_cli.phi import keyring
from rcm_shared.phi import PhiKeyShreddedError
from rcm_shared.testing.endpoints import Endpoints
from typer.testing import CliRunner

pytestmark = pytest.mark.integration


@pytest.fixture()
def keyring_url(make_database: Callable[[str], Awaitable[str]], endpoints: Endpoints,
                monkeypatch: pytest.MonkeyPatch) -> str:
    url = asyncio.run(make_database("clikeys"))
    monkeypatch.setenv("KEYRING_DATABASE_URL", url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", endpoints.kafka_bootstrap)
    monkeypatch.setenv("DATABASE_URL", endpoints.database_url)
    for name in ("PHI_KEK", "PHI_KEK_FILE", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    return url


async def _key(url: str, *subjects: str) -> str:
    async with keyring(url) as ring:
        return (await ring.key_for(subjects)).kid


async def _shredded(url: str, kid: str) -> bool:
    async with keyring(url) as ring:
        try:
            await ring.get(kid)
        except PhiKeyShreddedError:
            return True
        return False


def test_shred_asks_first_then_forgets_the_patient_of_an_encounter(keyring_url: str) -> None:
    kid = asyncio.run(_key(keyring_url, "mrn:MRN-CLI-1", "encounter:E-CLI-1"))
    other = asyncio.run(_key(keyring_url, "mrn:MRN-CLI-2"))
    asked = CliRunner().invoke(app, ["phi", "shred", "--encounter", "E-CLI-1"])
    assert asked.exit_code == 1 and "--yes" in asked.output
    assert not asyncio.run(_shredded(keyring_url, kid))
    done = CliRunner().invoke(app, ["phi", "shred", "--encounter", "E-CLI-1", "--yes"])
    assert done.exit_code == 0 and f"key {kid} shredded" in done.output, done.output
    assert "E-CLI-1" not in done.output and "MRN-CLI" not in done.output, "identifiers are not echoed"
    assert asyncio.run(_shredded(keyring_url, kid)) and not asyncio.run(_shredded(keyring_url, other))
    unknown = CliRunner().invoke(app, ["phi", "shred", "--mrn", "MRN-NEVER", "--yes"])
    assert unknown.exit_code == 1 and "no key" in unknown.output


def test_another_kek_is_refused_instead_of_shredding_nothing(keyring_url: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    asyncio.run(_key(keyring_url, "mrn:MRN-CLI-3"))
    monkeypatch.setenv("PHI_KEK", base64.b64encode(os.urandom(32)).decode())
    result = CliRunner().invoke(app, ["phi", "shred", "--mrn", "MRN-CLI-3", "--yes"])
    assert result.exit_code == 2 and "another key-encryption key" in result.output, result.output


def test_expire_applies_retention_to_unused_keys_only(keyring_url: str) -> None:
    kid = asyncio.run(_key(keyring_url, "encounter:E-CLI-OLD"))
    result = CliRunner().invoke(app, ["phi", "expire", "--unused-days", "1", "--yes"])
    assert result.exit_code == 0 and "shredded 0 data key(s)" in result.output, result.output
    assert not asyncio.run(_shredded(keyring_url, kid))


def test_redrive_opens_a_sealed_dead_letter_and_refuses_one_whose_patient_was_forgotten(keyring_url: str) -> None:
    from rcm_cli.publish import encounter_events
    from rcm_cli.redrive import DeadLetter, open_sealed, plan_redrive
    from rcm_cli.synthetic import encounters
    from rcm_shared.phi.codec import DEAD_LETTER_VALUE_AAD, seal_bytes

    [event] = encounter_events(list(encounters(1, seed=5, clean=True, prefix="DLQSEAL")))
    key, value, headers = event.to_kafka()
    dlq = [("dlq_original_topic", b"t.encounters"), ("dlq_original_partition", b"0"),
           ("dlq_original_offset", b"7"), ("dlq_consumer_group", b"t.eligibility.encounters"),
           ("dlq_value_sealed", b"A256GCM.v1")]

    async def sealed_for(subject: str) -> bytes:
        async with keyring(keyring_url) as ring:
            return seal_bytes(await ring.key_for([subject]), value, aad=DEAD_LETTER_VALUE_AAD)

    kept = DeadLetter("t.eligibility.dlq", 0, 1, key, asyncio.run(sealed_for(f"encounter:{event.key}")),
                      (*headers, *dlq))
    forgotten = DeadLetter("t.eligibility.dlq", 0, 2, b"E-GONE", asyncio.run(sealed_for("encounter:E-GONE")),
                           (*headers, *dlq))
    assert isinstance(plan_redrive(kept), str) and "sealed" in str(plan_redrive(kept)), "not without the keyring"
    CliRunner().invoke(app, ["phi", "shred", "--encounter", "E-GONE", "--yes"])
    opened = asyncio.run(open_sealed([kept, forgotten], keyring_url))
    plan = plan_redrive(opened[0])
    assert not isinstance(plan, str) and plan.value == value, plan
    assert all(n != "dlq_value_sealed" for n, _ in plan.headers)
    refused = plan_redrive(opened[1])
    assert isinstance(refused, str) and "shredded" in refused
