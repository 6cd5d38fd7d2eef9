"""report appendix CSV: a sent report keeps its appendix (the records behind each figure) as a CSV file too, the
format "acsv" of report_files

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-09 10:00:00

"""

from alembic import op


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FORMATS_BEFORE = ("docx", "pdf", "xlsx", "csv")
FORMATS_AFTER = (*FORMATS_BEFORE, "acsv")


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _formats(codes):
    # SQLite: batch mode rebuilds the table without reflecting its CHECK constraints, so there is none to drop.
    with op.batch_alter_table("report_files", recreate="always" if _sqlite() else "auto") as batch_op:
        if not _sqlite():
            batch_op.drop_constraint(op.f("ck_report_files_format"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_report_files_format"), "format IN (" + ", ".join(f"'{code}'" for code in codes) + ")"
        )


def upgrade():
    _formats(FORMATS_AFTER)


def downgrade():
    # The appendix CSVs of reports sent since go first: their bytes stay in storage, unreferenced.
    op.execute("DELETE FROM report_files WHERE format = 'acsv'")
    _formats(FORMATS_BEFORE)
