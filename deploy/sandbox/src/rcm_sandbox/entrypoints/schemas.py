"""Response models of the HTTP API (money as decimal strings, as the data file writes it)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field
from rcm_shared.web import Problem

from rcm_sandbox.domain.records import ClaimRecord, ClaimState, MailboxFile, MailboxKind
from rcm_sandbox.service.views import SandboxStats


class X12IssueOut(BaseModel):
    """One problem found in an interchange, where it is and its X12 code (never the bad value)."""

    segment_position: int | None = Field(description="1-based index of the segment in the interchange (ISA = 1)")
    segment_id: str | None
    element: int | None = Field(description="element position in the segment")
    reason: str
    code: str = Field(description="TA1 note, AK905, IK502, IK304 or IK403 code, by level")
    level: str = Field(description="interchange, group, transaction, segment or element")


class X12Problem(Problem):
    """An interchange refused (400): problem details with its X12 issues and, when X12 allows
    one, the TA1 or 999 that rejects it. ``error`` repeats ``detail`` for older clients."""

    error: str
    issues: list[X12IssueOut]
    acknowledgement: str | None = Field(default=None, description="the TA1 or 999 interchange, when there is one")


class MailboxFileOut(BaseModel):
    """One mailbox file."""

    seq: int = Field(description="cursor position: pass it as ``after`` to read on")
    file_id: str
    kind: MailboxKind
    created_at: str = Field(description="ISO 8601 date and time")
    content: str = Field(description="the X12 interchange")

    @classmethod
    def of(cls, f: MailboxFile) -> MailboxFileOut:
        return cls(seq=f.seq, file_id=f.file_id, kind=f.kind, created_at=f.created_at.isoformat(), content=f.content)


class MailboxPage(BaseModel):
    """Files after a cursor, oldest first; ``next_after`` is the cursor to read on from."""

    files: list[MailboxFileOut]
    next_after: int


class Released(BaseModel):
    """File ids of the 835s put in the mailbox."""

    released: list[str]


class Stats(BaseModel):
    """Counters for tests and dashboards; see :class:`rcm_sandbox.service.views.SandboxStats`."""

    interchanges_received: int
    duplicate_interchanges: int
    claims_received: int = Field(description="unique (patient control number, frequency) pairs")
    claims_accepted: int
    claims_rejected: int
    claims_adjudicated: int
    claims_paid: int = Field(description="adjudicated with CLP02 1 (including $0 applied to the deductible)")
    claims_denied: int = Field(description="adjudicated with CLP02 4")
    remittances_sent: int
    remittances_pending: int = Field(description="queued payments not yet in an 835")
    total_paid: Decimal = Field(description="sum of CLP04 over the 835s sent (reversals negative)")
    eligibility_requests: int

    @classmethod
    def of(cls, s: SandboxStats) -> Stats:
        return cls(
            interchanges_received=s.interchanges_received,
            duplicate_interchanges=s.duplicate_interchanges,
            claims_received=s.claims_received,
            claims_accepted=s.claims_accepted,
            claims_rejected=s.claims_rejected,
            claims_adjudicated=s.claims_adjudicated,
            claims_paid=s.claims_paid,
            claims_denied=s.claims_denied,
            remittances_sent=s.remittances_sent,
            remittances_pending=s.remittances_pending,
            total_paid=s.total_paid,
            eligibility_requests=s.eligibility_requests,
        )


class ClaimOut(BaseModel):
    """A received claim and where it stands."""

    patient_control_number: str
    frequency_code: str
    payer_id: str
    status: ClaimState
    acknowledgement: str = Field(description="277CA category:status code, e.g. A2:20")
    charge: Decimal
    paid: Decimal
    times_received: int
    carc_codes: list[str] = Field(description="group-reason codes of its latest payment, e.g. CO-45")
    payer_claim_id: str | None
    check_number: str | None

    @classmethod
    def of(cls, c: ClaimRecord) -> ClaimOut:
        return cls(
            patient_control_number=c.patient_control_number,
            frequency_code=c.frequency_code,
            payer_id=c.payer_id,
            status=c.status,
            acknowledgement=f"{c.ack_category.value}:{c.ack_code}",
            charge=c.charge,
            paid=c.paid,
            times_received=c.times_received,
            carc_codes=list(c.carc_codes),
            payer_claim_id=c.payer_claim_id,
            check_number=c.check_number,
        )
