from alembic import context

from rcm_coding.adapters.tables import metadata
from rcm_shared.db.migrations import run_env

run_env(context, metadata)
