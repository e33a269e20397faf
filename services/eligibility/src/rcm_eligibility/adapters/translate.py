"""Contract payloads -> eligibility commands and value types."""

from __future__ import annotations

from rcm_shared.contracts.common import Person
from rcm_shared.contracts.encounters import EncounterCompleted

from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.model import Member


def member(p: Person) -> Member:
    """A contract person as the member the payer is asked about."""
    return Member(first_name=p.first_name, last_name=p.last_name, birth_date=p.birth_date, sex=p.sex)


def check_for_encounter(e: EncounterCompleted) -> CheckEligibility:
    """The eligibility question an encounter raises."""
    cov = e.coverage
    subscriber = cov.subscriber if cov.relationship != "self" and cov.subscriber else e.patient
    return CheckEligibility(
        encounter_id=e.encounter_id,
        payer_id=cov.payer_id,
        payer_name=cov.payer_name,
        member_id=cov.member_id,
        subscriber=member(subscriber),
        patient=None if cov.relationship == "self" else member(e.patient),
        provider_npi=e.billing_provider.npi,
        provider_name=e.billing_provider.last_name_or_org,
        date_of_service=e.date_of_service,
    )
