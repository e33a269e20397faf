"""Eligibility handlers on the in-memory unit of work (no broker, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from rcm_eligibility.adapters.memory import EligibilityStore, FakeEligibilityUnitOfWork, ScriptedEligibilityGateway
from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.errors import EligibilityRequestRejectedError
from rcm_eligibility.domain.model import CoverageAnswer, Member
from rcm_eligibility.entrypoints.consumers import subscriptions
from rcm_eligibility.service import handlers
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.messaging import Subscription, TransientError
from rcm_shared.testing.fakes import deliver
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id

ACTIVE = CoverageAnswer(status="active", plan_name="SANDBOX PPO GOLD", copay=D("25"), coinsurance_percent=D("20"),
                        deductible_remaining=D("1200.50"), out_of_pocket_remaining=D("4000"))
NOT_FOUND = CoverageAnswer(status="rejected", rejection_codes=("75",))


def _inquiry(encounter_id: str = "INQ-1") -> CheckEligibility:
    return CheckEligibility(
        encounter_id=encounter_id, payer_id="SBXPPO01", payer_name="SANDBOX PPO", member_id="SBX0000009",
        subscriber=Member("Alex", "Testpatient1", date(1970, 5, 17), "F"), patient=None,
        provider_npi="1987654325", provider_name="Synthetic Family Practice", date_of_service=date(2026, 10, 14),
    )


def _encounter(encounter_id: str, **overrides: Any) -> Envelope:
    return new_event(ENCOUNTER_COMPLETED, encounter_payload(encounter_id, **overrides), source="hospital",
                     correlation_id=encounter_id, key=encounter_id)


def _subscription(gateway: ScriptedEligibilityGateway) -> Subscription[FakeEligibilityUnitOfWork]:
    subscription: Subscription[FakeEligibilityUnitOfWork] = subscriptions(gateway)[0]
    return subscription


async def _deliver(store: EligibilityStore, gateway: ScriptedEligibilityGateway, event: Envelope) -> None:
    await deliver(_subscription(gateway), event, lambda: FakeEligibilityUnitOfWork(store), topic=Topic.ENCOUNTERS,
                  service="eligibility")


async def test_an_ad_hoc_check_records_the_answer_and_announces_it_correlated_to_the_encounter() -> None:
    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(ACTIVE)
    before = datetime.now(UTC)
    async with FakeEligibilityUnitOfWork(store) as uow:
        check = await handlers.check_eligibility(_inquiry("INQ-1"), uow, cause=None, gateway=gateway)
        await uow.commit()

    assert gateway.asked == [_inquiry("INQ-1")]
    assert store.checks == [check]
    assert (check.encounter_id, check.payer_id, check.member_id, check.date_of_service) == \
        ("INQ-1", "SBXPPO01", "SBX0000009", date(2026, 10, 14))
    assert check.answer == ACTIVE and before <= check.checked_at <= datetime.now(UTC)
    [event] = store.events()
    assert event.type == ELIGIBILITY_CHECKED and event.source == "rcm/test"
    assert (event.correlation_id, event.key, event.causation_id) == ("INQ-1", "INQ-1", None)
    assert trace_id(event.traceparent)
    assert store.outbox[0].topic == "rcm.eligibility.events"
    assert event.payload == {
        "encounter_id": "INQ-1", "payer_id": "SBXPPO01", "member_id": "SBX0000009",
        "date_of_service": "2026-10-14", "status": "active", "rejection_codes": [],
        "plan_name": "SANDBOX PPO GOLD", "copay": "25", "coinsurance_percent": "20",
        "deductible_remaining": "1200.50", "out_of_pocket_remaining": "4000",
        "checked_at": event.payload["checked_at"],
    }
    assert datetime.fromisoformat(event.payload["checked_at"]) == check.checked_at


async def test_a_payer_that_cannot_find_the_member_is_recorded_as_rejected_with_its_reasons() -> None:
    store = EligibilityStore()
    async with FakeEligibilityUnitOfWork(store) as uow:
        check = await handlers.check_eligibility(_inquiry(), uow, cause=None,
                                                 gateway=ScriptedEligibilityGateway(NOT_FOUND))
        await uow.commit()
    assert check.status == "rejected" and store.checks == [check]
    [event] = store.events(ELIGIBILITY_CHECKED)
    assert event.payload["status"] == "rejected" and event.payload["rejection_codes"] == ["75"]
    assert event.payload["copay"] is None and event.payload["plan_name"] is None


async def test_a_check_left_uncommitted_records_and_announces_nothing() -> None:
    store = EligibilityStore()
    async with FakeEligibilityUnitOfWork(store) as uow:
        await handlers.check_eligibility(_inquiry(), uow, cause=None, gateway=ScriptedEligibilityGateway(ACTIVE))
    assert store.checks == [] and store.events() == []


async def test_a_completed_encounter_is_checked_and_the_answer_continues_its_causation_and_trace() -> None:
    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(ACTIVE)
    encounter = _encounter("E-100")
    await _deliver(store, gateway, encounter)

    [asked] = gateway.asked
    patient = encounter.payload["patient"]
    assert asked == CheckEligibility(
        encounter_id="E-100", payer_id="SBXPPO01", payer_name="SANDBOX PPO", member_id="SBX0000001",
        subscriber=Member("Alex", patient["last_name"], date(1970, 5, 17), "F"), patient=None,
        provider_npi=encounter.payload["billing_provider"]["npi"], provider_name="Synthetic Family Practice",
        date_of_service=date(2026, 10, 14),
    )
    [check] = store.checks
    assert check.encounter_id == "E-100" and check.answer == ACTIVE
    [event] = store.events(ELIGIBILITY_CHECKED)
    assert event.causation_id == encounter.id
    assert (event.correlation_id, event.key) == ("E-100", "E-100")
    assert trace_id(event.traceparent) == trace_id(encounter.traceparent)
    assert event.traceparent != encounter.traceparent
    assert event.payload["encounter_id"] == "E-100" and event.payload["copay"] == "25"


async def test_a_dependent_is_asked_about_under_the_subscriber_of_the_coverage() -> None:
    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(ACTIVE)
    holder = {"first_name": "Pat", "last_name": "Holder", "birth_date": "1968-01-02", "sex": "M"}
    coverage = {"payer_id": "SBXPPO01", "payer_name": "SANDBOX PPO", "member_id": "SBX0000002",
                "relationship": "child", "subscriber": holder}
    await _deliver(store, gateway, _encounter("E-101", coverage=coverage))
    [asked] = gateway.asked
    assert asked.subscriber == Member("Pat", "Holder", date(1968, 1, 2), "M")
    assert asked.patient is not None and asked.patient.first_name == "Alex"
    assert asked.member_id == "SBX0000002"


async def test_the_same_encounter_delivered_twice_is_checked_once() -> None:
    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(ACTIVE)
    encounter = _encounter("E-102")
    await _deliver(store, gateway, encounter)
    await _deliver(store, gateway, encounter)
    assert len(gateway.asked) == 1
    assert [c.encounter_id for c in store.checks] == ["E-102"]
    assert len(store.events(ELIGIBILITY_CHECKED)) == 1


async def test_two_encounters_are_two_checks() -> None:
    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(ACTIVE)
    await _deliver(store, gateway, _encounter("E-103"))
    await _deliver(store, gateway, _encounter("E-104"))
    assert [c.encounter_id for c in store.checks] == ["E-103", "E-104"]
    assert [e.payload["encounter_id"] for e in store.events(ELIGIBILITY_CHECKED)] == ["E-103", "E-104"]


def _refuse(command: CheckEligibility) -> CoverageAnswer:
    raise EligibilityRequestRejectedError("no 271 in the clearinghouse's answer: [error] segment 3 ST")


def _unreachable(command: CheckEligibility) -> CoverageAnswer:
    raise TransientError("clearinghouse unreachable: ConnectError")


async def test_a_refused_request_is_dead_lettered_at_once_and_records_nothing() -> None:
    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(_refuse)
    await _deliver(store, gateway, _encounter("E-105"))
    assert len(gateway.asked) == 1, "a permanent error is not retried"
    assert store.checks == [] and store.events() == []
    [dead] = store.raw("rcm.eligibility.dlq")
    headers = dict(dead.headers)
    assert headers["dlq_error_type"] == b"EligibilityRequestRejectedError"
    assert b"segment 3 ST" in headers["dlq_reason"]


async def test_a_clearinghouse_outage_is_waited_out_without_spending_attempts_or_dead_lettering() -> None:
    outage = {"calls": 0}

    def down_then_up(command: CheckEligibility) -> CoverageAnswer:
        outage["calls"] += 1
        if outage["calls"] <= 6:  # longer than the message's 2 attempts: only an outage may last this long
            return _unreachable(command)
        return CoverageAnswer(status="active")

    store, gateway = EligibilityStore(), ScriptedEligibilityGateway(down_then_up)
    await _deliver(store, gateway, _encounter("E-106"))
    assert len(gateway.asked) == 7, "an unreachable clearinghouse is infrastructure: retried until it answers"
    assert len(store.checks) == 1 and len(store.events(ELIGIBILITY_CHECKED)) == 1
    assert store.raw() == [], "a valid encounter is never dead-lettered for an outage"


async def test_an_unreachable_clearinghouse_fails_the_check_it_was_asked_for() -> None:
    store = EligibilityStore()
    with pytest.raises(TransientError):
        async with FakeEligibilityUnitOfWork(store) as uow:
            await handlers.check_eligibility(_inquiry(), uow, cause=None,
                                             gateway=ScriptedEligibilityGateway(_unreachable))
            await uow.commit()
    assert store.checks == [] and store.events() == []


async def test_an_answer_outside_the_contract_is_dead_lettered_and_records_nothing() -> None:
    odd = CoverageAnswer(status="active", copay=D("25.005"))  # the contract's money has two decimals
    store = EligibilityStore()
    await _deliver(store, ScriptedEligibilityGateway(odd), _encounter("E-107"))
    assert store.checks == [] and store.events() == []
    [dead] = store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"ValidationError"


async def _record(store: EligibilityStore, *checks: tuple[str, CoverageAnswer]) -> None:
    for encounter_id, answer in checks:
        async with FakeEligibilityUnitOfWork(store) as uow:
            await handlers.check_eligibility(_inquiry(encounter_id), uow, cause=None,
                                             gateway=ScriptedEligibilityGateway(answer))
            await uow.commit()


async def test_the_checks_of_an_encounter_are_its_own_oldest_first() -> None:
    store = EligibilityStore()
    await _record(store, ("E-1", NOT_FOUND), ("E-2", ACTIVE), ("E-1", ACTIVE))
    async with FakeEligibilityUnitOfWork(store) as uow:
        checks = await handlers.coverage_checks_of_encounter("E-1", uow)
        none = await handlers.coverage_checks_of_encounter("E-3", uow)
    assert [(c.encounter_id, c.status) for c in checks] == [("E-1", "rejected"), ("E-1", "active")]
    assert checks[0].checked_at <= checks[1].checked_at < checks[0].checked_at + timedelta(seconds=60)
    assert none == []


async def test_the_summary_counts_every_status_zero_when_none() -> None:
    store = EligibilityStore()
    async with FakeEligibilityUnitOfWork(store) as uow:
        assert await handlers.coverage_summary(uow) == {"active": 0, "inactive": 0, "rejected": 0}
    await _record(store, ("E-1", ACTIVE), ("E-2", ACTIVE), ("E-3", NOT_FOUND))
    async with FakeEligibilityUnitOfWork(store) as uow:
        assert await handlers.coverage_summary(uow) == {"active": 2, "inactive": 0, "rejected": 1}
