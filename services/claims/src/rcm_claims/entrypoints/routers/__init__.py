"""HTTP routers of the claims service, one per resource."""

from __future__ import annotations

from fastapi import APIRouter

from rcm_claims.entrypoints.routers import claims


def routers() -> list[APIRouter]:
    """Every router of the service's app."""
    return [claims.router]
