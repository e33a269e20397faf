"""``rcm-claims [serve|migrate]``."""

from __future__ import annotations

from pathlib import Path

from rcm_shared.entrypoint import service_main

from rcm_claims.bootstrap import create_app
from rcm_claims.config import ClaimsSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def run() -> None:
    service_main(service="claims", settings_cls=ClaimsSettings, app_factory=create_app, migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
