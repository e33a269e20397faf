"""GET /v1/claims: every received claim and where it stands."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_sandbox.entrypoints.dependencies import UnitOfWorkDep
from rcm_sandbox.entrypoints.schemas import ClaimOut
from rcm_sandbox.service import views

router = APIRouter(dependencies=[requires(Permission.CLEARINGHOUSE_EXCHANGE)], tags=["claims"])


@router.get("/v1/claims", summary="Every received claim, in arrival order")
def list_claims(uow: UnitOfWorkDep) -> list[ClaimOut]:
    return [ClaimOut.of(c) for c in views.claims(uow)]
