"""GET /healthz: liveness."""

from __future__ import annotations

from fastapi import APIRouter
from rcm_shared.web import Health

router = APIRouter(tags=["ops"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> Health:
    return Health()
