"""The chargemaster file loader (adapters/reference_data.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rcm_claims.adapters.reference_data import load_chargemaster


def test_the_packaged_chargemaster_loads_as_decimals() -> None:
    prices = load_chargemaster()
    assert prices["99213"] == Decimal("185.00")
    assert all(isinstance(p, Decimal) and p > 0 for p in prices.values())


def test_a_chargemaster_file_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text('{"prices": {"99213": "199.99", "J1100": 12.35}}')
    assert load_chargemaster(path) == {"99213": Decimal("199.99"), "J1100": Decimal("12.35")}


@pytest.mark.parametrize(("value", "message"), [('"abc"', "99213 is not a decimal"), ('"0"', "must be positive"),
                                                ('"-5.00"', "must be positive")])
def test_a_price_that_is_not_a_positive_decimal_is_refused_naming_the_code(
    tmp_path: Path, value: str, message: str
) -> None:
    path = tmp_path / "prices.json"
    path.write_text('{"prices": {"99213": ' + value + "}}")
    with pytest.raises(ValueError, match=message):
        load_chargemaster(path)
