"""Who read which patient's record, when: one event per disclosure of PHI to a person.

Each service records the reads of its own routes (the coder who opened an encounter's note
evidence, the biller who looked at a claim), through its outbox, before it answers; the topic
is kept forever for auditors. The event names ids (encounter, claim), never the PHI itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from rcm_shared.contracts.common import Contract

PHI_ACCESSED = "rcm.audit.phi_accessed"


class PhiAccessed(Contract):
    subject: str = Field(max_length=64, description="the token's subject: the person who read")
    roles: list[str] = Field(max_length=20, description="the roles the token carried")
    service: str = Field(max_length=40)
    action: Literal["read"] = "read"
    resource: str = Field(max_length=80, description="what was read, e.g. coding.encounter")
    resource_id: str = Field(max_length=80, description="its id (an encounter or claim id), never PHI")
    route: str = Field(max_length=200, description="the route template, e.g. GET /v1/coding/encounters/{encounter_id}")
    at: datetime
