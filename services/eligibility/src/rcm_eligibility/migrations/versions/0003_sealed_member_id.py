"""eligibility: member ids are stored sealed with the patient's data key (rcm_shared.phi), longer than 80.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("eligibility_checks", "member_id", type_=sa.Text, existing_type=sa.String(80),
                    existing_nullable=False)


def downgrade() -> None:
    # Sealed values do not fit 80 characters: a downgrade keeps the rows only if none is sealed.
    op.alter_column("eligibility_checks", "member_id", type_=sa.String(80), existing_type=sa.Text,
                    existing_nullable=False)
