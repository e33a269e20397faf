"""``rcm-payments [serve|migrate]``."""

from __future__ import annotations

from pathlib import Path

from rcm_shared.entrypoint import service_main

from rcm_payments.config import PaymentsSettings
from rcm_payments.entrypoints.api import create_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def run() -> None:
    service_main(service="payments", settings_cls=PaymentsSettings, app_factory=create_app,
                 migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
