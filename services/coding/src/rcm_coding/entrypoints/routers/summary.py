"""GET /v1/coding/summary: encounters by coding status."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_coding.entrypoints.dependencies import UowDep
from rcm_coding.entrypoints.schemas import CodingSummaryOut
from rcm_coding.service.queries import coding_summary

router = APIRouter(dependencies=[requires(Permission.STATUS_READ)], prefix="/v1/coding", tags=["coding"])


@router.get("/summary", summary="Encounters by coding status (coded, review, rejected)")
async def get_summary(uow: UowDep) -> CodingSummaryOut:
    return CodingSummaryOut.from_domain(await coding_summary(uow))
