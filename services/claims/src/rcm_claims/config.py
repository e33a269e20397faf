"""Claims service settings (environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from rcm_shared.settings import ClearinghouseSettings


class ClaimsSettings(ClearinghouseSettings):
    """The claims service's environment: the shared settings plus the clearinghouse and the 837 sender."""

    service_name: str = "claims"
    http_port: int = Field(default=8003, ge=0, le=65535)
    submitter_id: str = Field(default="RCMPLATFORM", min_length=2, max_length=15, description="ISA06 sender id")
    receiver_id: str = Field(default="CLEARINGHOUSE", min_length=2, max_length=15, description="ISA08 receiver id")
    submitter_name: str = Field(default="RCM PLATFORM DEMO", max_length=60)
    chargemaster_path: Path | None = Field(default=None, description="JSON chargemaster; packaged sample if unset")
    mailbox_poll_interval_ms: int = Field(default=500, ge=10, le=60_000)
    dispatch_batch_size: int = Field(default=50, ge=1, le=1000)
