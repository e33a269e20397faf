"""Payments: claim accounts keep the cause (the ClaimSubmitted event) their postings continue.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim_accounts", sa.Column("cause", postgresql.JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("claim_accounts", "cause")
