"""map indexes: the supervisor's map reads premises by position with their latest state from one covering index,
the inspections an account took part in, the inspections whose GPS fix was flagged by position, and the findings
by answer and checklist item (the filters by group and result)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Everything the map's GROUP BY reads of a premise, so a view is answered from the index alone.
MAP_COLUMNS = [
    "latitude",
    "longitude",
    "unit_id",
    "status",
    "last_inspection_id",
    "open_fix_deadline",
    "next_due_on",
    "last_result",
]
FLAGGED = sa.text("gps_flags <> ''")


def upgrade():
    op.create_index("ix_premises_map", "premises", MAP_COLUMNS, unique=False)
    op.create_index(
        "ix_findings_answer_item_code",
        "findings",
        ["answer", "item_code", "indicative", "inspection_id"],
        unique=False,
    )
    op.create_index("ix_inspection_members_user_id", "inspection_members", ["user_id"], unique=False)
    op.create_index(
        "ix_inspections_gps_flagged",
        "inspections",
        ["gps_latitude", "gps_longitude"],
        unique=False,
        sqlite_where=FLAGGED,
        postgresql_where=FLAGGED,
    )


def downgrade():
    op.drop_index("ix_inspections_gps_flagged", table_name="inspections")
    op.drop_index("ix_findings_answer_item_code", table_name="findings")
    op.drop_index("ix_inspection_members_user_id", table_name="inspection_members")
    op.drop_index("ix_premises_map", table_name="premises")
