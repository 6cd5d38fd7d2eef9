"""audit log append-only and hash-chained: triggers refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) of
audit_events; each event names its chain (u<unit>, p<province> or system), its place in it, the hash of the event
before and its own; audit_heads keeps each chain's last place and hash; the events already stored are chained in id
order; the audit actions "download", "export" and "denied"

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-13 09:00:00

"""

from alembic import op
import sqlalchemy as sa

from inspect_app.domain.audit_chain import GENESIS, HASHED_FIELDS, chain_key, event_hash


revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "publish",
                  "send", "assign", "resolve", "inform", "approve", "consult", "plan_add", "plan_remove", "login",
                  "login_failed", "logout")  # fmt: skip
ACTIONS_AFTER = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "download",
                 "export", "publish", "send", "assign", "resolve", "inform", "approve", "consult", "plan_add",
                 "plan_remove", "login", "login_failed", "logout", "denied")  # fmt: skip
CHAIN_COLUMNS = ("chain", "chain_seq", "prev_hash", "hash")

MESSAGE = "audit events are append-only"
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$",
    "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
)
DROP_SQLITE = ("DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete")
DROP_POSTGRES = (
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
)

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", sa.DateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("record_type", sa.String),
    sa.column("record_id", sa.Integer),
    sa.column("record_uuid", sa.String),
    sa.column("unit_id", sa.Integer),
    sa.column("province_id", sa.Integer),
    sa.column("changes", sa.JSON),
    sa.column("remote_addr", sa.String),
    *(sa.column(name, sa.BigInteger if name == "chain_seq" else sa.String) for name in CHAIN_COLUMNS),
)


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _in(column, codes):
    return f"{column} IN (" + ", ".join(f"'{code}'" for code in codes) + ")"


def _chain_stored_events():
    """Chain the events stored before this revision, in id order; returns each chain's (last seq, last hash)."""
    bind = op.get_bind()
    heads = {}
    rows = bind.execute(sa.select(events).order_by(events.c.id)).mappings()
    for row in rows.all():
        fields = dict(row)
        chain = chain_key(fields["unit_id"], fields["province_id"])
        seq, previous = heads.get(chain, (0, GENESIS))
        fields.update(chain=chain, chain_seq=seq + 1, prev_hash=previous, changes=fields["changes"] or {})
        fields["remote_addr"] = fields["remote_addr"] or ""
        digest = event_hash({name: fields[name] for name in HASHED_FIELDS})
        bind.execute(
            events.update().where(events.c.id == fields["id"]),
            {"chain": chain, "chain_seq": seq + 1, "prev_hash": previous, "hash": digest},
        )
        heads[chain] = (seq + 1, digest)
    return heads


def upgrade():
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(length=24), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_heads")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("chain_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    heads = _chain_stored_events()
    if heads:
        op.bulk_insert(
            sa.table("audit_heads", sa.column("chain"), sa.column("last_seq"), sa.column("hash")),
            [{"chain": chain, "last_seq": seq, "hash": digest} for chain, (seq, digest) in sorted(heads.items())],
        )
    # SQLite: batch mode rebuilds the table without reflecting its CHECK constraints, so there is none to drop.
    with op.batch_alter_table("audit_events", recreate="always" if _sqlite() else "auto") as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f("ck_audit_events_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_audit_events_action"), _in("action", ACTIONS_AFTER))
        for name in CHAIN_COLUMNS:
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint(op.f("uq_audit_events_chain_chain_seq"), ["chain", "chain_seq"])
        batch_op.create_index("ix_audit_events_province_time", ["province_id", "occurred_at"], unique=False)
    # After the rebuild above: rebuilding a SQLite table drops its triggers.
    for statement in SQLITE_TRIGGERS if _sqlite() else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade():
    for statement in DROP_SQLITE if _sqlite() else DROP_POSTGRES:
        op.execute(statement)
    op.execute(events.delete().where(events.c.action.not_in(ACTIONS_BEFORE)))
    with op.batch_alter_table("audit_events", recreate="always" if _sqlite() else "auto") as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f("ck_audit_events_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_audit_events_action"), _in("action", ACTIONS_BEFORE))
        batch_op.drop_index("ix_audit_events_province_time")
        batch_op.drop_constraint(op.f("uq_audit_events_chain_chain_seq"), type_="unique")
        for name in reversed(CHAIN_COLUMNS):
            batch_op.drop_column(name)
    op.drop_table("audit_heads")
