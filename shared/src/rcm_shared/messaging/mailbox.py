"""Fetches clearinghouse mailbox files into an event topic, each file exactly once.

Per file, one transaction records the file id in the inbox, writes a
``ClearinghouseFileReceived`` outbox row and moves the cursor; a crash anywhere re-reads
from the stored cursor and the inbox drops what was already taken.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from rcm_shared.clearinghouse import ClearinghouseClient
from rcm_shared.contracts.clearinghouse import (
    CLEARINGHOUSE_FILE_RECEIVED,
    ClearinghouseFileReceived,
)
from rcm_shared.db.uow import MessagingUnitOfWork
from rcm_shared.messaging.loop import poll_until_stopped
from rcm_shared.phi.keyring import PhiKeyShreddedError
from rcm_shared.topics import Topic

log = logging.getLogger(__name__)


class MailboxPoller:
    """Polls one mailbox kind (999, 277CA, 835) into ``topic``."""

    def __init__(
        self,
        *,
        kind: str,
        topic: Topic,
        client: ClearinghouseClient,
        uow_factory: Callable[[], MessagingUnitOfWork],
        interval_s: float = 0.5,
        page_size: int = 100,
    ) -> None:
        self.kind = kind
        self.topic = topic
        self.client = client
        self.uow_factory = uow_factory
        self.interval_s = interval_s
        self.page_size = page_size
        self.mailbox = f"mailbox:{kind}"

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set."""

        async def step() -> bool:
            return await self.poll_once() >= self.page_size

        await poll_until_stopped(stop, step, name=self.mailbox, idle_s=self.interval_s)

    async def poll_once(self) -> int:
        """Take one page of new files; return how many were new."""
        async with self.uow_factory() as uow:
            after = await uow.mailbox_cursor(self.mailbox)
        files = await self.client.mailbox(self.kind, after, self.page_size)
        new = 0
        for f in files:
            async with self.uow_factory() as uow:
                if await uow.claim_message(self.mailbox, f.file_id, event_type=CLEARINGHOUSE_FILE_RECEIVED,
                                           topic="clearinghouse-mailbox", partition=0, offset=f.seq):
                    payload = ClearinghouseFileReceived(
                        file_id=f.file_id, kind=f.kind,
                        mailbox_seq=f.seq, content=f.content, received_at=datetime.now(UTC),
                    )
                    # A file starts its own trace: it speaks of many claims, and each posting it
                    # leads to continues the chain of the claim it is for (its stored cause).
                    try:
                        await uow.publish(self.topic, payload, cause=None, key=f.file_id)
                        new += 1
                    except PhiKeyShreddedError:
                        # Its key was shredded before it was taken: forgotten, never a stuck mailbox.
                        log.info("%s: file at sequence %d skipped (its data key was shredded)", self.mailbox, f.seq)
                await uow.advance_mailbox(self.mailbox, f.seq)
                await uow.commit()
        return new
