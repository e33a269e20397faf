"""Eligibility: messaging tables, eligibility checks, X12 control numbers.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from rcm_shared.db.control_numbers import create_control_number_sequence_v1
from rcm_shared.db.migrations import create_messaging_tables_v1, drop_messaging_tables_v1
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1(op)
    create_control_number_sequence_v1(op)
    op.create_table(
        "eligibility_checks",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("encounter_id", sa.String(38), nullable=False, index=True),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("member_id", sa.String(80), nullable=False),
        sa.Column("date_of_service", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answer", postgresql.JSONB, nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("eligibility_checks")
    op.execute("DROP SEQUENCE x12_interchange_control_seq")
    drop_messaging_tables_v1(op)
