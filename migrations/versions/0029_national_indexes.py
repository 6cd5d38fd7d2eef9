"""national indexes: the latest inspections still awaiting a fix, read from a partial index on the premises (the
dashboard's and the yearly report's open fix-by requests read them over every premise in the country otherwise)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 07:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

PENDING_FIX = sa.text("last_result = 'pending_fix'")


def upgrade():
    op.create_index(
        "ix_premises_pending_fix",
        "premises",
        ["last_inspection_id"],
        unique=False,
        sqlite_where=PENDING_FIX,
        postgresql_where=PENDING_FIX,
    )


def downgrade():
    op.drop_index("ix_premises_pending_fix", table_name="premises")
