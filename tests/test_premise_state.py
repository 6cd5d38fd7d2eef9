"""The latest state kept on each premise: after any sequence of writes it equals what a from-scratch computation
gives; the SQL date arithmetic equals the Python rules; the rebuild command and migration 0012 fill it."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, literal, select, update

from inspect_app import measurements
from inspect_app.domain.errors import InvalidInput
from inspect_app.domain.premise_state import (
    CompletedInspection,
    LatestState,
    inspection_result,
    latest_state,
    next_due_on,
    premise_state,
)
from inspect_app.domain.time import today_vn
from inspect_app.domain.vocabulary import PREMISE_STATES
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.measurements.instruments import computed_expiry
from inspect_app.minutes.service import IssueRequest, issue_minutes, reopen_for_correction, revoke
from inspect_app.models import Finding, Inspection, Instrument, Minutes, Premise
from inspect_app.models.metrology import PrepackagedLot, Reading
from inspect_app.premises.state import (
    STATE_COLUMNS,
    add_months,
    cycle_end,
    state_expression,
    vn_date,
)
from inspect_app.tolerances.cycles import add_months as py_add_months
from inspect_app.tolerances.cycles import cycle_expiry_date
from tests.factories import make_instrument, make_premise, make_standard, mark_not_checked

# ---- the rules, without an app ----------------------------------------------------------------------------------


def test_the_result_of_a_completed_inspection():
    assert inspection_result("fix_request", False) == "pending_fix"
    assert inspection_result("fix_request", True) == "pending_fix"
    assert inspection_result("violation_record", True) == "violation"
    assert inspection_result("reminder", True) == "violation"
    # Only "sơ bộ" failures (no counted violation): nothing the team may conclude on failed.
    assert inspection_result("referral", False) == "pass"
    assert inspection_result("pass", False) == "pass"


def test_the_next_inspection_is_due_months_later_clamped_to_a_short_month():
    assert next_due_on(date(2025, 3, 15), 12) == date(2026, 3, 15)
    assert next_due_on(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert next_due_on(date(2025, 1, 31), 1) == date(2025, 2, 28)


def test_the_state_on_a_day_follows_the_vocabulary_order():
    today = date(2026, 6, 1)
    assert premise_state(LatestState(), today) == "never_inspected"
    done = dict(last_inspection_id=1, last_inspected_on=date(2026, 1, 1), next_due_on=date(2027, 1, 1))
    assert premise_state(LatestState(**done, last_result="pass"), today) == "pass"
    assert premise_state(LatestState(**done, last_result="violation"), today) == "violation"
    fix = LatestState(**done, last_result="pending_fix", open_fix_deadline=date(2026, 6, 1))
    assert premise_state(fix, today) == "fix_pending"
    assert premise_state(fix, today + timedelta(days=1)) == "fix_overdue"
    old = LatestState(last_inspection_id=1, last_result="violation", next_due_on=date(2026, 5, 31))
    assert premise_state(old, today) == "inspection_overdue"
    assert list(PREMISE_STATES) == [
        "never_inspected",
        "fix_overdue",
        "fix_pending",
        "inspection_overdue",
        "violation",
        "pass",
    ]


def test_latest_state_takes_the_inspection_that_started_last():
    at = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)  # 1/4 in Việt Nam
    done = [
        CompletedInspection(1, at - timedelta(days=40), "fix_request", date(2026, 3, 1), True),
        CompletedInspection(2, at, "pass", None, False),
    ]
    state = latest_state(done, [None, date(2027, 1, 1), date(2026, 12, 1)], 12)
    assert state == LatestState(2, date(2026, 4, 1), "pass", date(2027, 4, 1), None, date(2026, 12, 1))


# ---- SQL date arithmetic = the Python rules -----------------------------------------------------------------------


def _sample_days(rng: random.Random) -> list[date]:
    days = [date(2024, 1, 31), date(2024, 2, 29), date(2023, 3, 31), date(2025, 12, 31), date(2024, 1, 1)]
    for _ in range(60):
        year, month = rng.randint(2019, 2030), rng.randint(1, 12)
        day = rng.choice([1, 2, 27, 28, 29, 30, 31])
        while True:
            try:
                days.append(date(year, month, day))
                break
            except ValueError:
                day -= 1
    return days


def test_sql_date_arithmetic_equals_python(app):
    rng = random.Random(7)
    for day in _sample_days(rng):
        for months in (1, 12, 13, 24, 36, 48, 60, 72):
            got = db.session.execute(
                select(add_months(literal(day), literal(months)), cycle_end(literal(day), literal(months)))
            ).one()
            as_date = [value if isinstance(value, date) else date.fromisoformat(value) for value in got]
            assert as_date == [py_add_months(day, months), cycle_expiry_date(day, months)], (day, months)
    for instant in (datetime(2026, 3, 31, 16, 59, 59), datetime(2026, 3, 31, 17, 0, 0, 1)):
        value = db.session.execute(select(vn_date(literal(instant)))).scalar()
        value = value if isinstance(value, date) else date.fromisoformat(value)
        assert value == (instant.replace(tzinfo=UTC) + timedelta(hours=7)).date()


# ---- from scratch -------------------------------------------------------------------------------------------------


def from_scratch(months: int = 12) -> dict[int, LatestState]:
    """Every premise's state computed in Python from every row, as if nothing were stored."""
    db.session.expire_all()
    states = {}
    for premise in db.session.scalars(select(Premise)):
        completed = []
        for inspection in db.session.scalars(select(Inspection).where(Inspection.premise_id == premise.id)):
            if inspection.status not in ("completed", "minutes_issued"):
                continue
            failed = [
                *(
                    f
                    for f in db.session.scalars(select(Finding).where(Finding.inspection_id == inspection.id))
                    if f.answer == "fail"
                ),
                *(
                    r
                    for r in db.session.scalars(select(Reading).where(Reading.inspection_id == inspection.id))
                    if r.outcome == "fail" and r.voided_at is None
                ),
                *(
                    lot
                    for lot in db.session.scalars(
                        select(PrepackagedLot).where(PrepackagedLot.inspection_id == inspection.id)
                    )
                    if lot.outcome == "fail" and lot.voided_at is None
                ),
            ]
            completed.append(
                CompletedInspection(
                    inspection.id,
                    inspection.started_at,
                    inspection.outcome,
                    inspection.fix_deadline,
                    any(not result.indicative for result in failed),
                )
            )
        expiries = []
        for instrument in db.session.scalars(select(Instrument).where(Instrument.premise_id == premise.id)):
            if instrument.in_use:
                computed = computed_expiry(instrument)
                expiries.append(instrument.valid_until or (computed.expires_on if computed else None))
        states[premise.id] = latest_state(completed, expiries, months)
    return states


def stored() -> dict[int, LatestState]:
    table = Premise.__table__
    rows = db.session.execute(select(table.c.id, *(table.c[name] for name in STATE_COLUMNS)))
    return {row.id: LatestState(**{name: getattr(row, name) for name in STATE_COLUMNS}) for row in rows}


def assert_state_is_true(months: int = 12) -> None:
    assert stored() == from_scratch(months)


def assert_sql_state_equals_python(today: date) -> None:
    states = stored()
    by_sql = dict(db.session.execute(select(Premise.id, state_expression(today))).all())
    assert by_sql == {pid: premise_state(state, today) for pid, state in states.items()}


# ---- any sequence of writes -------------------------------------------------------------------------------------


class Writer:
    """Random writes through the services, as the phone and the desk make them."""

    ITEMS = ("GIA-01", "NHAN-05", "CL-02", "CL-03")
    # A control measurement's direction and the 1 kg weight's indication.
    DIRECTIONS = ("sell",)
    INDICATIONS = ("1.00", "1.06", "0.90")

    def __init__(self, world, rng: random.Random):
        self.rng = rng
        self.inspector = world.users["inspector"]
        self.clerk = world.users["staff"]
        self.premises = [world.premise_a] + [make_premise(world.unit_a) for _ in range(2)]
        self.premise_ids = [p.id for p in self.premises]
        self.weight = make_standard(world.unit_a, self.inspector, nominal=Decimal("1"))
        self.scales = {p.id: make_instrument(p, self.inspector).id for p in self.premises}
        self.last_day = today_vn() - timedelta(days=1)

    # helpers
    def _inspections(self, *statuses) -> list[Inspection]:
        query = select(Inspection).where(Inspection.premise_id.in_(self.premise_ids)).order_by(Inspection.id)
        return [i for i in db.session.scalars(query) if not statuses or i.status in statuses]

    def _started_at(self) -> datetime:
        start = date(2023, 1, 1)
        day = start + timedelta(days=self.rng.randint(0, (self.last_day - start).days - 1))
        # Near midnight in Việt Nam (17:00 UTC), where the UTC and the local date differ.
        moment = self.rng.choice([time(16, 59, 59), time(17, 0, 0), time(2, 30), time(23, 59)])
        return datetime.combine(day, moment, tzinfo=UTC)

    def _pick(self, items):
        return self.rng.choice(items) if items else None

    # writes
    def create(self):
        premise_id = self.rng.choice(self.premise_ids)
        earlier = [i for i in self._inspections("completed", "minutes_issued") if i.premise_id == premise_id]
        follows = self._pick(earlier) if self.rng.random() < 0.5 else None
        service.create_inspection(
            {
                "uuid": str(uuid.uuid4()),
                "premise_id": premise_id,
                "kind": "planned",
                "team": [],
                "started_at": self._started_at(),
                "follows_id": follows.id if follows else None,
            },
            self.inspector,
        )

    def complete(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is None:
            return
        outcome = self.rng.choice(
            ["pass", "reminder", "fix_request", "fix_request", "violation_record", "referral"]
        )
        mark_not_checked(inspection, self.inspector)
        data = {
            "version": inspection.version,
            "status": "completed",
            "outcome": outcome,
            "fix_deadline": None,
            "referral_body": "qltt" if outcome == "referral" else None,
        }
        if outcome == "fix_request":
            data["fix_deadline"] = inspection.started_at.date() + timedelta(days=self.rng.randint(0, 90))
        service.update_inspection(inspection, data, self.inspector)

    def back_to_draft(self):
        inspection = self._pick(self._inspections("completed"))
        if inspection is not None:
            service.update_inspection(
                inspection, {"version": inspection.version, "status": "draft"}, self.inspector
            )

    def move_date(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is None or inspection.outcome == "fix_request":
            return
        started = self._started_at()
        service.update_inspection(
            inspection,
            {"version": inspection.version, "started_at": started, "ended_at": None},
            self.inspector,
        )

    def team(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is not None:
            service.update_inspection(
                inspection,
                {"version": inspection.version, "province_in_team": not inspection.province_in_team},
                self.inspector,
            )

    def finding(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is None:
            return
        item, answer = self.rng.choice(self.ITEMS), self.rng.choice(["pass", "fail", "fail", "na"])
        existing = db.session.scalars(
            select(Finding).where(Finding.inspection_id == inspection.id, Finding.item_code == item)
        ).first()
        if existing is None:
            service.record_finding(
                inspection, {"uuid": str(uuid.uuid4()), "item_code": item, "answer": answer}, self.inspector
            )
        else:
            service.update_finding(existing, {"version": existing.version, "answer": answer}, self.inspector)

    def lot(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is None:
            return
        measured = self.rng.choice([["1.00", "1.01", "1.00"], ["0.90", "0.91", "0.92"]])
        measurements.record_lot(
            inspection,
            {
                "uuid": str(uuid.uuid4()),
                "product": "Đường túi 1 kg",
                "nominal": Decimal("1"),
                "unit": "kg",
                "measured": [Decimal(value) for value in measured],
            },
            self.inspector,
        )

    def reading(self):
        inspection = self._pick(self._inspections("draft", "completed"))
        if inspection is None:
            return
        measurements.record_reading(
            inspection,
            {
                "uuid": str(uuid.uuid4()),
                "instrument_id": self.scales[inspection.premise_id],
                "kind": "control",
                "direction": self.rng.choice(self.DIRECTIONS),
                "standard_ids": [self.weight.id],
                "indication": Decimal(self.rng.choice(self.INDICATIONS)),
                "measured_at": None,
            },
            self.inspector,
        )

    def void(self):
        records = [
            record
            for model in (Reading, PrepackagedLot)
            for record in db.session.scalars(select(model).where(model.voided_at.is_(None)))
            if not record.inspection.locked
        ]
        record = self._pick(records)
        if record is not None:
            measurements.void_record(record, "Nhập nhầm số liệu", self.inspector)

    def issue(self):
        inspection = self._pick(self._inspections("completed"))
        if inspection is not None:
            issue_minutes(inspection, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), self.clerk)

    def reopen(self):
        minutes = self._pick(list(db.session.scalars(select(Minutes).where(Minutes.status == "valid"))))
        if minutes is not None and minutes.inspection.status == "minutes_issued":
            reopen_for_correction(minutes, "Sửa sai sót trong biên bản", self.clerk)

    def revoke(self):
        minutes = self._pick(list(db.session.scalars(select(Minutes).where(Minutes.status == "valid"))))
        if minutes is not None:
            revoke(minutes, "Lập nhầm biên bản", self.clerk)

    def instrument(self):
        premise = self.rng.choice(self.premises)
        verified = self.rng.choice([None, date(2024, 1, 31), date(2024, 2, 29), date(2025, 8, 31)])
        valid_until = self.rng.choice([None, None, date(2025, 6, 30), date(2027, 1, 31)])
        if verified and valid_until and valid_until < verified:
            valid_until = None
        kind = self.rng.choice(["spring_scale", "pan_scale", "electricity_meter", "other"])
        extra = (
            {
                "variant": "elec_1p_electronic",
                "unit": "kWh",
                "accuracy_class": "1",
                "max_capacity": None,
                "e": None,
            }
            if kind == "electricity_meter"
            else {}
        )
        if kind == "other":
            extra = {"unit": "kg", "accuracy_class": "", "max_capacity": None, "e": None}
        if kind == "pan_scale":
            extra = {"max_capacity": Decimal("30"), "e": Decimal("0.1")}
        make_instrument(
            premise,
            self.inspector,
            instrument_type=kind,
            verified_on=verified,
            valid_until=valid_until,
            **extra,
        )

    def edit_instrument(self):
        instrument = self._pick(
            list(db.session.scalars(select(Instrument).where(Instrument.premise_id.in_(self.premise_ids))))
        )
        if instrument is None:
            return
        change = self.rng.choice(
            [
                {"in_use": not instrument.in_use},
                {"valid_until": None},
                {"valid_until": date(2026, 1, 31)},
                {"verified_on": date(2023, 12, 31), "valid_until": None},
            ]
        )
        try:
            measurements.update_instrument(
                instrument, {"version": instrument.version, **change}, self.inspector
            )
        except InvalidInput:  # an expiry before the verification date: refused, nothing stored
            db.session.rollback()

    def failing_write(self):
        """A write refused half-way (completion without an outcome): nothing of it may stay."""
        inspection = self._pick(self._inspections("draft"))
        if inspection is None or inspection.outcome is not None:
            return
        with pytest.raises(InvalidInput):
            service.update_inspection(
                inspection, {"version": inspection.version, "status": "completed"}, self.inspector
            )

    WEIGHTS = {
        "create": 5,
        "complete": 7,
        "back_to_draft": 1,
        "move_date": 2,
        "team": 1,
        "finding": 4,
        "lot": 1,
        "reading": 2,
        "void": 1,
        "issue": 2,
        "reopen": 1,
        "revoke": 1,
        "instrument": 2,
        "edit_instrument": 2,
        "failing_write": 1,
    }

    def prologue(self) -> None:
        """One premise with a counted violation, one with a fix request, one passed: the random writes then move
        them around."""
        for premise_id, outcome, answer in zip(
            self.premise_ids,
            ("violation_record", "fix_request", "pass"),
            ("fail", "fail", "pass"),
            strict=True,
        ):
            inspection, _ = service.create_inspection(
                {
                    "uuid": str(uuid.uuid4()),
                    "premise_id": premise_id,
                    "kind": "planned",
                    "team": [],
                    "started_at": self._started_at(),
                },
                self.inspector,
            )
            service.record_finding(
                inspection,
                {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": answer},
                self.inspector,
            )
            mark_not_checked(inspection, self.inspector)
            service.update_inspection(
                inspection,
                {
                    "version": inspection.version,
                    "status": "completed",
                    "outcome": outcome,
                    "fix_deadline": inspection.started_at.date() + timedelta(days=30)
                    if outcome == "fix_request"
                    else None,
                },
                self.inspector,
            )
            assert_state_is_true()

    def step(self) -> str:
        name = self.rng.choices(list(self.WEIGHTS), weights=list(self.WEIGHTS.values()))[0]
        getattr(self, name)()
        return name


@pytest.mark.parametrize("seed", [1, 2])
def test_after_any_sequence_of_writes_the_stored_state_is_true(app, world, seed):
    writer = Writer(world, random.Random(seed))
    assert_state_is_true()
    writer.prologue()
    done, seen = [], set()
    for _ in range(60):
        done.append(writer.step())
        db.session.expire_all()
        now = stored()
        assert now == from_scratch(), done
        seen |= {state.last_result for state in now.values()}
        seen |= {"fix" for state in now.values() if state.open_fix_deadline}
        seen |= {"stamp" for state in now.values() if state.earliest_stamp_expiry}
    # Enough happened for the check to mean something.
    assert {"pass", "violation", "pending_fix", "fix", "stamp"} <= seen, seen
    for today in (date(2024, 6, 1), date(2025, 12, 31), today_vn(), date(2028, 1, 1)):
        assert_sql_state_equals_python(today)


def test_the_state_is_written_in_the_same_transaction_and_leaves_updated_at(app, world):
    writer = Writer(world, random.Random(3))
    premise = world.premise_a
    before = db.session.scalar(select(Premise.updated_at).where(Premise.id == premise.id))
    writer.premise_ids = [premise.id]
    writer.create()
    inspection = writer._inspections("draft")[0]
    mark_not_checked(inspection, world.users["inspector"])
    service.update_inspection(
        inspection,
        {
            "version": inspection.version,
            "status": "completed",
            "outcome": "fix_request",
            "fix_deadline": inspection.started_at.date() + timedelta(days=10),
        },
        writer.inspector,
    )
    db.session.expire_all()
    assert premise.last_inspection_id == inspection.id
    assert premise.last_result == "pending_fix"
    assert premise.open_fix_deadline == inspection.fix_deadline
    assert db.session.scalar(select(Premise.updated_at).where(Premise.id == premise.id)) == before
    assert_state_is_true()


# ---- the rebuild command ---------------------------------------------------------------------------------------


def _scramble() -> None:
    db.session.execute(
        update(Premise.__table__).values(
            last_inspection_id=None,
            last_result="violation",
            next_due_on=date(2000, 1, 1),
            open_fix_deadline=None,
            earliest_stamp_expiry=date(2000, 1, 1),
        )
    )
    db.session.commit()


def test_the_rebuild_command_recomputes_every_premise(app, world, runner):
    writer = Writer(world, random.Random(5))
    for _ in range(25):
        writer.step()
    truth = from_scratch()
    _scramble()
    assert stored() != truth
    result = runner.invoke(args=["rebuild-premise-state"])
    assert result.exit_code == 0, result.output
    assert "Đã tính lại tình trạng của" in result.output
    assert stored() == truth
    result = runner.invoke(args=["rebuild-premise-state", "--overdue-months", "6"])
    assert result.exit_code == 0, result.output
    assert stored() == from_scratch(6)


def test_the_overdue_months_come_from_the_settings(app, world):
    app.config["INSPECTION_OVERDUE_MONTHS"] = 18
    writer = Writer(world, random.Random(11))
    for _ in range(20):
        writer.step()
    assert_state_is_true(18)


# ---- migration 0012 --------------------------------------------------------------------------------------------


@pytest.mark.database_owner
def test_migration_0012_fills_the_state_of_existing_data(app, world):
    writer = Writer(world, random.Random(13))
    for _ in range(30):
        writer.step()
    truth = from_scratch()
    assert any(state.last_inspection_id for state in truth.values())
    db.session.commit()  # no transaction (nor lock) stays open while the schema changes
    db.session.remove()
    downgrade(revision="0011")
    upgrade()
    db.session.expire_all()
    assert stored() == truth
    assert db.session.scalar(select(func.count()).select_from(Premise)) == len(truth)
