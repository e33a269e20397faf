"""GET /v1/coding/codesets: the code-set releases the engine codes with, and their warnings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_coding.entrypoints.dependencies import CodeSetsDep, TodayDep
from rcm_coding.entrypoints.schemas import CodeSetsOut

router = APIRouter(dependencies=[requires(Permission.STATUS_READ)], prefix="/v1/coding", tags=["coding"])


@router.get("/codesets", summary="Code-set releases in use (ICD-10-CM, HCPCS, CPT, NCCI PTP, MUE) and warnings",
            description="Each release with its dates of service and source; warnings when the date of service "
                        "has no ICD-10-CM release or an illustrative sample is in use.")
async def get_codesets(
    loaded: CodeSetsDep, today: TodayDep,
    on: Annotated[date | None, Query(alias="date", description="date of service (default: today)")] = None,
) -> CodeSetsOut:
    return CodeSetsOut.from_adapter(loaded, on or today)
