"""superseded shortfall table

TT 09/2017 Điều 5 was corrected: the permitted shortfall of a control measurement is Bảng 2 by the spring scale's
Max and d (tt09_2017_spring_shortfall), not the earlier guess equal to Bảng 1's d column
(tt09_2017_permitted_shortfall 2026.1). Readings keep the numbers, rule and table version they were judged with;
this marks those judged with the superseded table (readings.superseded_table = "<id> <version>"), so the
inspection page can say so and a supervisor can re-judge them before the biên bản is issued.

The marking reads each control reading's stored ``tables`` in Python (a JSON list), the same on SQLite and
PostgreSQL. The audit log gains the action 'rejudge' (Chấm lại theo bảng mới).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SUPERSEDED_ID = "tt09_2017_permitted_shortfall"

ACTIONS_BEFORE = ['create', 'edit', 'issue', 'supersede', 'reopen', 'revoke', 'print', 'login', 'login_failed',
                  'logout']
ACTIONS_AFTER = ['create', 'edit', 'issue', 'supersede', 'reopen', 'revoke', 'rejudge', 'print', 'login',
                 'login_failed', 'logout']


def _actions_check(actions):
    with op.batch_alter_table("audit_events", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_audit_events_action"), type_="check")
        batch.create_check_constraint(
            op.f("ck_audit_events_action"), "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"
        )

readings = sa.table(
    "readings",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("tables", sa.JSON),
    sa.column("superseded_table", sa.String),
)


def _superseded(tables) -> str | None:
    for ref in tables or ():
        if isinstance(ref, dict) and ref.get("id") == SUPERSEDED_ID:
            return f"{ref['id']} {ref.get('version', '')}".strip()
    return None


def upgrade():
    with op.batch_alter_table("readings") as batch:
        batch.add_column(sa.Column("superseded_table", sa.String(length=80), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(readings.c.id, readings.c.tables).where(readings.c.kind == "control").order_by(readings.c.id)
    ).all()
    for reading_id, tables in rows:
        marker = _superseded(tables)
        if marker is not None:
            connection.execute(
                readings.update().where(readings.c.id == reading_id).values(superseded_table=marker)
            )
    _actions_check(ACTIONS_AFTER)


def downgrade():
    _actions_check(ACTIONS_BEFORE)
    with op.batch_alter_table("readings") as batch:
        batch.drop_column("superseded_table")
