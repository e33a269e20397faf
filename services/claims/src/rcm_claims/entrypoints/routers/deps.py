"""Dependencies of the claims routes (``Annotated`` aliases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from rcm_claims.service.unit_of_work import ClaimsUnitOfWork

UnitOfWorkFactory = Callable[[], ClaimsUnitOfWork]


def get_uow_factory(request: Request) -> UnitOfWorkFactory:
    """The unit-of-work factory bootstrap put on the app's state."""
    factory: UnitOfWorkFactory = request.app.state.uow_factory
    return factory


UnitOfWorkFactoryDep = Annotated[UnitOfWorkFactory, Depends(get_uow_factory)]
