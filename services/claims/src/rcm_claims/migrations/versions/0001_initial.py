"""Claims: messaging tables, intake, claims, submissions, acknowledgements, control numbers.

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
        "claim_intake",
        sa.Column("encounter_id", sa.String(38), primary_key=True),
        sa.Column("encounter", postgresql.JSONB, nullable=True),
        sa.Column("coverage", postgresql.JSONB, nullable=True),
        sa.Column("coding", postgresql.JSONB, nullable=True),
        sa.Column("claim_id", sa.String(20), nullable=True),
        sa.Column("held_reasons", postgresql.JSONB, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "claims",
        sa.Column("claim_id", sa.String(20), primary_key=True),
        sa.Column("encounter_id", sa.String(38), nullable=False, unique=True),
        sa.Column("payer_id", sa.String(80), nullable=False),
        sa.Column("frequency_code", sa.String(1), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total_charge", sa.Numeric(12, 2), nullable=False),
        sa.Column("claim", postgresql.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "claim_submissions",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(20), sa.ForeignKey("claims.claim_id"), nullable=False, index=True),
        sa.Column("interchange_control_number", sa.String(9), nullable=False, unique=True),
        sa.Column("x12", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reply_result", sa.String(20), nullable=True),
        sa.Column("reply", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_claim_submissions_pending", "claim_submissions", ["id"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "claim_acks",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(20), nullable=False, index=True),
        sa.Column("file_id", sa.String(100), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("status_codes", postgresql.JSONB, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("claim_acks")
    op.drop_index("ix_claim_submissions_pending", table_name="claim_submissions")
    op.drop_table("claim_submissions")
    op.drop_table("claims")
    op.drop_table("claim_intake")
    op.execute("DROP SEQUENCE x12_interchange_control_seq")
    drop_messaging_tables_v1(op)
