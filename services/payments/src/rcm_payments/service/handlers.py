"""Payments handlers. The Kafka consumers and the HTTP API call these same functions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from rcm_shared.contracts.claims import ClaimSubmitted
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived
from rcm_shared.contracts.payments import (
    PAYMENT_POSTED,
    REMITTANCE_HELD,
    PaymentPosted,
    PostedAdjustment,
    RemittanceHeld,
)
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.topics import Topic
from rcm_x12.remit835 import Remittance835, balance_problems

from rcm_payments.adapters import repository
from rcm_payments.domain.model import (
    account_status,
    all_adjustments,
    describe,
    patient_responsibility,
    posting_key,
)

SOURCE = "rcm/payments"


class RemittanceFormatError(Exception):
    """The 835 cannot be read; ``reasons`` carry the X12 positions and causes."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class RemittanceReader(Protocol):
    def read(self, content: str) -> list[Remittance835]:
        """One :class:`Remittance` per 835 transaction set; raise :class:`RemittanceFormatError`."""
        ...


async def open_claim_account(submitted: ClaimSubmitted, uow: UnitOfWork) -> None:
    """A submitted claim becomes an open account receivable."""
    await repository.open_account(uow.session, claim_id=submitted.claim_id, encounter_id=submitted.encounter_id,
                                  payer_id=submitted.payer_id, total_charge=submitted.total_charge)


async def post_remittance_file(
    file: ClearinghouseFileReceived, uow: UnitOfWork, reader: RemittanceReader, cause: Envelope | None
) -> int:
    """Post every balanced 835 in the file; hold the rest whole. Returns claims posted.

    Idempotent: each claim posting has a key (trace number, payer claim control number,
    patient control number, claim status), so the same 835 received twice posts nothing
    the second time.
    """
    try:
        remits = reader.read(file.content)
    except RemittanceFormatError as exc:
        await _hold(uow, file, None, exc.reasons, cause)
        return 0
    posted = 0
    held: list[str] = []
    for remit in remits:
        problems = [describe(p) for p in balance_problems(remit)]
        if problems:
            held.extend(problems)
            await _publish_held(uow, file, remit.trace_number, problems, cause)
            continue
        for claim in remit.claims:
            adjustments = [
                PostedAdjustment(group_code=a.group_code, reason_code=a.reason_code, amount=a.amount,  # type: ignore[arg-type]
                                 line_number=line)
                for line, a in all_adjustments(claim)
            ]
            owed = patient_responsibility(claim)
            fresh = await repository.add_posting(uow.session, {
                "posting_key": posting_key(remit.trace_number, claim), "claim_id": claim.patient_control_number,
                "file_id": file.file_id, "trace_number": remit.trace_number, "status_code": claim.status,
                "charge": claim.charge, "paid": claim.paid, "patient_responsibility": owed,
                "adjustments": [a.model_dump(mode="json") for a in adjustments],
            })
            if not fresh:
                continue
            encounter_id = await repository.apply_to_account(
                uow.session, claim_id=claim.patient_control_number, status=account_status(claim.status),
                paid=claim.paid, patient_responsibility=owed,
            )
            event_payload = PaymentPosted(
                claim_id=claim.patient_control_number, encounter_id=encounter_id,
                payer_claim_control_number=claim.payer_claim_control_number or None,
                trace_number=remit.trace_number, claim_status_code=claim.status, charge=claim.charge,
                paid=claim.paid, patient_responsibility=owed, adjustments=adjustments,
                payment_date=remit.payment_date, posted_at=datetime.now(UTC),
            )
            correlation = encounter_id or claim.patient_control_number
            await uow.publish_envelope(Topic.PAYMENTS_EVENTS, new_event(
                PAYMENT_POSTED, event_payload, source=SOURCE, correlation_id=correlation, key=correlation,
                causation_id=cause.id if cause else None, traceparent=cause.traceparent if cause else None,
            ))
            posted += 1
    await repository.record_remittance(
        uow.session, file_id=file.file_id, trace_number=remits[0].trace_number if remits else None,
        payment_amount=sum((r.payment_amount for r in remits), Decimal(0)) if remits else None,
        status="held" if held else "posted", reasons=held or None,
    )
    return posted


async def _hold(uow: UnitOfWork, file: ClearinghouseFileReceived, trace: str | None, reasons: list[str],
                cause: Envelope | None) -> None:
    await repository.record_remittance(uow.session, file_id=file.file_id, trace_number=trace, payment_amount=None,
                                       status="held", reasons=reasons)
    await _publish_held(uow, file, trace, reasons, cause)


async def _publish_held(uow: UnitOfWork, file: ClearinghouseFileReceived, trace: str | None, reasons: list[str],
                        cause: Envelope | None) -> None:
    held = RemittanceHeld(file_id=file.file_id, trace_number=trace, reasons=reasons)
    await uow.publish_envelope(Topic.PAYMENTS_EVENTS, new_event(
        REMITTANCE_HELD, held, source=SOURCE, correlation_id=file.file_id, key=file.file_id,
        causation_id=cause.id if cause else None, traceparent=cause.traceparent if cause else None,
    ))
