"""Each inspection's tallies kept on write: after any sequence of writes they equal a count of its records made here
in Python, the rebuild command rewrites them, and migration 0014 fills them for existing data."""

from __future__ import annotations

import random
import uuid
from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select, update

from inspect_app.domain.errors import InvalidInput
from inspect_app.domain.vocabulary import TALLY_NAMES
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.inspections.tallies import TALLIES, fresh_counts, reason_codes
from inspect_app import measurements
from inspect_app.models import Finding, Inspection, InspectionInstrument, InspectionStandard, InspectionTally
from inspect_app.models.metrology import PrepackagedLot, Reading
from tests.factories import make_instrument, make_standard
from tests.test_premise_state import Writer


class TallyWriter(Writer):
    """The premise-state test's random writes, with measuring-instrument items (PTD) among the findings."""

    ITEMS = ("GIA-01", "NHAN-05", "CL-02", "PTD-02", "PTD-03", "PTD-06", "PTD-10")

    DIRECTIONS = ("sell", "buy")
    INDICATIONS = ("1.00", "1.06", "0.90", "0.94")

    WEIGHTS = {**Writer.WEIGHTS, "finding": 6, "reading": 6, "lot": 3, "team": 2}

    def __init__(self, world, rng: random.Random):
        super().__init__(world, rng)
        # A second scale at each premise and a weight whose verification ran out before the readings' days, so the
        # instruments tested and the standards used (and used outside their verification) vary.
        self.second_scales = {p.id: make_instrument(p, self.inspector).id for p in self.premises}
        self.expired_weight = make_standard(
            world.unit_a,
            self.inspector,
            nominal=Decimal("1"),
            calibrated_on=date(2024, 1, 31),
            due_on=date(2025, 1, 31),
        )

    def reading(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is None:
            return
        # One scale or both, each with one of the weights.
        for scales in self.rng.sample((self.scales, self.second_scales), self.rng.choice((1, 2))):
            weight = self.rng.choice((self.weight, self.weight, self.expired_weight))
            measurements.record_reading(
                inspection,
                {
                    "uuid": str(uuid.uuid4()),
                    "instrument_id": scales[inspection.premise_id],
                    "kind": "control",
                    "direction": self.rng.choice(self.DIRECTIONS),
                    "standard_ids": [weight.id],
                    "indication": Decimal(self.rng.choice(self.INDICATIONS)),
                    "measured_at": None,
                },
                self.inspector,
            )


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


def _python_uses() -> tuple[dict, dict]:
    """(inspection, instrument) → failed for every instrument a reading in force tested; (inspection, standard) →
    used outside its verification, for every standard such a reading used: counted here from the readings."""
    db.session.expire_all()
    instruments: dict[tuple[int, int], bool] = {}
    standards: dict[tuple[int, int], bool] = {}
    for r in db.session.scalars(select(Reading)):
        if r.voided_at is not None:
            continue
        key = (r.inspection_id, r.instrument_id)
        instruments[key] = instruments.get(key, False) or (r.outcome == "fail" and not r.indicative)
        for snapshot in r.standards:
            key = (r.inspection_id, snapshot["id"])
            standards[key] = standards.get(key, False) or snapshot["status"] != "valid"
    return instruments, standards


def _stored_uses() -> tuple[dict, dict]:
    return (
        {
            (u.inspection_id, u.instrument_id): u.failed
            for u in db.session.scalars(select(InspectionInstrument))
        },
        {
            (u.inspection_id, u.standard_id): u.outside_verification
            for u in db.session.scalars(select(InspectionStandard))
        },
    )


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
    done, seen, uses = [], set(), set()
    for _ in range(70):
        done.append(writer.step())
        now = _stored()
        assert now == _python_counts(), done
        seen |= {name for row in now.values() for name, value in row.items() if value}
        stored_uses = _stored_uses()
        assert stored_uses == _python_uses(), done
        instruments, standards = stored_uses
        uses |= {("instrument", failed) for failed in instruments.values()}
        uses |= {("standard", outside) for outside in standards.values()}
        uses |= {"two instruments" for i, _ in instruments if sum(1 for j, _ in instruments if j == i) > 1}
    # Instruments passed and failed, standards within and outside their verification, two instruments at once.
    assert uses == {
        ("instrument", False),
        ("instrument", True),
        ("standard", False),
        ("standard", True),
        "two instruments",
    }, uses
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
    assert _stored_uses() == _python_uses()


def _scramble() -> None:
    db.session.execute(update(InspectionTally.__table__).values(**dict.fromkeys(TALLY_NAMES, 7)))
    db.session.execute(update(InspectionInstrument.__table__).values(failed=True))
    db.session.execute(delete(InspectionStandard.__table__))
    db.session.commit()


def test_the_rebuild_command_recounts_every_inspection(app, world, runner):
    writer = TallyWriter(world, random.Random(5))
    for _ in range(30):
        writer.step()
    truth, uses = _python_counts(), _python_uses()
    assert all(uses), uses
    _scramble()
    assert _stored() != truth
    assert _stored_uses() != uses
    result = runner.invoke(args=["rebuild-inspection-tallies"])
    assert result.exit_code == 0, result.output
    assert "Đã đếm lại kết quả của" in result.output
    assert _stored() == truth
    assert _stored_uses() == uses


def _down_and_up_again(revision: str) -> None:
    """Migrate down to ``revision`` (dropping what the next revisions made) and up again, which fills it anew."""
    db.session.commit()  # no transaction (nor lock) stays open while the schema changes
    db.session.remove()
    downgrade(revision=revision)
    upgrade()
    db.session.expire_all()


@pytest.mark.database_owner
def test_migration_0014_fills_the_tallies_of_existing_data(app, world):
    writer = TallyWriter(world, random.Random(13))
    for _ in range(40):
        writer.step()
    truth = _python_counts()
    assert any(any(row.values()) for row in truth.values())
    _down_and_up_again("0013")
    assert _stored() == truth


@pytest.mark.database_owner
def test_migration_0017_fills_the_instruments_and_standards_of_existing_data(app, world):
    writer = TallyWriter(world, random.Random(17))
    for _ in range(60):
        writer.step()
    uses = _python_uses()
    assert all(uses), uses
    _down_and_up_again("0016")
    assert _stored_uses() == uses


def test_writes_reuse_the_statements_that_keep_the_tallies_and_the_premise_state(app, world, monkeypatch):
    """Under load (bench/load_test.py) every finding's write built the tallies' SELECT (some sixty filtered counts)
    and the premise state's two UPDATEs anew: about 18 ms of CPU per write, on SQLite while holding the write lock,
    and the inspectors' findings waited seconds behind one another. Each is built once and run with the ids bound."""
    from dataclasses import replace

    from inspect_app.inspections import tallies
    from inspect_app.premises import state

    built = {"tallies": 0, "premise_state": 0}
    first = next(iter(tallies.TALLIES))

    def counted_condition(condition=tallies.TALLIES[first].condition):
        built["tallies"] += 1
        return condition()

    def counted_statements(*args, statements=state._statements, **kwargs):
        built["premise_state"] += 1
        return statements(*args, **kwargs)

    monkeypatch.setitem(tallies.TALLIES, first, replace(tallies.TALLIES[first], condition=counted_condition))
    monkeypatch.setattr(state, "_statements", counted_statements)
    for module in (tallies, state):
        if hasattr(module, "_batch_statements"):
            module._batch_statements.cache_clear()
    inspector = world.users["inspector"]
    inspection, _ = service.create_inspection(
        {"uuid": str(uuid.uuid4()), "premise_id": world.premise_a.id, "kind": "planned", "team": []}, inspector
    )
    for code in ("GIA-01", "GIA-02", "NHAN-01", "NHAN-02"):
        service.record_finding(inspection, {"uuid": str(uuid.uuid4()), "item_code": code, "answer": "fail"}, inspector)
    assert built == {"tallies": 1, "premise_state": 1}
    # And what they write is still the truth.
    monkeypatch.undo()
    for module in (tallies, state):
        module._batch_statements.cache_clear()
    assert _stored() == _python_counts()
