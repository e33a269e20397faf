"""What can go wrong inside the payers' rules."""

from __future__ import annotations


class UnbalancedRemittanceError(ValueError):
    """An 835 would not balance; the sandbox never sends one."""
