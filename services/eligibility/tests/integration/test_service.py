"""The eligibility service on a real PostgreSQL and Kafka: consumer, HTTP API and outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from rcm_eligibility.adapters.memory import ScriptedEligibilityGateway
from rcm_eligibility.adapters.tables import MIGRATIONS, messaging
from rcm_eligibility.adapters.unit_of_work import SqlEligibilityUnitOfWork
from rcm_eligibility.bootstrap import create_app
from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.domain.model import CoverageAnswer
from rcm_eligibility.entrypoints.consumers import subscriptions
from rcm_eligibility.entrypoints.routers.deps import get_gateway
from rcm_shared.contracts.common import npi_from
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED
from rcm_shared.db.database import Database
from rcm_shared.envelope import new_event
from rcm_shared.messaging import Subscription
from rcm_shared.testing.auth import bearer
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.fakes import deliver
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic
from sqlalchemy import text

pytestmark = pytest.mark.integration
ACTIVE = CoverageAnswer(status="active", plan_name="SANDBOX PPO GOLD", copay=D("25"), deductible_remaining=D("1200.50"))


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("eligibility", MIGRATIONS)


async def _rows(db: Database, sql: str) -> list[Any]:
    async with db.session() as session:
        return list((await session.execute(text(sql))).all())


async def test_an_encounter_is_checked_once_in_one_transaction_with_its_event(db: Database) -> None:
    gateway = ScriptedEligibilityGateway(ACTIVE)
    subscription: Subscription[SqlEligibilityUnitOfWork] = subscriptions(gateway)[0]
    encounter = new_event(ENCOUNTER_COMPLETED, encounter_payload("E-300"), source="hospital", correlation_id="E-300",
                          key="E-300")
    for _ in range(2):
        await deliver(subscription, encounter, lambda: SqlEligibilityUnitOfWork(db, messaging, "rcm",
                                                                                 source="rcm/eligibility"),
                      topic=Topic.ENCOUNTERS, service="eligibility")
    assert len(gateway.asked) == 1
    assert await _rows(db, "SELECT encounter_id, status FROM eligibility_checks") == [("E-300", "active")]
    [(topic, event_type, key)] = await _rows(db, "SELECT topic, event_type, convert_from(key, 'UTF8') FROM outbox")
    assert (topic, event_type, key) == ("rcm.eligibility.events", "rcm.eligibility.checked", "E-300")
    assert len(await _rows(db, "SELECT 1 FROM inbox")) == 1


async def test_the_api_records_checks_answers_them_and_reports_an_unreachable_clearinghouse(
    db: Database, endpoints: Endpoints, namespace: str
) -> None:
    settings = EligibilitySettings(database_url=db.url, kafka_bootstrap_servers=endpoints.kafka_bootstrap,
                                   topic_namespace=namespace, topic_partitions=1, sandbox_url="http://127.0.0.1:9",
                                   run_migrations=False)
    app = create_app(settings)
    inquiry = {
        "payer_id": "SBXPPO01", "payer_name": "SANDBOX PPO", "member_id": "SBX0000005",
        "subscriber": {"first_name": "Alex", "last_name": "Testpatient5", "birth_date": "1970-05-17", "sex": "F"},
        "provider": {"npi": npi_from("198765432"), "last_name_or_org": "Synthetic Family Practice"},
        "date_of_service": "2026-10-14", "encounter_id": "E-301",
    }
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://eligibility", headers=bearer()
    ) as client:
        # The real X12 gateway: a control number from the database, then no clearinghouse.
        unreachable = await client.post("/v1/eligibility/checks", json=inquiry)
        assert unreachable.status_code == 503, unreachable.text
        assert unreachable.json()["type"] == "urn:rcm:problem:clearinghouse-unavailable"

        app.dependency_overrides[get_gateway] = lambda: ScriptedEligibilityGateway(ACTIVE)
        answered = await client.post("/v1/eligibility/checks", json=inquiry)
        assert answered.status_code == 200, answered.text
        assert answered.json()["copay"] == "25" and answered.json()["deductible_remaining"] == "1200.50"
        listed = await client.get("/v1/eligibility/encounters/E-301")
        assert listed.status_code == 200 and listed.json() == [answered.json()]
        summary = await client.get("/v1/eligibility/summary")
        assert summary.json() == {"active": 1, "inactive": 0, "rejected": 0}
        missing = await client.get("/v1/eligibility/encounters/E-302")
        assert missing.status_code == 404
    [(event_type, key)] = await _rows(db, "SELECT event_type, convert_from(key, 'UTF8') FROM outbox "
                                          "WHERE event_type <> 'rcm.audit.phi_accessed'")
    assert (event_type, key) == ("rcm.eligibility.checked", "E-301")
    # The check's answer and the listed answers are reads of PHI by the caller: both recorded.
    reads = await _rows(db, "SELECT convert_from(key, 'UTF8') FROM outbox WHERE event_type = 'rcm.audit.phi_accessed'")
    assert [r[0] for r in reads] == ["E-301", "E-301"]
