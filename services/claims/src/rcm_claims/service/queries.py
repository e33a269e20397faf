"""Read side of the claims service: what the HTTP API shows (no state changes)."""

from __future__ import annotations

from rcm_claims.domain.views import ClaimsSummary, EncounterClaimView
from rcm_claims.service.unit_of_work import ClaimsUnitOfWork


async def claims_summary(uow: ClaimsUnitOfWork) -> ClaimsSummary:
    """Claims by status and the number of held encounters."""
    return ClaimsSummary(by_status=await uow.claims.count_by_status(), held=await uow.intakes.count_held())


async def encounter_claim_view(encounter_id: str, uow: ClaimsUnitOfWork) -> EncounterClaimView | None:
    """The encounter's claim with its submissions, else its intake; None when claims never saw it."""
    claim = await uow.claims.get_by_encounter(encounter_id)
    if claim is not None:
        submissions = await uow.submissions.for_claim(claim.claim_id)
        return EncounterClaimView(encounter_id=encounter_id, claim=claim, submissions=tuple(submissions))
    intake = await uow.intakes.get(encounter_id)
    if intake is None:
        return None
    return EncounterClaimView(encounter_id=encounter_id, intake=intake)
