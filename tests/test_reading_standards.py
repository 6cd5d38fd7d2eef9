"""The standards a reading used, as rows (``reading_standards``): written with the reading, true to its JSON
snapshots (within verification exactly when the snapshot says "valid"), kept when the reading is voided, and filled
for existing readings by their migration."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, update

from inspect_app import measurements
from inspect_app.domain.errors import InvalidInput
from inspect_app.extensions import db
from inspect_app.measurements.readings import use_standards
from inspect_app.models import Reading, ReadingStandard
from tests.factories import make_instrument, make_records, make_standard

REVISION = "0015"
# 03:00 UTC on 1 July 2026 is 10:00 on 1 July in Việt Nam: a standard due on 30 June is past its date.
MEASURED_AT = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def kit(world):
    """An inspection at premise A with a 15 kg scale and weights of 2 kg, 1 kg (due on the day of the readings,
    still valid) and 1 kg (due the day before: expired)."""
    inspector = world.users["inspector"]
    return {
        "user": inspector,
        "inspection": make_records(world.premise_a, inspector)["inspection"],
        "scale": make_instrument(world.premise_a, inspector),
        "two": make_standard(world.unit_a, inspector),
        "one_due_today": make_standard(
            world.unit_a, inspector, nominal=Decimal("1"), due_on=date(2026, 7, 1)
        ),
        "one_expired": make_standard(world.unit_a, inspector, nominal=Decimal("1"), due_on=date(2026, 6, 30)),
    }


def weigh(kit, standards, indication: str, **changes) -> Reading:
    data = {
        "uuid": str(uuid.uuid4()),
        "instrument_id": kit["scale"].id,
        "kind": "weighing",
        "standard_ids": [standard.id for standard in standards],
        "indication": Decimal(indication),
        "measured_at": MEASURED_AT,
        **changes,
    }
    return measurements.record_reading(kit["inspection"], data, kit["user"])[0]


def stored_links() -> set[tuple[int, int, bool]]:
    """Every row of reading_standards, as read back from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        select(ReadingStandard.reading_id, ReadingStandard.standard_id, ReadingStandard.within_verification)
    )
    return {tuple(row) for row in rows}


def links_from_json() -> set[tuple[int, int, bool]]:
    """What every reading's JSON snapshots say: (reading, standard, status is "valid")."""
    db.session.expire_all()
    return {
        (reading.id, item["id"], item["status"] == "valid")
        for reading in db.session.scalars(select(Reading))
        for item in reading.standards
    }


def test_a_reading_with_one_standard_writes_its_row(kit):
    reading = weigh(kit, [kit["two"]], "2.00")
    assert reading.outcome == "pass"
    assert stored_links() == {(reading.id, kit["two"].id, True)} == links_from_json()


def test_a_reading_with_several_standards_writes_one_row_each_past_due_ones_not_within(kit):
    valid = weigh(kit, [kit["two"], kit["one_due_today"]], "3.00")
    mixed = weigh(kit, [kit["two"], kit["one_due_today"], kit["one_expired"]], "4.00")
    # The verdict and the rows read the same snapshots: an expired weight makes the reading inconclusive.
    assert valid.outcome == "pass" and mixed.outcome == "inconclusive"
    assert [item["status"] for item in mixed.standards] == ["valid", "valid", "expired"]
    assert stored_links() == {
        (valid.id, kit["two"].id, True),
        (valid.id, kit["one_due_today"].id, True),
        (mixed.id, kit["two"].id, True),
        (mixed.id, kit["one_due_today"].id, True),
        (mixed.id, kit["one_expired"].id, False),
    }
    assert stored_links() == links_from_json()
    # Counted in SQL: the standards used, and whether each was within its verification at the time.
    uses = db.session.execute(
        select(ReadingStandard.standard_id, ReadingStandard.within_verification, func.count())
        .group_by(ReadingStandard.standard_id, ReadingStandard.within_verification)
        .order_by(ReadingStandard.standard_id)
    ).all()
    assert [tuple(row) for row in uses] == [
        (kit["two"].id, True, 2),
        (kit["one_due_today"].id, True, 2),
        (kit["one_expired"].id, False, 1),
    ]


def test_a_resent_reading_writes_no_second_rows(kit):
    data = {
        "uuid": str(uuid.uuid4()),
        "instrument_id": kit["scale"].id,
        "kind": "weighing",
        "standard_ids": [kit["two"].id, kit["one_expired"].id],
        "indication": Decimal("3.00"),
        "measured_at": MEASURED_AT,
    }
    first, created = measurements.record_reading(kit["inspection"], dict(data), kit["user"])
    again, created_again = measurements.record_reading(kit["inspection"], dict(data), kit["user"])
    assert created and not created_again and again.id == first.id
    assert stored_links() == {(first.id, kit["two"].id, True), (first.id, kit["one_expired"].id, False)}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # Refused while judging, after the standards were looked up and snapshotted.
        ({"kind": "control"}, "direction"),
        ({"reference": Decimal("5")}, "reference"),
        # Refused when the standards are looked up.
        ({"standard_ids": [0]}, "standard_ids"),
    ],
)
def test_a_refused_reading_writes_no_row(kit, changes, field):
    with pytest.raises(InvalidInput) as refused:
        weigh(kit, [kit["two"], kit["one_expired"]], "3.00", **changes)
    assert field in refused.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Reading)) == 0
    assert stored_links() == set()


def test_a_voided_reading_keeps_its_rows(kit):
    kept = weigh(kit, [kit["two"]], "2.00")
    voided = weigh(kit, [kit["two"], kit["one_expired"]], "3.30")
    measurements.void_record(voided, "Nhập nhầm số chỉ 3,30 thay vì 3,03", kit["user"])
    assert db.session.get(Reading, voided.id).voided
    assert (
        stored_links()
        == links_from_json()
        == {
            (kept.id, kit["two"].id, True),
            (voided.id, kit["two"].id, True),
            (voided.id, kit["one_expired"].id, False),
        }
    )
    # Reports leave the voided reading out by the reading, not by its rows.
    in_force = db.session.execute(
        select(ReadingStandard.standard_id, func.count())
        .join(Reading, Reading.id == ReadingStandard.reading_id)
        .where(Reading.voided_at.is_(None))
        .group_by(ReadingStandard.standard_id)
    ).all()
    assert [tuple(row) for row in in_force] == [(kit["two"].id, 1)]


def test_changing_a_readings_standards_replaces_its_rows(kit):
    reading = weigh(kit, [kit["two"], kit["one_expired"]], "3.00")
    snapshots = [
        {**reading.standards[0], "status": "expired"},
        {"id": kit["one_due_today"].id, "status": "valid"},
    ]
    use_standards(reading, snapshots)
    db.session.commit()
    assert (
        stored_links()
        == links_from_json()
        == {
            (reading.id, kit["two"].id, False),
            (reading.id, kit["one_due_today"].id, True),
        }
    )


def _revision_before() -> str:
    """The revision this table's migration follows (read from the script, so the test follows a renumbering)."""
    migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


@pytest.mark.database_owner
def test_the_migration_fills_the_rows_of_existing_readings(kit):
    one = weigh(kit, [kit["two"]], "2.00")
    several = weigh(kit, [kit["two"], kit["one_due_today"], kit["one_expired"]], "4.00")
    voided = weigh(kit, [kit["one_expired"], kit["two"]], "3.30")
    measurements.void_record(voided, "Nhập nhầm số chỉ 3,30 thay vì 3,03", kit["user"])
    # A reading whose JSON names a standard that no longer exists (and one named twice, by a hand edit): that
    # standard gets no row, its other standards do.
    odd_json = [*several.standards, {**several.standards[0], "id": 987654}, several.standards[1]]
    db.session.execute(update(Reading).where(Reading.id == several.id).values(standards=odd_json))
    db.session.commit()
    written_by_the_app = stored_links()
    assert len(written_by_the_app) == 6
    assert {(one.id, kit["two"].id, True), (several.id, kit["one_expired"].id, False)} <= written_by_the_app
    db.session.commit()  # no transaction (nor lock) stays open while the schema changes
    db.session.remove()
    downgrade(revision=_revision_before())
    upgrade()
    assert stored_links() == written_by_the_app
    assert stored_links() == {link for link in links_from_json() if link[1] != 987654}
