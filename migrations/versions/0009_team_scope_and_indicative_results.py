"""team scope and indicative results

An inspection records whether someone from the Sở KH&CN is in the team (province_in_team); findings, readings and
pre-packaged lots store whether they are only indicative ("sơ bộ", or for another body to decide), so that "counts
as a violation" is one SQL condition: a failed result that is not indicative.

Existing records are brought up to date: the team counts as having the Sở when one of its member accounts belongs
to a province; without it, error tests on instruments (weighing, dispenser readings), pre-packaged lots and the
findings of the 2026.1 items filled from them (PTD-06, CL-03) become indicative — except on inspections whose
biên bản is already issued: it concluded on them, and what it printed (and is counted) stays as it was.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("findings", "readings", "prepackaged_lots")


def upgrade():
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("province_in_team", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("indicative", sa.Boolean(), nullable=False, server_default=sa.false())
            )

    op.execute(
        sa.text(
            "UPDATE inspections SET province_in_team = :yes WHERE EXISTS ("
            " SELECT 1 FROM inspection_members m JOIN users u ON u.id = m.user_id"
            " WHERE m.inspection_id = inspections.id AND u.province_id IS NOT NULL)"
        ).bindparams(yes=True)
    )
    # A biên bản already issued concluded on its results: they stay as it printed them (issued is never changed).
    without_province = "SELECT id FROM inspections WHERE province_in_team = :no AND status <> 'minutes_issued'"
    op.execute(
        sa.text(
            f"UPDATE readings SET indicative = :yes WHERE kind IN ('weighing', 'dispenser')"
            f" AND inspection_id IN ({without_province})"
        ).bindparams(yes=True, no=False)
    )
    op.execute(
        sa.text(
            f"UPDATE prepackaged_lots SET indicative = :yes WHERE inspection_id IN ({without_province})"
        ).bindparams(yes=True, no=False)
    )
    op.execute(
        sa.text(
            "UPDATE findings SET indicative = :yes WHERE item_code IN ('PTD-06', 'CL-03') AND inspection_id IN ("
            "SELECT id FROM inspections WHERE province_in_team = :no AND catalogue_version = '2026.1'"
            " AND status <> 'minutes_issued')"
        ).bindparams(yes=True, no=False)
    )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("indicative")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_column("province_in_team")
