"""Claims: store the causes a claim's later events continue from.

``cause`` is the event that completed the claim's intake (the dispatcher's ClaimSubmitted
is caused by it); ``submitted_cause`` is the claim's ClaimSubmitted (its acknowledgements
are caused by it). Nullable: claims built before this revision have none.

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
    op.add_column("claims", sa.Column("cause", postgresql.JSONB, nullable=True))
    op.add_column("claims", sa.Column("submitted_cause", postgresql.JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("claims", "submitted_cause")
    op.drop_column("claims", "cause")
