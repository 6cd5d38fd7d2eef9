"""premise latest state: each premise keeps its latest completed inspection, that day, its result, when the next is
due, the open fix-by date and the earliest stamp expiry of its in-use instruments; indexes for the map's filters

The columns are filled here for existing data with the rules of domain.premise_state, in set-based SQL frozen at
this revision (the app's own refresh lives in inspect_app/premises/state.py; ``flask rebuild-premise-state`` runs it
for every premise). The verification cycles are those of TT 23/2013 as the app had them at this revision.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00

"""

import os

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

RESULTS = ('pass', 'violation', 'pending_fix')
INDEXES = {
    'ix_premises_unit_id_last_result': ['unit_id', 'last_result'],
    'ix_premises_unit_id_next_due_on': ['unit_id', 'next_due_on'],
    'ix_premises_unit_id_open_fix_deadline': ['unit_id', 'open_fix_deadline'],
    'ix_premises_unit_id_earliest_stamp_expiry': ['unit_id', 'earliest_stamp_expiry'],
}
# (instrument type, meter variant or None) -> verification cycle in months (TT 23/2013 as amended).
CYCLES = {
    ('spring_scale', None): 24,
    ('pan_scale', None): 12,
    ('platform_scale', None): 12,
    ('electronic_scale', None): 12,
    ('fuel_dispenser', None): 12,
    ('water_meter', 'water_mechanical'): 60,
    ('water_meter', 'water_electronic'): 36,
    ('electricity_meter', 'elec_1p_induction'): 60,
    ('electricity_meter', 'elec_1p_electronic'): 72,
    ('electricity_meter', 'elec_3p_induction'): 48,
    ('electricity_meter', 'elec_3p_electronic'): 36,
}


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def _overdue_months():
    try:
        from flask import current_app

        return int(current_app.config.get('INSPECTION_OVERDUE_MONTHS', 12))
    except (ImportError, RuntimeError, ValueError):
        return int(os.environ.get('INSPECTION_OVERDUE_MONTHS') or 12)


def _months_case():
    whens = []
    for (kind, variant), months in CYCLES.items():
        variant_test = "(i.variant IS NULL OR i.variant = '')" if variant is None else f"i.variant = '{variant}'"
        whens.append(f"WHEN i.instrument_type = '{kind}' AND {variant_test} THEN {months}")
    return "CASE " + " ".join(whens) + " END"


def _from_first(day, months, offset):
    """min(first of the month `months` after `day` + (its day + offset) days, last day of that month)."""
    if _sqlite():
        return (f"min(date({day}, 'start of month', ({months}) || ' months', "
                f"(CAST(strftime('%d', {day}) AS INTEGER) + ({offset})) || ' days'), "
                f"date({day}, 'start of month', (({months}) + 1) || ' months', '-1 day'))")
    first = f"date_trunc('month', CAST({day} AS TIMESTAMP))"
    return (f"LEAST(CAST({first} + make_interval(months => ({months}), "
            f"days => CAST(extract(day FROM CAST({day} AS DATE)) AS INTEGER) + ({offset})) AS DATE), "
            f"CAST({first} + make_interval(months => ({months}) + 1) - INTERVAL '1 day' AS DATE))")


def _vn_date(instant):
    return f"date({instant}, '+7 hours')" if _sqlite() else f"CAST({instant} + INTERVAL '7 hours' AS DATE)"


def fill():
    months = _months_case()
    expiry = (f"COALESCE(i.valid_until, CASE WHEN i.verified_on IS NOT NULL AND ({months}) IS NOT NULL "
              f"THEN {_from_first('i.verified_on', months, -2)} END)")
    op.execute(sa.text(
        "UPDATE premises SET"
        " last_inspection_id = (SELECT l.id FROM inspections l WHERE l.premise_id = premises.id"
        "  AND l.status IN ('completed', 'minutes_issued') ORDER BY l.started_at DESC, l.id DESC LIMIT 1),"
        f" earliest_stamp_expiry = (SELECT MIN({expiry}) FROM instruments i"
        "  WHERE i.premise_id = premises.id AND i.in_use = :yes)"
    ).bindparams(yes=True))
    day = _vn_date('r.started_at')
    violation = (
        "EXISTS (SELECT 1 FROM findings f WHERE f.inspection_id = r.id AND f.answer = 'fail' AND f.indicative = :no)"
        " OR EXISTS (SELECT 1 FROM readings g WHERE g.inspection_id = r.id AND g.outcome = 'fail'"
        "  AND g.indicative = :no AND g.voided_at IS NULL)"
        " OR EXISTS (SELECT 1 FROM prepackaged_lots p WHERE p.inspection_id = r.id AND p.outcome = 'fail'"
        "  AND p.indicative = :no AND p.voided_at IS NULL)"
    )

    def of_last(expression):
        return f"(SELECT {expression} FROM inspections r WHERE r.id = premises.last_inspection_id)"

    op.execute(sa.text(
        "UPDATE premises SET"
        f" last_inspected_on = {of_last(day)},"
        " last_result = " + of_last(
            f"CASE WHEN r.outcome = 'fix_request' THEN 'pending_fix' WHEN {violation} THEN 'violation'"
            " ELSE 'pass' END") + ","
        f" next_due_on = {of_last(_from_first(day, _overdue_months(), -1))},"
        " open_fix_deadline = " + of_last("CASE WHEN r.outcome = 'fix_request' THEN r.fix_deadline END")
    ).bindparams(no=False))


def upgrade():
    for name in ('last_inspected_on', 'next_due_on', 'open_fix_deadline', 'earliest_stamp_expiry'):
        op.add_column('premises', sa.Column(name, sa.Date(), nullable=True))
    op.add_column('premises', sa.Column('last_inspection_id', sa.Integer(), nullable=True))
    check = "last_result IS NULL OR last_result IN (" + ", ".join(f"'{code}'" for code in RESULTS) + ")"
    if _sqlite():
        # ADD COLUMN with its CHECK: rebuilding the table would lose its other CHECK constraints.
        op.execute(f'ALTER TABLE premises ADD COLUMN last_result VARCHAR(12) '
                   f'CONSTRAINT ck_premises_last_result CHECK ({check})')
    else:
        op.add_column('premises', sa.Column('last_result', sa.String(length=12), nullable=True))
        op.create_check_constraint(op.f('ck_premises_last_result'), 'premises', check)
    for name, columns in INDEXES.items():
        op.create_index(name, 'premises', columns, unique=False)
    op.create_index('ix_inspections_premise_id_started_at_id', 'inspections',
                    ['premise_id', 'started_at', 'id'], unique=False)
    fill()


def downgrade():
    op.drop_index('ix_inspections_premise_id_started_at_id', table_name='inspections')
    for name in INDEXES:
        op.drop_index(name, table_name='premises')
    if not _sqlite():
        op.drop_constraint(op.f('ck_premises_last_result'), 'premises', type_='check')
    for name in ('last_result', 'last_inspection_id', 'earliest_stamp_expiry', 'open_fix_deadline', 'next_due_on',
                 'last_inspected_on'):
        # SQLite 3.35+ drops a column no index or other constraint names (its CHECK is the column's own).
        op.drop_column('premises', name)
