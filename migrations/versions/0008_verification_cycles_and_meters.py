"""verification cycles and meters

Reference standards say whether their certificate is a verification (kiểm định) or a calibration (hiệu chuẩn), and
whether their due date was computed from the verification cycle. Existing standards get 'unknown' ("chưa ghi rõ"):
nothing recorded so far says which certificate they hold, so they are flagged until someone looks at it, rather than
being taken as verified. Instruments gain a meter variant, the meter's owner (the utility) and its installation
address; meter checks record what an inspector saw of an electricity or water meter.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CERTIFICATE_TYPES = "certificate_type IN ('verification', 'calibration', 'unknown')"
VARIANTS = (
    "variant IS NULL OR variant IN ('water_mechanical', 'water_electronic', 'elec_1p_induction', "
    "'elec_1p_electronic', 'elec_3p_induction', 'elec_3p_electronic')"
)


def upgrade():
    with op.batch_alter_table("reference_standards") as batch:
        batch.add_column(
            sa.Column("certificate_type", sa.String(length=12), server_default="unknown", nullable=False)
        )
        batch.add_column(
            sa.Column("due_on_computed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_check_constraint(op.f("ck_reference_standards_certificate_type"), CERTIFICATE_TYPES)
    with op.batch_alter_table("instruments") as batch:
        batch.add_column(sa.Column("variant", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("owner_name", sa.String(length=200), server_default="", nullable=False))
        batch.add_column(
            sa.Column("installation_address", sa.String(length=300), server_default="", nullable=False)
        )
        batch.create_check_constraint(op.f("ck_instruments_variant"), VARIANTS)
    op.create_table(
        "meter_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("meter_label", sa.String(length=300), nullable=False),
        sa.Column("index_reading", sa.String(length=64), nullable=True),
        sa.Column("stamp_state", sa.String(length=8), nullable=False),
        sa.Column("validity", sa.String(length=8), nullable=False),
        sa.Column("validity_text", sa.Text(), nullable=False),
        sa.Column("seal_state", sa.String(length=8), nullable=False),
        sa.Column("tampering_signs", sa.JSON(), nullable=False),
        sa.Column("tampering_note", sa.Text(), nullable=False),
        sa.Column("complainant", sa.String(length=200), nullable=False),
        sa.Column("complaint", sa.Text(), nullable=False),
        sa.Column("referred_to_utility_on", sa.Date(), nullable=True),
        sa.Column("referred_to_department_on", sa.Date(), nullable=True),
        sa.Column("referral_note", sa.Text(), nullable=False),
        sa.Column("indicative", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("create_digest", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "stamp_state IN ('present', 'damaged', 'missing')", name=op.f("ck_meter_checks_stamp_state")
        ),
        sa.CheckConstraint(
            "seal_state IN ('intact', 'broken', 'none')", name=op.f("ck_meter_checks_seal_state")
        ),
        sa.CheckConstraint(
            "validity IN ('valid', 'expired', 'unknown')", name=op.f("ck_meter_checks_validity")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_meter_checks_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspections.id"], name=op.f("fk_meter_checks_inspection_id_inspections")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"], name=op.f("fk_meter_checks_instrument_id_instruments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_checks")),
        sa.UniqueConstraint("uuid", name=op.f("uq_meter_checks_uuid")),
    )
    op.create_index(op.f("ix_meter_checks_inspection_id"), "meter_checks", ["inspection_id"], unique=False)
    op.create_index(op.f("ix_meter_checks_instrument_id"), "meter_checks", ["instrument_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_meter_checks_instrument_id"), table_name="meter_checks")
    op.drop_index(op.f("ix_meter_checks_inspection_id"), table_name="meter_checks")
    op.drop_table("meter_checks")
    with op.batch_alter_table("instruments") as batch:
        batch.drop_constraint(op.f("ck_instruments_variant"), type_="check")
        batch.drop_column("installation_address")
        batch.drop_column("owner_name")
        batch.drop_column("variant")
    with op.batch_alter_table("reference_standards") as batch:
        batch.drop_constraint(op.f("ck_reference_standards_certificate_type"), type_="check")
        batch.drop_column("due_on_computed")
        batch.drop_column("certificate_type")
