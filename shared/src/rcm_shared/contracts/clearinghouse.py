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


def claims_named(x12: str) -> list[str]:
    """The claims an interchange names: CLP01 of an 835, TRN02 of a 277CA claim-level TRN (TRN01 2).

    The separators are the interchange's own (ISA: the element separator is its 4th character, the
    segment terminator its 106th); a text that is no interchange names none.
    """
    if not x12.startswith("ISA") or len(x12) < 106:
        return []
    element, terminator = x12[3], x12[105]
    out = []
    for raw in x12.split(terminator):
        fields = raw.strip().split(element)
        if fields[0] == "CLP" and len(fields) > 1 and fields[1]:
            out.append(fields[1][:38])
        elif fields[0] == "TRN" and len(fields) > 2 and fields[1] == "2" and fields[2]:
            out.append(fields[2][:38])
    return out

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

    def phi_links(self) -> tuple[str, ...]:
        """The claims the file names (835 CLP01, 277CA claim-level TRN02: our patient control
        numbers): its key depends on their patients' keys, so a patient's shred reaches the file."""
        return tuple(dict.fromkeys(f"claim:{claim}" for claim in claims_named(self.content)))
