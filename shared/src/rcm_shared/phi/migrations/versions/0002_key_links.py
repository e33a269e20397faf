"""Keyring: keys that depend on other keys (a clearinghouse file's on the patients it names).

Revision ID: k0002
Revises: k0001
"""

import sqlalchemy as sa
from alembic import op

revision = "k0002"
down_revision = "k0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phi_key_links",
        sa.Column("kid", sa.String(36), sa.ForeignKey("phi_keys.kid"), primary_key=True),
        sa.Column("depends_on", sa.String(36), sa.ForeignKey("phi_keys.kid"), primary_key=True),
    )
    op.create_index("ix_phi_key_links_depends_on", "phi_key_links", ["depends_on"])


def downgrade() -> None:
    op.drop_index("ix_phi_key_links_depends_on", table_name="phi_key_links")
    op.drop_table("phi_key_links")
