from alembic import context

from rcm_shared.db.migrations import run_env
from rcm_shared.phi.sql import KEYRING_VERSION_TABLE, metadata

run_env(context, metadata, version_table=KEYRING_VERSION_TABLE)
