"""POST /v1/remittances/flush: release every pending 835 now."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_sandbox.entrypoints.dependencies import DeskDep
from rcm_sandbox.entrypoints.schemas import Released

router = APIRouter(dependencies=[requires(Permission.CLEARINGHOUSE_EXCHANGE)], tags=["remittances"])


@router.post(
    "/v1/remittances/flush",
    summary="Release every pending 835 now (repeating, so a reversal and its correction follow their original)",
)
def flush_remittances(desk: DeskDep) -> Released:
    return Released(released=list(desk.release_remittances(force=True)))
