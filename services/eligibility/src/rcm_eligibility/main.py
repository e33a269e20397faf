"""``rcm-eligibility [serve|migrate]``."""

from __future__ import annotations

from rcm_shared.entrypoint import service_main

from rcm_eligibility.bootstrap import MIGRATIONS, create_app
from rcm_eligibility.config import EligibilitySettings


def run() -> None:
    """The console script: apply migrations, then serve (or only migrate)."""
    service_main(service="eligibility", settings_cls=EligibilitySettings, app_factory=create_app,
                 migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
