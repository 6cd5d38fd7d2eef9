"""row-level security reads the transaction's scope once per statement, not once per row

Migration 0030's policies call ``inspect_every_unit()``, ``inspect_unit_ids()`` and ``inspect_province_ids()``
directly. They are SQL functions the planner inlines, so ``unit_id = ANY (inspect_unit_ids())`` became a filter that
read the setting, split it and cast it to integers again for every row it looked at: a province supervisor's
dashboard (25 communes, 20,000 inspections of the year) spent 0.4 s of its 0.85 s statement on it, and every
child table (findings, tallies…) paid it once more inside the ``EXISTS`` on its parent. Each call is now a scalar
sub-select, ``(SELECT inspect_unit_ids())::integer[]``: PostgreSQL runs it once per statement as an InitPlan and compares every
row with the one array (and can still use an index on ``unit_id`` with it). What the policies allow is unchanged.

The policies are rewritten from their own stored text (``pg_policies``), so this holds for every table 0030
covered; the way down turns the sub-selects back into plain calls. Nothing happens on SQLite.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 10:10:00

"""

import re

from alembic import op
from sqlalchemy import text


revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

POLICY = "unit_scope"
FUNCTIONS = ("inspect_every_unit", "inspect_unit_ids", "inspect_province_ids")
_CALL = re.compile(r"\b(" + "|".join(FUNCTIONS) + r")\(\)")
# How PostgreSQL prints one back: "( SELECT inspect_unit_ids() AS inspect_unit_ids)::integer[]".
_SUBSELECT = re.compile(
    r"\(\s*SELECT\s+(" + "|".join(FUNCTIONS) + r")\(\)(?:\s+AS\s+\w+)?\s*\)(?:::integer\[\])?"
)


def _subselect(call: re.Match) -> str:
    # An array sub-select is cast, or "= ANY ((SELECT …))" would be read as ANY over the sub-select's rows.
    name = call.group(1)
    return f"(SELECT {name}())" if name == "inspect_every_unit" else f"(SELECT {name}())::integer[]"


def once_per_statement(rule: str) -> str:
    return _CALL.sub(_subselect, once_per_row(rule))


def once_per_row(rule: str) -> str:
    return _SUBSELECT.sub(r"\1()", rule)


def _rewrite(change) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    policies = bind.execute(
        text(
            "SELECT tablename, qual, with_check FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname = :policy ORDER BY tablename"
        ),
        {"policy": POLICY},
    ).all()
    for table, using, check in policies:
        op.execute(f"ALTER POLICY {POLICY} ON {table} USING ({change(using)}) WITH CHECK ({change(check)})")


def upgrade():
    _rewrite(once_per_statement)


def downgrade():
    _rewrite(once_per_row)
