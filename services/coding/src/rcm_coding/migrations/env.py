from alembic import context
from rcm_shared.db.migrations import run_env

from rcm_coding.adapters.tables import metadata

run_env(context, metadata)
