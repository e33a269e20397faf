"""Raw files fetched from the clearinghouse mailbox (999, 277CA, 835), kept as events.

The raw X12 is the evidence auditors ask for; posting and acknowledgement handling are
derived from these events, so replaying the topic rebuilds them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from rcm_shared.contracts.common import PHI, Contract

CLEARINGHOUSE_FILE_RECEIVED = "rcm.clearinghouse.file_received"

FileKind = Literal["999", "277CA", "835", "TA1"]


class ClearinghouseFileReceived(Contract):
    file_id: str
    kind: FileKind
    mailbox_seq: int = Field(ge=0)
    content: Annotated[str, PHI] = Field(description="the X12 interchange exactly as received (names, member ids)")
    received_at: datetime

    def phi_subjects(self) -> tuple[str, ...]:
        """A file names several patients, so it has a data key of its own (``file:<id>``)."""
        return (f"file:{self.file_id}",)
