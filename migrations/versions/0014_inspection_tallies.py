"""inspection tallies: each inspection's findings, readings and lots added up per set the dashboard and the yearly
report count, kept on write, filled here for the existing inspections

The counts are written as this revision defines them (the app's own definition lives in
inspect_app/inspections/tallies.py; ``flask rebuild-inspection-tallies`` rewrites every row with it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 08:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

GROUPS = ("PTD", "NHAN", "GIA", "CL")
REASONS = {"stamp": "PTD-02", "seal": "PTD-03", "error": "PTD-06", "range": "PTD-04"}

findings = sa.table(
    "findings",
    sa.column("inspection_id", sa.Integer),
    sa.column("item_code", sa.String),
    sa.column("answer", sa.String),
    sa.column("indicative", sa.Boolean),
)
readings = sa.table(
    "readings",
    sa.column("inspection_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("direction", sa.String),
    sa.column("outcome", sa.String),
    sa.column("indicative", sa.Boolean),
    sa.column("voided_at", sa.DateTime),
)
lots = sa.table(
    "prepackaged_lots",
    sa.column("inspection_id", sa.Integer),
    sa.column("outcome", sa.String),
    sa.column("indicative", sa.Boolean),
    sa.column("voided_at", sa.DateTime),
)
inspections = sa.table("inspections", sa.column("id", sa.Integer))


def _failed(table, indicative: bool):
    answer = table.c.answer if table is findings else table.c.outcome
    condition = sa.and_(answer == "fail", table.c.indicative.is_(sa.true() if indicative else sa.false()))
    if table is not findings:
        condition = sa.and_(condition, table.c.voided_at.is_(None))
    return condition


def _counts():
    """(name, table, condition) in the table's column order."""
    f, r = findings.c, readings.c
    out = []
    for group in GROUPS:
        in_group = sa.and_(f.item_code >= f"{group}-", f.item_code < f"{group}.")
        g = group.lower()
        out.append((f"{g}_checked", findings, sa.and_(in_group, f.answer.in_(("pass", "fail")))))
        out.append((f"{g}_violated", findings, sa.and_(in_group, _failed(findings, False))))
        out.append((f"{g}_indicative", findings, sa.and_(in_group, _failed(findings, True))))
    for reason, code in REASONS.items():
        out.append((f"reason_{reason}", findings, sa.and_(f.item_code == code, _failed(findings, False))))
        out.append(
            (f"reason_{reason}_indicative", findings, sa.and_(f.item_code == code, _failed(findings, True)))
        )
    control, error = r.kind == "control", r.kind.in_(("weighing", "dispenser"))
    in_force = r.voided_at.is_(None)
    quantity = f.item_code == "PTD-10"
    out += [
        ("findings_violated", findings, _failed(findings, False)),
        ("label_quantity_checked", findings, sa.and_(quantity, f.answer.in_(("pass", "fail")))),
        ("label_quantity_violated", findings, sa.and_(quantity, _failed(findings, False))),
        ("readings_failed", readings, _failed(readings, False)),
        ("control", readings, sa.and_(control, in_force)),
        ("control_failed", readings, sa.and_(control, _failed(readings, False))),
        ("control_indicative", readings, sa.and_(control, _failed(readings, True))),
        ("control_inconclusive", readings, sa.and_(control, r.outcome == "inconclusive", in_force)),
    ]
    for direction in ("sell", "buy"):
        selling = sa.and_(control, r.direction == direction)
        out += [
            (f"control_{direction}", readings, sa.and_(selling, in_force)),
            (f"control_{direction}_failed", readings, sa.and_(selling, _failed(readings, False))),
        ]
    out += [
        ("error_tests", readings, sa.and_(error, in_force)),
        ("error_failed", readings, sa.and_(error, _failed(readings, False))),
        ("error_indicative", readings, sa.and_(error, _failed(readings, True))),
        ("lots", lots, lots.c.voided_at.is_(None)),
        ("lots_failed", lots, _failed(lots, False)),
        ("lots_indicative", lots, _failed(lots, True)),
    ]
    return out


def upgrade():
    counts = _counts()
    op.create_table(
        "inspection_tallies",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name, _t, _c in counts),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_tallies_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inspection_id", name=op.f("pk_inspection_tallies")),
    )
    query = sa.select(inspections.c.id)
    columns = []
    for table in (findings, readings, lots):
        mine = [(name, condition) for name, t, condition in counts if t is table]
        grouped = (
            sa.select(
                table.c.inspection_id.label("inspection_id"),
                *[sa.func.count().filter(condition).label(name) for name, condition in mine],
            )
            .group_by(table.c.inspection_id)
            .subquery(f"{table.name}_counted")
        )
        query = query.outerjoin(grouped, grouped.c.inspection_id == inspections.c.id)
        columns += [(name, sa.func.coalesce(grouped.c[name], 0)) for name, _c in mine]
    by_name = dict(columns)
    query = query.add_columns(*[by_name[name].label(name) for name, _t, _c in counts])
    tallies = sa.table(
        "inspection_tallies", sa.column("inspection_id"), *[sa.column(n) for n, _t, _c in counts]
    )
    op.get_bind().execute(
        sa.insert(tallies).from_select(["inspection_id", *[name for name, _t, _c in counts]], query)
    )


def downgrade():
    op.drop_table("inspection_tallies")
