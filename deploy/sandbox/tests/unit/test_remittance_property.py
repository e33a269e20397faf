"""Property: whatever mix of claims arrives, every 835 the sandbox writes balances to the cent."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rcm_sandbox.adapters.storage import SqliteStorage
from rcm_sandbox.adapters.unit_of_work import SqliteUnitOfWork
from rcm_sandbox.adapters.x12_render import X12RemittanceWriter
from rcm_sandbox.config import load_config
from rcm_sandbox.domain.records import MailboxKind
from rcm_sandbox.entrypoints.interchanges import X12Answer, X12Desk
from rcm_sandbox.service import views
from rcm_sandbox.service.handlers import SandboxSetup
from rcm_sandbox.testing import claim_837, imbalances_835, make_claim

CONFIG = load_config()
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
CODES = ["99213", "99214", "93000", "83036", "45378", "45385", "J3420", "G0008", "99395", "36415", "81002"]

claim_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(CONFIG.members) - 1),
        st.lists(
            st.tuples(
                st.sampled_from(CODES),
                st.decimals(min_value=Decimal("1.00"), max_value=Decimal("2000"), places=2),
                st.sampled_from([(), ("59",)]),
            ),
            min_size=1,
            max_size=4,
        ),
        st.integers(min_value=0, max_value=200),  # days before receipt
        st.sampled_from(["SBXPPO01", "SBXMCR01", "SBXMCD01"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=claim_specs, resend=st.booleans())
def test_every_835_written_balances_whatever_the_claims(
    specs: list[tuple[int, list[tuple[str, Decimal, tuple[str, ...]]], int, str]], resend: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        storage = SqliteStorage(Path(tmp) / "s.sqlite3")

        def uow() -> SqliteUnitOfWork:
            return SqliteUnitOfWork(storage)

        setup = SandboxSetup(config=CONFIG, seed=42, remit_delay=timedelta(0), clock=lambda: NOW)
        desk = X12Desk(uow, setup, X12RemittanceWriter())
        claims = []
        for n, (member_index, lines, days_ago, payer_id) in enumerate(specs):
            member = CONFIG.members[member_index]
            claims.append(
                make_claim(
                    member,
                    [(code, str(charge), mods) for code, charge, mods in lines],
                    pcn=f"PROP{n}",
                    service_date=date(2026, 11, 10) - timedelta(days=days_ago),
                    payer_id=payer_id,
                    diagnoses=("I10", "E119"),
                )
            )
        interchange = claim_837(claims, 1)
        first = desk.handle(interchange)
        assert isinstance(first, X12Answer) and first.result == "accepted"
        if resend:
            again = desk.handle(interchange)
            assert isinstance(again, X12Answer) and again.result == "duplicate"
        desk.release_remittances(force=True)
        files = views.mailbox_files(uow(), MailboxKind.REMITTANCE_835, 0, 1000)
        for f in files:
            assert imbalances_835(f.content) == []
        stats = views.stats(uow())
        assert stats.claims_received == len(claims)
        assert stats.duplicate_interchanges == (1 if resend else 0)
        assert stats.remittances_pending == 0
        storage.close()
