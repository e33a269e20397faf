"""``GET /v1/eligibility/summary``: counts of checks by coverage status."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_eligibility.entrypoints.routers.deps import UnitOfWorkDep
from rcm_eligibility.entrypoints.schemas import CoverageSummary
from rcm_eligibility.service import handlers

router = APIRouter(dependencies=[requires(Permission.STATUS_READ)], prefix="/v1/eligibility", tags=["eligibility"])


@router.get("/summary", summary="Counts of checks by coverage status")
async def get_summary(uow: UnitOfWorkDep) -> CoverageSummary:
    """How many checks ended active, inactive and rejected."""
    async with uow:
        counts = await handlers.coverage_summary(uow)
    return CoverageSummary(**counts)
