"""HTTP API of the payments service."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from rcm_shared.web import RuntimeDep, create_service_app

from rcm_payments.adapters import repository
from rcm_payments.config import PaymentsSettings

router = APIRouter(prefix="/v1/payments", tags=["payments"])


@router.get("/summary", summary="Claim accounts by status, postings and held remittances")
async def get_summary(runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.db.session() as session:
        counts: dict[str, Any] = dict(await repository.count_by_status(session))
        totals = await repository.totals(session)
    counts["paid_amount"] = str(totals["paid"])
    counts["patient_responsibility"] = str(totals["patient_responsibility"])
    return counts


@router.get("/claims/{claim_id}", summary="A claim's account and its postings")
async def get_claim(claim_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    async with runtime.db.session() as session:
        account = await repository.account(session, claim_id)
        if account is None:
            raise HTTPException(status_code=404, detail=f"no account for claim {claim_id}")
        postings = await repository.postings_for(session, claim_id)
    return {
        "claim_id": account.claim_id, "encounter_id": account.encounter_id, "status": account.status,
        "total_charge": str(account.total_charge) if account.total_charge is not None else None,
        "paid_total": str(account.paid_total), "patient_responsibility": str(account.patient_responsibility),
        "postings": [
            {"trace_number": p.trace_number, "status_code": p.status_code, "charge": str(p.charge),
             "paid": str(p.paid), "patient_responsibility": str(p.patient_responsibility),
             "adjustments": p.adjustments, "posted_at": p.posted_at.isoformat()}
            for p in postings
        ],
    }


def create_app(settings: PaymentsSettings) -> FastAPI:
    """The payments service's app; everything is built in its lifespan."""
    from rcm_payments.bootstrap import bootstrap

    async def boot(app: FastAPI) -> Any:
        return await bootstrap(settings, app)

    return create_service_app(
        title="RCM payments service",
        description="835 remittance posting, claim accounts and patient balances.",
        bootstrap=boot,
        routers=[router],
    )
