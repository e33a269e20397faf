"""Errors of the payments domain."""

from __future__ import annotations


class RemittanceFormatError(Exception):
    """An 835 cannot be read; ``reasons`` carry the X12 positions and causes a poster needs."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class ClaimAccountNotFoundError(LookupError):
    """No account exists for ``claim_id`` (neither submitted nor paid)."""

    def __init__(self, claim_id: str) -> None:
        super().__init__(f"no account for claim {claim_id}")
        self.claim_id = claim_id
