"""plans: the yearly inspection plan of a unit (kế hoạch kiểm tra năm) and its annex of premises, each with why it
was chosen and who added or removed it; the audit actions "approve", "consult", "plan_add" and "plan_remove"

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-10 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "publish",
                  "send", "assign", "resolve", "inform", "login", "login_failed", "logout")  # fmt: skip
ACTIONS_AFTER = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "publish",
                 "send", "assign", "resolve", "inform", "approve", "consult", "plan_add", "plan_remove", "login",
                 "login_failed", "logout")  # fmt: skip


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _audit_actions(codes):
    # SQLite: batch mode rebuilds the table without reflecting its CHECK constraints, so there is none to drop.
    with op.batch_alter_table("audit_events", recreate="always" if _sqlite() else "auto") as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f("ck_audit_events_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_audit_events_action"), "action IN (" + ", ".join(f"'{code}'" for code in codes) + ")"
        )


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("scope_groups", sa.JSON(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column("standard_ids", sa.JSON(), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("annex_size", sa.Integer(), nullable=False),
        sa.Column("random_share", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("proposed_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("consulted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'approved', 'consulted')", name=op.f("ck_plans_status")),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name=op.f("ck_plans_year")),
        sa.CheckConstraint("random_share >= 0 AND random_share <= 100", name=op.f("ck_plans_random_share")),
        sa.CheckConstraint("annex_size >= 0", name=op.f("ck_plans_annex_size")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_plans_unit_id_units")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_plans_created_by_id_users")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_plans_approved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("unit_id", "year", name=op.f("uq_plans_unit_id_year")),
    )
    op.create_table(
        "plan_premises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("premise_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("remove_reason", sa.String(length=300), nullable=False),
        sa.CheckConstraint("source IN ('score', 'random', 'manual')", name=op.f("ck_plan_premises_source")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_premises_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["premise_id"], ["premises.id"], name=op.f("fk_plan_premises_premise_id_premises")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_plan_premises_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["users.id"], name=op.f("fk_plan_premises_removed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_premises")),
        sa.UniqueConstraint("plan_id", "premise_id", name=op.f("uq_plan_premises_plan_id_premise_id")),
    )
    op.create_index("ix_plan_premises_premise_id", "plan_premises", ["premise_id"], unique=False)
    _audit_actions(ACTIONS_AFTER)


def downgrade():
    op.execute("DELETE FROM audit_events WHERE action IN ('approve', 'consult', 'plan_add', 'plan_remove')")
    _audit_actions(ACTIONS_BEFORE)
    op.drop_index("ix_plan_premises_premise_id", table_name="plan_premises")
    op.drop_table("plan_premises")
    op.drop_table("plans")
