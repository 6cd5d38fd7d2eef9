"""desk form UUIDs: premises, decisions, plans, report requests and reports keep the UUID their create form was
shown with, so the same form sent twice stores one record (nullable: older rows, imported premises and reports
started from a request have none; unique where set)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 06:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

TABLES = ("premises", "decisions", "plans", "report_requests", "reports")


# A nullable column and a unique index (not a table constraint): SQLite adds and drops both in place (ADD COLUMN,
# DROP COLUMN since 3.35), so no table is rebuilt and none loses its CHECK constraints.


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("uuid", sa.String(length=36), nullable=True))
        op.create_index(f"ix_{table}_uuid", table, ["uuid"], unique=True)


def downgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_uuid", table_name=table)
        op.drop_column(table, "uuid")
