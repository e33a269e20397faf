"""GET /v1/payments/claims/{claim_id}: a claim's account."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import PhiReadsDep, ProblemError, problem_responses, requires

from rcm_payments.domain.errors import ClaimAccountNotFoundError
from rcm_payments.entrypoints.dependencies import UnitOfWorkDep
from rcm_payments.entrypoints.schemas import ClaimAccountOut, ClaimIdPath
from rcm_payments.service.queries import claim_account_statement

router = APIRouter(dependencies=[requires(Permission.PAYMENTS_READ)], prefix="/v1/payments/claims", tags=["payments"])


@router.get("/{claim_id}", summary="A claim's account and its postings", responses=problem_responses(404, 422))
async def get_claim_account(claim_id: ClaimIdPath, uow: UnitOfWorkDep, reads: PhiReadsDep) -> ClaimAccountOut:
    """A patient's account (payments, patient responsibility): the read is recorded before it is answered."""
    try:
        statement = await claim_account_statement(uow, claim_id)
    except ClaimAccountNotFoundError as exc:
        raise ProblemError(404, str(exc), kind="claim-account-not-found") from exc
    await reads.record(uow, "payments.claim-account", [claim_id])
    await uow.commit()
    return ClaimAccountOut.of(statement)
