"""findings: the answer "skip" (không kiểm tra), given with its reason to an item that was not checked

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-20 09:00:00

"""

from alembic import op


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

ANSWERS_BEFORE = ("pass", "fail", "na")
ANSWERS_AFTER = ("pass", "fail", "na", "skip")


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _answers(codes):
    # SQLite: batch mode rebuilds the table without reflecting its CHECK constraints, so there is none to drop.
    with op.batch_alter_table("findings", recreate="always" if _sqlite() else "auto") as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f("ck_findings_answer"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_findings_answer"), "answer IN (" + ", ".join(f"'{code}'" for code in codes) + ")"
        )


def upgrade():
    _answers(ANSWERS_AFTER)


def downgrade():
    op.execute("UPDATE findings SET answer = 'na' WHERE answer = 'skip'")
    _answers(ANSWERS_BEFORE)
