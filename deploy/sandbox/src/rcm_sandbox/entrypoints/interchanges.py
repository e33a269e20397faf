"""The X12 desk: an inbound interchange is read (``adapters.x12_gateway``), turned into one
command for one handler, and answered in X12 (``adapters.x12_render``).

It plays, for the sandbox, the part a Kafka consumer plays for a service: one entry point
for every inbound interchange, whatever carried it (HTTP here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rcm_x12.acks import ack_999_for, ta1_for
from rcm_x12.errors import X12Issue
from rcm_x12.reader import check_interchange
from rcm_x12.syntax import Interchange, scan_interchange
from rcm_x12.ta1 import write_ta1

from rcm_sandbox.adapters.x12_gateway import (
    eligibility_asked,
    eligibility_inquiries,
    inquiry_documents,
    read_claims,
    status_asked,
    status_inquiries,
    transaction_kind,
    unsupported_issues,
)
from rcm_sandbox.adapters.x12_render import (
    X12ClaimReplies,
    answer_271,
    answer_277,
    envelope_params,
    rejecting_999,
)
from rcm_sandbox.domain.commands import (
    AnswerClaimStatus,
    AnswerEligibility,
    ReceiveClaims,
    RefuseInterchange,
    ReleaseRemittances,
)
from rcm_sandbox.domain.model import Outbound
from rcm_sandbox.service import handlers
from rcm_sandbox.service.handlers import SandboxSetup
from rcm_sandbox.service.ports import RemittanceWriter
from rcm_sandbox.service.unit_of_work import SandboxUnitOfWork


@dataclass(frozen=True)
class X12Answer:
    """An interchange answered (HTTP 200): the X12 and, for an 837, accepted/rejected/duplicate."""

    body: str
    result: str | None = None


@dataclass(frozen=True)
class X12Refusal:
    """An interchange that cannot be answered (HTTP 400): why, the issues, and the TA1 or 999
    when X12 allows one. ``kind`` names the problem (``urn:rcm:problem:<kind>``)."""

    kind: str
    reason: str
    issues: tuple[X12Issue, ...]
    acknowledgement: str | None = None


class X12Desk:
    """Answers inbound interchanges and releases remittances; one per app, thread-safe (each
    call opens its own unit of work)."""

    def __init__(
        self,
        unit_of_work: Callable[[], SandboxUnitOfWork],
        setup: SandboxSetup,
        remittance_writer: RemittanceWriter,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.setup = setup
        self._remittance_writer = remittance_writer

    def handle(self, raw: str) -> X12Answer | X12Refusal:
        """Answer one inbound interchange: 837 -> 999 (or TA1 025), 270 -> 271, 276 -> 277."""
        scan = scan_interchange(raw)
        if scan.interchange is None:
            return X12Refusal("unreadable-interchange", "unreadable interchange", tuple(scan.issues or ()))
        inter = scan.interchange
        if scan.interchange_errors:
            note = ta1_for(raw)
            envelope = self._refuse(inter, counted=False)
            return X12Refusal(
                "envelope-errors",
                "interchange envelope errors",
                tuple(scan.interchange_errors),
                write_ta1(note, envelope_params(envelope)),
            )
        kind = transaction_kind(inter)
        if kind == "837":
            return self._claims(raw, inter)
        if kind == "270":
            return self._eligibility(raw, inter)
        if kind == "276":
            return self._status(raw, inter)
        reason, issues = unsupported_issues(inter, kind)
        envelope = self._refuse(inter, counted=True)
        return X12Refusal("unsupported-transaction", reason, tuple(issues), rejecting_999(inter, issues, envelope))

    def release_remittances(self, force: bool) -> tuple[str, ...]:
        """Put every releasable 835 in the mailbox; returns their file ids."""
        return handlers.release_remittances(
            ReleaseRemittances(force), self.unit_of_work(), setup=self.setup, writer=self._remittance_writer
        )

    def _refuse(self, inter: Interchange, *, counted: bool) -> Outbound:
        header = inter.header
        cmd = RefuseInterchange(sender_id=header.sender_id, usage_indicator=header.usage_indicator, counted=counted)
        return handlers.refuse_interchange(cmd, self.unit_of_work(), setup=self.setup)

    def _claims(self, raw: str, inter: Interchange) -> X12Answer:
        header = inter.header
        read = read_claims(check_interchange(raw), header, self.setup.clock().date())
        cmd = ReceiveClaims(
            sender_id=header.sender_id,
            control_number=header.control_number,
            usage_indicator=header.usage_indicator,
            syntax_accepted=read.syntax_accepted,
            submitter_id=read.submitter_id,
            submitter_name=read.submitter_name,
            claims=read.claims,
        )
        replies = X12ClaimReplies(header, read.acks, self.setup.config, read.submitter_id, read.submitter_name)
        received = handlers.receive_claims(cmd, self.unit_of_work(), setup=self.setup, replies=replies)
        return X12Answer(received.answer, received.result)

    def _eligibility(self, raw: str, inter: Interchange) -> X12Answer | X12Refusal:
        check = check_interchange(raw)
        documents, errors = inquiry_documents(check)
        if not documents:
            envelope = self._refuse(inter, counted=True)
            return X12Refusal(
                "unanswerable-inquiry", "270 cannot be answered", tuple(errors),
                ack_999_for(check, envelope_params(envelope)),
            )
        asked = eligibility_asked(documents)
        header = inter.header
        cmd = AnswerEligibility(
            sender_id=header.sender_id,
            usage_indicator=header.usage_indicator,
            inquiries=eligibility_inquiries(asked, self.setup.clock().date()),
        )
        answered = handlers.answer_eligibility(cmd, self.unit_of_work(), setup=self.setup)
        reference = documents[0].reference
        return X12Answer(answer_271(answered.envelope, reference, asked, answered.results, self.setup.config))

    def _status(self, raw: str, inter: Interchange) -> X12Answer | X12Refusal:
        check = check_interchange(raw)
        documents, errors = inquiry_documents(check)
        if not documents:
            envelope = self._refuse(inter, counted=True)
            return X12Refusal(
                "unanswerable-inquiry", "276 cannot be answered", tuple(errors),
                ack_999_for(check, envelope_params(envelope)),
            )
        asked = status_asked(documents)
        header = inter.header
        cmd = AnswerClaimStatus(
            sender_id=header.sender_id, usage_indicator=header.usage_indicator, inquiries=status_inquiries(asked)
        )
        answered = handlers.answer_claim_status(cmd, self.unit_of_work(), setup=self.setup)
        reference = documents[0].reference
        return X12Answer(answer_277(answered.envelope, reference, asked, answered.answers, self.setup.config))
