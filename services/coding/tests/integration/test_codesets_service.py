"""The coding service as bootstrap wires it, on a code-set store: /readyz stays ready but warns when
the date of service has no ICD-10-CM release, and GET /v1/coding/codesets lists what it codes with."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from rcm_coding import testing as t
from rcm_coding.adapters.codeset_store import CodeSetStore
from rcm_coding.adapters.reference_data import packaged_icd10cm, packaged_icd10cm_index_path
from rcm_coding.adapters.tables import MIGRATIONS
from rcm_coding.bootstrap import create_app
from rcm_coding.config import CodingSettings
from rcm_shared.db.database import Database
from rcm_shared.testing.auth import bearer
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import wait_for

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("coding", MIGRATIONS)


@pytest.fixture()
def store(tmp_path: Path) -> CodeSetStore:
    """A store holding a (synthetic) FY2027 release, and the packaged release's index."""
    target = packaged_icd10cm_index_path(tmp_path / "store")
    target.parent.mkdir(parents=True)
    packaged_icd10cm()
    shutil.copyfile(packaged_icd10cm_index_path(), target)
    store = CodeSetStore(tmp_path / "store")
    store.import_release("icd10cm", list(t.write_icd10cm_release(tmp_path / "cms", 2027)), min_records=1)
    return store


async def ready(client: httpx.AsyncClient) -> dict[str, Any]:
    answers: list[httpx.Response] = []

    async def ok() -> bool:
        answers.append(await client.get("/readyz"))
        return answers[-1].status_code == 200

    await wait_for(ok, timeout_s=60, what="/readyz to answer 200")
    body: dict[str, Any] = answers[-1].json()
    return body


@pytest.mark.parametrize(("today", "warned"), [(date(2028, 1, 5), True), (date(2027, 1, 5), False)])
async def test_the_service_starts_on_a_store_and_readyz_warns_for_a_date_outside_every_release(
        db: Database, endpoints: Endpoints, namespace: str, store: CodeSetStore, today: date, warned: bool) -> None:
    settings = CodingSettings(database_url=db.url, kafka_bootstrap_servers=endpoints.kafka_bootstrap,
                              topic_namespace=namespace, topic_partitions=1, run_migrations=False,
                              codesets_dir=store.root)
    app = create_app(settings, today=lambda: today)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://coding", headers=bearer()) as client:
        body = await ready(client)
        assert body["status"] == "ok"
        if warned:
            assert body["warnings"]["codesets"].startswith(
                "no ICD-10-CM release covers dates of service on 2028-01-05 (loaded: 2026-04 (2026-04-01..2026-09-30)"
                ", FY2027 (2026-10-01..2027-09-30))")
            assert "rcm codesets import icd10cm icd10cm-codes-2028.txt icd10cm-tabular-2028.xml" in \
                body["warnings"]["codesets"]
        else:
            assert body["warnings"] == {}

        codesets = (await client.get("/v1/coding/codesets")).json()
        assert codesets["date_of_service"] == today.isoformat() and codesets["loaded_on"] == today.isoformat()
        icd = [(r["version"], r["origin"], r["effective_from"], r["effective_to"]) for r in codesets["releases"]
               if r["kind"] == "icd10cm"]
        assert icd == [("2026-04", "packaged", "2026-04-01", "2026-09-30"),
                       ("FY2027", "imported", "2026-10-01", "2027-09-30")]
        samples = sorted(r["kind"] for r in codesets["releases"] if r["origin"] == "sample")
        assert samples == ["hcpcs", "mue", "ncci-ptp"]
        kinds = sorted(w["kind"] for w in codesets["warnings"])
        assert kinds == (["hcpcs", "icd10cm", "mue", "ncci-ptp"] if warned else ["hcpcs", "mue", "ncci-ptp"])
        september = (await client.get("/v1/coding/codesets", params={"date": "2026-09-15"})).json()
        assert "icd10cm" not in {w["kind"] for w in september["warnings"]}
        assert (await client.get("/v1/coding/codesets", params={"date": "2026-13-01"})).status_code == 422
