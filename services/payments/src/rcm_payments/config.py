"""Payments service settings (environment variables)."""

from __future__ import annotations

from pydantic import Field
from rcm_shared.settings import ClearinghouseSettings


class PaymentsSettings(ClearinghouseSettings):
    """The payments service's environment: the shared service settings plus the 835 mailbox."""

    service_name: str = "payments"
    http_port: int = Field(default=8004, ge=0, le=65535)
    mailbox_poll_interval_ms: int = Field(default=500, ge=10, le=60_000)
