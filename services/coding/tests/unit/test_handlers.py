"""The coding handlers on the in-memory unit of work: no broker, no database, a stand-in engine.

``code_encounter`` runs through the real consumer loop (``deliver``), so the inbox, the
transaction and the dead-letter path are the ones production uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from rcm_coding.adapters.memory import CodingStore, FakeCodingUnitOfWork
from rcm_coding.domain import review as r
from rcm_coding.domain.codesets import CodeSetRegistry
from rcm_coding.domain.commands import CodeEncounter, DecideReview
from rcm_coding.domain.errors import (
    EditsFailedError,
    InvalidEncounterError,
    InvalidReviewDecisionError,
    ReasonRequiredError,
    ReviewCaseClosedError,
    ReviewNotFoundError,
)
from rcm_coding.domain.model import (
    CodingResult,
    CodingStatus,
    DiagnosisProposal,
    EncounterDocumentation,
    Evidence,
    FinalCodes,
    FinalLine,
    ProcedureLine,
)
from rcm_coding.entrypoints.consumers import subscriptions
from rcm_coding.service import handlers
from rcm_coding.service.ports import Coder
from rcm_shared.contracts.coding import CODING_REVIEW_REQUIRED, ENCOUNTER_CODED, CodingReviewRequired, EncounterCoded
from rcm_shared.contracts.encounters import ENCOUNTER_COMPLETED
from rcm_shared.envelope import Envelope, new_event
from rcm_shared.messaging import Subscription
from rcm_shared.testing.fakes import deliver
from rcm_shared.testing.samples import encounter_payload
from rcm_shared.topics import Topic
from rcm_shared.tracing import trace_id

DOS = date(2026, 10, 14)  # encounter_payload's date of service


# ----------------------------------------------------------------------------- stand-in engines
def proposal_result(*, dx: tuple[str, ...] = ("I10",), lines: tuple[tuple[str, Decimal, tuple[int, ...]], ...] = (
        ("99213", Decimal(1), (1,)),), reasons: tuple[str, ...] = ()) -> CodingResult:
    """A result as the engine gives it: diagnoses, lines (code, units, pointers), review reasons."""
    evidence = (Evidence(0, 10, "assessment", "synthetic"),)
    return CodingResult(
        diagnoses=tuple(DiagnosisProposal(c, f"label of {c}", "dx.test", 0.95, evidence) for c in dx),
        procedures=tuple(ProcedureLine(c, f"label of {c}", "px.test", 0.9, (), u, p, evidence) for c, u, p in lines),
        edit_failures=(), needs_review=bool(reasons), review_reasons=reasons, code_set_versions={"icd10cm": "test"})


@dataclass
class CannedCoder:
    """Answers every encounter with one result and remembers what it was given."""

    result: CodingResult
    seen: list[EncounterDocumentation] = field(default_factory=list)

    def code_encounter(self, doc: EncounterDocumentation) -> CodingResult:
        self.seen.append(doc)
        return self.result


class EchoCoder:
    """Codes the clinician's entries as they are (each line points to the first diagnosis)."""

    def code_encounter(self, doc: EncounterDocumentation) -> CodingResult:
        return proposal_result(dx=doc.structured_diagnoses,
                               lines=tuple((p.code, p.units, (1,)) for p in doc.structured_procedures))


class RefusingCoder:
    def code_encounter(self, doc: EncounterDocumentation) -> CodingResult:
        raise InvalidEncounterError("patient_sex must be F, M or U (got 'X')")


REVIEW_REASON = "clinician-entered diagnosis J18.9 is not supported by the note"


# ----------------------------------------------------------------------------- helpers
def encounter(encounter_id: str = "ENC-1", **overrides: Any) -> Envelope:
    return new_event(ENCOUNTER_COMPLETED, encounter_payload(encounter_id, **overrides), source="rcm/hospital",
                     correlation_id=encounter_id, key=encounter_id)


async def deliver_encounter(store: CodingStore, coder: Coder, event: Envelope) -> None:
    subscription: Subscription[FakeCodingUnitOfWork]
    [subscription] = subscriptions(coder)
    await deliver(subscription, event, lambda: FakeCodingUnitOfWork(store), topic=Topic.ENCOUNTERS)


async def queue_for_review(store: CodingStore, encounter_id: str = "ENC-R", *,
                           result: CodingResult | None = None) -> Envelope:
    event = encounter(encounter_id)
    await deliver_encounter(store, CannedCoder(result or proposal_result(dx=("R05.9",), reasons=(REVIEW_REASON,))),
                            event)
    return event


async def decide(store: CodingStore, reference: CodeSetRegistry, decision: r.Decision, *,
                 encounter_id: str = "ENC-R", user: str = "coder7") -> r.ReviewCase:
    async with FakeCodingUnitOfWork(store) as uow:
        case = await handlers.decide_review(DecideReview(encounter_id, user, decision), uow, cause=None,
                                            reference=reference)
        await uow.commit()
    return case


def coded_events(store: CodingStore) -> list[EncounterCoded]:
    return [e.payload_as(EncounterCoded) for e in store.events(ENCOUNTER_CODED)]


def assert_continues(child: Envelope, cause: Envelope) -> None:
    assert child.causation_id == cause.id
    assert child.correlation_id == cause.correlation_id
    assert trace_id(child.traceparent) == trace_id(cause.traceparent)


# ----------------------------------------------------------------------------- code_encounter
async def test_a_result_without_review_reasons_is_coded_and_emitted_caused_by_the_encounter() -> None:
    store, event = CodingStore(), encounter("ENC-1")
    await deliver_encounter(store, CannedCoder(proposal_result()), event)

    coding = store.codings["ENC-1"]
    assert coding.status is CodingStatus.CODED and coding.coded_by == "engine"
    assert coding.final_codes == FinalCodes(("I10",), (FinalLine("99213", (), Decimal(1), (1,)),), "engine")
    assert "ENC-1" not in store.cases
    [emitted] = store.events()
    assert emitted.type == ENCOUNTER_CODED and emitted.key == "ENC-1"
    assert_continues(emitted, event)
    coded = emitted.payload_as(EncounterCoded)
    assert [(d.code, d.rank) for d in coded.diagnoses] == [("I10", 1)]
    assert [(ln.code, ln.code_system, ln.units, ln.diagnosis_pointers) for ln in coded.lines] == [
        ("99213", "CPT", Decimal(1), [1])]
    assert coded.coded_by == "engine" and not coded.reviewed and coded.date_of_service == DOS


async def test_a_coded_encounter_keeps_the_engines_diagnosis_order_modifiers_and_pointers() -> None:
    store = CodingStore()
    result = proposal_result(dx=("E11.9", "I10"), lines=(("99214", Decimal(1), (1, 2)), ("J1030", Decimal(1), (2,))))
    result = replace(result, procedures=(replace(result.procedures[0], modifiers=("25",)), result.procedures[1]))
    await deliver_encounter(store, CannedCoder(result), encounter("ENC-O"))
    [coded] = coded_events(store)
    assert [(d.code, d.rank) for d in coded.diagnoses] == [("E11.9", 1), ("I10", 2)]
    assert [(ln.code, ln.code_system, ln.modifiers, ln.diagnosis_pointers) for ln in coded.lines] == [
        ("99214", "CPT", ["25"], [1, 2]), ("J1030", "HCPCS", [], [2])]


async def test_the_engine_is_given_the_encounters_documentation_and_nothing_else() -> None:
    store, coder = CodingStore(), CannedCoder(proposal_result())
    await deliver_encounter(store, coder, encounter("ENC-2"))
    [doc] = coder.seen
    assert doc.date_of_service == DOS and doc.patient_sex == "F" and doc.age_on_service_date() == 56
    assert doc.structured_diagnoses == ("I10",) and doc.note_text.startswith("Assessment: essential hypertension")
    assert store.codings["ENC-2"].note_text == doc.note_text


async def test_units_keep_their_decimals_from_encounter_completed_to_encounter_coded() -> None:
    store = CodingStore()
    procedures = [{"code": "J1030", "units": "0.5"}, {"code": "96372", "units": "2.75"}]
    event = encounter("ENC-U", documentation={"note_text": "Assessment: hypertension.",
                                              "diagnoses": [{"code": "I10"}], "procedures": procedures})
    await deliver_encounter(store, EchoCoder(), event)

    [coded] = coded_events(store)
    assert [(ln.code, ln.code_system, ln.units) for ln in coded.lines] == [
        ("J1030", "HCPCS", Decimal("0.5")), ("96372", "CPT", Decimal("2.75"))]
    assert [ln["units"] for ln in store.events()[0].payload["lines"]] == ["0.5", "2.75"]
    final = store.codings["ENC-U"].final_codes
    assert final is not None and [ln.units for ln in final.lines] == [Decimal("0.5"), Decimal("2.75")]


async def test_a_result_with_review_reasons_is_queued_with_its_cause_and_announced() -> None:
    store = CodingStore()
    event = await queue_for_review(store, "ENC-R")

    coding = store.codings["ENC-R"]
    assert coding.status is CodingStatus.REVIEW and coding.final_codes is None and coding.coded_by is None
    stored = store.cases["ENC-R"]
    assert stored.cause == event.as_cause()
    case = stored.case
    assert case.status is r.ReviewStatus.OPEN and case.case_id == "RC-ENC-R"
    assert case.final_diagnoses == ("R05.9",) and [ln.code for ln in case.final_lines] == ["99213"]
    assert (case.patient_age, case.patient_sex) == (56, "F")
    assert [a.action for a in case.audit] == ["opened"] and case.audit[0].detail == REVIEW_REASON
    assert store.events(ENCOUNTER_CODED) == []
    [announced] = store.events(CODING_REVIEW_REQUIRED)
    assert_continues(announced, event)
    payload = announced.payload_as(CodingReviewRequired)
    assert payload.reasons == [REVIEW_REASON] and payload.proposed_codes == ["R05.9", "99213"]


@pytest.mark.parametrize("result", [
    proposal_result(lines=()),
    proposal_result(dx=()),
    proposal_result(lines=(("99213", Decimal(1), ()),)),
], ids=["no line", "no diagnosis", "a line pointing nowhere"])
async def test_a_result_that_cannot_be_billed_goes_to_review_with_the_default_reason(result: CodingResult) -> None:
    store = CodingStore()
    await deliver_encounter(store, CannedCoder(result), encounter("ENC-N"))
    assert store.codings["ENC-N"].status is CodingStatus.REVIEW and "ENC-N" in store.cases
    [announced] = store.events()
    assert announced.payload_as(CodingReviewRequired).reasons == [handlers.NOTHING_BILLABLE]


async def test_documentation_the_engine_refuses_is_dead_lettered_without_any_effect() -> None:
    store = CodingStore()
    await deliver_encounter(store, RefusingCoder(), encounter("ENC-X"))
    assert store.codings == {} and store.cases == {} and store.events() == []
    [dead] = store.raw()
    assert dict(dead.headers)["dlq_error_type"] == b"InvalidDocumentationError"


async def test_the_same_encounter_event_delivered_twice_is_coded_once() -> None:
    store, coder, event = CodingStore(), CannedCoder(proposal_result()), encounter("ENC-D")
    for _ in range(2):
        await deliver_encounter(store, coder, event)
    assert len(coder.seen) == 1 and list(store.codings) == ["ENC-D"] and len(store.events()) == 1


async def test_the_same_encounter_queued_twice_opens_one_case_and_announces_it_once() -> None:
    store = CodingStore()
    event = await queue_for_review(store, "ENC-Q")
    await deliver_encounter(store, CannedCoder(proposal_result(reasons=("x",))), event)
    assert len(store.events(CODING_REVIEW_REQUIRED)) == 1 and store.cases["ENC-Q"].case.audit[0].detail == REVIEW_REASON


async def test_a_new_coding_of_a_queued_encounter_replaces_its_case() -> None:
    store = CodingStore()
    await queue_for_review(store, "ENC-A")
    await deliver_encounter(store, CannedCoder(proposal_result()), encounter("ENC-A"))  # a corrected encounter
    assert store.codings["ENC-A"].status is CodingStatus.CODED and "ENC-A" not in store.cases


async def test_code_encounter_answers_the_status_it_reached() -> None:
    store = CodingStore()
    doc = EncounterDocumentation("Assessment: hypertension.", DOS, "M", 40)
    for coder, expected in ((CannedCoder(proposal_result()), CodingStatus.CODED),
                            (CannedCoder(proposal_result(reasons=("low confidence",))), CodingStatus.REVIEW)):
        async with FakeCodingUnitOfWork(store) as uow:
            status = await handlers.code_encounter(CodeEncounter(f"E-{expected}", doc), uow, cause=None, coder=coder)
        assert status is expected
    assert store.codings == {}  # nothing committed: the caller owns the transaction


# ----------------------------------------------------------------------------- decide_review
async def test_an_edit_keeps_the_case_open_logs_the_step_and_emits_nothing(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    case = await decide(store, reference, r.EditCodes((r.SetUnits(1, Decimal("2")),), "two units documented"))

    assert case.status is r.ReviewStatus.OPEN and case.final_lines[0].units == Decimal(2)
    assert store.cases["ENC-R"].case == case and store.codings["ENC-R"].status is CodingStatus.REVIEW
    [logged] = store.audit["ENC-R"]
    assert (logged.action, logged.user, logged.reason) == ("edited", "coder7", "two units documented")
    assert store.events(ENCOUNTER_CODED) == []


async def test_completing_a_case_emits_its_codes_with_the_trail_caused_by_the_queued_encounter(
        reference: CodeSetRegistry) -> None:
    store = CodingStore()
    queued = await queue_for_review(store)
    await decide(store, reference, r.EditCodes((r.SetUnits(1, Decimal("2.75")),), "time documented"))
    case = await decide(store, reference, r.CompleteReview("reviewed"))

    assert case.status is r.ReviewStatus.COMPLETED
    coding = store.codings["ENC-R"]
    assert coding.status is CodingStatus.CODED and coding.coded_by == "coder:coder7"
    [emitted] = store.events(ENCOUNTER_CODED)
    assert_continues(emitted, queued)
    coded = emitted.payload_as(EncounterCoded)
    assert coded.coded_by == "coder:coder7" and coded.reviewed
    assert [d.code for d in coded.diagnoses] == ["R05.9"]
    assert [(ln.code, ln.units) for ln in coded.lines] == [("99213", Decimal("2.75"))]
    assert [t.action for t in coded.review_trail] == ["opened", "edited", "completed"]
    assert coded.review_trail[1].reason == "time documented"
    assert [a.action for a in store.audit["ENC-R"]] == ["edited", "completed"]


async def test_accepting_the_proposals_emits_them_as_proposed(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    await decide(store, reference, r.AcceptProposals("looks right"))
    [coded] = coded_events(store)
    assert [d.code for d in coded.diagnoses] == ["R05.9"] and [ln.code for ln in coded.lines] == ["99213"]
    assert [t.action for t in coded.review_trail] == ["opened", "accepted"]


async def test_rejecting_a_case_closes_it_without_codes(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    case = await decide(store, reference, r.RejectEncounter("duplicate visit"))
    assert case.status is r.ReviewStatus.REJECTED
    assert store.codings["ENC-R"].status is CodingStatus.REJECTED and store.codings["ENC-R"].final_codes is None
    assert store.events(ENCOUNTER_CODED) == []


async def test_a_case_queued_without_a_stored_cause_starts_its_own_chain(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    store.cases["ENC-R"] = type(store.cases["ENC-R"])(store.cases["ENC-R"].case, None)  # queued before causes
    await decide(store, reference, r.AcceptProposals())
    [emitted] = store.events(ENCOUNTER_CODED)
    assert emitted.causation_id is None and emitted.correlation_id == "ENC-R"


async def test_a_decision_on_an_encounter_without_a_case_is_not_found(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await deliver_encounter(store, CannedCoder(proposal_result()), encounter("ENC-C"))  # coded, no case
    for encounter_id in ("NOPE", "ENC-C"):
        with pytest.raises(ReviewNotFoundError, match=encounter_id):
            await decide(store, reference, r.AcceptProposals(), encounter_id=encounter_id)


async def test_a_closed_case_takes_no_further_decision_and_emits_once(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    await decide(store, reference, r.CompleteReview())
    with pytest.raises(ReviewCaseClosedError):
        await decide(store, reference, r.CompleteReview())
    with pytest.raises(ReviewCaseClosedError):
        await decide(store, reference, r.RejectEncounter("too late"), user="coder8")
    assert len(store.events(ENCOUNTER_CODED)) == 1 and store.codings["ENC-R"].status is CodingStatus.CODED


async def test_closing_with_codes_that_fail_edits_is_refused_and_changes_nothing(reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    await decide(store, reference, r.EditCodes((r.ReplaceDiagnosis("R05.9", "R05"),), "symptom coded"))
    before = (store.cases["ENC-R"], list(store.audit["ENC-R"]))
    with pytest.raises(EditsFailedError) as failed:
        await decide(store, reference, r.CompleteReview())
    assert [(f.edit_id, f.codes) for f in failed.value.failures] == [("ICD_NOT_BILLABLE", ("R05",))]
    assert (store.cases["ENC-R"], store.audit["ENC-R"]) == before and store.events(ENCOUNTER_CODED) == []


async def test_an_override_reason_closes_despite_failed_edits_and_keeps_them_in_the_trail(
        reference: CodeSetRegistry) -> None:
    store = CodingStore()
    await queue_for_review(store)
    await decide(store, reference, r.EditCodes((r.AddDiagnosis("N40.0"),), "per addendum"))
    with pytest.raises(EditsFailedError) as failed:
        await decide(store, reference, r.CompleteReview())
    assert [f.edit_id for f in failed.value.failures] == ["ICD_SEX_CONFLICT"]
    await decide(store, reference, r.CompleteReview(override_reason="sex recorded wrongly; ticket 12"))
    [coded] = coded_events(store)
    assert coded.review_trail[-1].reason == "sex recorded wrongly; ticket 12"
    assert "edits overridden: ICD_SEX_CONFLICT (N40.0)" in coded.review_trail[-1].detail


@pytest.mark.parametrize("decision, error", [
    (r.EditCodes((r.RemoveDiagnosis("R05.9"),), " "), ReasonRequiredError),
    (r.RejectEncounter(""), ReasonRequiredError),
    (r.EditCodes((r.SetUnits(1, Decimal(0)),), "no units"), InvalidReviewDecisionError),
    (r.EditCodes((r.RemoveLine(7),), "gone"), InvalidReviewDecisionError),
], ids=["edit without reason", "reject without reason", "zero units", "missing line"])
async def test_an_invalid_decision_is_refused_and_changes_nothing(
        reference: CodeSetRegistry, decision: r.Decision, error: type[Exception]) -> None:
    store = CodingStore()
    await queue_for_review(store)
    before = store.cases["ENC-R"]
    with pytest.raises(error):
        await decide(store, reference, decision)
    assert store.cases["ENC-R"] == before and "ENC-R" not in store.audit

