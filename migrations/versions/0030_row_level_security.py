"""row-level security: on PostgreSQL every table that belongs to a unit keeps to the scope the app sets for each
transaction, so a query that forgot the scoping door still sees (and writes) only the user's units; the app's own
database role, when one is named, gets the right to read and write rows and nothing more

The app sets two settings at the start of each transaction (``inspect_app.access``):

- ``inspect.unit_ids``: the units whose rows are visible, as ``5,7,9``; ``*`` for every unit (an administrator
  with no home, and the trusted paths that act for nobody: commands, the job queue's bookkeeping, migrations, the
  public pages opened by a signed QR token, the login); empty or unset, nothing.
- ``inspect.province_ids``: the provinces whose own rows (a province account's jobs and audit events) are visible.

A table with a ``unit_id`` is checked on it; a table that hangs off an inspection, a premise, an instrument, a
plan, a report, a decision or a reading is checked through its parent with ``EXISTS`` (the parent's own policy
applies inside it). The same expression is the ``WITH CHECK``, so a row cannot be written into another unit.
``FORCE ROW LEVEL SECURITY`` makes the policies hold for the tables' owner too (an install where the app connects as
the owner); only a superuser or a role with BYPASSRLS passes them.

Not covered, on purpose: provinces and units (public reference data), users, their sessions, API tokens and login
attempts (read to know who is asking, before any scope exists), audit_heads (each chain's last hash, no record's
content), report_requests and settings (a province's letters and settings, addressed to all its communes).

With ``DATABASE_APP_ROLE`` set, the role is created if absent (without LOGIN: the administrator gives it a password)
and granted SELECT, INSERT, UPDATE, DELETE on every table (SELECT only on alembic_version) and USAGE on every
sequence, now and for the tables later migrations create; never TRUNCATE, REFERENCES, TRIGGER or ownership.

Nothing happens on SQLite.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 06:30:00

"""

import re

from alembic import op
from flask import current_app


revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# Tables with their own unit_id.
UNIT_TABLES = (
    "markets",
    "premises",
    "instruments",
    "reference_standards",
    "inspections",
    "minutes",
    "minutes_counters",
    "decisions",
    "notices",
    "plans",
    "complaints",
    "reports",
)
# Tables that belong to a unit or, for a province account's rows, to a province (as the scoping door reads them).
UNIT_OR_PROVINCE_TABLES = ("jobs",)
# Tables reached through their parent: (table, foreign key column, parent table).
CHILD_TABLES = (
    ("findings", "inspection_id", "inspections"),
    ("photos", "inspection_id", "inspections"),
    ("readings", "inspection_id", "inspections"),
    ("prepackaged_lots", "inspection_id", "inspections"),
    ("meter_checks", "inspection_id", "inspections"),
    ("inspection_members", "inspection_id", "inspections"),
    ("inspection_instruments", "inspection_id", "inspections"),
    ("inspection_standards", "inspection_id", "inspections"),
    ("inspection_tallies", "inspection_id", "inspections"),
    ("reading_standards", "reading_id", "readings"),
    ("instrument_photos", "instrument_id", "instruments"),
    ("premise_changes", "premise_id", "premises"),
    ("plan_premises", "plan_id", "plans"),
    ("report_files", "report_id", "reports"),
    ("decision_members", "decision_id", "decisions"),
)

POLICY = "unit_scope"

# SQL functions simple enough to be inlined by the planner: the settings are read once per statement (they are
# STABLE), so ``unit_id = ANY (inspect_unit_ids())`` can drive an index.
FUNCTIONS = (
    "CREATE FUNCTION inspect_every_unit() RETURNS boolean LANGUAGE sql STABLE AS "
    "$$ SELECT coalesce(current_setting('inspect.unit_ids', true), '') = '*' $$",
    "CREATE FUNCTION inspect_unit_ids() RETURNS integer[] LANGUAGE sql STABLE AS "
    "$$ SELECT string_to_array(nullif(nullif(current_setting('inspect.unit_ids', true), ''), '*'), ',')::integer[] $$",
    "CREATE FUNCTION inspect_province_ids() RETURNS integer[] LANGUAGE sql STABLE AS "
    "$$ SELECT string_to_array(nullif(current_setting('inspect.province_ids', true), ''), ',')::integer[] $$",
)
DROP_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS inspect_every_unit()",
    "DROP FUNCTION IF EXISTS inspect_unit_ids()",
    "DROP FUNCTION IF EXISTS inspect_province_ids()",
)

UNIT_RULE = "inspect_every_unit() OR unit_id = ANY (inspect_unit_ids())"
UNIT_OR_PROVINCE_RULE = UNIT_RULE + " OR province_id = ANY (inspect_province_ids())"
# The audit log also takes the events a commune's account writes about its province's own records (the download of
# the Sở's summary of a report request it sees): an event with no unit belongs to the units of its province too.
# (Reading them stays the door's business: it shows a commune's accounts only their units' events.)
AUDIT_RULE = (
    UNIT_OR_PROVINCE_RULE
    + " OR (unit_id IS NULL AND province_id IN (SELECT units.province_id FROM units"
    " WHERE units.id = ANY (inspect_unit_ids())))"
)


def child_rule(table: str, column: str, parent: str) -> str:
    return f"inspect_every_unit() OR EXISTS (SELECT 1 FROM {parent} AS parent WHERE parent.id = {table}.{column})"


def rules() -> dict[str, str]:
    found = {table: UNIT_RULE for table in UNIT_TABLES}
    found |= {table: UNIT_OR_PROVINCE_RULE for table in UNIT_OR_PROVINCE_TABLES}
    found["audit_events"] = AUDIT_RULE
    found |= {table: child_rule(table, column, parent) for table, column, parent in CHILD_TABLES}
    return found


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _app_role() -> str | None:
    role = (current_app.config.get("DATABASE_APP_ROLE") or "").strip()
    if not role:
        return None
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"DATABASE_APP_ROLE must be a plain lower-case PostgreSQL name, not {role!r}")
    return role


def upgrade():
    if not _postgres():
        return
    for statement in FUNCTIONS:
        op.execute(statement)
    for table, rule in rules().items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({rule}) WITH CHECK ({rule})")
    role = _app_role()
    if role is None:
        return
    op.execute(
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role}; END IF; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    # Tables and sequences that later migrations create (as the same owner) are granted the same way.
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}")


def downgrade():
    if not _postgres():
        return
    role = _app_role()
    if role is not None:
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {role}")
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {role}")
        op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}")
    for table in rules():
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for statement in DROP_FUNCTIONS:
        op.execute(statement)
