"""Clocks: the real one, and one shifted to a business date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rcm_sandbox.service.ports import Clock


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def shifted_clock(business_date: date, real: Clock) -> Clock:
    """A clock whose today is ``business_date`` at the moment it is made and which then runs on
    with real time, so remittance delays and batch timings still hold."""
    start = real()
    offset = datetime.combine(business_date, start.timetz()) - start
    return lambda: real() + offset
