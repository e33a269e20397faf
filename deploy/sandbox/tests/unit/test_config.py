from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from rcm_sandbox.config import MemberScenario, MemberStatus, default_config_path, load_config

REQUIRED_CODES = (
    [f"{c}" for c in range(99202, 99206)]
    + [f"{c}" for c in range(99211, 99216)]
    + [
        "90471",
        "90472",
        "90686",
        "90715",
        "90707",
        "90732",
        "36415",
        "80053",
        "80061",
        "85025",
        "81002",
        "81003",
        "87880",
        "82947",
        "83036",
        "93000",
        "45378",
        "45380",
        "45385",
        "20610",
        "11102",
        "17110",
        "69210",
        "94640",
        "96372",
        "J1030",
        "J3420",
        "12001",
        "12007",
        "12011",
        "12018",
    ]
)


def test_default_data_file_has_three_payers_and_at_least_sixty_members() -> None:
    config = load_config()
    assert {p.kind.value for p in config.payers} == {"commercial", "medicare", "medicaid"}
    assert len(config.members) >= 60
    statuses = Counter(m.status for m in config.members)
    assert statuses[MemberStatus.ACTIVE] > statuses[MemberStatus.TERMINATED] > 0
    scenarios = Counter(m.scenario for m in config.members)
    assert scenarios[MemberScenario.NAME_MISMATCH] >= 1 and scenarios[MemberScenario.DOB_MISMATCH] >= 1


def test_every_payer_prices_the_common_outpatient_codes_as_decimals() -> None:
    for payer in load_config().payers:
        for code in REQUIRED_CODES:
            assert isinstance(payer.fee_schedule[code], Decimal), (payer.payer_id, code)
            assert payer.fee_schedule[code] > 0


def test_members_expose_what_the_demo_needs() -> None:
    member = load_config().members[0]
    for attribute in (
        "member_id",
        "first_name",
        "last_name",
        "birth_date",
        "sex",
        "payer_id",
        "status",
    ):
        assert getattr(member, attribute) is not None


def test_mismatch_members_differ_from_the_payer_record() -> None:
    config = load_config()
    for member in config.members:
        if member.scenario is MemberScenario.NAME_MISMATCH:
            assert member.record_last_name != member.last_name
        if member.scenario is MemberScenario.DOB_MISMATCH:
            assert member.record_birth_date != member.birth_date


def test_a_member_pointing_at_an_unknown_plan_is_refused(tmp_path: Path) -> None:
    raw = json.loads(default_config_path().read_text())
    raw["members"][0]["plan_id"] = "NO-SUCH-PLAN"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(ValidationError, match="no plan NO-SUCH-PLAN"):
        load_config(bad)


def test_float_money_in_a_custom_file_is_read_exactly(tmp_path: Path) -> None:
    raw = default_config_path().read_text().replace('"99213": "127.40"', '"99213": 127.40')
    path = tmp_path / "float.json"
    path.write_text(raw)
    ppo = load_config(path).payer("SBXPPO01")
    assert ppo is not None and ppo.fee_schedule["99213"] == Decimal("127.40")
