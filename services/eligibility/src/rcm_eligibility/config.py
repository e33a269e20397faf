"""Eligibility service settings (environment variables)."""

from __future__ import annotations

from pydantic import Field
from rcm_shared.settings import ClearinghouseSettings


class EligibilitySettings(ClearinghouseSettings):
    service_name: str = "eligibility"
    http_port: int = Field(default=8001, ge=0, le=65535)
    submitter_id: str = Field(default="RCMPLATFORM", min_length=2, max_length=15, description="ISA06 sender id")
    receiver_id: str = Field(default="CLEARINGHOUSE", min_length=2, max_length=15, description="ISA08 receiver id")
    trace_originator: str = Field(default="9000000001", pattern=r"^\d{10}$",
                                  description="TRN03: '1' + our tax id, or '9' + an assigned number")
