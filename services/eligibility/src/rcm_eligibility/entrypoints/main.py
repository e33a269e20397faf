"""``rcm-eligibility [serve|migrate]``."""

from __future__ import annotations

from pathlib import Path

from rcm_shared.entrypoint import service_main

from rcm_eligibility.config import EligibilitySettings
from rcm_eligibility.entrypoints.api import create_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def run() -> None:
    service_main(service="eligibility", settings_cls=EligibilitySettings, app_factory=create_app,
                 migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
