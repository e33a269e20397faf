"""One router per resource of the eligibility API."""

from __future__ import annotations

from fastapi import APIRouter

from rcm_eligibility.entrypoints.routers import checks, encounters, summary


def routers() -> list[APIRouter]:
    """Every router of the service, in the order the OpenAPI lists them."""
    return [checks.router, encounters.router, summary.router]
