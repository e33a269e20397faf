"""Coding: messaging tables, coding results, review audit trail.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from rcm_shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1(op)
    op.create_table(
        "coding_results",
        sa.Column("encounter_id", sa.String(38), primary_key=True),
        sa.Column("date_of_service", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposal", postgresql.JSONB, nullable=False),
        sa.Column("final_codes", postgresql.JSONB, nullable=True),
        sa.Column("note_text", sa.Text, nullable=False),
        sa.Column("coded_by", sa.String(80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_coding_results_review", "coding_results", ["created_at"],
                    postgresql_where=sa.text("status = 'review'"))
    op.create_table(
        "review_audit",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("encounter_id", sa.String(38), nullable=False, index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("coder", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("changes", postgresql.JSONB, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("review_audit")
    op.drop_index("ix_coding_results_review", table_name="coding_results")
    op.drop_table("coding_results")
    drop_messaging_tables_v1(op)
