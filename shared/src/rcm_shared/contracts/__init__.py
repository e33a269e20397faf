"""The public event contract: payload models and their event type names.

Each payload is a pydantic model; ``EVENT_TYPES`` maps the CloudEvents ``type`` to it so a
consumer can validate what it receives (a payload that does not validate is dead-lettered
with the validation errors in its headers).
"""

from __future__ import annotations

from pydantic import BaseModel

from rcm_shared.contracts.audit import PHI_ACCESSED, PhiAccessed
from rcm_shared.contracts.claims import (
    CLAIM_ACKNOWLEDGED,
    CLAIM_HELD,
    CLAIM_SUBMITTED,
    ClaimAcknowledged,
    ClaimHeld,
    ClaimSubmitted,
)
from rcm_shared.contracts.clearinghouse import (
    CLEARINGHOUSE_FILE_RECEIVED,
    ClearinghouseFileReceived,
)
from rcm_shared.contracts.coding import (
    CODING_REVIEW_REQUIRED,
    ENCOUNTER_CODED,
    CodingReviewRequired,
    EncounterCoded,
)
from rcm_shared.contracts.eligibility import ELIGIBILITY_CHECKED, EligibilityChecked
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED, EncounterCompleted
from rcm_shared.contracts.payments import (
    PAYMENT_POSTED,
    REMITTANCE_HELD,
    PaymentPosted,
    RemittanceHeld,
)

EVENT_TYPES: dict[str, type[BaseModel]] = {
    PHI_ACCESSED: PhiAccessed,
    ENCOUNTER_COMPLETED: EncounterCompleted,
    ELIGIBILITY_CHECKED: EligibilityChecked,
    ENCOUNTER_CODED: EncounterCoded,
    CODING_REVIEW_REQUIRED: CodingReviewRequired,
    CLAIM_SUBMITTED: ClaimSubmitted,
    CLAIM_ACKNOWLEDGED: ClaimAcknowledged,
    CLAIM_HELD: ClaimHeld,
    CLEARINGHOUSE_FILE_RECEIVED: ClearinghouseFileReceived,
    PAYMENT_POSTED: PaymentPosted,
    REMITTANCE_HELD: RemittanceHeld,
}

_TYPE_OF_MODEL: dict[type[BaseModel], str] = {model: name for name, model in EVENT_TYPES.items()}


def event_type_of(payload: BaseModel) -> str:
    """The CloudEvents ``type`` of a contract payload; a model outside the contract is refused."""
    try:
        return _TYPE_OF_MODEL[type(payload)]
    except KeyError:
        raise TypeError(f"{type(payload).__name__} is not an event payload of the contract") from None


__all__ = ["EVENT_TYPES", "event_type_of"]
