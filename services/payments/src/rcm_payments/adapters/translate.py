"""Contract payloads -> payments commands (what the consumers hand to the handlers)."""

from __future__ import annotations

from rcm_shared.contracts.claims import ClaimSubmitted
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived

from rcm_payments.domain.commands import OpenClaimAccount, PostRemittanceFile


def open_claim_account_command(submitted: ClaimSubmitted) -> OpenClaimAccount:
    """The account to open for a submitted claim."""
    return OpenClaimAccount(claim_id=submitted.claim_id, encounter_id=submitted.encounter_id,
                            payer_id=submitted.payer_id, total_charge=submitted.total_charge)


def post_remittance_command(file: ClearinghouseFileReceived) -> PostRemittanceFile:
    """The posting of a received 835 file."""
    return PostRemittanceFile(file_id=file.file_id, content=file.content)
