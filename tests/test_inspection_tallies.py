"""Each inspection's tallies kept on write: after any sequence of writes they equal a count of its records made here
in Python, the rebuild command rewrites them, and migration 0014 fills them for existing data."""

from __future__ import annotations

import random
import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from inspect_app.domain.errors import InvalidInput
from inspect_app.domain.vocabulary import TALLY_NAMES
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.inspections.tallies import TALLIES, fresh_counts, reason_codes
from inspect_app.models import Finding, Inspection, InspectionTally
from inspect_app.models.metrology import PrepackagedLot, Reading
from tests.test_premise_state import Writer


class TallyWriter(Writer):
    """The premise-state test's random writes, with measuring-instrument items (PTD) among the findings."""

    ITEMS = ("GIA-01", "NHAN-05", "CL-02", "PTD-02", "PTD-03", "PTD-06", "PTD-10")

    DIRECTIONS = ("sell", "buy")
    INDICATIONS = ("1.00", "1.06", "0.90", "0.94")

    WEIGHTS = {**Writer.WEIGHTS, "finding": 6, "reading": 3, "lot": 3, "team": 2}


def _python_counts() -> dict[int, dict[str, int]]:
    """Every inspection's tallies counted here from its rows, with the rules written out in Python."""
    db.session.expire_all()
    reasons = {code: reason for reason, codes in reason_codes().items() for code in codes}
    counts = {i: dict.fromkeys(TALLY_NAMES, 0) for i in db.session.scalars(select(Inspection.id))}

    def bump(inspection_id, name):
        counts[inspection_id][name] += 1

    for f in db.session.scalars(select(Finding)):
        group = f.item_code.split("-")[0].lower()
        failed = f.answer == "fail"
        if f.answer in ("pass", "fail"):
            bump(f.inspection_id, f"{group}_checked")
            if f.item_code == "PTD-10":
                bump(f.inspection_id, "label_quantity_checked")
        if failed and not f.indicative:
            bump(f.inspection_id, "findings_violated")
            if f.item_code == "PTD-10":
                bump(f.inspection_id, "label_quantity_violated")
        if failed:
            bump(f.inspection_id, f"{group}_indicative" if f.indicative else f"{group}_violated")
            if f.item_code in reasons:
                suffix = "_indicative" if f.indicative else ""
                bump(f.inspection_id, f"reason_{reasons[f.item_code]}{suffix}")
    for r in db.session.scalars(select(Reading)):
        if r.voided_at is not None:
            continue
        prefix = (
            "control" if r.kind == "control" else "error" if r.kind in ("weighing", "dispenser") else None
        )
        if prefix is None:
            continue
        bump(r.inspection_id, "control" if prefix == "control" else "error_tests")
        if prefix == "control":
            bump(r.inspection_id, f"control_{r.direction}")
            if r.outcome == "fail" and not r.indicative:
                bump(r.inspection_id, f"control_{r.direction}_failed")
        if r.outcome == "fail" and not r.indicative:
            bump(r.inspection_id, "readings_failed")
        if r.outcome == "fail":
            bump(r.inspection_id, f"{prefix}_indicative" if r.indicative else f"{prefix}_failed")
        if prefix == "control" and r.outcome == "inconclusive":
            bump(r.inspection_id, "control_inconclusive")
    for lot in db.session.scalars(select(PrepackagedLot)):
        if lot.voided_at is not None:
            continue
        bump(lot.inspection_id, "lots")
        if lot.outcome == "fail":
            bump(lot.inspection_id, "lots_indicative" if lot.indicative else "lots_failed")
    return counts


def _stored() -> dict[int, dict[str, int]]:
    table = InspectionTally.__table__
    return {
        row.inspection_id: {name: getattr(row, name) for name in TALLY_NAMES}
        for row in db.session.execute(select(table))
    }


def test_the_names_are_the_tables_columns_in_order():
    assert tuple(TALLIES) == TALLY_NAMES
    assert [c.name for c in InspectionTally.__table__.columns] == ["inspection_id", *TALLY_NAMES]


@pytest.mark.parametrize("seed", [1, 2])
def test_after_any_sequence_of_writes_the_stored_tallies_are_true(app, world, seed):
    writer = TallyWriter(world, random.Random(seed))
    writer.prologue()
    done, seen = [], set()
    for _ in range(70):
        done.append(writer.step())
        now = _stored()
        assert now == _python_counts(), done
        seen |= {name for row in now.values() for name, value in row.items() if value}
    # Enough happened for the check to mean something.
    assert {"gia_checked", "gia_violated", "ptd_violated", "reason_stamp", "control", "lots"} <= seen, seen
    assert {"control_failed", "lots_failed"} & seen, seen
    assert {"control_sell", "control_buy", "findings_violated"} <= seen, seen
    # The SQL recount says the same.
    fresh = {
        row[0]: dict(zip(TALLY_NAMES, row[1:], strict=True)) for row in db.session.execute(fresh_counts())
    }
    assert fresh == _stored()


def test_a_refused_write_leaves_the_tallies_as_they_were(app, world):
    writer = TallyWriter(world, random.Random(4))
    writer.prologue()
    inspection = writer._inspections("completed")[0]
    before = _stored()
    with pytest.raises(InvalidInput):
        service.record_finding(
            inspection,
            {"uuid": str(uuid.uuid4()), "item_code": "NO-SUCH-ITEM", "answer": "fail"},
            writer.inspector,
        )
    db.session.rollback()
    assert _stored() == before == _python_counts()


def _scramble() -> None:
    db.session.execute(update(InspectionTally.__table__).values(**dict.fromkeys(TALLY_NAMES, 7)))
    db.session.commit()


def test_the_rebuild_command_recounts_every_inspection(app, world, runner):
    writer = TallyWriter(world, random.Random(5))
    for _ in range(30):
        writer.step()
    truth = _python_counts()
    _scramble()
    assert _stored() != truth
    result = runner.invoke(args=["rebuild-inspection-tallies"])
    assert result.exit_code == 0, result.output
    assert "Đã đếm lại kết quả của" in result.output
    assert _stored() == truth


def test_migration_0014_fills_the_tallies_of_existing_data(app, world):
    writer = TallyWriter(world, random.Random(13))
    for _ in range(40):
        writer.step()
    truth = _python_counts()
    assert any(any(row.values()) for row in truth.values())
    db.session.commit()  # no transaction (nor lock) stays open while the schema changes
    db.session.remove()
    downgrade(revision="0013")
    upgrade()
    db.session.expire_all()
    assert _stored() == truth
