"""Commands of the coding service: what a consumer or a route asks the handlers to do."""

from __future__ import annotations

from dataclasses import dataclass

from rcm_coding.domain.model import EncounterDocumentation
from rcm_coding.domain.review import Decision


@dataclass(frozen=True)
class CodeEncounter:
    """Code one encounter from its documentation (the engine's input, as it is: no copy)."""

    encounter_id: str
    documentation: EncounterDocumentation


@dataclass(frozen=True)
class DecideReview:
    """Apply a coder's decision to the open review case of an encounter."""

    encounter_id: str
    user: str
    decision: Decision
