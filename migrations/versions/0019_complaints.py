"""complaints: the commune's register of complaints (phản ánh, kiến nghị), the inspection that answers one, the
public stall page's switch per unit and the premise's public id; the audit actions "assign", "resolve", "inform"

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "publish",
                  "send", "login", "login_failed", "logout")  # fmt: skip
ACTIONS_AFTER = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "publish",
                 "send", "assign", "resolve", "inform", "login", "login_failed", "logout")  # fmt: skip

CHANNELS = ("in_person", "phone", "hotline", "zalo", "voter", "public")
SUBJECTS = (
    "scale",
    "electricity_meter",
    "water_meter",
    "fuel_dispenser",
    "label",
    "price",
    "quality",
    "other",
)
STATUSES = ("new", "assigned", "in_progress", "resolved", "referred")
RESOLUTIONS = ("inspection", "referral", "answer")
BODIES = ("power_utility", "water_utility", "skhcn", "qltt", "cong_an")


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _in(column, codes, nullable=False):
    check = f"{column} IN (" + ", ".join(f"'{code}'" for code in codes) + ")"
    return f"{column} IS NULL OR {check}" if nullable else check


def _audit_actions(codes):
    # SQLite: batch mode rebuilds the table without reflecting its CHECK constraints, so there is none to drop.
    with op.batch_alter_table("audit_events", recreate="always" if _sqlite() else "auto") as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f("ck_audit_events_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_audit_events_action"), _in("action", codes))


def upgrade():
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("premise_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("complainant_name", sa.String(length=120), nullable=False),
        sa.Column("complainant_contact", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=12), nullable=True),
        sa.Column("resolution_inspection_id", sa.Integer(), nullable=True),
        sa.Column("referral_body", sa.String(length=16), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("informed_on", sa.Date(), nullable=True),
        sa.Column("informed_note", sa.String(length=300), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("create_digest", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in("channel", CHANNELS), name=op.f("ck_complaints_channel")),
        sa.CheckConstraint(_in("subject", SUBJECTS), name=op.f("ck_complaints_subject")),
        sa.CheckConstraint(_in("status", STATUSES), name=op.f("ck_complaints_status")),
        sa.CheckConstraint(_in("resolution", RESOLUTIONS, True), name=op.f("ck_complaints_resolution")),
        sa.CheckConstraint(_in("referral_body", BODIES, True), name=op.f("ck_complaints_referral_body")),
        sa.CheckConstraint("premise_id IS NOT NULL OR address <> ''", name=op.f("ck_complaints_where")),
        sa.CheckConstraint(
            "status NOT IN ('resolved', 'referred') OR (resolution IS NOT NULL AND resolved_on IS NOT NULL)",
            name=op.f("ck_complaints_closed_complete"),
        ),
        sa.CheckConstraint(
            "status <> 'referred' OR referral_body IS NOT NULL", name=op.f("ck_complaints_referred_body")
        ),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_complaints_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_complaints_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["premise_id"], ["premises.id"], name=op.f("fk_complaints_premise_id_premises")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_complaints_resolved_by_id_users")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_complaints_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("uuid", name=op.f("uq_complaints_uuid")),
    )
    op.create_index(op.f("ix_complaints_unit_id"), "complaints", ["unit_id"], unique=False)
    op.create_index(op.f("ix_complaints_premise_id"), "complaints", ["premise_id"], unique=False)
    op.create_index("ix_complaints_unit_id_received_on_id", "complaints", ["unit_id", "received_on", "id"])
    op.create_index("ix_complaints_received_on_id", "complaints", ["received_on", "id"])
    op.create_index("ix_complaints_assignee_id_status", "complaints", ["assignee_id", "status"])
    op.create_index("ix_complaints_source_hash_created_at", "complaints", ["source_hash", "created_at"])
    if _sqlite():
        # ADD COLUMN with its foreign key: rebuilding the table would lose its partial index and CHECK constraints.
        op.execute(
            "ALTER TABLE inspections ADD COLUMN complaint_id INTEGER "
            "CONSTRAINT fk_inspections_complaint_id_complaints REFERENCES complaints (id)"
        )
    else:
        op.add_column("inspections", sa.Column("complaint_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_inspections_complaint_id_complaints"),
            "inspections",
            "complaints",
            ["complaint_id"],
            ["id"],
        )
    op.create_index(op.f("ix_inspections_complaint_id"), "inspections", ["complaint_id"], unique=False)
    op.add_column(
        "units", sa.Column("public_stall_page", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("premises", sa.Column("public_id", sa.String(length=40), nullable=True))
    op.create_index("ix_premises_public_id", "premises", ["public_id"], unique=True)
    _audit_actions(ACTIONS_AFTER)


def downgrade():
    op.execute("DELETE FROM audit_events WHERE action IN ('assign', 'resolve', 'inform')")
    _audit_actions(ACTIONS_BEFORE)
    op.drop_index("ix_premises_public_id", table_name="premises")
    op.drop_column("premises", "public_id")
    op.drop_column("units", "public_stall_page")
    op.drop_index(op.f("ix_inspections_complaint_id"), table_name="inspections")
    if _sqlite():
        with op.batch_alter_table("inspections") as batch_op:
            batch_op.drop_column("complaint_id")
    else:
        op.drop_constraint(op.f("fk_inspections_complaint_id_complaints"), "inspections", type_="foreignkey")
        op.drop_column("inspections", "complaint_id")
    op.drop_table("complaints")
