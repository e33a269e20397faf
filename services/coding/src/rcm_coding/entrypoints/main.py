"""``rcm-coding [serve|migrate]``."""

from __future__ import annotations

from pathlib import Path

from rcm_shared.entrypoint import service_main

from rcm_coding.config import CodingSettings
from rcm_coding.entrypoints.api import create_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def run() -> None:
    service_main(service="coding", settings_cls=CodingSettings, app_factory=create_app,
                 migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
