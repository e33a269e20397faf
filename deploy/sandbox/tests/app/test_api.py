from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from rcm_sandbox.adapters.clock import shifted_clock
from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.config import MemberScenario, MemberStatus, load_config
from rcm_sandbox.settings import SandboxSettings
from rcm_sandbox.testing import (
    BILLING_NPI,
    _simple_interchange,
    claim_837,
    imbalances_835,
    inquiry_270,
    make_claim,
    pick_member,
    segments_of,
    status_276,
)
from rcm_shared.testing.auth import clearinghouse_headers
from rcm_x12.reader import read_271

CONFIG = load_config()
NOW = datetime(2026, 11, 10, 15, 30, tzinfo=UTC)
EDI = {"content-type": "application/edi-x12"}


@asynccontextmanager
async def sandbox(data_dir: Path, seed: int = 42, delay: float = 0.0) -> AsyncIterator[httpx.AsyncClient]:
    settings = SandboxSettings(data_dir=data_dir, seed=seed, remit_delay_seconds=delay, remit_batch_seconds=3600)
    app = create_app(settings, clock=lambda: NOW)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox",
                                     headers=clearinghouse_headers()) as client:
            yield client


def seg_ids(content: str, seg_id: str) -> list[tuple[str, ...]]:
    return [s for s in segments_of(content) if s[0] == seg_id]


async def mailbox(client: httpx.AsyncClient, kind: str, after: int = 0) -> list[dict[str, object]]:
    response = await client.get("/v1/mailbox", params={"kind": kind, "after": after})
    assert response.status_code == 200
    files: list[dict[str, object]] = response.json()["files"]
    return files


# ------------------------------------------------------------------------- eligibility
async def test_active_member_gets_a_271_with_copay_deductible_coinsurance_and_out_of_pocket(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    async with sandbox(tmp_path) as client:
        r = await client.post(
            "/v1/x12",
            content=inquiry_270(m.member_id, m.last_name, m.first_name, m.birth_date, m.payer_id, 1),
            headers=EDI,
        )
        assert r.status_code == 200
        eb = seg_ids(r.text, "EB")
        codes = [(e[1], e[6] if len(e) > 6 else "") for e in eb]
        assert ("1", "") in codes and ("B", "27") in codes
        assert ("C", "23") in codes and ("C", "29") in codes and ("G", "29") in codes
        assert any(e[1] == "A" and e[8] == "0.2" for e in eb)
        remaining = next(e for e in eb if e[1] == "C" and e[6] == "29")
        assert Decimal(remaining[7]) == Decimal("1000")
        assert (await client.get("/v1/stats")).json()["eligibility_requests"] == 1


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda m: (m.member_id + "!", m.last_name, m.birth_date), "72"),
        (lambda m: ("ZZZ999999", m.last_name, m.birth_date), "75"),
        (lambda m: (m.member_id, "WRONGNAME", m.birth_date), "73"),
        (lambda m: (m.member_id, m.last_name, date(1901, 1, 1)), "58"),
    ],
)
async def test_eligibility_rejections_carry_the_aaa_reason(
    tmp_path: Path, build: Callable[..., tuple[str, str, date]], code: str
) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    member_id, last, dob = build(m)
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=inquiry_270(member_id, last, m.first_name, dob, m.payer_id, 1))
        assert r.status_code == 200
        assert [a[3] for a in seg_ids(r.text, "AAA")] == [code]
        assert not seg_ids(r.text, "EB")


async def test_roster_name_and_dob_mismatch_members_are_rejected_73_and_58(tmp_path: Path) -> None:
    name = pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.NAME_MISMATCH)
    dob = pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.DOB_MISMATCH)
    async with sandbox(tmp_path) as client:
        r1 = await client.post(
            "/v1/x12",
            content=inquiry_270(name.member_id, name.last_name, name.first_name, name.birth_date, name.payer_id, 1),
        )
        r2 = await client.post(
            "/v1/x12",
            content=inquiry_270(dob.member_id, dob.last_name, dob.first_name, dob.birth_date, dob.payer_id, 2),
        )
    assert seg_ids(r1.text, "AAA")[0][3] == "73"
    assert seg_ids(r2.text, "AAA")[0][3] == "58"


async def test_terminated_member_is_reported_inactive(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCR01", status=MemberStatus.TERMINATED)
    async with sandbox(tmp_path) as client:
        r = await client.post(
            "/v1/x12",
            content=inquiry_270(m.member_id, m.last_name, m.first_name, m.birth_date, m.payer_id, 1),
        )
    assert [e[1] for e in seg_ids(r.text, "EB")] == ["6"]


# ------------------------------------------------------------------------- claims
async def test_claim_flows_from_837_to_999_277ca_and_a_balanced_835(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    claim = make_claim(m, [("99213", "200.00"), ("93000", "40.00")], diagnoses=("I10",), pcn="PCN-FLOW-1")
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=claim_837([claim], 101), headers=EDI)
        assert r.status_code == 200 and r.headers["x-sandbox-result"] == "accepted"
        assert seg_ids(r.text, "AK9")[0][1] == "A"
        assert len(await mailbox(client, "999")) == 1
        ca = await mailbox(client, "277CA")
        assert len(ca) == 1
        stc = [s[1] for s in seg_ids(str(ca[0]["content"]), "STC")]
        assert "A2:20" in stc
        assert await mailbox(client, "835") == []
        flushed = (await client.post("/v1/remittances/flush")).json()["released"]
        assert len(flushed) == 1
        remits = await mailbox(client, "835")
        content = str(remits[0]["content"])
        assert imbalances_835(content) == []
        clp = seg_ids(content, "CLP")[0]
        assert clp[1] == "PCN-FLOW-1" and clp[2] == "1"
        # 99213 pays 127.40 - 25 copay; 93000 goes to the deductible in full.
        assert Decimal(clp[4]) == Decimal("102.40")
        stats = (await client.get("/v1/stats")).json()
        assert stats["claims_received"] == 1 and stats["claims_accepted"] == 1
        assert stats["claims_adjudicated"] == 1 and stats["remittances_sent"] == 1
        assert stats["total_paid"] == "102.40"
        claims = (await client.get("/v1/claims")).json()
        assert claims[0]["times_received"] == 1 and claims[0]["status"] == "paid"
        assert set(claims[0]["carc_codes"]) == {"CO-45", "PR-3", "PR-1"}


async def test_resent_interchange_is_answered_with_ta1_025_and_not_processed_even_after_restart(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    claim = make_claim(m, [("99214", "150.00")], pcn="PCN-DUP-1")
    interchange = claim_837([claim], 555)
    async with sandbox(tmp_path) as client:
        first = await client.post("/v1/x12", content=interchange, headers=EDI)
        assert first.headers["x-sandbox-result"] == "accepted"
        again = await client.post("/v1/x12", content=interchange, headers=EDI)
        assert again.status_code == 200 and again.headers["x-sandbox-result"] == "duplicate"
        assert seg_ids(again.text, "TA1")[0][4:6] == ("R", "025")
    async with sandbox(tmp_path) as client:  # same data dir: a restarted sandbox
        third = await client.post("/v1/x12", content=interchange, headers=EDI)
        assert third.headers["x-sandbox-result"] == "duplicate"
        stats = (await client.get("/v1/stats")).json()
        assert stats["duplicate_interchanges"] == 2 and stats["claims_received"] == 1
        assert (await client.get("/v1/claims")).json()[0]["times_received"] == 1
        assert len(await mailbox(client, "277CA")) == 1


async def test_same_claim_in_a_new_interchange_is_counted_and_rejected_as_a_duplicate_claim(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    claim = make_claim(m, [("99214", "150.00")], pcn="PCN-TWICE")
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837([claim], 1), headers=EDI)
        await client.post("/v1/x12", content=claim_837([claim], 2), headers=EDI)
        rows = (await client.get("/v1/claims")).json()
        assert len(rows) == 1 and rows[0]["times_received"] == 2
        second_ack = (await mailbox(client, "277CA"))[1]
        assert "A3:54" in [s[1] for s in seg_ids(str(second_ack["content"]), "STC")]


async def test_broken_envelope_gets_400_with_issues_and_a_ta1(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    good = claim_837([make_claim(m, [("99214", "150.00")])], 7)
    broken = good.replace("IEA*1*000000007", "IEA*1*000000008")
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=broken, headers=EDI)
        assert r.status_code == 400
        body = r.json()
        assert body["error"] and body["issues"][0]["segment_id"] == "IEA"
        assert "TA1*000000007" in body["acknowledgement"]
        garbage = await client.post("/v1/x12", content="hello", headers={"content-type": "text/plain"})
        assert garbage.status_code == 400 and garbage.json()["issues"]


async def test_claim_with_a_missing_required_segment_is_rejected_in_the_999(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    text = claim_837([make_claim(m, [("99214", "150.00")])], 8)
    lines = [s for s in text.split("~") if not s.strip().startswith("REF*EI")]
    count = int(next(s for s in lines if s.strip().startswith("SE*")).strip().split("*")[1])
    text = "~".join(lines).replace(f"SE*{count}*", f"SE*{count - 1}*")
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=text, headers=EDI)
        assert r.status_code == 200 and r.headers["x-sandbox-result"] == "rejected"
        assert seg_ids(r.text, "IK5")[0][1] == "R" and seg_ids(r.text, "IK3")
        assert (await client.get("/v1/stats")).json()["claims_received"] == 0


async def test_a_nul_inside_clm01_is_rejected_in_the_999_and_never_echoed(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    claim = make_claim(m, [("99214", "150.00")])
    text = claim_837([claim], 9)
    clm = next(s for s in text.split("~") if s.strip().startswith("CLM*"))
    pcn = clm.strip().split("*")[1]
    text = text.replace(f"CLM*{pcn}*", f"CLM*{pcn[:4]}\x00{pcn[4:]}*", 1)
    async with sandbox(tmp_path) as client:
        r = await client.post("/v1/x12", content=text.encode(), headers=EDI)
        assert r.status_code == 200 and r.headers["x-sandbox-result"] == "rejected"
        assert seg_ids(r.text, "IK5")[0][1] == "R" and "\x00" not in r.text
        assert (await client.get("/v1/stats")).json()["claims_received"] == 0
        assert await mailbox(client, "277CA") == [] and await mailbox(client, "835") == []


async def test_unknown_subscriber_is_rejected_a3_in_the_277ca(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXPPO01")
    claim = make_claim(m, [("99213", "100.00")], pcn="PCN-NOBODY")
    claim = type(claim)(**{**claim.__dict__, "member_id": "NOBODY12345"})
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837([claim], 9), headers=EDI)
        ack = str((await mailbox(client, "277CA"))[0]["content"])
        assert "A3:33:IL" in [s[1] for s in seg_ids(ack, "STC")]
        stats = (await client.get("/v1/stats")).json()
        assert stats["claims_rejected"] == 1 and stats["claims_adjudicated"] == 0


async def test_several_claims_of_one_payer_share_one_balanced_check_with_denials(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXMCR01")
    claims = [
        make_claim(m, [("99214", "180.00")], pcn="PCN-A"),
        make_claim(m, [("83036", "30.00")], pcn="PCN-B", diagnoses=("Z0000",)),  # CO-50
        make_claim(m, [("45385", "900.00"), ("45378", "600.00")], pcn="PCN-C", diagnoses=("K635",)),  # CO-97
        make_claim(m, [("J1030", "25.00")], pcn="PCN-D"),  # CO-16 M119
    ]
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837(claims, 11), headers=EDI)
        await client.post("/v1/remittances/flush")
        remits = await mailbox(client, "835")
        assert len(remits) == 1
        content = str(remits[0]["content"])
        assert imbalances_835(content) == []
        assert [c[1] for c in seg_ids(content, "CLP")] == ["PCN-A", "PCN-B", "PCN-C", "PCN-D"]
        cas = {(c[1], c[2]) for c in seg_ids(content, "CAS")}
        assert {("CO", "50"), ("CO", "97"), ("CO", "16"), ("CO", "45")} <= cas
        assert ("HE", "M119") in {(q[1], q[2]) for q in seg_ids(content, "LQ")}
        stats = (await client.get("/v1/stats")).json()
        assert stats["claims_denied"] == 2 and stats["claims_paid"] == 2


async def test_reprocess_scenario_sends_a_reversal_and_a_corrected_claim_in_a_later_835(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXPPO01", scenario=MemberScenario.REPROCESS)
    claim = make_claim(m, [("99214", "200.00")], pcn="PCN-REPRO")
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837([claim], 12), headers=EDI)
        released = (await client.post("/v1/remittances/flush")).json()["released"]
        assert len(released) == 2
        first, second = (str(f["content"]) for f in await mailbox(client, "835"))
        assert [c[2] for c in seg_ids(first, "CLP")] == ["1"]
        clps = seg_ids(second, "CLP")
        assert [c[2] for c in clps] == ["22", "1"]
        assert Decimal(clps[0][4]) == -Decimal(seg_ids(first, "CLP")[0][4])
        assert clps[0][7] == seg_ids(first, "CLP")[0][7] != clps[1][7]
        # The first payment was priced at 90% of the schedule (the payer's error); the
        # correction pays the contracted 180.60 minus the 25.00 copay.
        assert m.plan_id == "PPO-GOLD"
        assert Decimal(seg_ids(first, "CLP")[0][4]) == Decimal("137.54")
        assert Decimal(clps[1][4]) == Decimal("155.60")
        assert Decimal(seg_ids(second, "BPR")[0][2]) == Decimal("155.60") - Decimal("137.54")
        assert imbalances_835(first) == [] and imbalances_835(second) == []
        row = (await client.get("/v1/claims")).json()[0]
        assert Decimal(row["paid"]) == Decimal(clps[1][4]) and row["times_received"] == 1


async def test_interest_and_recoupment_appear_as_plb_and_the_check_still_balances(
    tmp_path: Path,
) -> None:
    interest = pick_member(CONFIG, "SBXMCD01", scenario=MemberScenario.INTEREST)
    recoup = pick_member(CONFIG, "SBXMCD01", scenario=MemberScenario.RECOUPMENT)
    claims = [
        make_claim(interest, [("99215", "250.00")], pcn="PCN-INT"),
        make_claim(recoup, [("99215", "250.00")], pcn="PCN-REC"),
    ]
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837(claims, 13), headers=EDI)
        await client.post("/v1/remittances/flush")
        content = str((await mailbox(client, "835"))[0]["content"])
        plb = seg_ids(content, "PLB")[0]
        assert plb[3].startswith("L6:") and plb[5].startswith("WO:")
        bpr = Decimal(seg_ids(content, "BPR")[0][2])
        paid = sum(Decimal(c[4]) for c in seg_ids(content, "CLP"))
        assert bpr == paid + Decimal("2.37") - Decimal("15.00")
        assert imbalances_835(content) == []


async def test_replacement_claim_reverses_the_original_and_pays_the_new_one(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    original = make_claim(m, [("99213", "120.00")], pcn="PCN-R")
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837([original], 14), headers=EDI)
        await client.post("/v1/remittances/flush")
        icn = (await client.get("/v1/claims")).json()[0]["payer_claim_id"]
        fixed = make_claim(m, [("99214", "160.00")], pcn="PCN-R", frequency_code="7")
        fixed = type(fixed)(**{**fixed.__dict__, "original_payer_claim_id": icn})
        await client.post("/v1/x12", content=claim_837([fixed], 15), headers=EDI)
        await client.post("/v1/remittances/flush")
        later = str((await mailbox(client, "835"))[-1]["content"])
        assert [(c[2], c[9]) for c in seg_ids(later, "CLP")] == [("22", "1"), ("1", "7")]
        assert imbalances_835(later) == []
        statuses = {(r["frequency_code"], r["status"]) for r in (await client.get("/v1/claims")).json()}
        assert statuses == {("1", "replaced"), ("7", "paid")}


async def test_claim_status_276_reports_pending_then_finalized_paid(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    claim = make_claim(m, [("99213", "120.00")], pcn="PCN-S")
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837([claim], 16), headers=EDI)
        pending = await client.post("/v1/x12", content=status_276(m, "PCN-S", 17), headers=EDI)
        assert seg_ids(pending.text, "STC")[0][1] == "P1:20"
        await client.post("/v1/remittances/flush")
        final = await client.post("/v1/x12", content=status_276(m, "PCN-S", 18), headers=EDI)
        stc = seg_ids(final.text, "STC")[0]
        assert stc[1] == "F1:65" and Decimal(stc[5]) > 0
        missing = await client.post("/v1/x12", content=status_276(m, "NO-SUCH", 19), headers=EDI)
        assert seg_ids(missing.text, "STC")[0][1] == "A4:35"


async def test_mailbox_is_read_with_a_cursor_and_files_are_not_consumed(tmp_path: Path) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    async with sandbox(tmp_path) as client:
        for n in range(3):
            await client.post(
                "/v1/x12",
                content=claim_837([make_claim(m, [("99213", "120.00")], pcn=f"P{n}")], 30 + n),
                headers=EDI,
            )
        page = (await client.get("/v1/mailbox", params={"kind": "999", "limit": 2})).json()
        assert len(page["files"]) == 2
        rest = (await client.get("/v1/mailbox", params={"kind": "999", "after": page["next_after"]})).json()
        assert len(rest["files"]) == 1
        again = (await client.get("/v1/mailbox", params={"kind": "999"})).json()
        assert [f["seq"] for f in again["files"]] == [f["seq"] for f in page["files"] + rest["files"]]
        assert (await client.get("/v1/mailbox", params={"kind": "bogus"})).status_code == 422


async def test_same_seed_and_inputs_give_identical_files_and_another_seed_changes_ids(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    claims = [make_claim(m, [("99213", "200.00"), ("36415", "10.00")], pcn="PCN-DET")]

    async def run(data_dir: Path, seed: int) -> list[str]:
        async with sandbox(data_dir, seed=seed) as client:
            await client.post("/v1/x12", content=claim_837(claims, 40), headers=EDI)
            await client.post("/v1/remittances/flush")
            return [str(f["content"]) for f in (await client.get("/v1/mailbox")).json()["files"]]

    a = await run(tmp_path / "a", 7)
    b = await run(tmp_path / "b", 7)
    c = await run(tmp_path / "c", 8)
    assert a == b
    assert a != c


async def test_healthz_answers_ok(tmp_path: Path) -> None:
    async with sandbox(tmp_path) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_a_transaction_the_sandbox_does_not_accept_gets_400_with_a_rejecting_999(
    tmp_path: Path,
) -> None:
    m = pick_member(CONFIG, "SBXMCD01")
    async with sandbox(tmp_path) as client:
        await client.post("/v1/x12", content=claim_837([make_claim(m, [("99213", "120.00")])], 50))
        await client.post("/v1/remittances/flush")
        an_835 = str((await mailbox(client, "835"))[0]["content"])
        r = await client.post("/v1/x12", content=an_835, headers=EDI)
        assert r.status_code == 400
        body = r.json()
        assert body["issues"][0]["segment_id"] == "ST" and "835" in body["error"]
        assert "IK5*R*1" in body["acknowledgement"]


def _conformance_dir() -> Path:
    here = Path(__file__).resolve()
    root = next(p for p in here.parents if (p / "pyproject.toml").is_file() and (p / "uv.lock").is_file())
    return root.parent / "shared" / "conformance" / "x12" / "LinuxForHealth-x12"


async def test_public_837_samples_are_acknowledged_without_server_errors(tmp_path: Path) -> None:
    samples = sorted(_conformance_dir().glob("837_*"))
    assert samples, "conformance samples not found"
    for n, sample in enumerate(samples):
        # The samples share one sender and ISA13: each goes to a fresh sandbox, or every one
        # after the first would (rightly) be answered as a duplicate interchange.
        async with sandbox(tmp_path / str(n)) as client:
            r = await client.post("/v1/x12", content=sample.read_text(), headers=EDI)
            assert r.status_code == 200, (sample.name, r.text)
            assert r.headers["x-sandbox-result"] == "accepted", sample.name
            assert seg_ids(r.text, "AK9")[0][1] in ("A", "E"), sample.name
            stats = (await client.get("/v1/stats")).json()
            # Their payers and members are not on the sandbox's roster: rejected in the 277CA.
            assert stats["claims_received"] >= 1 and stats["claims_adjudicated"] == 0, sample.name
            ca = (await mailbox(client, "277CA"))[0]["content"]
            claim_level = [s[1] for s in seg_ids(str(ca), "STC") if not s[1].startswith("A1")]
            assert claim_level and all(c.startswith("A3") for c in claim_level), sample.name


@pytest.mark.parametrize("pattern", ["270_*", "276_*"])
async def test_public_270_and_276_samples_get_a_271_or_277_answer(tmp_path: Path, pattern: str) -> None:
    samples = sorted(_conformance_dir().glob(pattern))
    assert samples
    for n, sample in enumerate(samples):
        async with sandbox(tmp_path / str(n)) as client:
            r = await client.post("/v1/x12", content=sample.read_text(), headers=EDI)
            assert r.status_code == 200, (sample.name, r.text)
            if pattern == "270_*":
                # Their subscribers are not on the roster: subscriber not found.
                assert [a[3] for a in seg_ids(r.text, "AAA")] and not seg_ids(r.text, "EB"), sample.name
            else:
                assert {s[1] for s in seg_ids(r.text, "STC")} == {"A4:35"}, sample.name


# ------------------------------------------------------------------------- business date
def test_shifted_clock_starts_on_the_business_date_and_runs_on_with_real_time() -> None:
    ticks = iter([datetime(2026, 11, 23, 9, 0, tzinfo=UTC), datetime(2026, 11, 23, 9, 0, 5, tzinfo=UTC)])
    clock = shifted_clock(date(2026, 10, 1), lambda: next(ticks))
    assert clock() == datetime(2026, 10, 1, 9, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize(("business_date", "paid"), [("2026-10-01", True), ("2027-01-15", False)])
async def test_sandbox_business_date_decides_timely_filing_and_dates_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, business_date: str, paid: bool
) -> None:
    """SANDBOX_BUSINESS_DATE is the payers' today: 30 days after the service is on time for a
    90-day payer; 106 days after is CO-29. The 999 is dated that day too."""
    monkeypatch.setenv("SANDBOX_BUSINESS_DATE", business_date)
    settings = SandboxSettings(data_dir=tmp_path, remit_delay_seconds=0, remit_batch_seconds=3600)
    m = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    claim = make_claim(m, [("99213", "200.00")], diagnoses=("I10",), pcn="PCN-DATE-1",
                       service_date=date(2026, 9, 1))
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://sandbox",
                                                                   headers=clearinghouse_headers()) as client:
        r = await client.post("/v1/x12", content=claim_837([claim], 301), headers=EDI)
        assert seg_ids(r.text, "ISA")[0][9] == date.fromisoformat(business_date).strftime("%y%m%d")
        await client.post("/v1/remittances/flush")
        row = (await client.get("/v1/claims")).json()[0]
    assert (row["status"] == "paid") is paid, row
    assert ("CO-29" in row["carc_codes"]) is not paid


async def test_a_270_interchange_for_two_payers_is_answered_per_payer_and_mixing_them_in_one_set_is_refused(
        tmp_path: Path) -> None:
    """Two transaction sets (one per payer) in one interchange: each member is answered by its own
    payer, in one 271 transaction set per payer. Two payers inside ONE transaction set are valid
    X12 but beyond the toolkit's model: refused with the reason and a 999, never answered wrongly."""
    a = pick_member(CONFIG, "SBXPPO01", plan_id="PPO-GOLD")
    b = pick_member(CONFIG, "SBXMCD01")

    def block(first_hl: int, m: Any, trace: str) -> list[list[Any]]:
        return [["HL", str(first_hl), None, "20", "1"],
                ["NM1", "PR", "2", "PAYER", None, None, None, None, "PI", m.payer_id],
                ["HL", str(first_hl + 1), str(first_hl), "21", "1"],
                ["NM1", "1P", "2", "SANDBOX TEST CLINIC", None, None, None, None, "XX", BILLING_NPI],
                ["HL", str(first_hl + 2), str(first_hl + 1), "22", "0"],
                ["TRN", "1", trace, "9RCMPLATFM"],
                ["NM1", "IL", "1", m.last_name, m.first_name, None, None, None, "MI", m.member_id],
                ["DMG", "D8", m.birth_date.strftime("%Y%m%d")], ["DTP", "291", "D8", "20261110"], ["EQ", "30"]]

    bht = ["BHT", "0022", "13", "E77", "20261110", "1200"]
    one_set = _simple_interchange("HS", "005010X279A1", "270", [bht, *block(1, a, "TA"), *block(4, b, "TB")], 77,
                                  "RCMPLATFORM", date(2026, 11, 10))
    first = _simple_interchange("HS", "005010X279A1", "270", [bht, *block(1, a, "TA")], 78, "RCMPLATFORM",
                                date(2026, 11, 10))
    second = _simple_interchange("HS", "005010X279A1", "270", [bht, *block(1, b, "TB")], 78, "RCMPLATFORM",
                                 date(2026, 11, 10))
    # One interchange, one group, the two transaction sets (the second renumbered 0002).
    segs = [x.strip() for x in first.split("~") if x.strip()]
    extra = [x.strip() for x in second.split("~") if x.strip() and not x.strip().startswith(("ISA", "GS", "GE", "IEA"))]
    extra = [x.replace("*0001", "*0002") if x.startswith(("ST", "SE")) else x for x in extra]
    ge = next(i for i, x in enumerate(segs) if x.startswith("GE*"))
    two_sets = "~".join([*segs[:ge], *extra, segs[ge].replace("GE*1*", "GE*2*", 1), *segs[ge + 1:]]) + "~"
    async with sandbox(tmp_path) as client:
        refused = await client.post("/v1/x12", content=one_set, headers=EDI)
        answered = await client.post("/v1/x12", content=two_sets, headers=EDI)
    assert refused.status_code == 400
    assert any(i["segment_id"] == "HL" and "second information source" in i["reason"]
               for i in refused.json()["issues"])
    assert "IK5*R" in refused.json()["acknowledgement"]
    assert answered.status_code == 200, answered.text
    received = read_271(answered.text)
    answers = {rec.document.source.id: [(resp.subscriber.member_id, resp.active) for resp in rec.document.responses]
               for rec in received}
    assert answers == {a.payer_id: [(a.member_id, True)], b.payer_id: [(b.member_id, True)]}
    assert len({rec.transaction_control_number for rec in received}) == 2
