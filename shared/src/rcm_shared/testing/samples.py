"""Synthetic, valid contract payloads for tests (no real patients, valid NPIs)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from rcm_shared.contracts.common import npi_from

__all__ = ["encounter_payload", "npi_from"]


def encounter_payload(encounter_id: str, *, rng: random.Random | None = None, **overrides: Any) -> dict[str, Any]:
    """An ``EncounterCompleted`` payload (JSON form) for a synthetic office visit."""
    r = rng or random.Random(encounter_id)
    payload: dict[str, Any] = {
        "encounter_id": encounter_id,
        "patient": {"first_name": "Alex", "last_name": f"Testpatient{r.randint(1, 999)}",
                    "birth_date": "1970-05-17", "sex": "F",
                    "address": {"line1": "1 Synthetic Way", "city": "Springfield", "state": "IL",
                                "postal_code": "62701"}},
        "coverage": {"payer_id": "SBXPPO01", "payer_name": "SANDBOX PPO", "member_id": "SBX0000001"},
        "rendering_provider": {"npi": npi_from("123456789"), "last_name_or_org": "Doe", "first_name": "Jamie"},
        "billing_provider": {"npi": npi_from("198765432"), "last_name_or_org": "Synthetic Family Practice",
                             "tax_id": "123456789",
                             "address": {"line1": "100 Clinic Rd", "city": "Springfield", "state": "IL",
                                         "postal_code": "62701"}},
        "place_of_service": "11",
        "date_of_service": date(2026, 10, 14).isoformat(),
        "documentation": {
            "note_text": "Assessment: essential hypertension, stable. Plan: continue lisinopril.",
            "diagnoses": [{"code": "I10", "text": "essential hypertension"}],
            "procedures": [{"code": "99213", "modifiers": [], "units": str(Decimal(1))}],
        },
    }
    payload.update(overrides)
    return payload
