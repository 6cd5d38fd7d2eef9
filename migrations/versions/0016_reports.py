"""reports: the Sở's requests for the yearly report, each commune's report (draft, then sent and frozen: its figures,
its public id) and the files a sent report keeps; the audit actions "publish" and "send"

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "login",
                  "login_failed", "logout")  # fmt: skip
ACTIONS_AFTER = ("create", "edit", "issue", "supersede", "reopen", "revoke", "rejudge", "void", "print", "publish",
                 "send", "login", "login_failed", "logout")  # fmt: skip


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
        "report_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("letter_number", sa.String(length=60), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("plan", sa.String(length=500), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("deadline >= letter_date", name=op.f("ck_report_requests_deadline")),
        sa.CheckConstraint("period_from <= period_to", name=op.f("ck_report_requests_period")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_report_requests_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["provinces.id"], name=op.f("fk_report_requests_province_id_provinces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_requests")),
    )
    op.create_index(op.f("ix_report_requests_province_id"), "report_requests", ["province_id"], unique=False)
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("letter_number", sa.String(length=60), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("letter_subject", sa.String(length=500), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("plan", sa.String(length=500), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("section_text", sa.Text(), nullable=False),
        sa.Column("typed_rows", sa.JSON(), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("public_id", sa.String(length=40), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status = 'draft' OR (number <> '' AND issued_on IS NOT NULL AND sent_at IS NOT NULL "
            "AND sent_on IS NOT NULL AND public_id IS NOT NULL AND figures IS NOT NULL)",
            name=op.f("ck_reports_sent_complete"),
        ),
        sa.CheckConstraint("status IN ('draft', 'sent')", name=op.f("ck_reports_status")),
        sa.CheckConstraint("period_from <= period_to", name=op.f("ck_reports_period")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_reports_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["report_requests.id"], name=op.f("fk_reports_request_id_report_requests")
        ),
        sa.ForeignKeyConstraint(["sent_by_id"], ["users.id"], name=op.f("fk_reports_sent_by_id_users")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_reports_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("public_id", name=op.f("uq_reports_public_id")),
        # One report per commune per request; free-standing reports (no request) are not limited (NULLs differ).
        sa.UniqueConstraint("unit_id", "request_id", name=op.f("uq_reports_unit_id_request_id")),
    )
    op.create_index(op.f("ix_reports_request_id"), "reports", ["request_id"], unique=False)
    op.create_table(
        "report_files",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.CheckConstraint("format IN ('docx', 'pdf', 'xlsx', 'csv')", name=op.f("ck_report_files_format")),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_files_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("report_id", "format", name=op.f("pk_report_files")),
    )
    _audit_actions(ACTIONS_AFTER)


def downgrade():
    _audit_actions(ACTIONS_BEFORE)
    op.drop_table("report_files")
    op.drop_index(op.f("ix_reports_request_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_report_requests_province_id"), table_name="report_requests")
    op.drop_table("report_requests")
