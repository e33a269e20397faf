"""Payments handlers: consumers (and routes) turn their input into a command and call these.

Each handler works inside the unit of work it is given (the consumer loop commits it with
the inbox record), uses only its repositories, and emits events with ``uow.publish``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rcm_shared.contracts import payments as contracts
from rcm_shared.envelope import Cause
from rcm_shared.topics import Topic

from rcm_payments.domain.commands import OpenClaimAccount, PostRemittanceFile
from rcm_payments.domain.errors import RemittanceFormatError
from rcm_payments.domain.model import (
    ClaimAccount,
    ClaimPayment,
    Posting,
    Remittance,
    RemittanceOutcome,
    account_change,
    file_outcome,
    hold_reasons,
    post_claim,
)
from rcm_payments.service.ports import RemittanceReader
from rcm_payments.service.unit_of_work import PaymentsUnitOfWork


def utc_now() -> datetime:
    """The default clock of the handlers."""
    return datetime.now(UTC)


async def open_claim_account(cmd: OpenClaimAccount, uow: PaymentsUnitOfWork, *, cause: Cause | None) -> None:
    """A submitted claim becomes an open account receivable.

    ``cause`` (the ``ClaimSubmitted`` event) is kept with the account: the payment posted
    for the claim later continues that chain and trace.
    """
    account = ClaimAccount.submitted(cmd.claim_id, encounter_id=cmd.encounter_id, payer_id=cmd.payer_id,
                                     total_charge=cmd.total_charge)
    await uow.accounts.open(account, cause=cause)


async def post_remittance_file(
    cmd: PostRemittanceFile,
    uow: PaymentsUnitOfWork,
    *,
    cause: Cause | None,
    reader: RemittanceReader,
    clock: Callable[[], datetime] = utc_now,
) -> int:
    """Post every balanced 835 in the file; hold the rest whole. Returns the claims posted.

    Idempotent: each claim posting has a key (trace number, payer claim control number,
    patient control number, claim status), so the same 835 received twice posts nothing
    the second time. ``cause`` is the file's event: it causes the file's ``RemittanceHeld``
    events, and each ``PaymentPosted`` of a claim we never saw submitted.
    """
    try:
        remittances = reader.read(cmd.content)
    except RemittanceFormatError as exc:
        await uow.remittances.record(RemittanceOutcome(cmd.file_id, "held", reasons=tuple(exc.reasons)))
        await _publish_held(uow, cmd.file_id, None, exc.reasons, cause)
        return 0
    posted_at = clock()
    posted = 0
    held: list[str] = []
    for remittance in remittances:
        reasons = hold_reasons(remittance)
        if reasons:
            held.extend(reasons)
            await _publish_held(uow, cmd.file_id, remittance.trace_number, reasons, cause)
            continue
        for claim in remittance.claims:
            posting = post_claim(remittance, claim, file_id=cmd.file_id, posted_at=posted_at)
            if await _post(uow, remittance, claim, posting, cause):
                posted += 1
    await uow.remittances.record(file_outcome(cmd.file_id, remittances, held))
    return posted


async def _post(uow: PaymentsUnitOfWork, remittance: Remittance, claim: ClaimPayment, posting: Posting,
                file_cause: Cause | None) -> bool:
    # The contract is built first: an adjustment it refuses fails the file before anything is stored.
    adjustments = [
        contracts.PostedAdjustment(group_code=a.group_code, reason_code=a.reason_code, amount=a.amount,
                                   line_number=a.line_number)
        for a in posting.adjustments
    ]
    if not await uow.postings.add(posting):
        return False
    account = await uow.accounts.apply_posting(account_change(posting))
    # The payment continues the chain of the claim's submission; a claim we never saw
    # submitted has only the file to descend from.
    claim_cause = await uow.accounts.cause_of(posting.claim_id)
    payload = contracts.PaymentPosted(
        claim_id=posting.claim_id, encounter_id=account.encounter_id,
        payer_claim_control_number=claim.payer_claim_control_number or None, trace_number=posting.trace_number,
        claim_status_code=posting.status_code, charge=posting.charge, paid=posting.paid,
        patient_responsibility=posting.patient_responsibility, adjustments=adjustments,
        payment_date=remittance.payment_date, posted_at=posting.posted_at,
    )
    await uow.publish(Topic.PAYMENTS_EVENTS, payload, cause=claim_cause or file_cause,
                      key=account.encounter_id or posting.claim_id)
    return True


async def _publish_held(uow: PaymentsUnitOfWork, file_id: str, trace_number: str | None, reasons: list[str],
                        cause: Cause | None) -> None:
    held = contracts.RemittanceHeld(file_id=file_id, trace_number=trace_number, reasons=reasons)
    await uow.publish(Topic.PAYMENTS_EVENTS, held, cause=cause, key=file_id)
