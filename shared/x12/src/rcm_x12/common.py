"""Models shared by several transactions, and the wrapper readers return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from rcm_x12.syntax import GroupHeader, InterchangeHeader

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Address:
    """N3/N4."""

    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class Received(Generic[T]):
    """One transaction set as read: its envelope context and the typed document."""

    interchange: InterchangeHeader
    group: GroupHeader
    transaction_control_number: str
    implementation_reference: str
    document: T


@dataclass(frozen=True, slots=True)
class Party:
    """An NM1 entity identified by an id (payer PI, provider XX/SV, submitter 46)."""

    name: str
    id: str
    id_qualifier: str = ""
    entity_type: str = "2"
    first_name: str = ""


@dataclass(frozen=True, slots=True)
class Person:
    """A subscriber or dependent: NM1 name, member id, N3/N4, DMG."""

    last_name: str
    first_name: str = ""
    member_id: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: Address | None = None
