"""``rcm-payments [serve|migrate]``."""

from __future__ import annotations

from rcm_shared.entrypoint import service_main

from rcm_payments.adapters.tables import MIGRATIONS
from rcm_payments.bootstrap import create_app
from rcm_payments.config import PaymentsSettings


def run() -> None:
    """Run the payments service (``serve``, the default) or only its migrations (``migrate``)."""
    service_main(service="payments", settings_cls=PaymentsSettings, app_factory=create_app,
                 migrations=MIGRATIONS)


if __name__ == "__main__":
    run()
