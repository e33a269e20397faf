"""Commands of the eligibility service (imperative: what someone asks it to do)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rcm_eligibility.domain.model import Member


@dataclass(frozen=True)
class CheckEligibility:
    """Ask the payer whether ``member_id`` is covered on ``date_of_service``."""

    encounter_id: str
    payer_id: str
    payer_name: str
    member_id: str
    subscriber: Member
    patient: Member | None  # None when the patient is the subscriber
    provider_npi: str
    provider_name: str
    date_of_service: date
