"""Claims handlers: the Kafka consumers and the dispatcher turn their input into a command
and call these. Each runs inside one unit of work; events leave through ``uow.publish``.

Causation: a claim is built by the event that completed its intake, and that event's cause
is stored with it; the dispatcher's ``ClaimSubmitted`` continues from it, and every later
acknowledgement continues from the ``ClaimSubmitted`` event (also stored), so one
encounter is one causation chain and one trace from ``EncounterCompleted`` onwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from rcm_shared.contracts.claims import ClaimAcknowledged, ClaimHeld, ClaimLineSummary, ClaimSubmitted
from rcm_shared.envelope import Cause
from rcm_shared.topics import Topic

from rcm_claims.domain.acknowledgements import Acknowledgement
from rcm_claims.domain.claim_assembly import build_claim
from rcm_claims.domain.commands import (
    ApplyClaimStatusReport,
    RecordCoding,
    RecordCoverage,
    RecordEncounter,
    SendNextSubmission,
)
from rcm_claims.domain.errors import ClaimNotBuildableError, ClaimNotFoundError
from rcm_claims.domain.model import Chargemaster, Claim, Intake, Submission
from rcm_claims.service.ports import AckReader, ClaimWriter, Clearinghouse, ReplyReader
from rcm_claims.service.unit_of_work import ClaimsUnitOfWork

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


async def record_encounter(
    cmd: RecordEncounter, uow: ClaimsUnitOfWork, *, cause: Cause | None, chargemaster: Chargemaster,
    writer: ClaimWriter, now: Clock = utc_now,
) -> Claim | None:
    """Join the encounter to its intake; build the claim when it completes it (None otherwise)."""
    intake = await uow.intakes.merge(cmd.encounter)
    return await _build_when_complete(intake, uow, cause=cause, chargemaster=chargemaster, writer=writer, now=now)


async def record_coverage(
    cmd: RecordCoverage, uow: ClaimsUnitOfWork, *, cause: Cause | None, chargemaster: Chargemaster,
    writer: ClaimWriter, now: Clock = utc_now,
) -> Claim | None:
    """Join the eligibility answer to its intake; build the claim when it completes it."""
    intake = await uow.intakes.merge(cmd.coverage)
    return await _build_when_complete(intake, uow, cause=cause, chargemaster=chargemaster, writer=writer, now=now)


async def record_coding(
    cmd: RecordCoding, uow: ClaimsUnitOfWork, *, cause: Cause | None, chargemaster: Chargemaster,
    writer: ClaimWriter, now: Clock = utc_now,
) -> Claim | None:
    """Join the codes to their intake; build the claim when they complete it."""
    intake = await uow.intakes.merge(cmd.coding)
    return await _build_when_complete(intake, uow, cause=cause, chargemaster=chargemaster, writer=writer, now=now)


async def _build_when_complete(
    intake: Intake, uow: ClaimsUnitOfWork, *, cause: Cause | None, chargemaster: Chargemaster, writer: ClaimWriter,
    now: Clock,
) -> Claim | None:
    """Build, scrub and queue the claim once encounter, coverage and codes are all here.

    A held intake is tried again when a part is replaced; ``ClaimHeld`` is published only
    when the reasons change, so a redelivered part does not repeat it.
    """
    if not intake.ready_to_build:
        return None
    assert intake.encounter is not None and intake.coverage is not None and intake.coding is not None
    try:
        claim = build_claim(intake.encounter, intake.coverage, intake.coding, chargemaster)
    except ClaimNotBuildableError as exc:
        reasons = tuple(exc.reasons)
        if intake.held_reasons != reasons:
            await uow.intakes.set_outcome(intake.encounter_id, claim_id=None, held_reasons=reasons)
            await uow.publish(Topic.CLAIMS_EVENTS, ClaimHeld(encounter_id=intake.encounter_id, reasons=list(reasons)),
                              cause=cause, key=intake.encounter_id)
        return None
    # The interchange bytes are fixed here, with a control number drawn in the same
    # transaction: a resend after a crash repeats them exactly, so the clearinghouse
    # recognises the duplicate control number and never adjudicates twice.
    control_number = await uow.control_numbers.next_value()
    x12 = writer.render(claim, intake.encounter, control_number, now())
    await uow.claims.add(claim, cause=cause)
    await uow.submissions.add(claim.claim_id, interchange_control_number=f"{control_number:09d}", x12=x12)
    await uow.intakes.set_outcome(intake.encounter_id, claim_id=claim.claim_id, held_reasons=None)
    return claim


async def send_next_submission(
    cmd: SendNextSubmission, uow: ClaimsUnitOfWork, *, clearinghouse: Clearinghouse, replies: ReplyReader,
    now: Clock = utc_now,
) -> bool:
    """Send the oldest pending 837 and record the answer; False when none was pending.

    No ``cause`` argument: a timer starts this, and the events continue the chain of the
    claim's build, stored with the claim. The row stays locked during the call, so two
    dispatchers never send the same claim at once; if we crash after the call, the row is
    still pending and the resend is caught as a duplicate interchange by the
    clearinghouse (TA1 025), which we record as sent.
    """
    submission = await uow.submissions.next_pending()
    if submission is None:
        return False
    claim = await uow.claims.get(submission.claim_id)
    if claim is None:
        raise ClaimNotFoundError(submission.claim_id)
    reply = await clearinghouse.send_x12(submission.x12)
    outcome = replies.read(reply)
    await uow.submissions.finish(submission.id, outcome=outcome, reply=reply.content)
    await uow.claims.set_status(claim.claim_id, outcome.claim_status)
    causes = await uow.claims.causes(claim.claim_id)
    ack_cause = causes.built_by
    if outcome.sent:
        submitted = await uow.publish(Topic.CLAIMS_EVENTS, _claim_submitted(claim, submission, now()),
                                      cause=causes.built_by, key=claim.encounter_id)
        ack_cause = submitted.as_cause()
        await uow.claims.set_submitted_cause(claim.claim_id, ack_cause)
    if not outcome.duplicate:
        ack = Acknowledgement(file_id=f"sync:{submission.interchange_control_number}", level=outcome.level,
                              accepted=outcome.accepted, status_codes=outcome.codes)
        await uow.claims.add_ack(claim.claim_id, ack)
        await uow.publish(Topic.CLAIMS_EVENTS, _claim_acknowledged(claim, ack), cause=ack_cause,
                          key=claim.encounter_id)
    return True


async def apply_claim_status_report(
    cmd: ApplyClaimStatusReport, uow: ClaimsUnitOfWork, *, cause: Cause | None, acks: AckReader
) -> int:
    """Record each claim's 277CA status and emit ``ClaimAcknowledged``; return how many applied.

    One file speaks of many claims: each acknowledgement continues its own claim's chain
    (its ``ClaimSubmitted``), and only a claim stored without causes falls back to the file.
    """
    applied = 0
    for status in acks.read_277ca(cmd.content):
        claim = await uow.claims.get(status.claim_id)
        if claim is None:
            log.warning("277CA %s names a claim we did not send; skipped", cmd.file_id)
            continue
        ack = Acknowledgement(file_id=cmd.file_id, level="277CA", accepted=status.accepted,
                              status_codes=status.status_codes)
        await uow.claims.add_ack(claim.claim_id, ack)
        await uow.claims.set_status(claim.claim_id, status.claim_status)
        causes = await uow.claims.causes(claim.claim_id)
        await uow.publish(Topic.CLAIMS_EVENTS, _claim_acknowledged(claim, ack),
                          cause=causes.submitted_by or causes.built_by or cause, key=claim.encounter_id)
        applied += 1
    return applied


def _claim_submitted(claim: Claim, submission: Submission, at: datetime) -> ClaimSubmitted:
    return ClaimSubmitted(
        claim_id=claim.claim_id, encounter_id=claim.encounter_id, payer_id=claim.payer_id,
        frequency_code=claim.frequency_code, total_charge=claim.total_charge,
        lines=[ClaimLineSummary(line_number=ln.line_number, code=ln.code, modifiers=list(ln.modifiers),
                                units=ln.units, charge=ln.charge)
               for ln in claim.lines],
        interchange_control_number=submission.interchange_control_number, submitted_at=at,
    )


def _claim_acknowledged(claim: Claim, ack: Acknowledgement) -> ClaimAcknowledged:
    return ClaimAcknowledged(claim_id=claim.claim_id, encounter_id=claim.encounter_id, level=ack.level,
                             accepted=ack.accepted, status_codes=list(ack.status_codes), file_id=ack.file_id)
