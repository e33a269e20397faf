"""GET /v1/payments/summary."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_payments.entrypoints.dependencies import UnitOfWorkDep
from rcm_payments.entrypoints.schemas import PaymentsSummaryOut
from rcm_payments.service.queries import payments_summary

router = APIRouter(dependencies=[requires(Permission.STATUS_READ)], prefix="/v1/payments", tags=["payments"])


@router.get("/summary", summary="Claim accounts by status, postings and held remittances")
async def get_summary(uow: UnitOfWorkDep) -> PaymentsSummaryOut:
    return PaymentsSummaryOut.of(await payments_summary(uow))
