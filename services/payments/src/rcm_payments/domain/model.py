"""Remittances, their balancing, and what posting one does to our claim accounts.

The value types here are the payments service's own view of an 835 (built by the 835
adapter from the X12 toolkit's model): only what posting needs, amounts as ``Decimal``.

Balancing follows the 835 guide (section 1.10.2): per line SVC02 - SVC03 = sum of the
line's CAS amounts; per claim CLP03 - CLP04 = sum of claim and line CAS amounts; per
transaction BPR02 = sum of CLP04 - sum of PLB amounts. A remittance that does not balance
is held whole for review, never half-posted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

ZERO = Decimal("0.00")

AccountStatus = Literal["submitted", "paid", "denied", "reversed", "other"]
ACCOUNT_STATUSES: tuple[AccountStatus, ...] = ("submitted", "paid", "denied", "reversed", "other")
RemittanceStatus = Literal["posted", "held"]

# CLP02 claim status codes.
PROCESSED = frozenset({"1", "2", "3", "19", "20", "21"})
DENIED = frozenset({"4"})
REVERSAL = frozenset({"22"})


# --------------------------------------------------------------------------- the remittance


@dataclass(frozen=True)
class Adjustment:
    """One CAS adjustment: group code (CO, PR, OA, PI, CR), CARC and amount."""

    group_code: str
    reason_code: str
    amount: Decimal


@dataclass(frozen=True)
class ServiceLinePayment:
    """What the payer paid for one service line (loop 2110)."""

    procedure_code: str
    charge: Decimal
    paid: Decimal
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class ClaimPayment:
    """What the payer decided for one claim (loop 2100, CLP): status, money and adjustments."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    payer_claim_control_number: str
    patient_responsibility: Decimal | None = None
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[ServiceLinePayment, ...] = ()


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB amount (interest, recoupment, forward balance): positive reduces the payment."""

    reason_code: str
    amount: Decimal


@dataclass(frozen=True)
class Remittance:
    """One 835 transaction set: one payment (check or EFT) and the claims it pays."""

    trace_number: str
    payment_amount: Decimal
    payment_date: date | None
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()


# --------------------------------------------------------------------------- balancing

BalanceLevel = Literal["line", "claim", "transaction"]


@dataclass(frozen=True)
class BalanceProblem:
    """A balancing rule that fails: ``difference`` = left side - right side."""

    level: BalanceLevel
    reason: str
    difference: Decimal
    patient_control_number: str = ""
    line_number: int | None = None


def _total(adjustments: tuple[Adjustment, ...]) -> Decimal:
    return sum((a.amount for a in adjustments), Decimal(0))


def balance_problems(remittance: Remittance) -> list[BalanceProblem]:
    """Every line, claim and transaction balancing failure of ``remittance`` (empty = balanced)."""
    problems: list[BalanceProblem] = []
    for claim in remittance.claims:
        for n, line in enumerate(claim.lines, start=1):
            diff = line.charge - line.paid - _total(line.adjustments)
            if diff:
                problems.append(BalanceProblem("line", "SVC02 - SVC03 does not equal the line adjustments", diff,
                                               claim.patient_control_number, n))
        adjusted = _total(claim.adjustments) + sum((_total(ln.adjustments) for ln in claim.lines), Decimal(0))
        diff = claim.charge - claim.paid - adjusted
        if diff:
            problems.append(BalanceProblem("claim", "CLP03 - CLP04 does not equal the claim and line adjustments",
                                           diff, claim.patient_control_number))
    paid = sum((c.paid for c in remittance.claims), Decimal(0))
    plb = sum((p.amount for p in remittance.provider_adjustments), Decimal(0))
    diff = paid - plb - remittance.payment_amount
    if diff:
        problems.append(BalanceProblem("transaction", "BPR02 is not sum(CLP04) - sum(PLB)", diff))
    return problems


def describe(problem: BalanceProblem) -> str:
    """A balancing failure in words a poster can act on."""
    where = f"claim {problem.patient_control_number}" if problem.patient_control_number else "transaction"
    if problem.line_number is not None:
        where += f" line {problem.line_number}"
    return f"{where}: {problem.reason} (off by {problem.difference})"


def hold_reasons(remittance: Remittance) -> list[str]:
    """Why ``remittance`` must be held (empty when it balances and can be posted)."""
    return [describe(p) for p in balance_problems(remittance)]


# --------------------------------------------------------------------------- posting


@dataclass(frozen=True)
class PostedAdjustment:
    """An adjustment as posted: ``line_number`` None for the claim level, else the line (from 1)."""

    group_code: str
    reason_code: str
    amount: Decimal
    line_number: int | None = None


@dataclass(frozen=True)
class Posting:
    """One claim of one remittance posted to its account; ``key`` makes it happen once."""

    key: str
    claim_id: str
    file_id: str
    trace_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    posted_at: datetime
    adjustments: tuple[PostedAdjustment, ...] = ()


@dataclass(frozen=True)
class AccountChange:
    """What one posting does to its claim's account: a new status, and amounts to add."""

    claim_id: str
    status: AccountStatus
    paid: Decimal
    patient_responsibility: Decimal


def account_status(status_code: str) -> AccountStatus:
    """The claim account state a posting with CLP02 = ``status_code`` moves to."""
    if status_code in REVERSAL:
        return "reversed"
    if status_code in DENIED:
        return "denied"
    if status_code in PROCESSED:
        return "paid"
    return "other"


def posting_key(trace_number: str, claim: ClaimPayment) -> str:
    """Identity of one claim posting: the same 835 arriving twice posts nothing new."""
    return "|".join((trace_number, claim.payer_claim_control_number, claim.patient_control_number,
                     claim.status_code))


def patient_responsibility(claim: ClaimPayment) -> Decimal:
    """CLP05 when given, else the sum of PR adjustments (claim and lines)."""
    if claim.patient_responsibility is not None:
        return claim.patient_responsibility
    return sum((a.amount for a in all_adjustments(claim) if a.group_code == "PR"), Decimal(0))


def all_adjustments(claim: ClaimPayment) -> list[PostedAdjustment]:
    """Claim-level adjustments (line None) followed by each line's, numbered from 1."""
    out = [PostedAdjustment(a.group_code, a.reason_code, a.amount) for a in claim.adjustments]
    for n, line in enumerate(claim.lines, start=1):
        out.extend(PostedAdjustment(a.group_code, a.reason_code, a.amount, n) for a in line.adjustments)
    return out


def post_claim(remittance: Remittance, claim: ClaimPayment, *, file_id: str, posted_at: datetime) -> Posting:
    """The posting of ``claim``, paid (or denied, or reversed) by ``remittance``."""
    return Posting(
        key=posting_key(remittance.trace_number, claim), claim_id=claim.patient_control_number, file_id=file_id,
        trace_number=remittance.trace_number, status_code=claim.status_code, charge=claim.charge, paid=claim.paid,
        patient_responsibility=patient_responsibility(claim), posted_at=posted_at,
        adjustments=tuple(all_adjustments(claim)),
    )


def account_change(posting: Posting) -> AccountChange:
    """How ``posting`` moves its claim's account."""
    return AccountChange(posting.claim_id, account_status(posting.status_code), posting.paid,
                         posting.patient_responsibility)


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class ClaimAccount:
    """A claim's account receivable: what was charged, what was paid, what the patient owes.

    A remittance may arrive before we saw the claim submitted; the account then starts
    from the posting and gets its claim details when the submission comes.
    """

    claim_id: str
    status: AccountStatus
    encounter_id: str | None = None
    payer_id: str | None = None
    total_charge: Decimal | None = None
    paid_total: Decimal = ZERO
    patient_responsibility: Decimal = ZERO

    @classmethod
    def submitted(cls, claim_id: str, *, encounter_id: str, payer_id: str, total_charge: Decimal) -> ClaimAccount:
        """The open account of a claim just submitted to its payer."""
        return cls(claim_id, "submitted", encounter_id, payer_id, total_charge)

    def with_claim_details_of(self, submitted: ClaimAccount) -> ClaimAccount:
        """This account with the claim details of ``submitted`` (status and totals kept)."""
        return replace(self, encounter_id=submitted.encounter_id, payer_id=submitted.payer_id,
                       total_charge=submitted.total_charge)

    def after(self, change: AccountChange) -> ClaimAccount:
        """This account once ``change`` is posted to it."""
        return replace(self, status=change.status, paid_total=self.paid_total + change.paid,
                       patient_responsibility=self.patient_responsibility + change.patient_responsibility)


# --------------------------------------------------------------------------- files and totals


@dataclass(frozen=True)
class RemittanceOutcome:
    """What became of one 835 file: posted, or held with the reasons a poster must review."""

    file_id: str
    status: RemittanceStatus
    trace_number: str | None = None
    payment_amount: Decimal | None = None
    reasons: tuple[str, ...] = ()


def file_outcome(file_id: str, remittances: list[Remittance], held: list[str]) -> RemittanceOutcome:
    """The outcome of a readable file: held when any of its remittances was held."""
    return RemittanceOutcome(
        file_id=file_id, status="held" if held else "posted",
        trace_number=remittances[0].trace_number if remittances else None,
        payment_amount=sum((r.payment_amount for r in remittances), Decimal(0)) if remittances else None,
        reasons=tuple(held),
    )


@dataclass(frozen=True)
class PostingTotals:
    """How many postings there are and what they add up to."""

    count: int = 0
    paid: Decimal = Decimal(0)
    patient_responsibility: Decimal = Decimal(0)


@dataclass(frozen=True)
class PaymentsSummary:
    """Claim accounts by status, postings and held remittance files."""

    accounts_by_status: Mapping[AccountStatus, int] = field(default_factory=dict)
    postings: PostingTotals = PostingTotals()
    remittances_held: int = 0
