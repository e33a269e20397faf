"""Deterministic identifiers: the same seed and sequence always give the same id."""

from __future__ import annotations

import hashlib


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
    """A 10-digit NPI whose check digit holds (CMS rule: Luhn over the prefix 80840 and the
    first nine digits).

    The shared contracts hold the same rule for the platform; the payers keep their own copy
    so the domain depends on nothing outside it.
    """
    if len(npi) != 10 or not npi.isdigit():
        return False
    total = 0
    for i, digit in enumerate(int(c) for c in reversed("80840" + npi[:9])):
        if i % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])
