"""Coding service settings (environment variables)."""

from __future__ import annotations

from pydantic import Field
from rcm_shared.settings import ServiceSettings


class CodingSettings(ServiceSettings):
    service_name: str = "coding"
    http_port: int = Field(default=8002, ge=0, le=65535)
