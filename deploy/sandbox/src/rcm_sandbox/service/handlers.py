"""The sandbox's use cases: receive claims, answer 270 and 276, refuse an interchange, release
remittances.

Each handler takes its command, a unit of work and the ports it needs; it runs in one storage
transaction (``release_remittances``: one per 835 batch). The X12 it stores in the mailbox is
written through a writer port, so handlers see domain values only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.acknowledgement import acknowledge_claim
from rcm_sandbox.domain.adjudication import (
    AdjudicationContext,
    accumulator_contribution,
    adjudicate_claim,
    reversal_of,
)
from rcm_sandbox.domain.commands import (
    AnswerClaimStatus,
    AnswerEligibility,
    ReceiveClaims,
    RefuseInterchange,
    ReleaseRemittances,
    StatusInquiry,
)
from rcm_sandbox.domain.eligibility import EligibilityResult, check_eligibility
from rcm_sandbox.domain.ids import payer_claim_control_number, trace_number
from rcm_sandbox.domain.model import (
    AcceptedClaim,
    AckCategory,
    Claim,
    ClaimAcknowledgement,
    ClaimPayment,
    ClaimStatusCode,
    Outbound,
    Remittance,
    StatusAnswer,
)
from rcm_sandbox.domain.payers import MemberScenario, SandboxConfig
from rcm_sandbox.domain.records import ClaimRecord, ClaimState, MailboxFile, MailboxKind, SentRemittance
from rcm_sandbox.domain.remittance import PendingPayment, build_remittance
from rcm_sandbox.service.ports import ClaimInterchangeReplies, Clock, RemittanceWriter
from rcm_sandbox.service.unit_of_work import SandboxUnitOfWork


@dataclass(frozen=True, kw_only=True)
class SandboxSetup:
    """What every handler reads and none changes: the world of the data file, the seed of the
    ids it makes, how long after adjudication an 835 line is due, and the clock."""

    config: SandboxConfig
    seed: int
    remit_delay: timedelta
    clock: Clock


@dataclass(frozen=True)
class ClaimsReceived:
    """The synchronous answer to an 837 (its 999, or TA1 025 for a resent interchange)."""

    answer: str
    result: Literal["accepted", "rejected", "duplicate"]
    decisions: tuple[AcceptedClaim, ...] = ()


@dataclass(frozen=True)
class EligibilityAnswered:
    """One result per inquiry, and the envelope to write their 271 on."""

    results: tuple[EligibilityResult, ...]
    envelope: Outbound


@dataclass(frozen=True)
class ClaimStatusAnswered:
    """One status per inquiry, and the envelope to write their 277 on."""

    answers: tuple[StatusAnswer, ...]
    envelope: Outbound


# Handlers ------------------------------------------------------------------------------------
def receive_claims(
    cmd: ReceiveClaims, uow: SandboxUnitOfWork, *, setup: SandboxSetup, replies: ClaimInterchangeReplies
) -> ClaimsReceived:
    """Refuse a resent interchange (same sender and ISA13) with TA1 025; otherwise put its 999 in
    the mailbox, edit and adjudicate its claims, queue their payments and put the 277CA in the
    mailbox, all in one transaction."""
    with uow:
        envelope = _envelope(uow, setup, cmd.sender_id, cmd.usage_indicator)
        _count_received(uow)
        if not uow.interchanges.remember(cmd.sender_id, cmd.control_number, "837", setup.clock()):
            uow.counters.increment("duplicate_interchanges")
            answer = replies.duplicate_notice(envelope)
            uow.commit()
            return ClaimsReceived(answer, "duplicate")
        answer = replies.syntax_acknowledgement(envelope)
        _put_file(uow, setup, MailboxKind.ACK_999, answer)
        decisions: tuple[AcceptedClaim, ...] = ()
        if cmd.claims:
            decisions = _submit_claims(uow, setup, cmd.claims)
            ack_envelope = _envelope(uow, setup, cmd.submitter_id, cmd.usage_indicator)
            _put_file(uow, setup, MailboxKind.ACK_277CA, replies.claim_acknowledgements(ack_envelope, decisions))
        uow.commit()
    return ClaimsReceived(answer, "accepted" if cmd.syntax_accepted else "rejected", decisions)


def answer_eligibility(cmd: AnswerEligibility, uow: SandboxUnitOfWork, *, setup: SandboxSetup) -> EligibilityAnswered:
    """Answer each inquiry from the roster and the member's accumulators."""
    config = setup.config
    with uow:
        _count_received(uow)
        results: list[EligibilityResult] = []
        for inquiry in cmd.inquiries:
            uow.counters.increment("eligibility_requests")
            member = config.member(inquiry.member_id)
            acc = _accumulator(uow, config, member.member_id, inquiry.service_date.year) if member else None
            results.append(check_eligibility(inquiry, config, acc))
        envelope = _envelope(uow, setup, cmd.sender_id, cmd.usage_indicator)
        uow.commit()
    return EligibilityAnswered(tuple(results), envelope)


def answer_claim_status(cmd: AnswerClaimStatus, uow: SandboxUnitOfWork, *, setup: SandboxSetup) -> ClaimStatusAnswered:
    """The status of the latest claim under each inquiry's patient control number and member."""
    with uow:
        _count_received(uow)
        answers = tuple(_claim_status(uow, inquiry) for inquiry in cmd.inquiries)
        envelope = _envelope(uow, setup, cmd.sender_id, cmd.usage_indicator)
        uow.commit()
    return ClaimStatusAnswered(answers, envelope)


def refuse_interchange(cmd: RefuseInterchange, uow: SandboxUnitOfWork, *, setup: SandboxSetup) -> Outbound:
    """The envelope of the TA1 or 999 refusing an interchange (counted as received when it was read)."""
    with uow:
        if cmd.counted:
            _count_received(uow)
        envelope = _envelope(uow, setup, cmd.sender_id, cmd.usage_indicator)
        uow.commit()
    return envelope


def release_remittances(
    cmd: ReleaseRemittances, uow: SandboxUnitOfWork, *, setup: SandboxSetup, writer: RemittanceWriter
) -> tuple[str, ...]:
    """Put every releasable 835 in the mailbox (one per payer and payee); returns their file ids.

    Each batch is one transaction. With ``force`` it repeats until nothing is left, so a
    reversal and its corrected claim follow their original in a second 835 within one call.
    """
    released: list[str] = []
    while True:
        with uow:
            pending = uow.remittance_queue.pending_count()
            remittances = _due_remittances(uow, setup, cmd.force)
            if remittances and uow.remittance_queue.pending_count() >= pending:
                # Every batch sends what it packs; otherwise a forced release would never end.
                raise RuntimeError("a remittance batch left its payments queued")
            for remittance in remittances:
                payer = setup.config.payer(remittance.payer_id)
                assert payer is not None  # queued only for a payer of the data file
                body = writer.remittance_835(_envelope(uow, setup, remittance.payee_npi), remittance, payer.kind)
                released.append(_put_file(uow, setup, MailboxKind.REMITTANCE_835, body).file_id)
            uow.commit()
        if not remittances or not cmd.force:
            return tuple(released)


# Sequences and the mailbox -------------------------------------------------------------------
def _envelope(uow: SandboxUnitOfWork, setup: SandboxSetup, receiver_id: str, usage: str = "T") -> Outbound:
    """The next outbound envelope: ISA13/GS06 run 1..999999999 and wrap."""
    number = (uow.counters.increment("outbound_control_number") - 1) % 999_999_999 + 1
    return Outbound(setup.config.clearinghouse_id, receiver_id, number, setup.clock(), usage)


def _count_received(uow: SandboxUnitOfWork) -> None:
    uow.counters.increment("interchanges_received")


def _put_file(uow: SandboxUnitOfWork, setup: SandboxSetup, kind: MailboxKind, content: str) -> MailboxFile:
    now = setup.clock()
    number = uow.counters.increment(f"file_{kind.value}")
    file_id = f"{kind.value}-{setup.seed}-{number:08d}"
    seq = uow.mailbox.put(file_id, kind, now, content)
    return MailboxFile(seq=seq, file_id=file_id, kind=kind, created_at=now, content=content)


def _next_payer_claim_id(uow: SandboxUnitOfWork, setup: SandboxSetup) -> str:
    return payer_claim_control_number(setup.seed, uow.counters.increment("payer_claim_id"))


def _accumulator(uow: SandboxUnitOfWork, config: SandboxConfig, member_id: str, year: int) -> Accumulator:
    stored = uow.accumulators.get(member_id, year)
    if stored is not None:
        return stored
    member = config.member(member_id)
    assert member is not None
    return Accumulator.opening(member)


# Claims --------------------------------------------------------------------------------------
def _submit_claims(uow: SandboxUnitOfWork, setup: SandboxSetup, claims: Sequence[Claim]) -> tuple[AcceptedClaim, ...]:
    """Front-end edit each claim, store it, adjudicate the accepted ones, queue their payments."""
    now = setup.clock()
    out: list[AcceptedClaim] = []
    for claim in claims:
        existing = uow.claims.get(claim.patient_control_number, claim.frequency_code)
        if existing is not None:
            uow.claims.update(replace(existing, times_received=existing.times_received + 1))
        ack = acknowledge_claim(claim, setup.config, now.date(), already_received=existing is not None)
        prior: ClaimRecord | None = None
        if ack.accepted and claim.frequency_code in ("7", "8"):
            prior = _original_of(uow, claim)
            if prior is None:
                ack = replace(
                    ack,
                    category=AckCategory.INVALID_INFORMATION,
                    status_code="21",
                    entity_code=None,
                    reason="original claim (REF*F8) not found",
                )
        if existing is not None:
            out.append(AcceptedClaim(claim, ack, None))
            continue
        payer_claim_id = _store_and_adjudicate(uow, setup, claim, ack, prior, now) if ack.accepted else None
        if not ack.accepted:
            uow.claims.add(_new_record(claim, ack, now, ClaimState.REJECTED))
        out.append(AcceptedClaim(claim, ack, payer_claim_id))
    return tuple(out)


def _new_record(claim: Claim, ack: ClaimAcknowledgement, now: datetime, status: ClaimState) -> ClaimRecord:
    return ClaimRecord(
        patient_control_number=claim.patient_control_number,
        frequency_code=claim.frequency_code,
        payer_id=claim.payer_id,
        member_id=claim.member_id.upper(),
        status=status,
        charge=claim.total_charge,
        line_signature=claim.line_signature,
        first_service_date=claim.first_service_date if claim.lines else None,
        received_at=now,
        payee_npi=claim.billing_npi,
        ack_category=ack.category,
        ack_code=ack.status_code,
    )


def _original_of(uow: SandboxUnitOfWork, claim: Claim) -> ClaimRecord | None:
    """The claim a replacement (7) or void (8) refers to: by REF*F8, else the latest paid
    claim under its patient control number that is not already replaced or voided."""
    if claim.original_payer_claim_id:
        found = uow.claims.by_payer_claim_id(claim.original_payer_claim_id)
        if found is not None:
            return found
    for record in reversed(uow.claims.by_patient_control_number(claim.patient_control_number)):
        if record.payment is not None and record.status not in (ClaimState.REPLACED, ClaimState.VOIDED):
            return record
    return None


def _prior_claims(uow: SandboxUnitOfWork, member_id: str) -> dict[tuple[str, str], str]:
    """(member, line signature) -> the first PCN that adjudicated those services (for CO-18)."""
    first_by_signature: dict[str, str] = {}
    for record in uow.claims.of_member(member_id):
        if record.counts_as_prior_claim:
            first_by_signature.setdefault(record.line_signature, record.patient_control_number)
    return {(member_id, signature): pcn for signature, pcn in first_by_signature.items()}


def _store_and_adjudicate(
    uow: SandboxUnitOfWork,
    setup: SandboxSetup,
    claim: Claim,
    ack: ClaimAcknowledgement,
    prior: ClaimRecord | None,
    now: datetime,
) -> str:
    config = setup.config
    member = config.member(claim.member_id)
    payer = config.payer(claim.payer_id)
    assert member is not None and payer is not None  # the front-end edits guarantee both
    uow.claims.add(_new_record(claim, ack, now, ClaimState.ADJUDICATED))
    due = now + setup.remit_delay
    year = claim.first_service_date.year
    acc = _accumulator(uow, config, member.member_id, year)

    def queue(payment: ClaimPayment, after_item: int | None) -> int:
        return uow.remittance_queue.add(
            payer_id=payer.payer_id,
            payee_npi=claim.billing_npi,
            due_at=due,
            payment=payment,
            patient_control_number=claim.patient_control_number,
            frequency_code=claim.frequency_code,
            after_item=after_item,
        )

    after: int | None = None
    if prior is not None:
        # A replacement or void first takes back the earlier payment and what it added to
        # the member's accumulators. The reversal and the replacement both wait for the
        # original's 835, and then travel together in the next one.
        assert prior.payment is not None, "the original of a replacement or void has no payment"
        earlier = prior.payment
        ded, oop = accumulator_contribution(earlier)
        acc = acc.plus(-ded, -oop)
        after = prior.last_item
        queue(reversal_of(earlier), after)
        undone = _current(uow, prior)
        if undone is not None:
            state = ClaimState.VOIDED if claim.frequency_code == "8" else ClaimState.REPLACED
            uow.claims.update(replace(undone, status=state))
    payer_claim_id = _next_payer_claim_id(uow, setup)
    if claim.frequency_code == "8":
        void = uow.claims.get(claim.patient_control_number, claim.frequency_code)
        assert void is not None
        uow.claims.update(replace(void, status=ClaimState.VOIDED, payer_claim_id=payer_claim_id, last_item=after))
        uow.accumulators.save(member.member_id, year, acc)
        return payer_claim_id
    ctx = AdjudicationContext(
        payer=payer,
        member=member,
        plan=config.plan_of(member),
        accumulator=acc,
        received_on=now.date(),
        payer_claim_id=payer_claim_id,
        prior_claims=_prior_claims(uow, member.member_id),
    )
    reprocess = member.scenario is MemberScenario.REPROCESS and claim.frequency_code == "1"
    first_ctx = replace(ctx, allowed_factor=payer.reprocess_first_payment_factor) if reprocess else ctx
    result = adjudicate_claim(claim, first_ctx)
    payment, final_acc = result.payment, result.accumulator
    item = queue(payment, after)
    if reprocess and payment.status is ClaimStatusCode.PROCESSED_PRIMARY:
        # The payer later finds its own pricing error: it reverses the payment and
        # re-adjudicates at the contracted schedule, both after the original went out.
        corrected = adjudicate_claim(claim, replace(ctx, payer_claim_id=_next_payer_claim_id(uow, setup)))
        # Both wait for the original's 835 (the correction is not chained after the reversal).
        queue(reversal_of(payment), item)
        item = queue(corrected.payment, item)
        final_acc = corrected.accumulator
    uow.accumulators.save(member.member_id, year, final_acc)
    adjudicated = uow.claims.get(claim.patient_control_number, claim.frequency_code)
    assert adjudicated is not None
    uow.claims.update(
        replace(
            adjudicated,
            payer_claim_id=payment.payer_claim_id,
            payment=payment,
            paid=payment.paid,
            carc_codes=payment.carc_codes,
            claim_status=payment.status,
            last_item=item,
        )
    )
    return payer_claim_id


def _current(uow: SandboxUnitOfWork, record: ClaimRecord) -> ClaimRecord | None:
    return uow.claims.get(record.patient_control_number, record.frequency_code)


# Claim status --------------------------------------------------------------------------------
def _claim_status(uow: SandboxUnitOfWork, inquiry: StatusInquiry) -> StatusAnswer:
    pcn = inquiry.patient_control_number
    member_id = inquiry.member_id.strip().upper()
    records = [r for r in uow.claims.by_patient_control_number(pcn) if r.member_id == member_id]
    if not records:
        return StatusAnswer(pcn, False, "A4", "35")
    latest = records[-1]
    if latest.status is ClaimState.REJECTED:
        return StatusAnswer(pcn, True, latest.ack_category.value, latest.ack_code, latest.charge)
    if latest.status is ClaimState.ADJUDICATED:
        return StatusAnswer(pcn, True, "P1", "20", latest.charge, None, latest.payer_claim_id)
    category, code = ("F1", "65") if latest.claim_status is ClaimStatusCode.PROCESSED_PRIMARY else ("F2", "88")
    return StatusAnswer(
        pcn,
        True,
        category,
        code,
        latest.charge,
        latest.paid,
        latest.payer_claim_id,
        latest.check_number,
        latest.paid_date,
    )


# Remittances ---------------------------------------------------------------------------------
def _due_remittances(uow: SandboxUnitOfWork, setup: SandboxSetup, force: bool) -> list[Remittance]:
    """Build (and mark as sent) one 835 per payer and payee from the releasable queue."""
    config = setup.config
    now = setup.clock()
    groups: dict[tuple[str, str], list[PendingPayment]] = defaultdict(list)
    item_ids: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in uow.remittance_queue.releasable(None if force else now):
        groups[(item.payer_id, item.payee_npi)].append(PendingPayment(item.payment, item.payee_npi))
        item_ids[(item.payer_id, item.payee_npi)].append(item.id)
    remittances: list[Remittance] = []
    for payer_id, payee_npi in sorted(groups):
        payer = config.payer(payer_id)
        assert payer is not None
        pending = groups[(payer_id, payee_npi)]
        trace = trace_number(setup.seed, uow.counters.increment("trace_number"))
        remittance = build_remittance(payer, pending, trace, now.date(), config)
        file_id = f"835-{payer_id}-{trace}"
        uow.remittance_queue.mark_sent(item_ids[(payer_id, payee_npi)], file_id)
        for p in pending:
            _record_paid(uow, p.payment, trace, now)
        uow.remittances.record(
            SentRemittance(
                file_id=file_id,
                payer_id=payer_id,
                trace_number=trace,
                claims_paid=sum((c.paid for c in remittance.claims), Decimal("0.00")),
                check_amount=remittance.total_payment,
                created_at=now,
            )
        )
        remittances.append(remittance)
    return remittances


def _record_paid(uow: SandboxUnitOfWork, payment: ClaimPayment, trace: str, now: datetime) -> None:
    """The claim whose payment went out in this 835 is paid or denied (a replaced or voided one
    keeps that state)."""
    if payment.status is ClaimStatusCode.REVERSAL:
        return
    current = uow.claims.get(payment.patient_control_number, payment.frequency_code)
    if current is None:
        return
    payer_claim_id = current.payer_claim_id
    if uow.claims.by_payer_claim_id(payment.payer_claim_id) is None:
        # A corrected claim carries a new payer claim id: it updates the same claim record.
        payer_claim_id = payment.payer_claim_id
    state = ClaimState.PAID if payment.status is ClaimStatusCode.PROCESSED_PRIMARY else ClaimState.DENIED
    if current.status in (ClaimState.REPLACED, ClaimState.VOIDED):
        state = current.status
    uow.claims.update(
        replace(
            current,
            payer_claim_id=payer_claim_id,
            status=state,
            paid=payment.paid,
            check_number=trace,
            paid_date=now.date(),
            carc_codes=payment.carc_codes,
            claim_status=payment.status,
            payment=payment,
        )
    )
