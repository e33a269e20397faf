"""Dependencies of the eligibility routes: the unit of work and the payer gateway.

Bootstrap puts the gateway on ``app.state``; tests override these with fakes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from rcm_shared.web import RuntimeDep

from rcm_eligibility.service.ports import EligibilityGateway
from rcm_eligibility.service.unit_of_work import EligibilityUnitOfWork


def get_unit_of_work(runtime: RuntimeDep) -> EligibilityUnitOfWork:
    """A new unit of work on the service's database (enter it with ``async with``)."""
    uow: EligibilityUnitOfWork = runtime.uow()
    return uow


def get_gateway(request: Request) -> EligibilityGateway:
    """The payer gateway bootstrap built."""
    gateway: EligibilityGateway = request.app.state.gateway
    return gateway


UnitOfWorkDep = Annotated[EligibilityUnitOfWork, Depends(get_unit_of_work)]
GatewayDep = Annotated[EligibilityGateway, Depends(get_gateway)]
