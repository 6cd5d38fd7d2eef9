"""inspection uses: the instruments each inspection tested and the reference standards it used, once each, kept on
write with the tallies, so the yearly report counts a year's instruments and standards from a few rows per
inspection instead of every reading; filled here for the existing inspections. And an index from which a period's
inspections of some units, and what the report counts of them, are read without the table.

The rows are written as this revision defines them (the app's own definition lives in
inspect_app/inspections/tallies.py; ``flask rebuild-inspection-tallies`` rewrites every row with it).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

readings = sa.table(
    "readings",
    sa.column("id", sa.Integer),
    sa.column("inspection_id", sa.Integer),
    sa.column("instrument_id", sa.Integer),
    sa.column("outcome", sa.String),
    sa.column("indicative", sa.Boolean),
    sa.column("voided_at", sa.DateTime),
)
reading_standards = sa.table(
    "reading_standards",
    sa.column("reading_id", sa.Integer),
    sa.column("standard_id", sa.Integer),
    sa.column("within_verification", sa.Boolean),
)
inspection_instruments = sa.table(
    "inspection_instruments",
    sa.column("inspection_id", sa.Integer),
    sa.column("instrument_id", sa.Integer),
    sa.column("failed", sa.Boolean),
)
inspection_standards = sa.table(
    "inspection_standards",
    sa.column("inspection_id", sa.Integer),
    sa.column("standard_id", sa.Integer),
    sa.column("outside_verification", sa.Boolean),
)


def _any(condition):
    return sa.func.max(sa.case((condition, 1), else_=0)) == 1


def _create(name, target, target_table):
    op.create_table(
        name,
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column(f"{target}_id", sa.Integer(), nullable=False),
        sa.Column(
            "failed" if target == "instrument" else "outside_verification", sa.Boolean(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f(f"fk_{name}_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            [f"{target}_id"], [f"{target_table}.id"], name=op.f(f"fk_{name}_{target}_id_{target_table}")
        ),
        sa.PrimaryKeyConstraint("inspection_id", f"{target}_id", name=op.f(f"pk_{name}")),
    )


def upgrade():
    _create("inspection_instruments", "instrument", "instruments")
    _create("inspection_standards", "standard", "reference_standards")
    r = readings.c
    in_force = r.voided_at.is_(None)
    failed = sa.and_(r.outcome == "fail", r.indicative.is_(sa.false()))
    bind = op.get_bind()
    bind.execute(
        sa.insert(inspection_instruments).from_select(
            ["inspection_id", "instrument_id", "failed"],
            sa.select(r.inspection_id, r.instrument_id, _any(failed))
            .where(in_force)
            .group_by(r.inspection_id, r.instrument_id),
        )
    )
    s = reading_standards.c
    bind.execute(
        sa.insert(inspection_standards).from_select(
            ["inspection_id", "standard_id", "outside_verification"],
            sa.select(r.inspection_id, s.standard_id, _any(s.within_verification.is_(sa.false())))
            .select_from(reading_standards.join(readings, r.id == s.reading_id))
            .where(in_force)
            .group_by(r.inspection_id, s.standard_id),
        )
    )
    # After the fill: one index build each, not a row's index updates at a time.
    op.create_index(
        "ix_inspection_instruments_instrument_id",
        "inspection_instruments",
        ["instrument_id", "inspection_id", "failed"],
    )
    op.create_index(
        "ix_inspection_standards_standard_id",
        "inspection_standards",
        ["standard_id", "inspection_id", "outside_verification"],
    )
    op.create_index(
        "ix_inspections_period_status",
        "inspections",
        [
            "unit_id",
            "started_at",
            "status",
            "kind",
            "outcome",
            "referral_body",
            "fix_deadline",
            "premise_id",
            "id",
        ],
    )


def downgrade():
    op.drop_index("ix_inspections_period_status", table_name="inspections")
    op.drop_table("inspection_standards")
    op.drop_table("inspection_instruments")
