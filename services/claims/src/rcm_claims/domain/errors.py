"""Claims domain errors."""

from __future__ import annotations


class ClaimNotBuildableError(Exception):
    """The encounter cannot become a claim yet; ``reasons`` say what a biller must fix."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class ClaimNotFoundError(LookupError):
    """A stored submission or acknowledgement names a claim that is not stored."""

    def __init__(self, claim_id: str) -> None:
        super().__init__(f"claim {claim_id} is not stored")
        self.claim_id = claim_id
