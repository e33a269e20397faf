"""Property: whatever mix of claims arrives, every 835 the sandbox writes balances to the cent."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rcm_sandbox.config import load_config
from rcm_sandbox.service import SandboxService
from rcm_sandbox.storage import Store
from rcm_sandbox.testing import claim_837, imbalances_835, make_claim
from rcm_sandbox.x12_gateway import X12Gateway

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
        store = Store(Path(tmp) / "s.sqlite3")
        service = SandboxService(CONFIG, store, 42, timedelta(0), lambda: NOW)
        gateway = X12Gateway(service)
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
        first = gateway.handle(interchange)
        assert first.result == "accepted"
        if resend:
            assert gateway.handle(interchange).result == "duplicate"
        gateway.release_remittances(force=True)
        files = store.files("835", 0, 1000)
        for f in files:
            assert imbalances_835(f.content) == []
        stats = service.stats()
        assert stats["claims_received"] == len(claims)
        assert stats["duplicate_interchanges"] == (1 if resend else 0)
        assert stats["remittances_pending"] == 0
        store.close()
