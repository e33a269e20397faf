"""Reference data files of the claims service: the provider's chargemaster."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from rcm_claims.domain.model import Chargemaster


def load_chargemaster(path: Path | None = None) -> Chargemaster:
    """``{code: unit price}`` from a JSON chargemaster (``{"prices": {...}}``); the packaged sample when None.

    Raises ``ValueError`` naming the code whose price is not a positive decimal.
    """
    text = path.read_text() if path else resources.files("rcm_claims.data").joinpath("chargemaster.json").read_text()
    raw = json.loads(text)
    prices: dict[str, Decimal] = {}
    for code, value in raw["prices"].items():
        try:
            price = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"chargemaster price for {code} is not a decimal: {value!r}") from exc
        if price <= 0:
            raise ValueError(f"chargemaster price for {code} must be positive")
        prices[code] = price
    return prices
