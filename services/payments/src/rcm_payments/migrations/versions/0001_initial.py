"""Payments: messaging tables, claim accounts, remittances, postings.

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
        "claim_accounts",
        sa.Column("claim_id", sa.String(20), primary_key=True),
        sa.Column("encounter_id", sa.String(38), nullable=True),
        sa.Column("payer_id", sa.String(80), nullable=True),
        sa.Column("total_charge", sa.Numeric(12, 2), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("paid_total", sa.Numeric(12, 2), nullable=False, server_default="0"),
        sa.Column("patient_responsibility", sa.Numeric(12, 2), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "remittances",
        sa.Column("file_id", sa.String(100), primary_key=True),
        sa.Column("trace_number", sa.String(50), nullable=True),
        sa.Column("payment_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reasons", postgresql.JSONB, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "postings",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("posting_key", sa.Text, nullable=False, unique=True),
        sa.Column("claim_id", sa.String(20), nullable=False, index=True),
        sa.Column("file_id", sa.String(100), nullable=False),
        sa.Column("trace_number", sa.String(50), nullable=False),
        sa.Column("status_code", sa.String(2), nullable=False),
        sa.Column("charge", sa.Numeric(12, 2), nullable=False),
        sa.Column("paid", sa.Numeric(12, 2), nullable=False),
        sa.Column("patient_responsibility", sa.Numeric(12, 2), nullable=False),
        sa.Column("adjustments", postgresql.JSONB, nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("postings")
    op.drop_table("remittances")
    op.drop_table("claim_accounts")
    drop_messaging_tables_v1(op)
