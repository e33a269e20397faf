"""Posting decisions over a remittance (the X12 toolkit's 835 model).

Balancing itself is an 835 guide rule and lives with the 835 model in the toolkit
(``rcm_x12.remit835.balance_problems``); this module decides what posting a
balanced remittance does to our accounts.
"""

from __future__ import annotations

from decimal import Decimal

from rcm_x12.remit835 import Adjustment, BalanceProblem, RemitClaim

PROCESSED = {"1", "2", "3", "19", "20", "21"}
DENIED = {"4"}
REVERSAL = {"22"}


def account_status(status_code: str) -> str:
    """The claim account state a posting with CLP02 = ``status_code`` moves to."""
    if status_code in REVERSAL:
        return "reversed"
    if status_code in DENIED:
        return "denied"
    if status_code in PROCESSED:
        return "paid"
    return "other"


def posting_key(trace_number: str, claim: RemitClaim) -> str:
    """Identity of one claim posting: the same 835 arriving twice posts nothing new."""
    return "|".join((trace_number, claim.payer_claim_control_number, claim.patient_control_number, claim.status))


def patient_responsibility(claim: RemitClaim) -> Decimal:
    """CLP05 when given, else the sum of PR adjustments (claim and lines)."""
    if claim.patient_responsibility is not None:
        return claim.patient_responsibility
    return sum((a.amount for _, a in all_adjustments(claim) if a.group_code == "PR"), Decimal("0"))


def all_adjustments(claim: RemitClaim) -> list[tuple[int | None, Adjustment]]:
    """Claim-level adjustments (line None) followed by each line's, numbered from 1."""
    out: list[tuple[int | None, Adjustment]] = [(None, a) for a in claim.adjustments]
    for n, line in enumerate(claim.lines, start=1):
        out.extend((n, a) for a in line.adjustments)
    return out


def describe(problem: BalanceProblem) -> str:
    """A balancing failure in words a poster can act on."""
    where = f"claim {problem.patient_control_number}" if problem.patient_control_number else "transaction"
    if problem.line_number is not None:
        where += f" line {problem.line_number}"
    return f"{where}: {problem.reason} (off by {problem.difference})"
