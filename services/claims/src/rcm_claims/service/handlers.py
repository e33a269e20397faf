"""Claims handlers. The Kafka consumers and the HTTP API call these same functions."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from rcm_shared.contracts.claims import (
    CLAIM_ACKNOWLEDGED,
    CLAIM_HELD,
    CLAIM_SUBMITTED,
    ClaimAcknowledged,
    ClaimHeld,
    ClaimLineSummary,
    ClaimSubmitted,
)
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.db.control_numbers import next_control_number
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.topics import Topic

from rcm_claims.adapters import repository
from rcm_claims.adapters.repository import Intake
from rcm_claims.domain.errors import ClaimNotBuildableError
from rcm_claims.domain.model import Claim, build_claim
from rcm_claims.service.ports import AckReader, ClaimWriter, Clearinghouse, ReplyReader

log = logging.getLogger(__name__)
SOURCE = "rcm/claims"


def _event(cause: Envelope | None, type: str, payload: Any, *, correlation_id: str, key: str) -> Envelope:
    if cause is not None:
        return new_event(type, payload, source=SOURCE, correlation_id=correlation_id, key=key,
                         causation_id=cause.id, traceparent=cause.traceparent)
    return new_event(type, payload, source=SOURCE, correlation_id=correlation_id, key=key)


async def record_encounter(e: EncounterCompleted, uow: UnitOfWork, deps: ClaimDeps, cause: Envelope | None) -> None:
    intake = await repository.merge_intake(uow.session, e.encounter_id, "encounter", e.model_dump(mode="json"))
    await _maybe_build(intake, uow, deps, cause)


async def record_coverage(c: EligibilityChecked, uow: UnitOfWork, deps: ClaimDeps, cause: Envelope | None) -> None:
    intake = await repository.merge_intake(uow.session, c.encounter_id, "coverage", c.model_dump(mode="json"))
    await _maybe_build(intake, uow, deps, cause)


async def record_coding(c: EncounterCoded, uow: UnitOfWork, deps: ClaimDeps, cause: Envelope | None) -> None:
    intake = await repository.merge_intake(uow.session, c.encounter_id, "coding", c.model_dump(mode="json"))
    await _maybe_build(intake, uow, deps, cause)


class ClaimDeps:
    """What building a claim needs besides the database."""

    def __init__(self, chargemaster: Mapping[str, Decimal], writer: ClaimWriter) -> None:
        self.chargemaster = chargemaster
        self.writer = writer


async def _maybe_build(intake: Intake, uow: UnitOfWork, deps: ClaimDeps, cause: Envelope | None) -> None:
    """Build, scrub and queue the claim once encounter, coverage and codes are all here."""
    if intake.claim_id is not None or None in (intake.encounter, intake.coverage, intake.coding):
        return
    encounter = EncounterCompleted.model_validate(intake.encounter)
    coverage = EligibilityChecked.model_validate(intake.coverage)
    coding = EncounterCoded.model_validate(intake.coding)
    try:
        claim = build_claim(encounter, coverage, coding, deps.chargemaster)
    except ClaimNotBuildableError as exc:
        if intake.held_reasons != exc.reasons:
            await repository.set_intake_outcome(uow.session, encounter.encounter_id, claim_id=None,
                                                held_reasons=exc.reasons)
            held = ClaimHeld(encounter_id=encounter.encounter_id, reasons=exc.reasons)
            await uow.publish_envelope(Topic.CLAIMS_EVENTS, _event(cause, CLAIM_HELD, held,
                                                          correlation_id=encounter.encounter_id,
                                                          key=encounter.encounter_id))
        return
    await queue_claim(claim, uow, deps)


async def queue_claim(claim: Claim, uow: UnitOfWork, deps: ClaimDeps) -> None:
    """Store the claim and its 837 with a control number drawn in the same transaction.

    The interchange bytes are fixed here: a resend after a crash repeats them exactly, so
    the clearinghouse recognises the duplicate control number and never adjudicates twice.
    """
    control_number = await next_control_number(uow.session)
    x12 = deps.writer.render(claim, control_number, datetime.now(UTC))
    await repository.add_claim(
        uow.session, claim_id=claim.claim_id, encounter_id=claim.encounter_id,
        payer_id=claim.encounter.coverage.payer_id, frequency_code=claim.frequency_code,
        total_charge=claim.total_charge, document=claim_document(claim),
    )
    await repository.add_submission(uow.session, claim_id=claim.claim_id,
                                    control_number=f"{control_number:09d}", x12=x12)
    await repository.set_intake_outcome(uow.session, claim.encounter_id, claim_id=claim.claim_id, held_reasons=None)


def claim_document(claim: Claim) -> dict[str, Any]:
    """The claim as stored (JSON; money as strings)."""
    return {
        "claim_id": claim.claim_id,
        "encounter_id": claim.encounter_id,
        "frequency_code": claim.frequency_code,
        "diagnoses": list(claim.diagnoses),
        "total_charge": str(claim.total_charge),
        "lines": [
            {"line_number": ln.line_number, "code": ln.code, "code_system": ln.code_system,
             "modifiers": list(ln.modifiers), "units": str(ln.units), "unit_price": str(ln.unit_price),
             "charge": str(ln.charge), "diagnosis_pointers": list(ln.diagnosis_pointers),
             "date_of_service": ln.date_of_service.isoformat()}
            for ln in claim.lines
        ],
    }


async def send_next_submission(uow: UnitOfWork, clearinghouse: Clearinghouse, replies: ReplyReader) -> bool:
    """Send the oldest pending 837 and record the answer; False when none was pending.

    The row stays locked during the call, so two dispatchers never send the same claim at
    once; if we crash after the call, the row is still pending and the resend is caught
    as a duplicate interchange by the clearinghouse (TA1 025), which we record as sent.
    """
    row = await repository.next_pending_submission(uow.session)
    if row is None:
        return False
    reply = await clearinghouse.send_x12(row.x12)
    outcome = replies.read(reply)
    sent = outcome.accepted or outcome.duplicate
    status = "sent" if sent else "rejected"
    result = "duplicate" if outcome.duplicate else ("accepted" if outcome.accepted else "rejected")
    await repository.finish_submission(uow.session, row.id, status=status, reply_result=result, reply=reply.content)
    await repository.set_claim_status(uow.session, row.claim_id, "submitted" if sent else "rejected")
    document = row.claim
    if sent:
        submitted = ClaimSubmitted(
            claim_id=row.claim_id, encounter_id=row.encounter_id, payer_id=row.payer_id,
            frequency_code=document["frequency_code"], total_charge=Decimal(document["total_charge"]),
            lines=[ClaimLineSummary(line_number=ln["line_number"], code=ln["code"], modifiers=ln["modifiers"],
                                    units=Decimal(ln["units"]), charge=Decimal(ln["charge"]))
                   for ln in document["lines"]],
            interchange_control_number=row.interchange_control_number, submitted_at=datetime.now(UTC),
        )
        await uow.publish_envelope(Topic.CLAIMS_EVENTS, new_event(CLAIM_SUBMITTED, submitted, source=SOURCE,
                                                         correlation_id=row.encounter_id, key=row.encounter_id))
    if not outcome.duplicate:
        ack = ClaimAcknowledged(claim_id=row.claim_id, encounter_id=row.encounter_id, level=outcome.level,
                                accepted=outcome.accepted, status_codes=list(outcome.codes),
                                file_id=f"sync:{row.interchange_control_number}")
        await repository.add_ack(uow.session, claim_id=row.claim_id, file_id=ack.file_id, level=ack.level,
                                 accepted=ack.accepted, status_codes=ack.status_codes)
        await uow.publish_envelope(Topic.CLAIMS_EVENTS, new_event(CLAIM_ACKNOWLEDGED, ack, source=SOURCE,
                                                         correlation_id=row.encounter_id, key=row.encounter_id))
    return True


async def apply_claim_acknowledgements(
    file: ClearinghouseFileReceived, uow: UnitOfWork, acks: AckReader, cause: Envelope | None
) -> int:
    """Record each claim's 277CA status and emit ``ClaimAcknowledged``; return how many applied."""
    applied = 0
    for status in acks.read_277ca(file.content):
        row = await repository.claim_row(uow.session, status.claim_id)
        if row is None:
            log.warning("277CA %s names a claim we did not send; skipped", file.file_id)
            continue
        await repository.add_ack(uow.session, claim_id=row.claim_id, file_id=file.file_id, level="277CA",
                                 accepted=status.accepted, status_codes=list(status.status_codes))
        await repository.set_claim_status(uow.session, row.claim_id, "accepted" if status.accepted else "rejected")
        ack = ClaimAcknowledged(claim_id=row.claim_id, encounter_id=row.encounter_id, level="277CA",
                                accepted=status.accepted, status_codes=list(status.status_codes),
                                file_id=file.file_id)
        await uow.publish_envelope(Topic.CLAIMS_EVENTS, _event(cause, CLAIM_ACKNOWLEDGED, ack,
                                                      correlation_id=row.encounter_id, key=row.encounter_id))
        applied += 1
    return applied
