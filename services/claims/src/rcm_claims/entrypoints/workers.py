"""Background loops of the claims service: the 837 dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from rcm_shared.messaging.loop import poll_until_stopped
from rcm_shared.messaging.runtime import ServiceRuntime

from rcm_claims.service import handlers
from rcm_claims.service.ports import Clearinghouse, ReplyReader


def submission_dispatcher(
    runtime: ServiceRuntime, clearinghouse: Clearinghouse, replies: ReplyReader, *, idle_s: float = 0.2
) -> Callable[[asyncio.Event], Awaitable[None]]:
    async def step() -> bool:
        async with runtime.uow() as uow:
            sent = await handlers.send_next_submission(uow, clearinghouse, replies)
            await uow.commit()
        return sent

    async def run(stop: asyncio.Event) -> None:
        await poll_until_stopped(stop, step, name="claims.dispatcher", idle_s=idle_s)

    return run
