"""void readings and lots: who voided a reading or a pre-packaged lot, when and why; the audit action "void"

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('readings', 'prepackaged_lots')
ACTIONS_BEFORE = ('create', 'edit', 'issue', 'supersede', 'reopen', 'revoke', 'rejudge', 'print', 'login', 'login_failed',
                  'logout')
ACTIONS_AFTER = ('create', 'edit', 'issue', 'supersede', 'reopen', 'revoke', 'rejudge', 'void', 'print', 'login',
                 'login_failed', 'logout')


def _actions(codes):
    return "action IN (" + ", ".join(f"'{code}'" for code in codes) + ")"


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def _audit_actions(codes):
    # SQLite: batch mode rebuilds the table without reflecting its CHECK constraints, so there is none to drop.
    with op.batch_alter_table('audit_events', schema=None, recreate='always' if _sqlite() else 'auto') as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f('ck_audit_events_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_events_action'), _actions(codes))


def upgrade():
    for table in TABLES:
        fk = f'fk_{table}_voided_by_id_users'
        op.add_column(table, sa.Column('voided_at', sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column('void_reason', sa.String(length=500), nullable=True))
        if _sqlite():
            # ADD COLUMN with its reference: rebuilding the table would lose its CHECK constraints.
            op.execute(f'ALTER TABLE {table} ADD COLUMN voided_by_id INTEGER CONSTRAINT {fk} REFERENCES users (id)')
        else:
            op.add_column(table, sa.Column('voided_by_id', sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, 'users', ['voided_by_id'], ['id'])
    _audit_actions(ACTIONS_AFTER)


def downgrade():
    _audit_actions(ACTIONS_BEFORE)
    for table in reversed(TABLES):
        if not _sqlite():
            op.drop_constraint(f'fk_{table}_voided_by_id_users', table, type_='foreignkey')
        # SQLite 3.35+ drops a column that only it references.
        op.drop_column(table, 'voided_by_id')
        op.drop_column(table, 'void_reason')
        op.drop_column(table, 'voided_at')
