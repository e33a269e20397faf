"""Value types used by several event contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


@dataclass(frozen=True)
class Phi:
    """Marks a field as protected health information: sealed with the patient's data key on
    every topic and table (``rcm_shared.phi``), so deleting the key forgets it everywhere.

    Money, codes, dates of service and ids are never marked: they must stay replayable after a
    patient's key is gone.
    """


PHI = Phi()

Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
NPI = Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
Sex = Literal["F", "M", "U"]


def npi_check_digit_ok(npi: str) -> bool:
    """Luhn check over the prefix 80840 followed by the NPI's first nine digits (CMS rule)."""
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def npi_from(prefix9: str) -> str:
    """Complete a nine-digit prefix with its Luhn check digit (prefix 80840, CMS rule)."""
    for d in "0123456789":
        if npi_check_digit_ok(prefix9 + d):
            return prefix9 + d
    raise AssertionError("unreachable: one check digit always fits")


class Contract(BaseModel):
    """Base of every payload: strict about unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(Contract):
    line1: str = Field(min_length=1, max_length=55)
    line2: str | None = Field(default=None, max_length=55)
    city: str = Field(min_length=2, max_length=30)
    state: str = Field(pattern=r"^[A-Z]{2}$")
    postal_code: str = Field(pattern=r"^\d{5}(\d{4})?$")


class Person(Contract):
    mrn: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$",
                            description="the hospital's medical record number of this person (the patient's key "
                            "to their data key: one key per patient across encounters)")
    first_name: str = Field(min_length=1, max_length=35)
    last_name: str = Field(min_length=1, max_length=60)
    birth_date: date
    sex: Sex
    address: Address | None = None


class ProviderRef(Contract):
    npi: NPI
    last_name_or_org: str = Field(min_length=1, max_length=60)
    first_name: str | None = Field(default=None, max_length=35)
    taxonomy: str | None = Field(default=None, pattern=r"^[0-9A-Z]{9}X$")

    @field_validator("npi")
    @classmethod
    def _npi_luhn(cls, value: str) -> str:
        if not npi_check_digit_ok(value):
            raise ValueError("NPI fails the check digit (Luhn over 80840 + first nine digits)")
        return value


class BillingProvider(ProviderRef):
    tax_id: str = Field(pattern=r"^\d{9}$")
    address: Address
