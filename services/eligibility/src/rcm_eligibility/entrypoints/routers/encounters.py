"""``GET /v1/eligibility/encounters/{encounter_id}``: the coverage answers of an encounter."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import PhiReadsDep, ProblemError, problem_responses, requires

from rcm_eligibility.entrypoints.routers.deps import UnitOfWorkDep
from rcm_eligibility.entrypoints.schemas import CoverageCheckPublic, EncounterIdPath
from rcm_eligibility.service import handlers

router = APIRouter(dependencies=[requires(Permission.ELIGIBILITY_READ)], prefix="/v1/eligibility", tags=["eligibility"])


@router.get("/encounters/{encounter_id}", summary="Coverage answers recorded for an encounter",
            responses=problem_responses(404, 422))
async def get_encounter_checks(encounter_id: EncounterIdPath, uow: UnitOfWorkDep,
                               reads: PhiReadsDep) -> list[CoverageCheckPublic]:
    """Every coverage answer recorded for the encounter, oldest first (a recorded read of PHI)."""
    async with uow:
        checks = await handlers.coverage_checks_of_encounter(encounter_id, uow)
        if checks:
            await reads.record(uow, "eligibility.coverage", [encounter_id])
            await uow.commit()
    if not checks:
        raise ProblemError(404, f"no eligibility check for encounter {encounter_id}", kind="not-found")
    return [CoverageCheckPublic.of(c) for c in checks]
