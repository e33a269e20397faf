"""835 posting on a real PostgreSQL: idempotent, and never half-posted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import pytest_asyncio
from rcm_payments.adapters.tables import claim_accounts, messaging, postings, remittances
from rcm_payments.adapters.translate import post_remittance_command
from rcm_payments.adapters.unit_of_work import SqlPaymentsUnitOfWork
from rcm_payments.adapters.x12_835 import X12RemittanceReader
from rcm_payments.service import handlers
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived
from rcm_shared.db.database import Database
from rcm_x12 import EnvelopeParams
from rcm_x12.remit835 import (
    Adjustment,
    RemitClaim,
    RemitPayee,
    RemitPayer,
    RemitServiceLine,
    Remittance835,
    write_835,
)
from sqlalchemy import func, select

pytestmark = pytest.mark.integration
MIGRATIONS = Path(handlers.__file__).resolve().parents[1] / "migrations"


@pytest_asyncio.fixture()
async def db(migrated_database: Callable[[str, Path], Awaitable[Database]]) -> Database:
    return await migrated_database("payments", MIGRATIONS)


def claim(pcn: str, paid: str, status: str = "1") -> RemitClaim:
    copay = D("185.00") - D("85.00") - D(paid)
    line = RemitServiceLine("99213", D("185.00"), D(paid), units=D(1), service_date=date(2026, 9, 10),
                            adjustments=(Adjustment("CO", "45", D("85.00")), Adjustment("PR", "3", copay)))
    return RemitClaim(pcn, status, D("185.00"), D(paid), f"PCN-{pcn}", patient_responsibility=copay, lines=(line,))


def file_835(
    claims: tuple[RemitClaim, ...], *, payment: D | None = None, control: int = 1
) -> ClearinghouseFileReceived:
    total = sum((c.paid for c in claims), D(0)) if payment is None else payment
    remit = Remittance835(total, "ACH", date(2026, 10, 20), f"TRN{control:05d}", RemitPayer("SANDBOX PPO"),
                          RemitPayee("SYNTHETIC FAMILY PRACTICE", "1987654328"), claims)
    env = EnvelopeParams(sender_id="SANDBOXCH", receiver_id="RCMPLATFORM", interchange_control_number=control,
                         group_control_number=control, transaction_control_number=control, date=date(2026, 10, 20))
    return ClearinghouseFileReceived(file_id=f"F{control}", kind="835", mailbox_seq=control,
                                     content=write_835(remit, env), received_at=datetime.now(UTC))


async def post(db: Database, f: ClearinghouseFileReceived) -> int:
    async with SqlPaymentsUnitOfWork(db, messaging, "t", source="rcm/test") as uow:
        n = await handlers.post_remittance_file(post_remittance_command(f), uow, cause=None,
                                                reader=X12RemittanceReader())
        await uow.commit()
    return n


async def count(db: Database, table: object, *where: object) -> int:
    async with db.session() as s:
        q = select(func.count()).select_from(table)  # type: ignore[arg-type]
        for w in where:
            q = q.where(w)  # type: ignore[arg-type]
        return int((await s.execute(q)).scalar_one())


async def test_the_same_835_posted_twice_posts_once(db: Database) -> None:
    f = file_835((claim("C1", "80.00"), claim("C2", "60.00")))
    assert await post(db, f) == 2
    again = f.model_copy(update={"file_id": "F1-again"})  # the payer sent the same 835 twice
    assert await post(db, again) == 0
    assert await count(db, postings) == 2
    async with db.session() as s:
        paid = (await s.execute(select(func.sum(claim_accounts.c.paid_total)))).scalar_one()
    assert paid == D("140.00")


async def test_an_unbalanced_835_is_held_whole_and_nothing_is_posted(db: Database) -> None:
    f = file_835((claim("C3", "80.00"), claim("C4", "60.00")), payment=D("150.00"), control=2)
    assert await post(db, f) == 0
    assert await count(db, postings) == 0
    assert await count(db, remittances, remittances.c.status == "held") == 1
    async with db.session() as s:
        reasons = (await s.execute(select(remittances.c.reasons))).scalar_one()
    assert any("BPR02" in r for r in reasons)


async def test_an_unreadable_835_is_held_with_segment_positions(db: Database) -> None:
    f = file_835((claim("C5", "80.00"),), control=3)
    broken = f.model_copy(update={"content": f.content.replace("CLP*C5*1*185", "CLP*C5*1*ABC")})
    assert await post(db, broken) == 0
    async with db.session() as s:
        reasons = (await s.execute(select(remittances.c.reasons))).scalar_one()
    assert any("segment" in r and "CLP" in r for r in reasons), reasons


async def test_a_reversal_moves_the_account_to_reversed_and_nets_the_payment(db: Database) -> None:
    await post(db, file_835((claim("C6", "80.00"),), control=4))
    reversal = RemitClaim("C6", "22", D("-185.00"), D("-80.00"), "PCN-C6", patient_responsibility=D("-20.00"),
                          adjustments=(Adjustment("CO", "45", D("-85.00")), Adjustment("PR", "3", D("-20.00"))))
    await post(db, file_835((reversal,), control=5))
    async with db.session() as s:
        row = (await s.execute(select(claim_accounts).where(claim_accounts.c.claim_id == "C6"))).one()
    assert row.status == "reversed" and row.paid_total == D("0.00")
