"""What the claims service is asked to do (consumers and workers turn their input into these)."""

from __future__ import annotations

from dataclasses import dataclass

from rcm_claims.domain.model import CodedEncounter, CoverageFacts, EncounterFacts


@dataclass(frozen=True)
class RecordEncounter:
    """Join a documented encounter to its intake."""

    encounter: EncounterFacts


@dataclass(frozen=True)
class RecordCoverage:
    """Join the payer's eligibility answer to its encounter's intake."""

    coverage: CoverageFacts


@dataclass(frozen=True)
class RecordCoding:
    """Join the encounter's codes to its intake."""

    coding: CodedEncounter


@dataclass(frozen=True)
class SendNextSubmission:
    """Send the oldest pending 837 interchange and record the clearinghouse's answer."""


@dataclass(frozen=True)
class ApplyClaimStatusReport:
    """Apply a 277CA file of the clearinghouse to the claims it names."""

    file_id: str
    content: str
