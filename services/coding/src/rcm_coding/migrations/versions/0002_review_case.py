"""Coding: keep the review case (working codes and audit) with the result.

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
    op.add_column("coding_results", sa.Column("review_case", postgresql.JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("coding_results", "review_case")
