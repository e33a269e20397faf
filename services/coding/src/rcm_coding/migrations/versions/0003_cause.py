"""Coding: keep the cause of a queued review (the EncounterCompleted it continues).

A coder closes a review later over REST; the EncounterCoded it emits is caused by the
stored cause, so the encounter's causation chain and trace are not broken by the wait.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("coding_results", sa.Column("cause", postgresql.JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("coding_results", "cause")
