"""What routes get from the running app (set on ``app.state`` by the bootstrap's lifespan)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rcm_sandbox.entrypoints.interchanges import X12Desk
from rcm_sandbox.service.unit_of_work import SandboxUnitOfWork


def get_desk(request: Request) -> X12Desk:
    """The app's X12 desk."""
    desk: X12Desk = request.app.state.desk
    return desk


def get_unit_of_work(request: Request) -> SandboxUnitOfWork:
    """A new unit of work on the app's storage (for the read side)."""
    desk: X12Desk = request.app.state.desk
    return desk.unit_of_work()


DeskDep = Annotated[X12Desk, Depends(get_desk)]
UnitOfWorkDep = Annotated[SandboxUnitOfWork, Depends(get_unit_of_work)]
