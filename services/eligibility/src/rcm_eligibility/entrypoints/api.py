"""HTTP API of the eligibility service."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field
from rcm_shared.contracts.common import Person, ProviderRef
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.messaging import TransientError
from rcm_shared.web import RuntimeDep, create_service_app

from rcm_eligibility.adapters import repository
from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.domain.model import CheckEligibility, Member
from rcm_eligibility.service import handlers

router = APIRouter(prefix="/v1/eligibility", tags=["eligibility"])


def get_gateway(request: Request) -> handlers.EligibilityGateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


GatewayDep = Annotated[handlers.EligibilityGateway, Depends(get_gateway)]


class EligibilityInquiry(BaseModel):
    """An ad-hoc coverage check (e.g. at scheduling), outside any encounter event."""

    payer_id: str = Field(min_length=2, max_length=80)
    payer_name: str = Field(min_length=1, max_length=60)
    member_id: str = Field(min_length=2, max_length=80)
    subscriber: Person
    patient: Person | None = None
    provider: ProviderRef
    date_of_service: date
    encounter_id: str | None = Field(default=None, max_length=38, pattern=r"^[A-Za-z0-9-]+$")


def _member(p: Person) -> Member:
    return Member(p.first_name, p.last_name, p.birth_date, p.sex)


@router.post("/checks", response_model=EligibilityChecked, summary="Check coverage now (270/271)")
async def post_check(body: EligibilityInquiry, runtime: RuntimeDep, gateway: GatewayDep) -> EligibilityChecked:
    command = CheckEligibility(
        encounter_id=body.encounter_id or f"INQ-{uuid.uuid4().hex[:20]}",
        payer_id=body.payer_id,
        payer_name=body.payer_name,
        member_id=body.member_id,
        subscriber=_member(body.subscriber),
        patient=_member(body.patient) if body.patient else None,
        provider_npi=body.provider.npi,
        provider_name=body.provider.last_name_or_org,
        date_of_service=body.date_of_service,
    )
    try:
        async with runtime.uow() as uow:
            result = await handlers.check_eligibility(command, uow, gateway)
            await uow.commit()
    except TransientError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    return result


@router.get("/encounters/{encounter_id}", summary="Coverage answers recorded for an encounter")
async def get_encounter_checks(encounter_id: str, runtime: RuntimeDep) -> list[dict[str, Any]]:
    async with runtime.db.session() as session:
        checks = await repository.checks_for_encounter(session, encounter_id)
    if not checks:
        raise HTTPException(status_code=404, detail=f"no eligibility check for encounter {encounter_id}")
    return checks


@router.get("/summary", summary="Counts of checks by coverage status")
async def get_summary(runtime: RuntimeDep) -> dict[str, int]:
    async with runtime.db.session() as session:
        return await repository.count_by_status(session)


def create_app(settings: EligibilitySettings) -> FastAPI:
    """The eligibility service's app; everything is built in its lifespan."""
    from rcm_eligibility.bootstrap import bootstrap

    async def boot(app: FastAPI) -> Any:
        return await bootstrap(settings, app)

    return create_service_app(
        title="RCM eligibility service",
        description="Coverage and benefits checks (X12 270/271) for encounters.",
        bootstrap=boot,
        routers=[router],
    )
