"""The claims domain's value types: what an encounter, its coverage answer and its codes
become, and the claim built from them.

They are the service's own types, built once from the event contracts at the edge
(``adapters/translate.py``); the scrubber, the builder and the 837 writer speak only these.
Field names follow the contracts' JSON names, so rows stored before these types existed
still read back.

The claim id is the patient control number (CLM01, at most 20 characters). It is derived
from the encounter id so that replaying the event history rebuilds the same claims.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

Sex = Literal["F", "M", "U"]
Relationship = Literal["self", "spouse", "child", "other"]
FinancialClass = Literal["commercial", "medicare", "medicaid", "other"]
CoverageStatus = Literal["active", "inactive", "rejected"]
CodeSystem = Literal["CPT", "HCPCS"]
FrequencyCode = Literal["1", "7", "8"]
ClaimStatus = Literal["built", "submitted", "accepted", "rejected"]
# withdrawn: never sent, because its patient's PHI was erased (crypto-shredded) before it went out.
SubmissionStatus = Literal["pending", "sent", "rejected", "withdrawn"]
ReplyResult = Literal["accepted", "rejected", "duplicate"]

CLAIM_STATUSES: tuple[ClaimStatus, ...] = ("built", "submitted", "accepted", "rejected")

# The provider's list price per procedure code (unit price; the claim line charges units x price).
Chargemaster = Mapping[str, Decimal]


def claim_id_for(encounter_id: str, frequency_code: str = "1") -> str:
    """Deterministic patient control number for an encounter's claim (17 characters)."""
    digest = hashlib.sha256(f"{encounter_id}|{frequency_code}".encode()).hexdigest()[:16].upper()
    return f"C{digest}"


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str | None = None


@dataclass(frozen=True)
class Person:
    """A patient or a policy holder."""

    first_name: str
    last_name: str
    birth_date: date
    sex: Sex
    address: Address | None = None


@dataclass(frozen=True)
class Provider:
    """A provider by NPI (the rendering provider)."""

    npi: str
    last_name_or_org: str
    first_name: str | None = None
    taxonomy: str | None = None


@dataclass(frozen=True)
class BillingProvider:
    """The provider the payer pays: NPI, tax id and address are required on a claim."""

    npi: str
    last_name_or_org: str
    tax_id: str
    address: Address
    first_name: str | None = None
    taxonomy: str | None = None


@dataclass(frozen=True)
class InsurancePolicy:
    """The coverage hospital IT recorded for the encounter."""

    payer_id: str
    payer_name: str
    member_id: str
    group_number: str | None = None
    relationship: Relationship = "self"
    financial_class: FinancialClass | None = None
    subscriber: Person | None = None  # the policy holder when the patient is not the subscriber


@dataclass(frozen=True)
class EncounterFacts:
    """What a claim needs of a documented encounter (never its note text)."""

    encounter_id: str
    patient: Person
    coverage: InsurancePolicy
    rendering_provider: Provider
    billing_provider: BillingProvider
    place_of_service: str
    date_of_service: date


@dataclass(frozen=True)
class CoverageFacts:
    """The payer's eligibility answer (271) for the encounter's date of service."""

    encounter_id: str
    payer_id: str
    member_id: str
    date_of_service: date
    status: CoverageStatus
    rejection_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodedDiagnosis:
    code: str  # ICD-10-CM with its decimal point, as in the code set
    rank: int  # 1 is the principal (first-listed) diagnosis


@dataclass(frozen=True)
class CodedLine:
    code: str
    code_system: CodeSystem
    modifiers: tuple[str, ...]
    units: Decimal
    diagnosis_pointers: tuple[int, ...]


@dataclass(frozen=True)
class CodedEncounter:
    """The codes the coding service assigned to the encounter."""

    encounter_id: str
    date_of_service: date
    diagnoses: tuple[CodedDiagnosis, ...]
    lines: tuple[CodedLine, ...]


IntakePart = EncounterFacts | CoverageFacts | CodedEncounter
INTAKE_PARTS = ("encounter", "coverage", "coding")


@dataclass(frozen=True)
class Intake:
    """What has arrived for an encounter so far; a claim is built once all three parts are here."""

    encounter_id: str
    encounter: EncounterFacts | None = None
    coverage: CoverageFacts | None = None
    coding: CodedEncounter | None = None
    claim_id: str | None = None
    held_reasons: tuple[str, ...] | None = None

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The parts not yet received, in the order encounter, coverage, coding."""
        return tuple(name for name in INTAKE_PARTS if getattr(self, name) is None)

    @property
    def ready_to_build(self) -> bool:
        """All parts are here and no claim was built yet (a held intake is tried again)."""
        return self.claim_id is None and not self.waiting_for


@dataclass(frozen=True)
class ClaimLine:
    line_number: int
    code: str
    code_system: CodeSystem
    modifiers: tuple[str, ...]
    units: Decimal
    unit_price: Decimal
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]
    date_of_service: date


@dataclass(frozen=True)
class Claim:
    """A professional claim (837P) of one encounter."""

    claim_id: str
    encounter_id: str
    payer_id: str
    frequency_code: FrequencyCode
    diagnoses: tuple[str, ...]  # principal first, as in the code set (with the decimal point)
    lines: tuple[ClaimLine, ...]
    status: ClaimStatus = "built"

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class Submission:
    """One 837 interchange of a claim: stored with its control number before it is sent."""

    id: int
    claim_id: str
    interchange_control_number: str
    x12: str
    status: SubmissionStatus = "pending"
    attempts: int = 0
    reply_result: ReplyResult | None = None
    reply: str | None = None
    sent_at: datetime | None = None
