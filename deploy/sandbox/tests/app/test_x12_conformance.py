"""Every file the sandbox writes must pass an independent validator (pyx12 via the toolkit's
``validate_with_pyx12``, against the implementation guide maps) and the platform's own
toolkit reader, and every 835 must balance."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.config import MemberScenario, MemberStatus, load_config
from rcm_sandbox.settings import SandboxSettings
from rcm_sandbox.testing import (
    claim_837,
    imbalances_835,
    inquiry_270,
    make_claim,
    pick_member,
    status_276,
)
from rcm_shared.testing.auth import clearinghouse_headers
from rcm_x12.reader import check_interchange
from rcm_x12.remit835 import balance_problems
from rcm_x12.validate import validate_with_pyx12

CONFIG = load_config()
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
EDI = {"content-type": "application/edi-x12"}


async def _produce(data_dir: Path) -> list[tuple[str, str]]:
    """Drive the sandbox through every scenario; return (kind, content) of every file it wrote."""
    settings = SandboxSettings(data_dir=data_dir, remit_delay_seconds=0, remit_batch_seconds=3600)
    app = create_app(settings, clock=lambda: NOW)
    ppo = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    mcr = pick_member(CONFIG, "SBXMCR01")
    mcd = pick_member(CONFIG, "SBXMCD01")
    claims = [
        make_claim(ppo, [("99213", "200.00"), ("93000", "40.00")], pcn="C1", diagnoses=("I10",)),
        make_claim(ppo, [("45385", "900.00"), ("45378", "600.00")], pcn="C2", diagnoses=("K635",)),
        make_claim(
            pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.REPROCESS),
            [("99214", "210.00")],
            pcn="C3",
        ),
        make_claim(
            pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.INTEREST),
            [("99214", "210.00")],
            pcn="C4",
        ),
        make_claim(
            pick_member(CONFIG, "SBXPPO01", status=MemberStatus.TERMINATED),
            [("99214", "210.00")],
            pcn="C5",
        ),
        make_claim(mcr, [("83036", "30.00"), ("J3420", "15.00")], pcn="C6"),
        make_claim(mcr, [("99213", "100.00")], pcn="C7", payer_id="SBXPPO01"),
        make_claim(mcd, [("99215", "250.00")], pcn="C8", payer_id="UNKNOWNPAYER"),
        make_claim(
            pick_member(CONFIG, "SBXMCD01", scenario=MemberScenario.RECOUPMENT),
            [("99215", "250.00")],
            pcn="C9",
        ),
    ]
    out: list[tuple[str, str]] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox",
                                     headers=clearinghouse_headers()) as client:
            await client.post("/v1/x12", content=claim_837(claims, 1), headers=EDI)
            dup = await client.post("/v1/x12", content=claim_837(claims, 1), headers=EDI)
            out.append(("TA1", dup.text))
            await client.post("/v1/remittances/flush")
            for m, n in ((ppo, 2), (mcr, 3)):
                r = await client.post(
                    "/v1/x12",
                    content=inquiry_270(m.member_id, m.last_name, m.first_name, m.birth_date, m.payer_id, n),
                    headers=EDI,
                )
                out.append(("271", r.text))
            r = await client.post(
                "/v1/x12",
                content=inquiry_270("NOSUCH123", "X", "Y", None, "SBXPPO01", 4),
                headers=EDI,
            )
            out.append(("271", r.text))
            r = await client.post("/v1/x12", content=status_276(ppo, "C1", 5), headers=EDI)
            out.append(("277", r.text))
            files = (await client.get("/v1/mailbox", params={"limit": 1000})).json()["files"]
            out += [(f["kind"], f["content"]) for f in files]
    return out


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[str, str]]]:
    yield asyncio.run(_produce(tmp_path_factory.mktemp("conformance")))


def test_the_scenarios_produce_every_kind_of_file(produced: list[tuple[str, str]]) -> None:
    kinds = [k for k, _ in produced]
    assert {"999", "277CA", "835", "271", "277", "TA1"} <= set(kinds)
    assert kinds.count("835") >= 3  # one per payer, plus the later reversal/correction check


@pytest.mark.parametrize("kind", ["999", "277CA", "835"])
def test_pyx12_validates_every_file_of_this_kind(produced: list[tuple[str, str]], kind: str, tmp_path: Path) -> None:
    contents = [c for k, c in produced if k == kind]
    assert contents
    for content in contents:
        assert [str(i) for i in validate_with_pyx12(content)] == [], content


@pytest.mark.parametrize("kind", ["999", "277CA", "835", "277", "TA1"])
def test_the_platform_toolkit_reads_every_file_without_issues(produced: list[tuple[str, str]], kind: str) -> None:
    for content in (c for k, c in produced if k == kind):
        check = check_interchange(content)
        assert [str(i) for i in check.issues if i.severity == "error"] == []
        assert all(r.document is not None for r in check.results)


def test_every_835_balances_by_the_toolkit_and_by_our_own_check(
    produced: list[tuple[str, str]],
) -> None:
    for content in (c for k, c in produced if k == "835"):
        assert imbalances_835(content) == []
        for result in check_interchange(content).results:
            assert balance_problems(result.document) == []


def test_271_is_readable_by_the_toolkit_once_it_reads_271s(produced: list[tuple[str, str]]) -> None:
    pytest.importorskip("rcm_x12.eligibility")
    for content in (c for k, c in produced if k == "271"):
        check = check_interchange(content)
        assert [str(i) for i in check.issues if i.severity == "error"] == []
        assert all(r.document is not None for r in check.results)
