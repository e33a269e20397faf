"""HTTP API of the claims service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from rcm_shared.web import RuntimeDep, create_service_app

from rcm_claims.adapters import repository
from rcm_claims.config import ClaimsSettings

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.get("/summary", summary="Counts of claims by status (and encounters held)")
async def get_summary(runtime: RuntimeDep) -> dict[str, int]:
    async with runtime.db.session() as session:
        return await repository.count_by_status(session)


@router.get("/by-encounter/{encounter_id}", summary="The claim of an encounter, or why it is held")
async def get_by_encounter(encounter_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.db.session() as session:
        claim = await repository.claim_by_encounter(session, encounter_id)
        if claim is None:
            intake = await repository.intake_row(session, encounter_id)
            if intake is None:
                raise HTTPException(status_code=404, detail=f"encounter {encounter_id} not seen by claims")
            return {
                "encounter_id": encounter_id,
                "status": "held" if intake.held_reasons else "waiting",
                "held_reasons": intake.held_reasons or [],
                "waiting_for": [p for p in ("encounter", "coverage", "coding") if getattr(intake, p) is None],
            }
        submissions = await repository.submissions_for(session, claim.claim_id)
    return {
        "claim_id": claim.claim_id,
        "encounter_id": claim.encounter_id,
        "status": claim.status,
        "total_charge": str(claim.total_charge),
        "claim": claim.claim,
        "submissions": [
            {"id": s.id, "interchange_control_number": s.interchange_control_number, "status": s.status,
             "reply_result": s.reply_result, "attempts": s.attempts,
             "sent_at": s.sent_at.isoformat() if s.sent_at else None}
            for s in submissions
        ],
    }


def create_app(settings: ClaimsSettings) -> FastAPI:
    """The claims service's app; everything is built in its lifespan."""
    from rcm_claims.bootstrap import bootstrap

    async def boot(app: FastAPI) -> Any:
        return await bootstrap(settings, app)

    return create_service_app(
        title="RCM claims service",
        description="Claim assembly from encounter, coverage and codes; 837 submission; acknowledgements.",
        bootstrap=boot,
        routers=[router],
    )
