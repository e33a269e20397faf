"""HTTP API of the coding service: results and the human review queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from rcm_shared.web import RuntimeDep, create_service_app

from rcm_coding.adapters import repository
from rcm_coding.config import CodingSettings

router = APIRouter(prefix="/v1/coding", tags=["coding"])


@router.get("/summary", summary="Encounters by coding status (coded, review, rejected)")
async def get_summary(runtime: RuntimeDep) -> dict[str, int]:
    async with runtime.db.session() as session:
        return await repository.count_by_status(session)


@router.get("/encounters/{encounter_id}", summary="Proposal (with evidence), final codes and audit trail")
async def get_encounter(encounter_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.db.session() as session:
        row = await repository.get_result(session, encounter_id)
        if row is None:
            raise HTTPException(status_code=404, detail=f"encounter {encounter_id} not coded")
        audit = await repository.audit_trail(session, encounter_id)
    return {"encounter_id": row.encounter_id, "status": row.status, "date_of_service": row.date_of_service.isoformat(),
            "proposal": row.proposal, "final_codes": row.final_codes, "coded_by": row.coded_by,
            "review_case": row.review_case, "audit": audit}


@router.get("/reviews", summary="The review queue, oldest first")
async def get_reviews(runtime: RuntimeDep, limit: int = 100) -> list[dict[str, Any]]:
    async with runtime.db.session() as session:
        rows = await repository.review_queue(session, limit)
    return [{"encounter_id": r.encounter_id, "date_of_service": r.date_of_service.isoformat(),
             "review_reasons": r.proposal.get("review_reasons", []), "queued_at": r.created_at.isoformat()}
            for r in rows]


def create_app(settings: CodingSettings) -> FastAPI:
    """The coding service's app; the engine and everything else is built in its lifespan."""
    from rcm_coding.bootstrap import bootstrap
    from rcm_coding.entrypoints.review_api import router as review_router

    async def boot(app: FastAPI) -> Any:
        return await bootstrap(settings, app)

    return create_service_app(
        title="RCM coding service",
        description="Computer-assisted coding (ICD-10-CM, CPT, HCPCS) with edits and a human review queue.",
        bootstrap=boot,
        routers=[router, review_router],
    )
