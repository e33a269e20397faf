"""Domain errors of the coding engine and the review workflow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rcm_coding.domain.model import EditFailure


class CodingDomainError(Exception):
    """Base of every error raised by the coding domain."""


class CodeSetNotAvailableError(CodingDomainError):
    """No loaded code-set version covers the date of service."""

    def __init__(self, code_system: str, date_of_service: object, available: str) -> None:
        super().__init__(
            f"no {code_system} code set covers date of service {date_of_service}; "
            f"loaded versions: {available}"
        )
        self.code_system = code_system
        self.date_of_service = date_of_service
        self.available = available


class InvalidEncounterError(CodingDomainError):
    """The encounter documentation given to the engine is unusable (field named)."""


class ReviewNotFoundError(CodingDomainError, LookupError):
    """No review case for that encounter."""

    def __init__(self, encounter_id: str) -> None:
        super().__init__(f"no review case for encounter {encounter_id}")
        self.encounter_id = encounter_id


class ReviewCaseClosedError(CodingDomainError):
    """A decision was applied to a review case that is already closed."""


class InvalidReviewDecisionError(CodingDomainError):
    """A review decision is malformed or does not apply to the case."""


class ReasonRequiredError(InvalidReviewDecisionError):
    """Rejections and edits must say why."""


class EditsFailedError(InvalidReviewDecisionError):
    """The codes a coder is closing with fail payer edits; closing anyway needs an override reason."""

    def __init__(self, failures: Sequence[EditFailure]) -> None:
        self.failures = tuple(failures)
        listed = "; ".join(f"{f.edit_id}: {f.reason}" for f in self.failures)
        super().__init__(f"the final codes fail {len(self.failures)} edit(s) ({listed}); "
                         "fix them or close with an override reason")
