"""decisions: the Quyết định kiểm tra (TT 28/2013 Mẫu 4) with its team and their TĐC training certificates, the
notices of Điều 21 (Mẫu 6 tạm dừng, Mẫu 7 được tiếp tục) issued from a biên bản, the inspection's link to its
decision, and a series on the number counters so biên bản, decisions and notices keep separate gap-free numbers
(the existing counters are the biên bản's)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    with op.batch_alter_table("minutes_counters", recreate="always" if _sqlite() else "auto") as batch_op:
        batch_op.add_column(
            sa.Column("series", sa.String(length=12), server_default="minutes", nullable=False)
        )
        batch_op.drop_constraint(op.f("uq_minutes_counters_unit_id_year"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_minutes_counters_unit_id_series_year"), ["unit_id", "series", "year"]
        )
        batch_op.create_check_constraint(
            op.f("ck_minutes_counters_series"), "series IN ('minutes', 'decision', 'notice')"
        )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("legal_bases", sa.Text(), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("scope_groups", sa.String(length=80), nullable=False),
        sa.Column("scope_place", sa.String(length=500), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("number_text", sa.String(length=40), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("pdf_key", sa.String(length=200), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('planned', 'themed', 'unannounced')", name=op.f("ck_decisions_kind")),
        sa.CheckConstraint("period_from <= period_to", name=op.f("ck_decisions_period")),
        sa.CheckConstraint("status = 'draft' OR number > 0", name=op.f("ck_decisions_number")),
        sa.CheckConstraint("status IN ('draft', 'issued')", name=op.f("ck_decisions_status")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_decisions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_decisions_issued_by_id_users")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_decisions_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_decisions_public_id")),
        sa.UniqueConstraint("unit_id", "year", "number", name=op.f("uq_decisions_unit_id_year_number")),
    )
    op.create_index(op.f("ix_decisions_unit_id"), "decisions", ["unit_id"], unique=False)
    op.create_index(
        "ix_decisions_unit_id_created_at_id", "decisions", ["unit_id", "created_at", "id"], unique=False
    )
    op.create_table(
        "decision_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position_in_team", sa.Integer(), nullable=False),
        sa.Column("team_role", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=160), nullable=False),
        sa.Column("technical", sa.Boolean(), nullable=False),
        sa.Column("certificate_number", sa.String(length=60), nullable=False),
        sa.Column("certificate_date", sa.Date(), nullable=True),
        sa.CheckConstraint("team_role IN ('lead', 'member')", name=op.f("ck_decision_members_team_role")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_members_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_members")),
    )
    op.create_index(
        op.f("ix_decision_members_decision_id"), "decision_members", ["decision_id"], unique=False
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("fix_deadline", sa.Date(), nullable=True),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signer_title", sa.String(length=200), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("number_text", sa.String(length=40), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("pdf_key", sa.String(length=200), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('stop', 'resume')", name=op.f("ck_notices_kind")),
        sa.CheckConstraint("number > 0", name=op.f("ck_notices_number")),
        sa.ForeignKeyConstraint(
            ["follow_up_id"], ["inspections.id"], name=op.f("fk_notices_follow_up_id_inspections")
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_notices_issued_by_id_users")),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], name=op.f("fk_notices_minutes_id_minutes")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_notices_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("public_id", name=op.f("uq_notices_public_id")),
        sa.UniqueConstraint("unit_id", "year", "number", name=op.f("uq_notices_unit_id_year_number")),
    )
    op.create_index(op.f("ix_notices_minutes_id"), "notices", ["minutes_id"], unique=False)
    op.create_index(op.f("ix_notices_unit_id"), "notices", ["unit_id"], unique=False)
    with op.batch_alter_table("inspections") as batch_op:
        batch_op.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_inspections_decision_id"), ["decision_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_inspections_decision_id_decisions"), "decisions", ["decision_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("inspections") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_inspections_decision_id_decisions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_inspections_decision_id"))
        batch_op.drop_column("decision_id")
    op.drop_table("notices")
    op.drop_table("decision_members")
    op.drop_table("decisions")
    # Decisions' and notices' counters go with them; the biên bản's stay.
    op.execute("DELETE FROM minutes_counters WHERE series <> 'minutes'")
    with op.batch_alter_table("minutes_counters", recreate="always" if _sqlite() else "auto") as batch_op:
        # SQLite reflects the CHECK too: it must go before its column does.
        batch_op.drop_constraint(op.f("ck_minutes_counters_series"), type_="check")
        batch_op.drop_constraint(op.f("uq_minutes_counters_unit_id_series_year"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_minutes_counters_unit_id_year"), ["unit_id", "year"])
        batch_op.drop_column("series")
