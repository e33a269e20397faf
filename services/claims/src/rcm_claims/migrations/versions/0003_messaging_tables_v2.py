"""claims: messaging tables v2 (outbox keys and headers stored losslessly as bytes; inbox content hash).

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from rcm_shared.db.migrations import downgrade_messaging_tables_v2, upgrade_messaging_tables_v2

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_messaging_tables_v2(op)


def downgrade() -> None:
    downgrade_messaging_tables_v2(op)
