"""Background loops of the claims service: the 837 dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rcm_shared.messaging.loop import poll_until_stopped

from rcm_claims.domain.commands import SendNextSubmission
from rcm_claims.service import handlers
from rcm_claims.service.ports import Clearinghouse, ReplyReader
from rcm_claims.service.unit_of_work import ClaimsUnitOfWork


def submission_dispatcher(
    uow_factory: Callable[[], ClaimsUnitOfWork], clearinghouse: Clearinghouse, replies: ReplyReader, *,
    idle_s: float = 0.2,
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A worker sending pending 837s one transaction at a time until stopped."""

    async def step() -> bool:
        async with uow_factory() as uow:
            sent = await handlers.send_next_submission(SendNextSubmission(), uow, clearinghouse=clearinghouse,
                                                       replies=replies)
            await uow.commit()
        return sent

    async def run(stop: asyncio.Event) -> None:
        await poll_until_stopped(stop, step, name="claims.dispatcher", idle_s=idle_s)

    return run
