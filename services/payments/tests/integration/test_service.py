"""The payments service as bootstrap wires it, on a real Kafka and PostgreSQL: a submitted claim,
its 835, the HTTP API over the database, and the PaymentPosted on the wire continuing the
claim's causation chain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from rcm_payments.adapters.tables import MIGRATIONS
from rcm_payments.bootstrap import create_app
from rcm_payments.config import PaymentsSettings
from rcm_shared.contracts.claims import CLAIM_SUBMITTED, ClaimLineSummary, ClaimSubmitted
from rcm_shared.contracts.clearinghouse import CLEARINGHOUSE_FILE_RECEIVED, ClearinghouseFileReceived
from rcm_shared.contracts.payments import PAYMENT_POSTED
from rcm_shared.db.database import Database
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.testing.auth import bearer
from rcm_shared.testing.endpoints import Endpoints
from rcm_shared.testing.kafka import produce_events, read_topic, wait_for
from rcm_shared.topics import Topic, topic_name
from rcm_shared.tracing import trace_id
from rcm_x12 import EnvelopeParams
from rcm_x12 import remit835 as x12

pytestmark = pytest.mark.integration
NOW = datetime(2026, 10, 21, 9, 30, tzinfo=UTC)


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("payments", MIGRATIONS)


def claim_submitted() -> Envelope:
    payload = ClaimSubmitted(claim_id="C1", encounter_id="E-900", payer_id="SANDBOX-PPO", total_charge=D("185.00"),
                             lines=[ClaimLineSummary(line_number=1, code="99213", units=D(1), charge=D("185.00"))],
                             interchange_control_number="000000001", submitted_at=NOW)
    return new_event(CLAIM_SUBMITTED, payload, source="rcm/claims", correlation_id="E-900", key="E-900")


def file_835() -> Envelope:
    line = x12.RemitServiceLine("99213", D("185.00"), D("80.00"), units=D(1), service_date=date(2026, 9, 10),
                                adjustments=(x12.Adjustment("CO", "45", D("85.00")), x12.Adjustment("PR", "3", D(20))))
    claim = x12.RemitClaim("C1", "1", D("185.00"), D("80.00"), "PCN-C1", patient_responsibility=D(20), lines=(line,))
    remit = x12.Remittance835(D("80.00"), "ACH", date(2026, 10, 20), "TRN00001", x12.RemitPayer("SANDBOX PPO"),
                              x12.RemitPayee("SYNTHETIC FAMILY PRACTICE", "1987654328"), (claim,))
    env = EnvelopeParams(sender_id="SANDBOXCH", receiver_id="RCMPLATFORM", interchange_control_number=1,
                         group_control_number=1, transaction_control_number=1, date=date(2026, 10, 20))
    payload = ClearinghouseFileReceived(file_id="F1", kind="835", mailbox_seq=1, content=x12.write_835(remit, env),
                                        received_at=NOW)
    return new_event(CLEARINGHOUSE_FILE_RECEIVED, payload, source="rcm/payments", correlation_id="F1", key="F1")


async def test_a_submitted_claim_is_paid_shown_by_the_api_and_its_payment_continues_the_claims_chain(
    db: Database, endpoints: Endpoints, namespace: str
) -> None:
    settings = PaymentsSettings(database_url=db.url, kafka_bootstrap_servers=endpoints.kafka_bootstrap,
                                topic_namespace=namespace, topic_partitions=1, sandbox_url="http://127.0.0.1:9",
                                run_migrations=False)
    app = create_app(settings)
    submitted, remittance = claim_submitted(), file_835()
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://payments", headers=bearer()
    ) as client:

        async def account_status() -> str | None:
            response = await client.get("/v1/payments/claims/C1")
            return str(response.json()["status"]) if response.status_code == 200 else None

        assert (await client.get("/v1/payments/claims/C1")).status_code == 404
        await produce_events(endpoints.kafka_bootstrap, topic_name(Topic.CLAIMS_EVENTS, namespace), [submitted])

        async def opened() -> bool:
            return await account_status() == "submitted"

        await wait_for(opened, timeout_s=60, what="the claim's account to open")
        await produce_events(endpoints.kafka_bootstrap, topic_name(Topic.PAYMENTS_REMITTANCES, namespace),
                             [remittance])

        async def paid() -> bool:
            return await account_status() == "paid"

        await wait_for(paid, timeout_s=60, what="the 835 to post")
        account = (await client.get("/v1/payments/claims/C1")).json()
        summary = (await client.get("/v1/payments/summary")).json()

    assert (account["encounter_id"], account["total_charge"], account["paid_total"]) == ("E-900", "185.00", "80.00")
    assert [(p["trace_number"], p["paid"], p["patient_responsibility"]) for p in account["postings"]] == [
        ("TRN00001", "80.00", "20.00")]
    assert summary == {"submitted": 0, "paid": 1, "denied": 0, "reversed": 0, "other": 0, "remittances_held": 0,
                       "postings": 1, "paid_amount": "80.00", "patient_responsibility": "20.00"}
    [record] = await read_topic(endpoints.kafka_bootstrap, topic_name(Topic.PAYMENTS_EVENTS, namespace), expect=1)
    posted = Envelope.from_kafka(record.key, record.value, record.headers)
    assert posted.type == PAYMENT_POSTED and posted.key == "E-900" and posted.correlation_id == "E-900"
    assert posted.causation_id == submitted.id
    assert trace_id(posted.traceparent) == trace_id(submitted.traceparent)
