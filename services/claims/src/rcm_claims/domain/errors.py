"""Claims domain errors."""

from __future__ import annotations


class ClaimNotBuildableError(Exception):
    """The encounter cannot become a claim yet; ``reasons`` say what a biller must fix."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
