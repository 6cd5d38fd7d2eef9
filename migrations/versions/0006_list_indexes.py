"""list indexes

The sort orders of the premises, inspections and biên bản lists (per province and per unit), the phone's change
feed of premises, and the box the nearest premises are looked for in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

INDEXES = [
    # premises: by name (desk and API lists), per unit by name, by last change (offline cache), by position
    ("premises", "ix_premises_name_id", ["name", "id"]),
    ("premises", "ix_premises_unit_id_name_id", ["unit_id", "name", "id"]),
    ("premises", "ix_premises_updated_at_id", ["updated_at", "id"]),
    ("premises", "ix_premises_latitude_longitude", ["latitude", "longitude"]),
    # inspections: newest first, for a province and for one unit
    ("inspections", "ix_inspections_started_at_id", ["started_at", "id"]),
    ("inspections", "ix_inspections_unit_id_started_at_id", ["unit_id", "started_at", "id"]),
    # minutes: latest day first, then by number, for a province and for one unit
    ("minutes", "ix_minutes_issued_on_number_id", ["issued_on", "number", "id"]),
    ("minutes", "ix_minutes_unit_id_issued_on_number_id", ["unit_id", "issued_on", "number", "id"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
