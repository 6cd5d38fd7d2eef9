"""minutes recorder and leader signature: the team member who wrote the biên bản (người lập biên bản, chosen at
issue from the inspection team, with the name printed) and the team leader's signature drawn on the desk issue page
(the PNG kept in the file store under its SHA-256)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-12 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorder_member_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("recorder_name", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("leader_signature_sha256", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_minutes_recorder_member_id_inspection_members"),
            "inspection_members",
            ["recorder_member_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("minutes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_minutes_recorder_member_id_inspection_members"), type_="foreignkey")
        batch_op.drop_column("leader_signature_sha256")
        batch_op.drop_column("recorder_name")
        batch_op.drop_column("recorder_member_id")
