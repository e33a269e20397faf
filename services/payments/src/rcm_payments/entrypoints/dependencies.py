"""FastAPI dependencies of the payments routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from rcm_shared.web import RuntimeDep

from rcm_payments.service.unit_of_work import PaymentsUnitOfWork


async def unit_of_work(runtime: RuntimeDep) -> AsyncIterator[PaymentsUnitOfWork]:
    """A unit of work for one request; reads only, so it is never committed."""
    uow: PaymentsUnitOfWork = runtime.uow()
    async with uow:
        yield uow


UnitOfWorkDep = Annotated[PaymentsUnitOfWork, Depends(unit_of_work)]
