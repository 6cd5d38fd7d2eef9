"""reading standards: the reference standards each reading used, as rows (reading, standard, within its
verification on the day), so reports count them in SQL; filled here from the readings' JSON snapshots

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Readings read (and their rows written) per round trip: a million readings take some hundred rounds.
BATCH = 5000
# A snapshot's status when the standard was within its verification on the day (tolerances.STANDARD_VALID at this
# revision): the same test the reading's verdict used.
STANDARD_VALID = "valid"

readings = sa.table("readings", sa.column("id", sa.Integer()), sa.column("standards", sa.JSON()))
reference_standards = sa.table("reference_standards", sa.column("id", sa.Integer()))
reading_standards = sa.table(
    "reading_standards",
    sa.column("reading_id", sa.Integer()),
    sa.column("standard_id", sa.Integer()),
    sa.column("within_verification", sa.Boolean()),
)


def _links(snapshots):
    """(standard id, within verification) of each standard a reading's JSON names, once each, in its order."""
    found = {}
    for item in snapshots or []:
        standard_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(standard_id, int) and not isinstance(standard_id, bool) and standard_id not in found:
            found[standard_id] = item.get("status") == STANDARD_VALID
    return found


def fill():
    """One row per standard named in each reading's JSON, by batches of readings in id order (keyset paging)."""
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(readings.c.id, readings.c.standards)
            .where(readings.c.id > last)
            .order_by(readings.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        last = batch[-1].id
        links = {reading_id: _links(snapshots) for reading_id, snapshots in batch}
        named = {standard_id for found in links.values() for standard_id in found}
        existing = set()
        if named:
            existing = set(
                connection.execute(
                    sa.select(reference_standards.c.id).where(reference_standards.c.id.in_(sorted(named)))
                ).scalars()
            )
        # A standard id the JSON names but reference_standards no longer holds (the app never deletes a standard;
        # only a hand edit of the database could) gets no row, as the foreign key would refuse it: that standard is
        # skipped, the reading's other standards are still written. Its JSON snapshot stays the record of it.
        rows = [
            {"reading_id": reading_id, "standard_id": standard_id, "within_verification": within}
            for reading_id, found in links.items()
            for standard_id, within in found.items()
            if standard_id in existing
        ]
        if rows:
            connection.execute(reading_standards.insert(), rows)


def upgrade():
    op.create_table(
        "reading_standards",
        sa.Column("reading_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("within_verification", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reading_id"],
            ["readings.id"],
            name=op.f("fk_reading_standards_reading_id_readings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["reference_standards.id"],
            name=op.f("fk_reading_standards_standard_id_reference_standards"),
        ),
        sa.PrimaryKeyConstraint("reading_id", "standard_id", name=op.f("pk_reading_standards")),
    )
    fill()
    # After the fill: one index build, not a million index updates.
    op.create_index(
        "ix_reading_standards_standard_id_reading_id",
        "reading_standards",
        ["standard_id", "reading_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_reading_standards_standard_id_reading_id", table_name="reading_standards")
    op.drop_table("reading_standards")
