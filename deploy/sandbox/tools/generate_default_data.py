"""Regenerate ``src/rcm_sandbox/data/default.json`` (synthetic data only).

Run from the repo root: ``uv run python deploy/sandbox/tools/generate_default_data.py``.
The output is committed; this script documents how it was built and keeps it reproducible.
"""

from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "rcm_sandbox" / "data" / "default.json"

# Synthetic base allowed amounts per unit (roughly the shape of a public fee schedule,
# not copied from one). Payers scale them by their own factor.
BASE = {
    "99202": "72.00",
    "99203": "110.00",
    "99204": "165.00",
    "99205": "218.00",
    "99211": "23.00",
    "99212": "56.00",
    "99213": "91.00",
    "99214": "129.00",
    "99215": "181.00",
    "99381": "120.00",
    "99382": "125.00",
    "99383": "130.00",
    "99384": "140.00",
    "99385": "135.00",
    "99386": "155.00",
    "99387": "170.00",
    "99391": "105.00",
    "99392": "112.00",
    "99393": "112.00",
    "99394": "120.00",
    "99395": "122.00",
    "99396": "132.00",
    "99397": "145.00",
    "90471": "17.00",
    "90472": "9.00",
    "90686": "19.50",
    "90715": "35.00",
    "90707": "70.00",
    "90732": "105.00",
    "G0008": "32.00",
    "36415": "3.00",
    "80053": "10.50",
    "80061": "13.00",
    "85025": "7.80",
    "81002": "3.50",
    "81003": "2.50",
    "87880": "16.50",
    "82947": "4.00",
    "83036": "9.70",
    "93000": "16.00",
    "12001": "95.00",
    "12002": "115.00",
    "12004": "140.00",
    "12005": "175.00",
    "12006": "215.00",
    "12007": "245.00",
    "12011": "110.00",
    "12013": "120.00",
    "12014": "145.00",
    "12015": "185.00",
    "12016": "225.00",
    "12017": "290.00",
    "12018": "330.00",
    "45378": "195.00",
    "45380": "245.00",
    "45385": "290.00",
    "20610": "58.00",
    "11102": "95.00",
    "17110": "120.00",
    "69210": "45.00",
    "94640": "17.00",
    "96372": "14.50",
    "J1030": "4.20",
    "J3420": "1.10",
}
PREVENTIVE = [c for c in BASE if c.startswith(("9938", "9939"))] + [
    "90471",
    "90472",
    "90686",
    "90715",
    "90707",
    "90732",
    "G0008",
]
OFFICE_VISITS = [c for c in BASE if c.startswith(("9920", "9921"))]
CENT = Decimal("0.01")


def schedule(factor: str, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        code: str((Decimal(amount) * Decimal(factor)).quantize(CENT, ROUND_HALF_UP))
        for code, amount in BASE.items()
        if code not in exclude
    }


MEDICAL_NECESSITY = [
    {
        "procedure_code": "93000",
        "diagnosis_prefixes": ["I", "R00", "R01", "R07", "R42", "R55", "Z0181"],
    },
    {
        "procedure_code": "83036",
        "diagnosis_prefixes": ["E08", "E09", "E10", "E11", "E13", "R73", "Z131", "O24"],
    },
    {"procedure_code": "80061", "diagnosis_prefixes": ["E78", "I", "E11", "Z136", "Z8249"]},
    {"procedure_code": "87880", "diagnosis_prefixes": ["J02", "J03", "J06", "R07", "R50"]},
]
NCCI = [
    {"column1": "45385", "column2": "45378", "modifier_indicator": "1"},
    {"column1": "45380", "column2": "45378", "modifier_indicator": "1"},
    {"column1": "12002", "column2": "12001", "modifier_indicator": "1"},
    {"column1": "20610", "column2": "96372", "modifier_indicator": "1"},
    {"column1": "81003", "column2": "81002", "modifier_indicator": "0"},
]
PLB = [
    {"scenario": "interest", "reason_code": "L6", "amount": "-2.37"},
    {"scenario": "recoupment", "reason_code": "WO", "amount": "15.00"},
]

PAYERS = [
    {
        "payer_id": "SBXPPO01",
        "name": "SANDBOX COMMERCIAL PPO",
        "kind": "commercial",
        "timely_filing_days": 90,
        "plans": [
            {
                "plan_id": "PPO-GOLD",
                "name": "Gold PPO",
                "copay": "25.00",
                "copay_codes": OFFICE_VISITS,
                "deductible": "1000.00",
                "coinsurance_rate": "0.20",
                "out_of_pocket_max": "4000.00",
                "preventive_codes": PREVENTIVE,
            },
            {
                "plan_id": "PPO-HDHP",
                "name": "High-deductible PPO",
                "copay": "0.00",
                "copay_codes": [],
                "deductible": "3000.00",
                "coinsurance_rate": "0.30",
                "out_of_pocket_max": "6500.00",
                "preventive_codes": PREVENTIVE,
            },
        ],
        "fee_schedule": schedule("1.40", exclude=("G0008",)),
        "ndc_required_codes": ["J1030", "J3420"],
        "medical_necessity": MEDICAL_NECESSITY,
        "ncci_pairs": NCCI,
        "provider_adjustments": PLB,
        "reprocess_first_payment_factor": "0.90",
    },
    {
        "payer_id": "SBXMCR01",
        "name": "SANDBOX MEDICARE PART B",
        "kind": "medicare",
        "timely_filing_days": 365,
        "plans": [
            {
                "plan_id": "MCR-B",
                "name": "Part B",
                "copay": "0.00",
                "copay_codes": [],
                "deductible": "257.00",
                "coinsurance_rate": "0.20",
                "out_of_pocket_max": None,
                "preventive_codes": ["90686", "90732", "G0008"],
            },
        ],
        # Routine physicals are not a Medicare benefit: they stay off its schedule.
        "fee_schedule": schedule("1.00", exclude=tuple(c for c in BASE if c.startswith(("9938", "9939")))),
        "ndc_required_codes": ["J1030", "J3420"],
        "medical_necessity": MEDICAL_NECESSITY,
        "ncci_pairs": NCCI,
        "provider_adjustments": PLB,
        "reprocess_first_payment_factor": "1.10",
    },
    {
        "payer_id": "SBXMCD01",
        "name": "SANDBOX STATE MEDICAID",
        "kind": "medicaid",
        "timely_filing_days": 180,
        "plans": [
            {
                "plan_id": "MCD-STD",
                "name": "Medicaid standard",
                "copay": "4.00",
                "copay_codes": OFFICE_VISITS,
                "deductible": "0.00",
                "coinsurance_rate": "0",
                "out_of_pocket_max": "300.00",
                "preventive_codes": PREVENTIVE,
            },
        ],
        "fee_schedule": schedule("0.72", exclude=("G0008",)),
        "ndc_required_codes": ["J1030", "J3420"],
        "medical_necessity": MEDICAL_NECESSITY,
        "ncci_pairs": NCCI,
        "provider_adjustments": PLB,
        "reprocess_first_payment_factor": "0.85",
    },
]

FIRST = [
    "AVA",
    "BEN",
    "CARA",
    "DEV",
    "ELLA",
    "FINN",
    "GIA",
    "HUGO",
    "IRIS",
    "JUDE",
    "KAI",
    "LENA",
    "MILO",
    "NORA",
    "OTTO",
    "PIA",
    "QUINN",
    "RUBY",
    "SAUL",
    "TESS",
    "UMA",
    "VICTOR",
    "WREN",
    "XENA",
    "YARA",
    "ZANE",
]
LAST = [
    "ABBOTT",
    "BRENNAN",
    "CALLOWAY",
    "DORSEY",
    "EASTON",
    "FAIRBANK",
    "GALLOWAY",
    "HOLLIS",
    "IVERSEN",
    "JAMESON",
    "KESTREL",
    "LINDQVIST",
    "MARLOWE",
    "NORCROSS",
    "OAKLEY",
    "PEMBERTON",
    "QUILLAN",
    "ROWNTREE",
    "SUTCLIFFE",
    "THORNBURY",
    "UPSHAW",
    "VANCE",
    "WHITLOCK",
    "YARDLEY",
]


def members() -> list[dict[str, object]]:
    rng = random.Random(20261123)
    out: list[dict[str, object]] = []
    layout = [
        ("SBXPPO01", "PPO", ["PPO-GOLD", "PPO-HDHP"]),
        ("SBXMCR01", "MCR", ["MCR-B"]),
        ("SBXMCD01", "MCD", ["MCD-STD"]),
    ]
    # Per payer: 16 plain active, 3 terminated, 1 name mismatch, 1 dob mismatch,
    # 1 reprocess, 1 interest, 1 recoupment = 24, so 72 members in all.
    scenarios = (
        ["none"] * 16 + ["terminated"] * 3 + ["name_mismatch", "dob_mismatch", "reprocess", "interest", "recoupment"]
    )
    for payer_id, prefix, plans in layout:
        for index, scenario in enumerate(scenarios, start=1):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            senior = payer_id == "SBXMCR01"
            year = rng.randint(1940, 1958) if senior else rng.randint(1960, 2015)
            birth = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            plan = plans[index % len(plans)]
            member: dict[str, object] = {
                "member_id": f"{prefix}{100000 + index * 7:06d}",
                "first_name": first,
                "last_name": last,
                "birth_date": birth,
                "sex": rng.choice("MF"),
                "payer_id": payer_id,
                "plan_id": plan,
                "status": "active",
                "coverage_start": "2024-01-01",
                "coverage_end": None,
                "scenario": "none",
                "on_file": None,
                "deductible_met": "0.00",
                "out_of_pocket_met": "0.00",
            }
            if scenario == "terminated":
                member["status"] = "terminated"
                member["coverage_end"] = "2025-12-31"
            elif scenario == "name_mismatch":
                member["scenario"] = scenario
                member["on_file"] = {"last_name": last + "-" + rng.choice(LAST)}
            elif scenario == "dob_mismatch":
                member["scenario"] = scenario
                member["on_file"] = {"birth_date": f"{year + 1:04d}-{birth[5:]}"}
            elif scenario != "none":
                member["scenario"] = scenario
            # A few members have already met part of their deductible this year.
            if scenario == "none" and index % 5 == 0 and payer_id == "SBXPPO01":
                member["deductible_met"] = "400.00"
                member["out_of_pocket_met"] = "400.00"
            out.append(member)
    return out


def main() -> None:
    data = {
        "clearinghouse_id": "SANDBOXCH",
        "clearinghouse_name": "RCM SANDBOX CLEARINGHOUSE",
        "payers": PAYERS,
        "members": members(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
