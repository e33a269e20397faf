"""Payments handlers on the in-memory unit of work, through the real consumer loop (no broker, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from rcm_payments.adapters.memory import FakePaymentsUnitOfWork, PaymentsStore
from rcm_payments.adapters.x12_835 import X12RemittanceReader
from rcm_payments.domain.commands import OpenClaimAccount, PostRemittanceFile
from rcm_payments.domain.errors import ClaimAccountNotFoundError, RemittanceFormatError
from rcm_payments.domain.model import (
    Adjustment,
    ClaimAccount,
    ClaimPayment,
    PostedAdjustment,
    Remittance,
    RemittanceOutcome,
    ServiceLinePayment,
)
from rcm_payments.entrypoints.consumers import subscriptions
from rcm_payments.service import handlers
from rcm_payments.service.ports import RemittanceReader
from rcm_payments.service.queries import claim_account_statement, payments_summary
from rcm_shared.contracts.claims import CLAIM_SUBMITTED, ClaimLineSummary, ClaimSubmitted
from rcm_shared.contracts.clearinghouse import CLEARINGHOUSE_FILE_RECEIVED, ClearinghouseFileReceived
from rcm_shared.contracts.payments import PAYMENT_POSTED, REMITTANCE_HELD
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.messaging import Subscription
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id
from rcm_x12 import EnvelopeParams
from rcm_x12 import remit835 as x12

NOW = datetime(2026, 10, 21, 9, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- builders


def submitted(claim_id: str, encounter_id: str, *, charge: str = "185.00") -> Envelope:
    payload = ClaimSubmitted(
        claim_id=claim_id, encounter_id=encounter_id, payer_id="SANDBOX-PPO", total_charge=D(charge),
        lines=[ClaimLineSummary(line_number=1, code="99213", units=D(1), charge=D(charge))],
        interchange_control_number="000000001", submitted_at=NOW,
    )
    return new_event(CLAIM_SUBMITTED, payload, source="rcm/claims", correlation_id=encounter_id, key=encounter_id)


def x12_claim(pcn: str, paid: str = "80.00", status: str = "1") -> x12.RemitClaim:
    copay = D("185.00") - D("85.00") - D(paid)
    line = x12.RemitServiceLine("99213", D("185.00"), D(paid), units=D(1), service_date=date(2026, 9, 10),
                                adjustments=(x12.Adjustment("CO", "45", D("85.00")), x12.Adjustment("PR", "3", copay)))
    return x12.RemitClaim(pcn, status, D("185.00"), D(paid), f"PCN-{pcn}", patient_responsibility=copay,
                          lines=(line,))


# Amounts read from X12 keep the digits the payer wrote (the writer drops trailing zeros).
def file_835(*claims: x12.RemitClaim, payment: D | None = None, control: int = 1,
             file_id: str | None = None) -> Envelope:
    total = sum((c.paid for c in claims), D(0)) if payment is None else payment
    remit = x12.Remittance835(total, "ACH", date(2026, 10, 20), f"TRN{control:05d}", x12.RemitPayer("SANDBOX PPO"),
                              x12.RemitPayee("SYNTHETIC FAMILY PRACTICE", "1987654328"), claims)
    env = EnvelopeParams(sender_id="SANDBOXCH", receiver_id="RCMPLATFORM", interchange_control_number=control,
                         group_control_number=control, transaction_control_number=control, date=date(2026, 10, 20))
    return received_file(x12.write_835(remit, env), file_id=file_id or f"F{control}", seq=control)


def received_file(content: str, *, file_id: str, seq: int = 1, kind: str = "835") -> Envelope:
    payload = ClearinghouseFileReceived(file_id=file_id, kind=kind, mailbox_seq=seq,
                                        content=content, received_at=NOW)
    return new_event(CLEARINGHOUSE_FILE_RECEIVED, payload, source="rcm/payments", correlation_id=file_id,
                     key=file_id)


def claim_payment(pcn: str, paid: str = "80.00", *, group_code: str = "CO") -> ClaimPayment:
    copay = D("185.00") - D("85.00") - D(paid)
    line = ServiceLinePayment("99213", D("185.00"), D(paid),
                              (Adjustment(group_code, "45", D("85.00")), Adjustment("PR", "3", copay)))
    return ClaimPayment(pcn, "1", D("185.00"), D(paid), f"PCN-{pcn}", copay, lines=(line,))


def remittance(trace: str, *claims: ClaimPayment, payment: str | None = None) -> Remittance:
    total = sum((c.paid for c in claims), D(0)) if payment is None else D(payment)
    return Remittance(trace, total, date(2026, 10, 20), claims)


class StubReader:
    """A remittance reader that answers what the test says."""

    def __init__(self, *remittances: Remittance, error: list[str] | None = None) -> None:
        self.remittances = list(remittances)
        self.error = error

    def read(self, content: str) -> list[Remittance]:
        if self.error is not None:
            raise RemittanceFormatError(self.error)
        return self.remittances


class Payments:
    """A payments service on an in-memory store, fed through its real subscriptions."""

    def __init__(self, reader: RemittanceReader | None = None) -> None:
        self.store = PaymentsStore()
        subs: list[Subscription[FakePaymentsUnitOfWork]] = subscriptions(reader or X12RemittanceReader())
        self.subs = {s.name: s for s in subs}

    def uow(self) -> FakePaymentsUnitOfWork:
        return FakePaymentsUnitOfWork(self.store, source="rcm/payments")

    async def deliver(self, event: Envelope) -> None:
        from rcm_shared.testing.fakes import deliver

        if event.type == CLAIM_SUBMITTED:
            await deliver(self.subs["claims"], event, self.uow, topic=Topic.CLAIMS_EVENTS, service="payments")
        else:
            await deliver(self.subs["remittances"], event, self.uow, topic=Topic.PAYMENTS_REMITTANCES,
                          service="payments")

    def payments(self) -> list[dict[str, Any]]:
        return [e.payload for e in self.store.events(PAYMENT_POSTED)]

    def held(self) -> list[dict[str, Any]]:
        return [e.payload for e in self.store.events(REMITTANCE_HELD)]


# --------------------------------------------------------------------------- opening accounts


async def test_a_submitted_claim_opens_an_account_that_remembers_its_submission() -> None:
    store = PaymentsStore()
    event = submitted("C1", "E1")
    async with FakePaymentsUnitOfWork(store) as uow:
        await handlers.open_claim_account(OpenClaimAccount("C1", "E1", "SANDBOX-PPO", D("185.00")), uow,
                                          cause=event.as_cause())
        await uow.commit()
    assert store.accounts == {"C1": ClaimAccount("C1", "submitted", "E1", "SANDBOX-PPO", D("185.00"))}
    assert store.account_causes == {"C1": event.as_cause()}
    assert store.events() == []


async def test_a_submission_after_its_payment_fills_in_the_claim_and_keeps_the_payment() -> None:
    svc = Payments()
    await svc.deliver(file_835(x12_claim("C1")))
    await svc.deliver(submitted("C1", "E1"))
    account = svc.store.accounts["C1"]
    assert (account.status, account.paid_total, account.patient_responsibility) == ("paid", D("80.00"), D("20.00"))
    assert (account.encounter_id, account.payer_id, account.total_charge) == ("E1", "SANDBOX-PPO", D("185.00"))


async def test_claim_submitted_delivered_twice_opens_one_account_once() -> None:
    svc, event = Payments(), submitted("C1", "E1")
    await svc.deliver(event)
    svc.store.accounts["C1"] = ClaimAccount("C1", "paid", "E1", "SANDBOX-PPO", D("185.00"), D("80.00"))
    await svc.deliver(event)  # the redelivery is dropped by the inbox: the account is not reopened
    assert svc.store.accounts["C1"].status == "paid" and svc.store.commits == 1
    assert list(svc.store.inbox) == [("rcm.payments.claims", str(event.id))]


async def test_an_invalid_claim_submitted_is_dead_lettered_and_opens_nothing() -> None:
    svc = Payments()
    bad = submitted("C1", "E1").model_copy(update={"payload": {"claim_id": "C1"}})
    await svc.deliver(bad)
    assert svc.store.accounts == {}
    [dead] = svc.store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"ValidationError"


# --------------------------------------------------------------------------- posting files


async def test_a_balanced_835_posts_every_claim_and_publishes_their_payments() -> None:
    svc = Payments()
    await svc.deliver(submitted("C1", "E1"))
    await svc.deliver(file_835(x12_claim("C1", "80.00"), x12_claim("C2", "60.00")))

    assert [(p.claim_id, p.paid, p.patient_responsibility) for p in svc.store.postings.values()] == [
        ("C1", D("80.00"), D("20.00")), ("C2", D("60.00"), D("40.00"))]
    c1, c2 = svc.store.accounts["C1"], svc.store.accounts["C2"]
    assert (c1.status, c1.paid_total, c1.encounter_id) == ("paid", D("80.00"), "E1")
    assert (c2.status, c2.paid_total, c2.encounter_id) == ("paid", D("60.00"), None)
    first, second = svc.payments()
    assert {k: v for k, v in first.items() if k != "posted_at"} == {
        "claim_id": "C1", "encounter_id": "E1", "payer_claim_control_number": "PCN-C1", "trace_number": "TRN00001",
        "claim_status_code": "1", "charge": "185", "paid": "80", "patient_responsibility": "20",
        "adjustments": [{"group_code": "CO", "reason_code": "45", "amount": "85", "line_number": 1},
                        {"group_code": "PR", "reason_code": "3", "amount": "20", "line_number": 1}],
        "payment_date": "2026-10-20",
    }
    assert (second["claim_id"], second["encounter_id"], second["paid"]) == ("C2", None, "60")
    assert svc.store.remittances == {"F1": RemittanceOutcome("F1", "posted", "TRN00001", D("140.00"))}
    assert svc.held() == []


async def test_a_payment_continues_the_causation_chain_and_trace_of_the_claims_submission() -> None:
    svc, claim_event, file_event = Payments(), submitted("C1", "E1"), file_835(x12_claim("C1"))
    await svc.deliver(claim_event)
    await svc.deliver(file_event)
    [posted] = svc.store.events(PAYMENT_POSTED)
    assert posted.causation_id == claim_event.id and posted.causation_id != file_event.id
    assert posted.correlation_id == "E1" and posted.key == "E1"
    assert trace_id(posted.traceparent) == trace_id(claim_event.traceparent)
    assert posted.source == "rcm/payments"


async def test_a_payment_for_a_claim_never_submitted_is_caused_by_the_file() -> None:
    svc, file_event = Payments(), file_835(x12_claim("C7"))
    await svc.deliver(file_event)
    [posted] = svc.store.events(PAYMENT_POSTED)
    assert posted.causation_id == file_event.id and posted.key == "C7"
    assert trace_id(posted.traceparent) == trace_id(file_event.traceparent)
    assert posted.payload["encounter_id"] is None


async def test_the_handler_posts_with_the_time_of_its_clock() -> None:
    store = PaymentsStore()
    reader = StubReader(remittance("TRN1", claim_payment("C1")))
    async with FakePaymentsUnitOfWork(store) as uow:
        posted = await handlers.post_remittance_file(PostRemittanceFile("F1", "ISA..."), uow, cause=None,
                                                     reader=reader, clock=lambda: NOW)
        await uow.commit()
    assert posted == 1
    assert store.postings["TRN1|PCN-C1|C1|1"].posted_at == NOW
    assert store.events(PAYMENT_POSTED)[0].payload["posted_at"] == "2026-10-21T09:30:00Z"


async def test_a_denial_and_a_reversal_move_the_account_and_net_the_payment() -> None:
    svc = Payments()
    await svc.deliver(submitted("C1", "E1"))
    await svc.deliver(submitted("C2", "E2"))
    await svc.deliver(file_835(x12_claim("C1", "80.00"), x12_claim("C2", "0.00", status="4"), control=1))
    assert svc.store.accounts["C2"].status == "denied" and svc.store.accounts["C2"].paid_total == D("0.00")
    reversal = x12.RemitClaim("C1", "22", D("-185.00"), D("-80.00"), "PCN-C1", patient_responsibility=D("-20.00"),
                              adjustments=(x12.Adjustment("CO", "45", D("-85.00")),
                                           x12.Adjustment("PR", "3", D("-20.00"))))
    await svc.deliver(file_835(reversal, control=2))
    c1 = svc.store.accounts["C1"]
    assert (c1.status, c1.paid_total, c1.patient_responsibility) == ("reversed", D("0.00"), D("0.00"))
    assert [p["claim_status_code"] for p in svc.payments()] == ["1", "4", "22"]
    assert svc.payments()[2]["paid"] == "-80"


async def test_an_unbalanced_835_is_held_whole_with_its_reasons_and_posts_nothing() -> None:
    svc = Payments()
    await svc.deliver(submitted("C3", "E3"))
    file_event = file_835(x12_claim("C3", "80.00"), x12_claim("C4", "60.00"), payment=D("150.00"), control=2)
    await svc.deliver(file_event)
    reasons = ["transaction: BPR02 is not sum(CLP04) - sum(PLB) (off by -10)"]
    assert svc.store.postings == {} and svc.payments() == []
    assert svc.store.accounts["C3"].status == "submitted"
    assert svc.held() == [{"file_id": "F2", "trace_number": "TRN00002", "reasons": reasons}]
    assert svc.store.remittances["F2"] == RemittanceOutcome("F2", "held", "TRN00002", D("150.00"), tuple(reasons))
    [held] = svc.store.events(REMITTANCE_HELD)
    assert held.causation_id == file_event.id and held.key == "F2" and held.correlation_id == "F2"


async def test_a_file_posts_its_balanced_remittances_and_holds_the_unbalanced_one() -> None:
    good = remittance("TRN1", claim_payment("C1"))
    bad = remittance("TRN2", claim_payment("C2"), payment="70.00")
    svc = Payments(StubReader(good, bad))
    await svc.deliver(received_file("ISA...", file_id="F9"))
    assert [p["claim_id"] for p in svc.payments()] == ["C1"]
    assert svc.held() == [{"file_id": "F9", "trace_number": "TRN2",
                           "reasons": ["transaction: BPR02 is not sum(CLP04) - sum(PLB) (off by 10.00)"]}]
    outcome = svc.store.remittances["F9"]
    assert (outcome.status, outcome.trace_number, outcome.payment_amount) == ("held", "TRN1", D("150.00"))


async def test_an_unreadable_835_is_held_with_the_readers_reasons() -> None:
    svc = Payments(StubReader(error=["segment 5 (CLP): CLP03 is not a number"]))
    file_event = received_file("ISA...", file_id="F3")
    await svc.deliver(file_event)
    reason = "segment 5 (CLP): CLP03 is not a number"
    assert svc.held() == [{"file_id": "F3", "trace_number": None, "reasons": [reason]}]
    assert svc.store.remittances == {"F3": RemittanceOutcome("F3", "held", reasons=(reason,))}
    assert svc.store.postings == {} and svc.store.accounts == {}
    assert svc.store.events(REMITTANCE_HELD)[0].causation_id == file_event.id


async def test_a_broken_835_file_is_held_through_the_real_reader() -> None:
    svc = Payments()
    broken = file_835(x12_claim("C5"), control=3)
    content = broken.payload["content"].replace("CLP*C5*1*185", "CLP*C5*1*ABC")
    await svc.deliver(received_file(content, file_id="F3", seq=3))
    [held] = svc.held()
    assert held["trace_number"] is None and any("segment" in r and "CLP" in r for r in held["reasons"])
    assert svc.store.remittances["F3"].status == "held" and svc.store.postings == {}


async def test_the_same_file_delivered_twice_posts_once() -> None:
    svc, file_event = Payments(), file_835(x12_claim("C1"), x12_claim("C2", "60.00"))
    await svc.deliver(file_event)
    await svc.deliver(file_event)
    assert len(svc.store.postings) == 2 and len(svc.payments()) == 2
    assert svc.store.accounts["C1"].paid_total == D("80.00")


async def test_the_same_835_in_another_file_posts_nothing_new() -> None:
    svc = Payments()
    await svc.deliver(file_835(x12_claim("C1"), x12_claim("C2", "60.00")))
    await svc.deliver(file_835(x12_claim("C1"), x12_claim("C2", "60.00"), file_id="F1-again"))
    assert len(svc.store.postings) == 2 and len(svc.payments()) == 2
    assert svc.store.accounts["C1"].paid_total + svc.store.accounts["C2"].paid_total == D("140.00")
    assert svc.store.remittances["F1-again"].status == "posted"


async def test_an_adjustment_the_contract_refuses_dead_letters_the_file_and_posts_nothing() -> None:
    svc = Payments(StubReader(remittance("TRN1", claim_payment("C1"), claim_payment("C2", group_code="XX"))))
    await svc.deliver(received_file("ISA...", file_id="F4"))
    assert svc.store.postings == {} and svc.store.accounts == {} and svc.store.remittances == {}
    assert svc.store.events() == []
    [dead] = svc.store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"ValidationError"


async def test_a_file_that_is_not_an_835_is_left_to_others() -> None:
    svc = Payments(StubReader(error=["never read"]))
    await svc.deliver(received_file("ISA...", file_id="A1", kind="999"))
    assert svc.store.remittances == {} and svc.store.events() == []


# --------------------------------------------------------------------------- the read side


async def test_the_summary_counts_accounts_by_status_postings_and_held_files() -> None:
    svc = Payments()
    await svc.deliver(submitted("C9", "E9"))
    await svc.deliver(file_835(x12_claim("C1", "80.00"), x12_claim("C2", "0.00", status="4"), control=1))
    await svc.deliver(file_835(x12_claim("C3"), payment=D("1.00"), control=2))
    async with svc.uow() as uow:
        summary = await payments_summary(uow)
    assert summary.accounts_by_status == {"submitted": 1, "paid": 1, "denied": 1}
    assert (summary.postings.count, summary.postings.paid, summary.postings.patient_responsibility) == (
        2, D("80.00"), D("120.00"))
    assert summary.remittances_held == 1


async def test_a_claim_statement_lists_its_postings_oldest_first() -> None:
    svc = Payments()
    await svc.deliver(file_835(x12_claim("C1", "80.00"), control=1))
    await svc.deliver(file_835(x12_claim("C1", "80.00", status="22"), control=2))
    async with svc.uow() as uow:
        statement = await claim_account_statement(uow, "C1")
    assert statement.account.claim_id == "C1"
    assert [(p.trace_number, p.status_code) for p in statement.postings] == [("TRN00001", "1"), ("TRN00002", "22")]
    assert statement.postings[0].adjustments == (PostedAdjustment("CO", "45", D("85.00"), 1),
                                                 PostedAdjustment("PR", "3", D("20.00"), 1))


async def test_a_claim_without_an_account_has_no_statement() -> None:
    async with FakePaymentsUnitOfWork(PaymentsStore()) as uow:
        with pytest.raises(ClaimAccountNotFoundError, match="no account for claim C404"):
            await claim_account_statement(uow, "C404")
