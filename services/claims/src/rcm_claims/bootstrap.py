"""Wires the claims service: database, chargemaster, X12 adapters, clearinghouse, runtime."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.db.database import Database
from rcm_shared.db.uow import UnitOfWork
from rcm_shared.messaging import ServiceRuntime
from rcm_shared.messaging.mailbox import MailboxPoller
from rcm_shared.topics import Topic

from rcm_claims.adapters.tables import messaging
from rcm_claims.adapters.x12 import X12AckReader, X12ClaimWriter, X12ReplyReader
from rcm_claims.config import ClaimsSettings
from rcm_claims.domain.chargemaster import load_chargemaster
from rcm_claims.entrypoints.consumers import subscriptions
from rcm_claims.entrypoints.workers import submission_dispatcher
from rcm_claims.service.handlers import ClaimDeps


async def bootstrap(settings: ClaimsSettings, app: FastAPI) -> tuple[ServiceRuntime, Callable[[], Awaitable[None]]]:
    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    client = ClearinghouseClient(settings.sandbox_url)
    writer = X12ClaimWriter(submitter_id=settings.submitter_id, receiver_id=settings.receiver_id,
                            submitter_name=settings.submitter_name)
    deps = ClaimDeps(load_chargemaster(settings.chargemaster_path), writer)
    runtime = ServiceRuntime(unit_of_work=UnitOfWork, service="claims", settings=settings, db=db, tables=messaging,
                             subscriptions=subscriptions(deps, X12AckReader()))
    runtime.add_worker("dispatcher", submission_dispatcher(runtime, client, X12ReplyReader()))
    poller = MailboxPoller(kind="277CA", topic=Topic.CLAIMS_ACKS, client=client, uow_factory=runtime.uow,
                           interval_s=settings.mailbox_poll_interval_ms / 1000)
    runtime.add_worker("mailbox-277ca", poller.run)

    async def close() -> None:
        await client.aclose()
        await db.dispose()

    return runtime, close
