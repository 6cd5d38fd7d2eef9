"""audit events; instrument photos get the columns inspection photos have (size, capture time, EXIF GPS)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('record_uuid', sa.String(length=36), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.CheckConstraint("action IN ('create', 'edit', 'issue', 'supersede', 'reopen', 'revoke', 'print', 'login', 'login_failed', 'logout')", name=op.f('ck_audit_events_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_audit_events_province_id_provinces')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_audit_events_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_events_record', ['record_type', 'record_id'], unique=False)
        batch_op.create_index('ix_audit_events_unit_time', ['unit_id', 'occurred_at'], unique=False)

    # Instrument photos already stored keep size 0 ("not recorded"); new ones record it like inspection photos.
    with op.batch_alter_table('instrument_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size_bytes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('taken_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('exif_latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('exif_longitude', sa.Double(), nullable=True))
    with op.batch_alter_table('instrument_photos', schema=None) as batch_op:
        batch_op.alter_column('size_bytes', server_default=None)


def downgrade():
    with op.batch_alter_table('instrument_photos', schema=None) as batch_op:
        batch_op.drop_column('exif_longitude')
        batch_op.drop_column('exif_latitude')
        batch_op.drop_column('taken_at')
        batch_op.drop_column('size_bytes')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_unit_time')
        batch_op.drop_index('ix_audit_events_record')
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))
    op.drop_table('audit_events')
