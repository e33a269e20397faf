"""``rcm-coding [serve|migrate]``."""

from __future__ import annotations

from rcm_shared.entrypoint import service_main

from rcm_coding.adapters.tables import MIGRATIONS
from rcm_coding.bootstrap import SERVICE, create_app
from rcm_coding.config import CodingSettings


def run() -> None:
    service_main(service=SERVICE, settings_cls=CodingSettings, app_factory=create_app, migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
