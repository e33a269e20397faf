"""Synthetic X12 documents for the x12 tests (no real patients, payers or providers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from rcm_x12 import (
    Address,
    Adjustment,
    BillingProvider,
    Claim,
    Claim837,
    ClaimStatus,
    ClaimStatusReport,
    EnvelopeParams,
    Patient,
    Payer,
    Provider,
    ProviderAdjustment,
    Receiver,
    RemitClaim,
    RemitPatient,
    RemitPayee,
    RemitPayer,
    RemitServiceLine,
    Remittance835,
    ServiceLine,
    StatusInfo,
    StatusParty,
    StatusPerson,
    Submitter,
    Subscriber,
)
from rcm_x12.common import Party, Person
from rcm_x12.eligibility import (
    Benefit,
    CoverageDate,
    Eligibility270,
    Eligibility271,
    EligibilityInquiry,
    EligibilityResponse,
    Rejection,
)
from rcm_x12.status276 import ClaimStatusRequest276, StatusInquiry


def conformance_dir() -> Path:
    """/work/shared/conformance/x12 computed from the repo root (never copied into the repo)."""
    here = Path(__file__).resolve()
    root = next(p for p in here.parents if (p / "uv.lock").exists())
    return root.parent / "shared" / "conformance" / "x12"


def conformance_files() -> list[Path]:
    return sorted(p for p in conformance_dir().rglob("*")
                  if p.is_file() and p.name not in ("LICENSE", "SOURCES.md"))


def envelope(interchange: int = 101, group: int = 201, transaction: int = 1,
             sender: str = "SUBMITTER01", receiver: str = "PAYER01") -> EnvelopeParams:
    return EnvelopeParams(sender_id=sender, receiver_id=receiver,
                          interchange_control_number=interchange, group_control_number=group,
                          transaction_control_number=transaction, date=date(2026, 3, 2),
                          time="0930")


BILLING = BillingProvider(name="SUNNY VALLEY CLINIC", npi="1234567893", tax_id="123456789",
                          address=Address("100 MAIN ST", "SPRINGFIELD", "IL", "627010001"),
                          taxonomy="207Q00000X")
SUBSCRIBER = Subscriber(member_id="XJ100200300", last_name="DOE", first_name="JANE",
                        birth_date=date(1980, 4, 12), sex="F", group_number="GRP77",
                        address=Address("12 ELM ST", "SPRINGFIELD", "IL", "62702"))
PAYER = Payer(name="ACME HEALTH PLAN", payer_id="60054")
RENDERING = Provider(last_name="SMITH", first_name="ALEX", npi="1497758544", taxonomy="207Q00000X")


def sample_claim(pcn: str = "PCN0001", /, **overrides: object) -> Claim:
    lines = (
        ServiceLine(procedure_code="99213", charge=Decimal("125.00"), units=Decimal("1"),
                    service_date=date(2026, 2, 20), modifiers=("25",),
                    diagnosis_pointers=(1, 2), line_control_number="L1"),
        ServiceLine(procedure_code="81002", charge=Decimal("12.50"), units=Decimal("1"),
                    service_date=date(2026, 2, 20), diagnosis_pointers=(1,),
                    line_control_number="L2"),
    )
    fields: dict[str, object] = dict(
        patient_control_number=pcn, total_charge=Decimal("137.50"), place_of_service="11",
        billing_provider=BILLING, subscriber=SUBSCRIBER, payer=PAYER,
        diagnoses=("E119", "R300"), lines=lines, rendering_provider=RENDERING,
    )
    fields.update(overrides)
    return Claim(**fields)  # type: ignore[arg-type]


def sample_837p(claims: tuple[Claim, ...] | None = None) -> Claim837:
    return Claim837(
        kind="P", submitter=Submitter("SUNNY VALLEY CLINIC", "SUBMITTER01", "BILLING DESK",
                                      "2175550100"),
        receiver=Receiver("ACME HEALTH PLAN", "PAYER01"), reference="BATCH0001",
        created=date(2026, 3, 2), created_time="0930",
        claims=claims if claims is not None else (sample_claim(),),
    )


def sample_837p_two_claims_with_dependent() -> Claim837:
    child = Patient(last_name="DOE", first_name="SAM", birth_date=date(2015, 6, 1), sex="M",
                    relationship="19", address=Address("12 ELM ST", "SPRINGFIELD", "IL", "62702"))
    replacement = sample_claim("PCN0002", patient=child, frequency_code="7",
                               payer_claim_control_number="ICN998877",
                               subscriber=Subscriber(member_id="XJ100200300", last_name="DOE",
                                                     first_name="JANE", relationship="",
                                                     group_number="GRP77"))
    return sample_837p((sample_claim("PCN0001"), replacement))


def sample_837i() -> Claim837:
    line = ServiceLine(procedure_code="99284", charge=Decimal("850.00"), units=Decimal("1"),
                       service_date=date(2026, 2, 18), revenue_code="0450",
                       diagnosis_pointers=())
    lab = ServiceLine(procedure_code="", charge=Decimal("150.25"), units=Decimal("2"),
                      service_date=date(2026, 2, 18), revenue_code="0300", diagnosis_pointers=())
    claim = Claim(
        patient_control_number="HOSP0001", total_charge=Decimal("1000.25"), place_of_service="13",
        billing_provider=BILLING, subscriber=SUBSCRIBER, payer=PAYER,
        diagnoses=("R079", "I10"), lines=(line, lab), provider_signature="",
        attending_provider=RENDERING, statement_from=date(2026, 2, 18),
        statement_to=date(2026, 2, 18), admission_type="1", admission_source="7",
        patient_status="01",
    )
    return Claim837(kind="I", submitter=Submitter("SUNNY VALLEY HOSPITAL", "SUBMITTER01",
                                                  "BILLING DESK", "2175550100"),
                    receiver=Receiver("ACME HEALTH PLAN", "PAYER01"), reference="BATCH0002",
                    created=date(2026, 3, 2), created_time="0930", claims=(claim,))


def sample_835() -> Remittance835:
    """A balanced 835: two claims (one paid with PR/CO, one denied) and an interest PLB."""
    line1 = RemitServiceLine(
        procedure_code="99213", modifiers=("25",), charge=Decimal("125.00"), paid=Decimal("72.00"),
        units=Decimal("1"), service_date=date(2026, 2, 20), allowed=Decimal("92.00"),
        adjustments=(Adjustment("CO", "45", Decimal("33.00")),
                     Adjustment("PR", "2", Decimal("20.00"))),
        line_control_number="L1")
    line2 = RemitServiceLine(
        procedure_code="81002", charge=Decimal("12.50"), paid=Decimal("0"), units=Decimal("1"),
        service_date=date(2026, 2, 20), allowed=Decimal("0"),
        adjustments=(Adjustment("CO", "97", Decimal("12.50")),), line_control_number="L2",
        remark_codes=("M15",))
    paid = RemitClaim(patient_control_number="PCN0001", status="1", charge=Decimal("137.50"),
                      paid=Decimal("72.00"), patient_responsibility=Decimal("20.00"),
                      filing_indicator="12", payer_claim_control_number="ICN0001",
                      facility_code="11", frequency_code="1",
                      patient=RemitPatient("DOE", "JANE", "XJ100200300"), lines=(line1, line2),
                      received_date=date(2026, 3, 3))
    denied = RemitClaim(patient_control_number="PCN0003", status="4", charge=Decimal("80"),
                        paid=Decimal("0"), patient_responsibility=Decimal("0"),
                        filing_indicator="12", payer_claim_control_number="ICN0003",
                        adjustments=(Adjustment("CO", "29", Decimal("80"), Decimal("1")),),
                        patient=RemitPatient("ROE", "RICHARD", "XJ555"))
    return Remittance835(
        payment_amount=Decimal("70.50"), payment_method="CHK", payment_date=date(2026, 3, 10),
        trace_number="CHK000123", originator_id="1600054000", production_date=date(2026, 3, 9),
        payer=RemitPayer(name="ACME HEALTH PLAN",
                         address=Address("1 INSURANCE WAY", "CHICAGO", "IL", "60601"),
                         payer_id="60054", contact_name="EDI SUPPORT", contact_phone="8005550199"),
        payee=RemitPayee(name="SUNNY VALLEY CLINIC", id="1234567893", tax_id="123456789",
                         address=Address("100 MAIN ST", "SPRINGFIELD", "IL", "627010001")),
        claims=(paid, denied),
        provider_adjustments=(ProviderAdjustment("1234567893", date(2026, 12, 31), "WO",
                                                 Decimal("2.00"), "ICN0000"),
                              ProviderAdjustment("1234567893", date(2026, 12, 31), "L6",
                                                 Decimal("-0.50"))),
    )


def sample_277ca() -> ClaimStatusReport:
    provider = StatusParty(name="SUNNY VALLEY CLINIC", id="1234567893", id_qualifier="XX",
                           trace_number="0",
                           statuses=(StatusInfo("A1", "19", "PR", None, "WQ",
                                                Decimal("217.50")),))
    accepted = ClaimStatus(
        patient=StatusPerson("DOE", "JANE", "XJ100200300"), provider=provider,
        statuses=(StatusInfo("A2", "20", "PR", date(2026, 3, 3), "WQ", Decimal("137.50")),),
        patient_control_number="PCN0001", payer_claim_control_number="ICN0001",
        service_from=date(2026, 2, 20), service_to=date(2026, 2, 20))
    rejected = ClaimStatus(
        patient=StatusPerson("ROE", "RICHARD", "XJ555"), provider=provider,
        statuses=(StatusInfo("A7", "562", "85", date(2026, 3, 3), "U", Decimal("80")),),
        patient_control_number="PCN0003", service_from=date(2026, 2, 10),
        service_to=date(2026, 2, 12))
    return ClaimStatusReport(
        kind="277CA", reference="ACK0001", created=date(2026, 3, 3), created_time="1015",
        source=StatusParty(name="ACME HEALTH PLAN", id="60054", id_qualifier="PI",
                           trace_number="BATCH0001"),
        receiver=StatusParty(name="SUNNY VALLEY CLINIC", id="SUBMITTER01", id_qualifier="46",
                             trace_number="BATCH0001",
                             statuses=(StatusInfo("A1", "19", "PR", date(2026, 3, 3), "WQ",
                                                  Decimal("217.50")),)),
        received_date=date(2026, 3, 2), processed_date=date(2026, 3, 3),
        claims=(accepted, rejected))


def sample_270() -> Eligibility270:
    return Eligibility270(
        reference="ELIG0001", created=date(2026, 3, 2), created_time="0930",
        source=Party("ACME HEALTH PLAN", "60054", "PI"),
        receiver=Party("SUNNY VALLEY CLINIC", "1234567893", "XX"),
        inquiries=(
            EligibilityInquiry(trace_number="TRACE1", trace_originator="9123456789",
                               subscriber=Person("DOE", "JANE", "XJ100200300", date(1980, 4, 12),
                                                 "F"),
                               service_date=date(2026, 3, 5), service_types=("30",)),
            EligibilityInquiry(trace_number="TRACE2",
                               subscriber=Person("DOE", "JANE", "XJ100200300"),
                               dependent=Person("DOE", "SAM", "", date(2015, 6, 1), "M"),
                               service_date=date(2026, 3, 5), service_types=("30", "98")),
        ))


def sample_271() -> Eligibility271:
    jane = Person("DOE", "JANE", "XJ100200300", date(1980, 4, 12), "F",
                  Address("12 ELM ST", "SPRINGFIELD", "IL", "62702"))
    active = EligibilityResponse(
        trace_number="TRACE1", trace_originator="9123456789", subscriber=jane,
        dates=(CoverageDate("346", date(2026, 1, 1)),),
        benefits=(
            Benefit("1", "IND", ("30",), "HM", "GOLD PLAN"),
            Benefit("B", "IND", ("98",), "HM", time_period="27", amount=Decimal("25.00")),
            Benefit("C", "IND", ("30",), time_period="29", amount=Decimal("1250.5"),
                    in_network="Y"),
            Benefit("A", "IND", ("30",), percent=Decimal("0.2")),
        ))
    not_found = EligibilityResponse(
        trace_number="TRACE3", subscriber=Person("ROE", "RICHARD", "XJ555"),
        rejections=(Rejection("N", "75", "C"),))
    return Eligibility271(reference="ELIG0001", created=date(2026, 3, 2), created_time="0931",
                          source=Party("ACME HEALTH PLAN", "60054", "PI"),
                          receiver=Party("SUNNY VALLEY CLINIC", "1234567893", "XX"),
                          responses=(active, not_found))


def sample_276() -> ClaimStatusRequest276:
    provider = Party("SUNNY VALLEY CLINIC", "1234567893", "XX")
    return ClaimStatusRequest276(
        reference="STAT0001", created=date(2026, 3, 20), created_time="0800",
        source=Party("ACME HEALTH PLAN", "60054", "PI"),
        receiver=Party("SUNNY VALLEY CLINIC", "SUBMITTER01", "46"),
        inquiries=(
            StatusInquiry(trace_number="ST1", subscriber=Person("DOE", "JANE", "XJ100200300",
                                                                 date(1980, 4, 12), "F"),
                          provider=provider, patient_control_number="PCN0001",
                          payer_claim_control_number="ICN0001", total_charge=Decimal("137.50"),
                          service_from=date(2026, 2, 20), service_to=date(2026, 2, 20)),
            StatusInquiry(trace_number="ST2", subscriber=Person("DOE", "JANE", "XJ100200300"),
                          dependent=Person("DOE", "SAM", "", date(2015, 6, 1), "M"),
                          provider=provider, patient_control_number="PCN0002",
                          total_charge=Decimal("80"), service_from=date(2026, 2, 10),
                          service_to=date(2026, 2, 12)),
        ))


def sample_277() -> ClaimStatusReport:
    provider = StatusParty("SUNNY VALLEY CLINIC", "1234567893", "XX")
    return ClaimStatusReport(
        kind="277", reference="STAT0001", created=date(2026, 3, 21), created_time="0800",
        source=StatusParty("ACME HEALTH PLAN", "60054", "PI"),
        receiver=StatusParty("SUNNY VALLEY CLINIC", "SUBMITTER01", "46"),
        claims=(
            ClaimStatus(patient=StatusPerson("DOE", "JANE", "XJ100200300"), provider=provider,
                        statuses=(StatusInfo("F1", "65", "", date(2026, 3, 10), "",
                                             Decimal("137.5"), Decimal("72")),),
                        trace_number="ST1", patient_control_number="PCN0001",
                        payer_claim_control_number="ICN0001", service_from=date(2026, 2, 20),
                        service_to=date(2026, 2, 20)),
            ClaimStatus(patient=StatusPerson("DOE", "SAM"), provider=provider,
                        subscriber=StatusPerson("DOE", "JANE", "XJ100200300"),
                        statuses=(StatusInfo("P1", "20", "", date(2026, 3, 15)),),
                        trace_number="ST2", patient_control_number="PCN0002",
                        service_from=date(2026, 2, 10), service_to=date(2026, 2, 12)),
        ))
