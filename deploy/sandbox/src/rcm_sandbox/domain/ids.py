"""Deterministic identifiers: the same seed and sequence always give the same id."""

from __future__ import annotations

import hashlib

from rcm_shared.contracts.common import npi_check_digit_ok


def derived_number(seed: int, namespace: str, sequence: int, digits: int) -> str:
    """A ``digits``-long decimal string derived from (seed, namespace, sequence)."""
    digest = hashlib.sha256(f"{seed}:{namespace}:{sequence}".encode()).hexdigest()
    return str(int(digest, 16) % (10**digits)).zfill(digits)


def payer_claim_control_number(seed: int, sequence: int) -> str:
    """CLP07: the payer's internal control number for an adjudicated claim."""
    return "SBX" + derived_number(seed, "icn", sequence, 12)


def trace_number(seed: int, sequence: int) -> str:
    """TRN02: the check or EFT trace number of one 835."""
    return derived_number(seed, "trn", sequence, 10)


def npi_is_valid(npi: str) -> bool:
    """A 10-digit NPI whose check digit holds (the CMS Luhn rule, kept once in the shared contracts)."""
    return len(npi) == 10 and npi.isdigit() and npi_check_digit_ok(npi)
