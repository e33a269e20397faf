"""What the payments service is asked to do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class OpenClaimAccount:
    """A claim was submitted to its payer: open its account receivable."""

    claim_id: str
    encounter_id: str
    payer_id: str
    total_charge: Decimal


@dataclass(frozen=True)
class PostRemittanceFile:
    """A clearinghouse 835 file arrived: post every balanced remittance in it, hold the rest."""

    file_id: str
    content: str
