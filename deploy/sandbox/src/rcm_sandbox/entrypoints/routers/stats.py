"""GET /v1/stats: counters for tests and dashboards."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_sandbox.entrypoints.dependencies import UnitOfWorkDep
from rcm_sandbox.entrypoints.schemas import Stats
from rcm_sandbox.service import views

router = APIRouter(dependencies=[requires(Permission.CLEARINGHOUSE_EXCHANGE)], tags=["stats"])


@router.get("/v1/stats", summary="Interchanges, claims and remittances counted so far")
def read_stats(uow: UnitOfWorkDep) -> Stats:
    return Stats.of(views.stats(uow))
