"""GET /v1/mailbox: the 999, 277CA and 835 files, read with a cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from rcm_shared.auth import Permission
from rcm_shared.web import problem_responses, requires

from rcm_sandbox.domain.records import MailboxKind
from rcm_sandbox.entrypoints.dependencies import UnitOfWorkDep
from rcm_sandbox.entrypoints.schemas import MailboxFileOut, MailboxPage
from rcm_sandbox.service import views

router = APIRouter(dependencies=[requires(Permission.CLEARINGHOUSE_EXCHANGE)], tags=["mailbox"])


@router.get(
    "/v1/mailbox",
    summary="Files after a cursor, oldest first; files are kept (read them again from any cursor)",
    responses=problem_responses(422),
)
def read_mailbox(
    uow: UnitOfWorkDep,
    kind: MailboxKind | None = None,
    # SQLite integers are 64-bit: a larger cursor cannot name a file (and would overflow the query).
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="the last sequence number read")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> MailboxPage:
    files = views.mailbox_files(uow, kind, after, limit)
    return MailboxPage(files=[MailboxFileOut.of(f) for f in files], next_after=files[-1].seq if files else after)
