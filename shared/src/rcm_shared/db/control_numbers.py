"""X12 control numbers from a PostgreSQL sequence: unique and persistent per sender.

A service that sends X12 creates ``x12_interchange_control_seq`` in its migrations
(``create_control_number_sequence_v1``). The number is drawn inside the transaction that
stores the interchange, so a resend after a crash reuses the stored number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SEQUENCE = "x12_interchange_control_seq"


def create_control_number_sequence_v1(op: Any) -> None:
    """ISA13 is nine digits: the sequence cycles within 1..999,999,999."""
    op.execute(f"CREATE SEQUENCE {SEQUENCE} MINVALUE 1 MAXVALUE 999999999 CYCLE")


async def next_control_number(session: AsyncSession) -> int:
    """The next interchange control number (also used for GS06 and ST02 of the same file)."""
    return int((await session.execute(text(f"SELECT nextval('{SEQUENCE}')"))).scalar_one())
