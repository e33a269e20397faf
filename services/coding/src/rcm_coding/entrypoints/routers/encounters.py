"""GET /v1/coding/encounters/{id}: one encounter's proposal, final codes and audit trail."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import PhiReadsDep, ProblemError, problem_responses, requires

from rcm_coding.entrypoints.dependencies import UowDep
from rcm_coding.entrypoints.schemas import EncounterCodingOut, EncounterIdPath
from rcm_coding.service.queries import encounter_coding

router = APIRouter(dependencies=[requires(Permission.CODING_READ)], prefix="/v1/coding/encounters", tags=["coding"])


@router.get("/{encounter_id}", summary="Proposal (with evidence), final codes and audit trail",
            responses=problem_responses(404, 422))
async def get_encounter(encounter_id: EncounterIdPath, uow: UowDep, reads: PhiReadsDep) -> EncounterCodingOut:
    """The note evidence is PHI: the read is recorded (``PhiAccessed``) before it is answered."""
    view = await encounter_coding(uow, encounter_id)
    if view is None:
        raise ProblemError(404, f"encounter {encounter_id} not coded", kind="encounter-not-coded")
    async with uow:
        await reads.record(uow, "coding.encounter", [encounter_id])
        await uow.commit()
    return EncounterCodingOut.from_domain(view)
