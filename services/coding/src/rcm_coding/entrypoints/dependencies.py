"""Route dependencies: the unit of work and the loaded code sets (tests override them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from rcm_shared.web import RuntimeDep

from rcm_coding.adapters.codeset_store import LoadedCodeSets
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.service.unit_of_work import CodingUnitOfWork


def get_uow(runtime: RuntimeDep) -> CodingUnitOfWork:
    """A new (not yet entered) unit of work on the service's database."""
    uow: CodingUnitOfWork = runtime.uow()
    return uow


def get_reference(request: Request) -> CodeSetRegistry:
    """The code sets the engine loaded (the review edits run on the same ones)."""
    reference: CodeSetRegistry = request.app.state.reference
    return reference


def get_codesets(request: Request) -> LoadedCodeSets:
    """The releases the engine's code sets were loaded from."""
    loaded: LoadedCodeSets = request.app.state.codesets
    return loaded


def get_today(request: Request) -> date:
    """Today's date of service (the app's clock)."""
    today: date = request.app.state.today()
    return today


UowDep = Annotated[CodingUnitOfWork, Depends(get_uow)]
ReferenceDep = Annotated[CodeSetRegistry, Depends(get_reference)]
CodeSetsDep = Annotated[LoadedCodeSets, Depends(get_codesets)]
TodayDep = Annotated[date, Depends(get_today)]
