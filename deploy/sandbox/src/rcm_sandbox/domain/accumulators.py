"""Per member, per calendar year: how much deductible and out-of-pocket has been met."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rcm_sandbox.domain.model import ZERO
from rcm_sandbox.domain.payers import Member, Plan


@dataclass(frozen=True)
class Accumulator:
    """Amounts met so far in one plan year."""

    deductible_met: Decimal = ZERO
    out_of_pocket_met: Decimal = ZERO

    @classmethod
    def opening(cls, member: Member) -> Accumulator:
        """The starting point for a year the sandbox has not tracked yet (from the data file)."""
        return cls(member.deductible_met, member.out_of_pocket_met)

    def deductible_remaining(self, plan: Plan) -> Decimal:
        """Deductible left to meet, never negative."""
        return max(plan.deductible - self.deductible_met, ZERO)

    def out_of_pocket_remaining(self, plan: Plan) -> Decimal | None:
        """Out-of-pocket left before the plan pays 100%; None when the plan has no maximum."""
        if plan.out_of_pocket_max is None:
            return None
        return max(plan.out_of_pocket_max - self.out_of_pocket_met, ZERO)

    def plus(self, deductible: Decimal, out_of_pocket: Decimal) -> Accumulator:
        """A new accumulator with these amounts added (negative amounts undo a reversal)."""
        return Accumulator(
            max(self.deductible_met + deductible, ZERO),
            max(self.out_of_pocket_met + out_of_pocket, ZERO),
        )
