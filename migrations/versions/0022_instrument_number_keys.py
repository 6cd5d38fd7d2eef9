"""instrument number keys: the serial and the stamp number as compared, unique per premise and kind, so the same
instrument is never recorded twice; and the index of the phone's instrument change feed

Numbers recorded twice before this revision keep their key on the first instrument only (the later copies stay,
with a NULL key, for a person to merge).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-12 09:00:00

"""

import unicodedata

from alembic import op
import sqlalchemy as sa


revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KEYS = (("serial", "serial_match"), ("verification_mark", "mark_match"))


def _number_key(text):
    # The same rule as inspect_app.domain.text.number_key at this revision.
    key = "".join(ch for ch in unicodedata.normalize("NFC", text or "").upper() if ch.isalnum())
    return key[:60] or None


def _backfill():
    bind = op.get_bind()
    instruments = sa.table(
        "instruments",
        *(sa.column(name) for name in ("id", "premise_id", "instrument_type", "serial", "verification_mark")),
        *(sa.column(key) for _, key in KEYS),
    )
    seen = set()
    rows = []
    query = sa.select(instruments).order_by(instruments.c.id)
    for row in bind.execute(query).mappings():
        keys = {}
        for column, key_column in KEYS:
            key = _number_key(row[column])
            taken = (key_column, row["premise_id"], row["instrument_type"], key)
            keys[key_column] = key if key is not None and taken not in seen else None
            seen.add(taken)
        if any(keys.values()):
            rows.append({"row_id": row["id"], **keys})
    if rows:
        statement = (
            instruments.update()
            .where(instruments.c.id == sa.bindparam("row_id"))
            .values(serial_match=sa.bindparam("serial_match"), mark_match=sa.bindparam("mark_match"))
        )
        bind.execute(statement, rows)


def upgrade():
    op.add_column("instruments", sa.Column("serial_match", sa.String(length=60), nullable=True))
    op.add_column("instruments", sa.Column("mark_match", sa.String(length=60), nullable=True))
    _backfill()
    op.create_index(
        "uq_instruments_serial_match",
        "instruments",
        ["premise_id", "instrument_type", "serial_match"],
        unique=True,
    )
    op.create_index(
        "uq_instruments_mark_match",
        "instruments",
        ["premise_id", "instrument_type", "mark_match"],
        unique=True,
    )
    op.create_index("ix_instruments_updated_at_id", "instruments", ["updated_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_instruments_updated_at_id", table_name="instruments")
    op.drop_index("uq_instruments_mark_match", table_name="instruments")
    op.drop_index("uq_instruments_serial_match", table_name="instruments")
    with op.batch_alter_table("instruments") as batch_op:
        batch_op.drop_column("mark_match")
        batch_op.drop_column("serial_match")
