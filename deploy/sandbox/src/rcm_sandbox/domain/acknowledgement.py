"""Front-end claim edits: the 277CA decision (accepted A2, or rejected A3/A6/A7).

Claim status codes (STC01-2) are from the external code list 507 as used by clearinghouses:
21 missing or invalid information, 33 subscriber and subscriber id not found, 54 duplicate of
a previously processed claim, 116 claim submitted to the incorrect payer, 158 entity's date of
birth, 178 submitted charges, 187 date(s) of service, 562 entity's NPI.
"""

from __future__ import annotations

from datetime import date

from rcm_sandbox.domain.ids import npi_is_valid
from rcm_sandbox.domain.model import ZERO, AckCategory, Claim, ClaimAcknowledgement
from rcm_sandbox.domain.payers import SandboxConfig


def acknowledge_claim(
    claim: Claim, config: SandboxConfig, received_on: date, already_received: bool
) -> ClaimAcknowledgement:
    """Decide whether a claim enters adjudication; the first failing edit wins."""

    def reject(category: AckCategory, code: str, entity: str | None, reason: str) -> ClaimAcknowledgement:
        return ClaimAcknowledgement(claim.patient_control_number, category, code, entity, reason)

    if already_received:
        return reject(AckCategory.UNPROCESSABLE, "54", None, "claim already received")
    if config.payer(claim.payer_id) is None:
        return reject(AckCategory.UNPROCESSABLE, "116", "PR", "unknown payer id")
    if not claim.billing_npi:
        return reject(AckCategory.MISSING_INFORMATION, "562", "85", "billing provider NPI missing")
    if not npi_is_valid(claim.billing_npi):
        return reject(AckCategory.INVALID_INFORMATION, "562", "85", "billing provider NPI fails check digit")
    if not claim.member_id:
        return reject(AckCategory.MISSING_INFORMATION, "33", "IL", "subscriber id missing")
    if not claim.diagnosis_codes or not claim.lines:
        return reject(AckCategory.MISSING_INFORMATION, "21", None, "diagnosis or service lines missing")
    if sum((ln.charge for ln in claim.lines), ZERO) != claim.total_charge:
        return reject(AckCategory.INVALID_INFORMATION, "178", None, "total charge is not the sum of the lines")
    if any(ln.service_date > received_on for ln in claim.lines):
        return reject(AckCategory.INVALID_INFORMATION, "187", None, "date of service in the future")
    member = config.member(claim.member_id)
    if member is None:
        return reject(AckCategory.UNPROCESSABLE, "33", "IL", "subscriber not found")
    if member.payer_id == claim.payer_id:
        # Demographics are only checked by the payer that holds the record.
        if claim.subscriber_last_name.strip().upper() != member.record_last_name.upper():
            return reject(AckCategory.INVALID_INFORMATION, "33", "IL", "subscriber name does not match")
        if claim.subscriber_birth_date is not None and claim.subscriber_birth_date != member.record_birth_date:
            return reject(
                AckCategory.INVALID_INFORMATION,
                "158",
                "IL",
                "subscriber date of birth does not match",
            )
    return ClaimAcknowledgement(claim.patient_control_number, AckCategory.ACCEPTED, "20", None, "accepted")
