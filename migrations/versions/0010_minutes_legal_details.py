"""minutes legal details

The biên bản's ký hiệu per issuing unit (kept on each biên bản as issued; existing ones get BB-KT, the number they
always showed), the decision that formed the team on the inspection, Ông / Bà on accounts, team members and the
business representative, a refusal to sign with its reason and witness, and an order to stop using an instrument
or a measurement with its deadline.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SALUTATION = "{column} IS NULL OR {column} IN ('ong', 'ba')"


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('minutes_suffix', sa.String(length=20), nullable=False, server_default='BB-KT')
        )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salutation', sa.String(length=3), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_users_salutation'), SALUTATION.format(column='salutation')
        )

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('decision_number', sa.String(length=40), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('decision_date', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('decision_signer', sa.String(length=200), nullable=False, server_default='')
        )

    with op.batch_alter_table('inspection_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salutation', sa.String(length=3), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_inspection_members_salutation'), SALUTATION.format(column='salutation')
        )

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('number_suffix', sa.String(length=20), nullable=False, server_default='BB-KT')
        )
        batch_op.add_column(sa.Column('representative_salutation', sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column('refused_to_sign', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('refusal_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(
            sa.Column('witness_name', sa.String(length=120), nullable=False, server_default='')
        )
        batch_op.add_column(
            sa.Column('witness_position', sa.String(length=160), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('witness_salutation', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('stop_order_subject', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stop_order_deadline', sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_minutes_rep_salutation'), SALUTATION.format(column='representative_salutation')
        )
        batch_op.create_check_constraint(
            op.f('ck_minutes_witness_salutation'), SALUTATION.format(column='witness_salutation')
        )
        batch_op.add_column(sa.Column('number_text', sa.String(length=40), nullable=True))

    # A biên bản issued before numbers had two digits keeps the number its PDF prints ("5/BB-KT").
    minutes = sa.table('minutes', sa.column('number', sa.Integer), sa.column('number_text', sa.String))
    op.execute(
        minutes.update().values(
            number_text=sa.cast(minutes.c.number, sa.String) + sa.literal('/BB-KT', sa.String)
        )
    )
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.alter_column('number_text', existing_type=sa.String(length=40), nullable=False)


def downgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_minutes_witness_salutation'), type_='check')
        batch_op.drop_constraint(op.f('ck_minutes_rep_salutation'), type_='check')
        for column in (
            'stop_order_deadline',
            'stop_order_subject',
            'witness_salutation',
            'witness_position',
            'witness_name',
            'refusal_reason',
            'refused_to_sign',
            'representative_salutation',
            'number_suffix',
            'number_text',
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table('inspection_members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_inspection_members_salutation'), type_='check')
        batch_op.drop_column('salutation')

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('decision_signer')
        batch_op.drop_column('decision_date')
        batch_op.drop_column('decision_number')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_salutation'), type_='check')
        batch_op.drop_column('salutation')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('minutes_suffix')
