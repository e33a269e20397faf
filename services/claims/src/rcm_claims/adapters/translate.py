"""Event contracts -> the claims domain's own value types (built once, at the edge).

Only what a claim needs is kept: the encounter's note text and documentation never
enter the claims domain or its tables.
"""

from __future__ import annotations

from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived
from rcm_shared.contracts.coding import EncounterCoded
from rcm_shared.contracts.common import Address as ContractAddress
from rcm_shared.contracts.common import Person as ContractPerson
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted

from rcm_claims.domain.commands import ApplyClaimStatusReport, RecordCoding, RecordCoverage, RecordEncounter
from rcm_claims.domain.model import (
    Address,
    BillingProvider,
    CodedDiagnosis,
    CodedEncounter,
    CodedLine,
    CoverageFacts,
    EncounterFacts,
    InsurancePolicy,
    Person,
    Provider,
)


def _address(a: ContractAddress | None) -> Address | None:
    if a is None:
        return None
    return Address(line1=a.line1, line2=a.line2, city=a.city, state=a.state, postal_code=a.postal_code)


def _person(p: ContractPerson) -> Person:
    return Person(first_name=p.first_name, last_name=p.last_name, birth_date=p.birth_date, sex=p.sex,
                  address=_address(p.address))


def encounter_facts(e: EncounterCompleted) -> EncounterFacts:
    """What a claim needs of a documented encounter."""
    cov, rp, bp = e.coverage, e.rendering_provider, e.billing_provider
    return EncounterFacts(
        encounter_id=e.encounter_id,
        patient=_person(e.patient),
        coverage=InsurancePolicy(
            payer_id=cov.payer_id, payer_name=cov.payer_name, member_id=cov.member_id, group_number=cov.group_number,
            relationship=cov.relationship, financial_class=cov.financial_class,
            subscriber=None if cov.subscriber is None else _person(cov.subscriber),
        ),
        rendering_provider=Provider(npi=rp.npi, last_name_or_org=rp.last_name_or_org, first_name=rp.first_name,
                                    taxonomy=rp.taxonomy),
        billing_provider=BillingProvider(npi=bp.npi, last_name_or_org=bp.last_name_or_org, tax_id=bp.tax_id,
                                         address=Address(line1=bp.address.line1, line2=bp.address.line2,
                                                         city=bp.address.city, state=bp.address.state,
                                                         postal_code=bp.address.postal_code),
                                         first_name=bp.first_name, taxonomy=bp.taxonomy),
        place_of_service=e.place_of_service,
        date_of_service=e.date_of_service,
    )


def coverage_facts(c: EligibilityChecked) -> CoverageFacts:
    """The payer's eligibility answer as the scrubber reads it."""
    return CoverageFacts(encounter_id=c.encounter_id, payer_id=c.payer_id, member_id=c.member_id,
                         date_of_service=c.date_of_service, status=c.status,
                         rejection_codes=tuple(c.rejection_codes))


def coded_encounter(c: EncounterCoded) -> CodedEncounter:
    """The encounter's codes (units keep their decimals)."""
    return CodedEncounter(
        encounter_id=c.encounter_id,
        date_of_service=c.date_of_service,
        diagnoses=tuple(CodedDiagnosis(code=d.code, rank=d.rank) for d in c.diagnoses),
        lines=tuple(CodedLine(code=ln.code, code_system=ln.code_system, modifiers=tuple(ln.modifiers), units=ln.units,
                              diagnosis_pointers=tuple(ln.diagnosis_pointers))
                    for ln in c.lines),
    )


def record_encounter(e: EncounterCompleted) -> RecordEncounter:
    return RecordEncounter(encounter_facts(e))


def record_coverage(c: EligibilityChecked) -> RecordCoverage:
    return RecordCoverage(coverage_facts(c))


def record_coding(c: EncounterCoded) -> RecordCoding:
    return RecordCoding(coded_encounter(c))


def apply_claim_status_report(f: ClearinghouseFileReceived) -> ApplyClaimStatusReport:
    return ApplyClaimStatusReport(file_id=f.file_id, content=f.content)
