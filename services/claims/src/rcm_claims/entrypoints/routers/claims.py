"""``/v1/claims``: what the pipeline observer and billers read about claims."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import PhiReadsDep, ProblemError, problem_responses, requires

from rcm_claims.entrypoints.routers.deps import UnitOfWorkFactoryDep
from rcm_claims.entrypoints.schemas import (
    ClaimsSummaryResponse,
    EncounterClaim,
    EncounterClaimView,
    EncounterIdPath,
    EncounterIntake,
)
from rcm_claims.service import queries

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.get("/summary", summary="Counts of claims by status (and encounters held)",
            dependencies=[requires(Permission.STATUS_READ)],
            response_model=ClaimsSummaryResponse)
async def get_summary(uow_factory: UnitOfWorkFactoryDep) -> ClaimsSummaryResponse:
    async with uow_factory() as uow:
        summary = await queries.claims_summary(uow)
    return ClaimsSummaryResponse.of(summary)


@router.get("/by-encounter/{encounter_id}", summary="The claim of an encounter, or why it is held",
            dependencies=[requires(Permission.CLAIMS_READ)],
            response_model=EncounterClaimView, responses=problem_responses(404, 422))
async def get_by_encounter(encounter_id: EncounterIdPath, uow_factory: UnitOfWorkFactoryDep,
                           reads: PhiReadsDep) -> EncounterClaim | EncounterIntake:
    """The claim (patient, codes, charges) is PHI: the read is recorded before it is answered."""
    async with uow_factory() as uow:
        view = await queries.encounter_claim_view(encounter_id, uow)
        if view is not None:
            await reads.record(uow, "claims.claim", [encounter_id])
            await uow.commit()
    if view is None:
        raise ProblemError(404, f"encounter {encounter_id} not seen by claims", kind="encounter-not-found")
    if view.claim is not None:
        return EncounterClaim.of(view.claim, view.submissions)
    assert view.intake is not None
    return EncounterIntake.of(view.intake)
