"""The X12 boundary: an inbound interchange in, the synchronous answer out.

270 -> 271, 276 -> 277, 837 -> 999 (or TA1 for envelope errors and duplicates) with the
999 and 277CA also placed in the mailbox. Envelope reading and 837 parsing use the shared
toolkit (:mod:`rcm_x12`: ``check_interchange`` reads 837, 270 and 276; its 999 and
TA1 writers answer). The payer-side documents (271, 277, 277CA, 835) are written by
:mod:`rcm_sandbox.x12_render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rcm_x12.ack999 import group_ack, transaction_ack_from_issues, write_999
from rcm_x12.acks import ack_999_for, acks_999_for, ta1_for
from rcm_x12.claim837 import Claim as X12Claim
from rcm_x12.claim837 import Claim837
from rcm_x12.eligibility import Eligibility270
from rcm_x12.eligibility import EligibilityInquiry as X12EligibilityInquiry
from rcm_x12.errors import X12Issue
from rcm_x12.reader import check_interchange
from rcm_x12.status276 import ClaimStatusRequest276
from rcm_x12.syntax import (
    Interchange,
    TransactionSet,
    scan_interchange,
)
from rcm_x12.ta1 import Ta1, write_ta1

from rcm_sandbox.domain.eligibility import EligibilityInquiry
from rcm_sandbox.domain.model import Claim, ServiceLine
from rcm_sandbox.service import SandboxService
from rcm_sandbox.x12_render import (
    EligibilityContext,
    Outbound,
    StatusContext,
    ack_277ca,
    claim_status_277,
    eligibility_271,
    remittance_835,
)

EDI_MEDIA_TYPE = "application/edi-x12"


@dataclass(frozen=True)
class GatewayResponse:
    """What the HTTP layer sends back."""

    status_code: int
    body: str | dict[str, Any]
    result: str | None = None  # X-Sandbox-Result for 837
    headers: dict[str, str] = field(default_factory=dict)


def _issue_json(issue: X12Issue) -> dict[str, Any]:
    return {
        "segment_position": issue.segment_position,
        "segment_id": issue.segment_id,
        "element": issue.element_position,
        "reason": issue.reason,
        "code": issue.code,
        "level": issue.level,
    }


def problem(error: str, issues: list[X12Issue], acknowledgement: str | None = None) -> GatewayResponse:
    """400 with a JSON problem body (and the TA1/999 when X12 allows one)."""
    body: dict[str, Any] = {"error": error, "issues": [_issue_json(i) for i in issues]}
    if acknowledgement is not None:
        body["acknowledgement"] = acknowledgement
    return GatewayResponse(400, body, "rejected")


class X12Gateway:
    """Turns interchanges into service calls and answers; one instance per app."""

    def __init__(self, service: SandboxService) -> None:
        self.service = service

    def _outbound(self, received_sender: str, usage: str = "T") -> Outbound:
        return Outbound(
            self.service.config.clearinghouse_id,
            received_sender,
            self.service.next_control_number(),
            self.service.clock(),
            usage,
        )

    def handle(self, raw: str) -> GatewayResponse:
        """Answer one inbound interchange; 837 work is one store transaction."""
        scan = scan_interchange(raw)
        if scan.interchange is None:
            return problem("unreadable interchange", scan.issues or [])
        inter = scan.interchange
        header = inter.header
        if scan.interchange_errors:
            with self.service.store.transaction():
                note = ta1_for(raw)
                ack = write_ta1(note, self._outbound(header.sender_id, header.usage_indicator).envelope())
            return problem("interchange envelope errors", scan.interchange_errors, ack)
        kinds = {tx.transaction_id for g in inter.groups for tx in g.transactions}
        kind = kinds.pop() if len(kinds) == 1 else "mixed"
        with self.service.store.transaction():
            if kind == "837":
                return self._claims(raw, inter)
            self.service.register_interchange(header.sender_id, header.control_number, kind)
            if kind == "270":
                return self._eligibility(raw, inter)
            if kind == "276":
                return self._status(raw, inter)
            return self._unsupported(inter, kind)

    def _unsupported(self, inter: Interchange, kind: str) -> GatewayResponse:
        """400 with a 999 rejecting every transaction set (IK502 1: not supported)."""
        reason = (
            "an interchange must carry one kind of transaction"
            if kind == "mixed"
            else f"transaction set {kind} is not accepted by the sandbox (270, 276, 837)"
        )
        issues: list[X12Issue] = []
        acks = []
        for group in inter.groups:
            tx_acks = []
            for tx in group.transactions:
                issue = X12Issue(
                    reason=reason,
                    level="transaction",
                    code="1",
                    segment_position=tx.st_position,
                    segment_id="ST",
                    element_position=1,
                )
                issues.append(issue)
                tx_acks.append(transaction_ack_from_issues(tx, [issue]))
            acks.append(
                group_ack(
                    group.header.functional_id,
                    group.header.control_number,
                    group.header.version,
                    len(group.transactions),
                    tx_acks,
                )
            )
        out = self._outbound(inter.header.sender_id, inter.header.usage_indicator)
        return problem(reason, issues, write_999(acks, out.envelope()) if acks else None)

    # 837 ---------------------------------------------------------------------------------
    def _claims(self, raw: str, inter: Interchange) -> GatewayResponse:
        header = inter.header
        out = self._outbound(header.sender_id, header.usage_indicator)
        if not self.service.register_interchange(header.sender_id, header.control_number, "837"):
            note = Ta1(header.control_number, header.date, header.time, "R", "025")
            return GatewayResponse(200, write_ta1(note, out.envelope()), "duplicate")
        check = check_interchange(raw)
        acks = acks_999_for(check)
        body = write_999(acks, out.envelope())
        self.service.put_file("999", body)
        claims: list[Claim] = []
        submitter_id, submitter_name = header.sender_id, ""
        received_on = self.service.clock().date()
        for result in check.results:
            doc = result.document
            if result.has_errors or not isinstance(doc, Claim837):
                continue
            submitter_id, submitter_name = doc.submitter.id or submitter_id, doc.submitter.name
            ndcs = _ndc_by_line(result.transaction)
            offset = 0
            for parsed in doc.claims:
                claims.append(_to_domain(parsed, ndcs, offset, received_on))
                offset += len(parsed.lines)
        if claims:
            decisions = self.service.submit_claims(claims)
            self.service.put_file(
                "277CA",
                ack_277ca(
                    self._outbound(submitter_id, header.usage_indicator),
                    self.service.config,
                    submitter_id,
                    submitter_name,
                    decisions,
                ),
            )
        accepted = any(a.status in ("A", "E", "P") for a in acks)
        return GatewayResponse(200, body, "accepted" if accepted else "rejected")

    # 270 / 276 ---------------------------------------------------------------------------
    def _read_inquiries(self, raw: str, inter: Interchange, kind: str) -> tuple[list[Any], GatewayResponse | None]:
        """Documents of a 270/276 read by the toolkit, or a 400 carrying its 999 rejection."""
        check = check_interchange(raw)
        errors = [i for r in check.results for i in r.issues if i.severity == "error"]
        if errors or not check.results:
            out = self._outbound(inter.header.sender_id, inter.header.usage_indicator)
            return [], problem(f"{kind} cannot be answered", errors, ack_999_for(check, out.envelope()))
        return [r.document for r in check.results], None

    def _eligibility(self, raw: str, inter: Interchange) -> GatewayResponse:
        documents, rejected = self._read_inquiries(raw, inter, "270")
        if rejected is not None:
            return rejected
        today = self.service.clock().date()
        asked: list[tuple[Eligibility270, X12EligibilityInquiry]] = [
            (doc, inq) for doc in documents for inq in doc.inquiries
        ]
        results = self.service.answer_eligibility(
            [
                EligibilityInquiry(
                    payer_id=doc.source.id,
                    member_id=inq.subscriber.member_id,
                    last_name=inq.subscriber.last_name,
                    first_name=inq.subscriber.first_name,
                    birth_date=inq.subscriber.birth_date,
                    service_date=inq.service_date or today,
                )
                for doc, inq in asked
            ]
        )
        contexts: list[EligibilityContext] = []
        for (doc, inq), result in zip(asked, results, strict=True):
            payer = self.service.config.payer(doc.source.id)
            contexts.append(
                EligibilityContext(
                    payer_id=doc.source.id or "UNKNOWN",
                    payer_name=payer.name if payer else doc.source.name or "UNKNOWN PAYER",
                    receiver_name=doc.receiver.name,
                    receiver_id=doc.receiver.id,
                    receiver_qualifier=doc.receiver.id_qualifier,
                    trace_number=inq.trace_number,
                    trace_originator=inq.trace_originator,
                    result=result,
                )
            )
        kinds = {p.payer_id: p.kind for p in self.service.config.payers}
        reference = documents[0].reference
        out = self._outbound(inter.header.sender_id, inter.header.usage_indicator)
        return GatewayResponse(200, eligibility_271(out, reference, contexts, kinds))

    def _status(self, raw: str, inter: Interchange) -> GatewayResponse:
        documents, rejected = self._read_inquiries(raw, inter, "276")
        if rejected is not None:
            return rejected
        contexts: list[StatusContext] = []
        for doc in documents:
            assert isinstance(doc, ClaimStatusRequest276)
            payer = self.service.config.payer(doc.source.id)
            for inq in doc.inquiries:
                answer = self.service.claim_status(inq.patient_control_number, inq.subscriber.member_id)
                contexts.append(
                    StatusContext(
                        payer_id=doc.source.id or "UNKNOWN",
                        payer_name=payer.name if payer else doc.source.name or "UNKNOWN PAYER",
                        receiver_name=doc.receiver.name,
                        receiver_id=doc.receiver.id,
                        provider_npi=inq.provider.id,
                        member_id=inq.subscriber.member_id,
                        last_name=inq.subscriber.last_name,
                        first_name=inq.subscriber.first_name,
                        trace_number=inq.trace_number,
                        service_date=inq.service_from,
                        answer=answer,
                    )
                )
        out = self._outbound(inter.header.sender_id, inter.header.usage_indicator)
        return GatewayResponse(200, claim_status_277(out, documents[0].reference, contexts))

    # 835 ---------------------------------------------------------------------------------
    def release_remittances(self, force: bool) -> list[str]:
        """Put every releasable 835 in the mailbox; returns their file ids.

        With ``force`` it repeats until nothing is left, so a reversal and its corrected
        claim follow their original in a second 835 within the same call.
        """
        released: list[str] = []
        while True:
            with self.service.store.transaction():
                remittances = self.service.due_remittances(force)
                for remittance in remittances:
                    payer = self.service.config.payer(remittance.payer_id)
                    assert payer is not None
                    body = remittance_835(self._outbound(remittance.payee_npi), remittance, payer.kind)
                    released.append(self.service.put_file("835", body).file_id)
            if not remittances or not force:
                return released


def _ndc_by_line(tx: TransactionSet) -> dict[int, str]:
    """NDC (2410 LIN*N4) by service line index in the transaction (not in the toolkit's model)."""
    out: dict[int, str] = {}
    index = -1
    for seg in tx.segments:
        if seg.id == "LX":
            index += 1
        elif seg.id == "LIN" and index >= 0 and seg.get(2) == "N4":
            out[index] = seg.get(3)
    return out


def _to_domain(c: X12Claim, ndcs: dict[int, str], offset: int, received_on: date) -> Claim:
    diagnoses = tuple(c.diagnoses)
    lines: list[ServiceLine] = []
    for number, ln in enumerate(c.lines, start=1):
        pointed = tuple(diagnoses[p - 1] for p in ln.diagnosis_pointers if 0 < p <= len(diagnoses))
        lines.append(
            ServiceLine(
                line_number=number,
                procedure_code=ln.procedure_code,
                charge=ln.charge,
                units=ln.units,
                # A line without DTP*472 is dated the day of receipt.
                service_date=ln.service_date or received_on,
                modifiers=tuple(ln.modifiers),
                diagnosis_codes=pointed,
                ndc=ndcs.get(offset + number - 1),
            )
        )
    return Claim(
        patient_control_number=c.patient_control_number,
        payer_id=c.payer.payer_id,
        member_id=c.subscriber.member_id.upper(),
        subscriber_last_name=c.subscriber.last_name,
        subscriber_first_name=c.subscriber.first_name,
        subscriber_birth_date=c.subscriber.birth_date,
        billing_npi=c.billing_provider.npi,
        total_charge=c.total_charge,
        lines=tuple(lines),
        diagnosis_codes=diagnoses,
        frequency_code=c.frequency_code or "1",
        place_of_service=c.place_of_service,
        original_payer_claim_id=c.payer_claim_control_number or None,
    )
