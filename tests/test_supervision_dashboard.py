"""The dashboard (Tổng hợp): its figures against counts written here in plain Python over the records created, every
number followed to its list (whose length must be the number), the months and units charts, scoping, the reasons'
checklist items, and bad filter values answering a Vietnamese 4xx; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from inspect_app import measurements
from inspect_app.checklists import load_catalogue
from inspect_app.domain.time import VN_TZ, today_vn
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.minutes.service import IssueRequest, issue_minutes
from inspect_app.models import Finding, Inspection, Premise, PrepackagedLot, Reading
from inspect_app.models.metrology import ReadingStandard, ReferenceStandard
from inspect_app.supervision.charts import column_chart, nice_max, row_chart
from inspect_app.inspections.tallies import reason_codes
from inspect_app.supervision.dashboard import FIGURES, with_period
from inspect_app.supervision.filters import InvalidFilters, SupervisionFilters
from tests.dashboard_helpers import counted_national_dashboard
from tests.factories import make_instrument, make_premise, make_standard, mark_not_checked

COMPLETED = ("completed", "minutes_issued")


# ---- plain values ---------------------------------------------------------------------------------------------------


def test_the_period_defaults_to_this_year_and_is_bounded():
    today = date(2026, 7, 15)
    assert with_period(SupervisionFilters(), today).date_from == date(2026, 1, 1)
    assert with_period(SupervisionFilters(), today).date_to == today
    only_to = with_period(SupervisionFilters(date_to=date(2025, 3, 1)), today)
    assert (only_to.date_from, only_to.date_to) == (date(2025, 1, 1), date(2025, 3, 1))
    future = with_period(SupervisionFilters(date_from=date(2026, 9, 1)), today)
    assert future.date_to == date(2026, 9, 1)
    with pytest.raises(InvalidFilters) as raised:
        with_period(SupervisionFilters(date_from=date(2010, 1, 1)), today)
    assert "tối đa 10 năm" in raised.value.errors["from"]


def test_charts_scale_to_a_round_maximum_and_keep_every_value():
    assert [nice_max(v) for v in (0, 1, 3, 10, 11, 180, 2001)] == [1, 1, 5, 10, 20, 200, 5000]
    chart = column_chart([("T1/2026", 0, "/a"), ("T2/2026", 40, "/b"), ("T3/2026", 100, "/c")])
    assert chart.maximum == 100 and [b.value for b in chart.bars] == [0, 40, 100]
    tallest = chart.bars[2]
    assert tallest.height == pytest.approx(chart.bars[1].height * 2.5)
    assert chart.bars[0].height == 0
    rows = row_chart([("Phường A", 7, "/a"), ("Xã B", 3, "/b")])
    assert rows.bars[0].width > rows.bars[1].width > 0 and rows.maximum == 10


def test_the_reasons_are_the_same_items_in_every_catalogue_version():
    assert reason_codes() == {
        "stamp": ("PTD-02",),
        "seal": ("PTD-03",),
        "error": ("PTD-06",),
        "range": ("PTD-04",),
    }
    for version in ("2026.1", "2026.2"):
        items = {item.code: item for item in load_catalogue(version).items}
        assert "Niêm phong" in items["PTD-03"].question
        assert "tem kiểm định" in items["PTD-02"].question


# ---- a world with every kind of figure --------------------------------------------------------------------------------


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _inspect(premise, user, day, answers, outcome, *, fix_deadline=None, gps=None, follows=None, sở=False,
             measure=None, complete=True):  # fmt: skip
    data = {
        "uuid": str(uuid.uuid4()),
        "premise_id": premise.id,
        "kind": "planned",
        "team": [],
        "started_at": _at(day),
        "gps": gps,
        "province_in_team": sở,
    }
    if follows is not None:
        data["follows_id"] = follows.id
    inspection, _ = service.create_inspection(data, user)
    for code, answer in answers.items():
        service.record_finding(
            inspection, {"uuid": str(uuid.uuid4()), "item_code": code, "answer": answer, "note": ""}, user
        )
    if measure:
        measure(inspection)
    if complete:
        mark_not_checked(inspection, user)
        update = {"version": inspection.version, "status": "completed", "outcome": outcome}
        if fix_deadline:
            update["fix_deadline"] = fix_deadline
        if outcome == "referral":
            update["referral_body"] = "qltt"
        inspection = service.update_inspection(inspection, update, user)
    db.session.commit()
    return inspection


def _reading(inspection, instrument, standard, user, kind, indication, direction=None):
    data = {
        "uuid": str(uuid.uuid4()),
        "instrument_id": instrument.id,
        "kind": kind,
        "standard_ids": [standard.id],
        "indication": Decimal(indication),
    }
    if direction:
        data["direction"] = direction
    return measurements.record_reading(inspection, data, user)[0]


def _lot(inspection, user, measured):
    return measurements.record_lot(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "product": "Đường túi 1 kg",
            "nominal": Decimal("1"),
            "unit": "kg",
            "measured": [Decimal(v) for v in measured],
        },
        user,
    )[0]


@pytest.fixture
def board(world):
    """Inspections in A, A2 and B over the last months (and one before the period), with findings of every group,
    readings and lots (failing, sơ bộ, voided), fix requests open, overdue and done at follow-up, GPS mismatches;
    standards overdue, due soon and valid; premises never inspected."""
    w = world
    inspector, other = w.users["inspector"], w.other_users["inspector"]
    today = today_vn()
    w.today = today
    w.period = (today - timedelta(days=150), today)
    a = [make_premise(w.unit_a, name=f"Sạp tổng hợp {n}", market_id=w.market_a.id) for n in range(5)]
    a2 = make_premise(w.unit_a2, name="Tạp hóa tổng hợp xã bên", premise_type="grocery")
    secret = make_premise(w.unit_b, name="Sạp bí mật tổng hợp", market_id=w.market_b.id)
    standard = make_standard(w.unit_a, inspector)
    overdue = make_standard(
        w.unit_a, inspector, due_on=today - timedelta(days=3), calibrated_on=date(2024, 1, 5)
    )
    make_standard(w.unit_a2, w.users["supervisor_province"], due_on=today + timedelta(days=20),
                  calibrated_on=date(2025, 1, 5))  # fmt: skip
    make_standard(w.unit_b, other, due_on=today - timedelta(days=3), calibrated_on=date(2024, 1, 5))
    scale = make_instrument(a[2], inspector)
    make_instrument(a[3], inspector, verified_on=date(2024, 1, 1), valid_until=today - timedelta(days=1))
    far = {"latitude": 14.9, "longitude": 108.95, "accuracy_m": 10}
    coarse = {"latitude": 14.8, "longitude": 108.9, "accuracy_m": 300}
    d = lambda n: today - timedelta(days=n)  # noqa: E731

    _inspect(a[0], inspector, d(10), {"NHAN-05": "fail", "GIA-01": "pass"}, "fix_request",
             fix_deadline=d(2), gps=far)  # fmt: skip
    passed = _inspect(a[1], inspector, d(40), {"GIA-01": "pass", "PTD-02": "pass"}, "pass", gps=coarse)

    def measured(inspection):
        _reading(inspection, scale, standard, inspector, "control", "2.06", "sell")  # fails
        _reading(inspection, scale, standard, inspector, "control", "2.00", "sell")  # passes
        voided = _reading(inspection, scale, standard, inspector, "control", "2.20", "sell")
        measurements.void_record(voided, "Nhập nhầm", inspector)
        _reading(inspection, scale, standard, inspector, "weighing", "2.50")  # fails, sơ bộ (no Sở)
        _reading(inspection, scale, overdue, inspector, "control", "2.00", "buy")  # a standard past its date
        _lot(inspection, inspector, ["0.90", "0.91", "0.92"])  # fails, sơ bộ
        _lot(inspection, inspector, ["1.00", "1.01", "1.00"])

    _inspect(a[2], inspector, d(70), {"PTD-02": "fail", "PTD-03": "fail", "PTD-04": "pass"},
             "violation_record", measure=measured)  # fmt: skip

    def measured_with_so(inspection):
        _reading(inspection, scale, standard, inspector, "weighing", "2.50")  # fails, counted (Sở in team)
        _lot(inspection, inspector, ["0.90", "0.91", "0.92"])  # fails, counted

    counted = _inspect(a[2], inspector, d(60), {"PTD-06": "fail", "CL-03": "fail"}, "violation_record",
                       sở=True, measure=measured_with_so)  # fmt: skip
    # Biên bản issued: one with a violation, one without.
    for issued in (counted, passed):
        issue_minutes(issued, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), w.users["staff"])
    earlier = _inspect(a[3], inspector, d(100), {"GIA-03": "fail"}, "fix_request", fix_deadline=d(80))
    _inspect(a[3], inspector, d(75), {"GIA-03": "pass"}, "pass", follows=earlier)
    later_fix = _inspect(a[4], inspector, d(120), {"GIA-02": "fail"}, "fix_request", fix_deadline=d(110))
    _inspect(a[4], inspector, d(90), {"GIA-02": "fail"}, "reminder", follows=later_fix)
    _inspect(a[4], inspector, d(5), {"NHAN-01": "pass"}, "reminder", complete=False)  # a draft
    _inspect(a[4], inspector, d(400), {"NHAN-01": "fail"}, "reminder")  # before the period
    _inspect(a2, w.users["supervisor_province"], d(30), {"CL-02": "fail", "NHAN-02": "fail"}, "referral",
             fix_deadline=None)  # fmt: skip
    _inspect(secret, other, d(20), {"NHAN-05": "fail", "PTD-02": "fail"}, "violation_record", gps=far)
    w.secret = secret
    return w


# ---- the independent count ------------------------------------------------------------------------------------------


def _vn_day(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


def expected_counts(units: set[int], period: tuple[date, date], today: date) -> dict[str, int]:
    """Every figure, counted in Python over every row, by rules written here (not the app's expressions)."""
    start, end = period
    inspections = [
        i
        for i in db.session.scalars(select(Inspection))
        if i.unit_id in units and start <= _vn_day(i.started_at) <= end
    ]
    completed = [i for i in inspections if i.status in COMPLETED]
    done_ids = {i.id for i in completed}
    everything = list(db.session.scalars(select(Inspection)))
    c: Counter = Counter()
    c["inspections"] = len(completed)
    c["drafts"] = len(inspections) - len(completed)
    for i in completed:
        c[f"handling_{i.outcome}"] += 1
        c[f"kind_{i.kind}"] += 1
        if i.outcome == "referral":
            c[f"referral_{i.referral_body}"] += 1
        flags = i.gps_flags.split(",")
        c["gps_far"] += "far_from_premise" in flags
        c["gps_poor"] += "poor_accuracy" in flags
        c["gps_any"] += "far_from_premise" in flags or "poor_accuracy" in flags
    findings = [f for f in db.session.scalars(select(Finding)) if f.inspection_id in done_ids]
    readings = [r for r in db.session.scalars(select(Reading)) if r.inspection_id in done_ids]
    lots = [r for r in db.session.scalars(select(PrepackagedLot)) if r.inspection_id in done_ids]

    def violation(record, verdict):
        return verdict == "fail" and not record.indicative and getattr(record, "voided_at", None) is None

    def indicative(record, verdict):
        return verdict == "fail" and record.indicative and getattr(record, "voided_at", None) is None

    def violated(inspection_id):
        return (
            any(violation(f, f.answer) for f in db.session.scalars(select(Finding).where(Finding.inspection_id == inspection_id)))
            or any(violation(r, r.outcome) for r in db.session.scalars(select(Reading).where(Reading.inspection_id == inspection_id)))
            or any(violation(r, r.outcome) for r in db.session.scalars(select(PrepackagedLot).where(PrepackagedLot.inspection_id == inspection_id)))
        )  # fmt: skip

    for i in completed:
        if i.status == "minutes_issued":
            c["minutes_issued"] += 1
            c["minutes_nonconforming"] += violated(i.id)
    # Premises inspected (each once), whatever their status today.
    inspected = {i.premise_id for i in completed}
    for p in db.session.scalars(select(Premise)):
        if p.id in inspected:
            c["inspected"] += 1
            c[f"inspected_{p.premise_type}"] += 1
    # Instruments with a reading in force (each once); failed: one of them counts as a violation.
    tested, failed_instruments = {}, set()
    for r in readings:
        if r.voided_at is None:
            tested[r.instrument_id] = r.instrument
        if violation(r, r.outcome):
            failed_instruments.add(r.instrument_id)
    for instrument_id, instrument in tested.items():
        c["instruments_checked"] += 1
        c[f"instruments_checked_{instrument.instrument_type}"] += 1
        c["instruments_failed" if instrument_id in failed_instruments else "instruments_passed"] += 1
    for f in findings:
        if f.item_code == "PTD-10":
            c["label_quantity_checked"] += f.answer in ("pass", "fail")
            c["label_quantity_violated"] += violation(f, f.answer)
    for group in ("PTD", "NHAN", "GIA", "CL"):
        g = group.lower()
        of_group = [f for f in findings if f.item_code.split("-")[0] == group]
        checked = {f.inspection_id for f in of_group if f.answer in ("pass", "fail")}
        bad = {f.inspection_id for f in of_group if violation(f, f.answer)}
        c[f"group_{g}_checked"] = len(checked)
        c[f"group_{g}_violation"] = len(bad)
        c[f"group_{g}_pass"] = len(checked - bad)
        c[f"group_{g}_failed"] = sum(violation(f, f.answer) for f in of_group)
        c[f"group_{g}_indicative"] = sum(indicative(f, f.answer) for f in of_group)
    for reason, code in (("stamp", "PTD-02"), ("seal", "PTD-03"), ("error", "PTD-06"), ("range", "PTD-04")):
        c[f"reason_{reason}"] = sum(f.item_code == code and violation(f, f.answer) for f in findings)
        c[f"reason_{reason}_indicative"] = sum(
            f.item_code == code and indicative(f, f.answer) for f in findings
        )
    for r in readings:
        prefix = "control" if r.kind == "control" else "error"
        in_force = r.voided_at is None
        c["control" if prefix == "control" else "error_tests"] += in_force
        c[f"{prefix}_failed"] += violation(r, r.outcome)
        c[f"{prefix}_indicative"] += indicative(r, r.outcome)
        if prefix == "control":
            c["control_inconclusive"] += in_force and r.outcome == "inconclusive"
            c[f"control_{r.direction}"] += in_force
            c[f"control_{r.direction}_failed"] += violation(r, r.outcome)
    for lot in lots:
        c["lots"] += lot.voided_at is None
        c["lots_failed"] += violation(lot, lot.outcome)
        c["lots_indicative"] += indicative(lot, lot.outcome)
    # Fix requests: open while no later completed inspection of the premise exists.
    for i in completed:
        if i.outcome != "fix_request":
            continue
        later = [
            j
            for j in everything
            if j.premise_id == i.premise_id
            and j.status in COMPLETED
            and (j.started_at, j.id) > (i.started_at, i.id)
        ]
        if not later:
            c["fix_open"] += 1
            c["fix_overdue"] += i.fix_deadline < today
            continue
        follow_ups = [
            j
            for j in everything
            if j.follows_id == i.id
            and j.status in COMPLETED
            and j.outcome in ("pass", "reminder")
            and not violated(j.id)
        ]
        c["fix_done" if follow_ups else "fix_unconfirmed"] += 1
    # Premises today (active), by the state rules; standards.
    for p in db.session.scalars(select(Premise)):
        if p.unit_id not in units or p.status != "active":
            continue
        c["premises"] += 1
        own = [j for j in everything if j.premise_id == p.id and j.status in COMPLETED]
        last = max(own, key=lambda j: (j.started_at, j.id), default=None)
        if last is None:
            state = "never_inspected"
        elif last.outcome == "fix_request":
            state = "fix_overdue" if last.fix_deadline < today else "fix_pending"
        elif _add_months(_vn_day(last.started_at), 12) < today:
            state = "inspection_overdue"
        else:
            state = "violation" if violated(last.id) else "pass"
        c[f"state_{state}"] += 1
        c["stamp_expired"] += any(
            inst.in_use and inst.valid_until is not None and inst.valid_until < today
            for inst in measurements.instruments.instruments_of(p.id)
        )
    used, used_expired = set(), set()
    for r in readings:
        if r.voided_at is None:
            for link in db.session.scalars(select(ReadingStandard).where(ReadingStandard.reading_id == r.id)):
                used.add(link.standard_id)
                if not link.within_verification:
                    used_expired.add(link.standard_id)
    for s in db.session.scalars(select(ReferenceStandard)):
        if s.unit_id in units:
            c["standards_used"] += s.id in used
            c["standards_used_expired"] += s.id in used_expired
        if s.unit_id not in units or not s.active:
            continue
        c["standards"] += 1
        c["standards_overdue"] += s.due_on < today
        c["standards_due_soon"] += today <= s.due_on <= today + timedelta(days=60)
    return {code: c[code] for code in FIGURES}


def _add_months(day: date, months: int) -> date:
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---- reading the pages ----------------------------------------------------------------------------------------------

FIGURE_LINK = re.compile(r'<a class="figure" href="([^"]+)" data-figure="([a-z0-9_]+)"[^>]*>([\d.]+)</a>')
BAR = re.compile(r'<a href="([^"]+)" aria-label="([^"]+)" data-bar="(\d+)">')


def _figures(html: str) -> list[tuple[str, str, int]]:
    return [(unescape(href), code, int(n.replace(".", ""))) for href, code, n in FIGURE_LINK.findall(html)]


def _list_length(client, url: str) -> tuple[int, int]:
    """(the total the list shows, the rows counted over all its pages)."""
    total, rows = None, 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        shown = int(re.search(r'data-total="(\d+)"', html).group(1))
        total = shown if total is None else total
        rows += len(re.findall(r'data-row="\d+"', html))
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = unescape(following.group(1)) if following else None
    return total, rows


def _period_query(w) -> str:
    return f"from={w.period[0].isoformat()}&to={w.period[1].isoformat()}"


@pytest.mark.parametrize("actor", ["supervisor_province", "inspector"])
def test_figures_equal_the_independent_count_and_every_link_lists_as_many(client, login, board, actor):
    w = board
    units = {w.unit_a.id, w.unit_a2.id} if actor == "supervisor_province" else {w.unit_a.id}
    expected = expected_counts(units, w.period, w.today)
    # The world has something in most figures, so the comparison is not of zeros.
    assert sum(1 for n in expected.values() if n) >= 40, {k: v for k, v in expected.items() if not v}
    # The yearly report's figures among them.
    for code in ("standards_used", "standards_used_expired", "instruments_checked", "inspected", "kind_planned",
                 "minutes_issued", "minutes_nonconforming", "control_buy"):  # fmt: skip
        assert expected[code], code
    login(w.users[actor])
    response = client.get(f"/dashboard?{_period_query(w)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = _figures(html)
    first = {}
    for _href, code, n in shown:
        first.setdefault(code, n)
    assert {code: first[code] for code in FIGURES} == expected
    assert set(first) == set(FIGURES)
    # Every number on the page (figures, the charts' tables and bars) lists as many records as it says.
    bars = [(unescape(href), int(n)) for href, _label, n in BAR.findall(html)]
    assert len(bars) >= 6
    for url, number in [(href, n) for href, _c, n in shown] + bars:
        query = parse_qs(urlsplit(url).query)
        assert query["from"] and query["to"], url  # the links keep the period
        total, rows = _list_length(client, url)
        assert total == number == rows, (url, total, number, rows)


def test_the_months_and_units_add_up_and_link_to_narrowed_lists(client, login, board):
    w = board
    login(w.users["supervisor_province"])
    html = client.get(f"/dashboard?{_period_query(w)}").get_data(as_text=True)
    bars = BAR.findall(html)
    months = [b for b in bars if b[1].startswith("T")]
    units = [b for b in bars if not b[1].startswith("T")]
    completed = [
        i
        for i in db.session.scalars(select(Inspection))
        if i.unit_id in (w.unit_a.id, w.unit_a2.id)
        and i.status in COMPLETED
        and w.period[0] <= _vn_day(i.started_at) <= w.period[1]
    ]
    per_month = Counter(f"T{_vn_day(i.started_at).month}/{_vn_day(i.started_at).year}" for i in completed)
    assert {label.split(":")[0]: int(n) for _h, label, n in months if int(n)} == dict(per_month)
    assert len(months) == len({(d.year, d.month) for d in _days(*w.period)})
    per_unit = Counter(i.unit.name for i in completed)
    assert {label.split(":")[0]: int(n) for _h, label, n in units} == dict(per_unit)
    unit_link = next(unescape(h) for h, label, _n in units if label.startswith(w.unit_a2.name))
    assert parse_qs(urlsplit(unit_link).query)["unit"] == [str(w.unit_a2.id)]
    month_link = unescape(months[-1][0])
    query = parse_qs(urlsplit(month_link).query)
    assert query["to"] == [w.period[1].isoformat()] and query["from"][0].endswith("-01")


def test_the_national_dashboard_counts_by_province_and_drills_down_to_its_communes(client, login, board):
    """An administrator with no home in a database of several provinces: the figures counted in the background
    (supervision.kept), one bar per province (never one per commune of the country), each listing as many inspections as it says; the province's name opens the province's
    own dashboard, by commune, with the province's figures; the filter form offers the provinces, then the chosen
    province's communes only."""
    from tests.factories import make_user

    w = board
    login(make_user("admin"))
    everywhere = {w.unit_a.id, w.unit_a2.id, w.unit_b.id}
    html = counted_national_dashboard(client, f"/dashboard?{_period_query(w)}").get_data(as_text=True)
    first: dict[str, int] = {}
    for _href, code, n in _figures(html):
        first.setdefault(code, n)
    assert first == expected_counts(everywhere, w.period, w.today)
    completed = Counter(
        i.unit.province_id
        for i in db.session.scalars(select(Inspection))
        if i.status in COMPLETED and w.period[0] <= _vn_day(i.started_at) <= w.period[1]
    )
    assert completed[w.p1.id] and completed[w.p2.id]
    bars = [(unescape(h), label, int(n)) for h, label, n in BAR.findall(html) if not label.startswith("T")]
    assert {label.split(":")[0]: n for _h, label, n in bars} == {
        w.p1.name: completed[w.p1.id],
        w.p2.name: completed[w.p2.id],
    }
    for href, _label, number in bars:
        assert parse_qs(urlsplit(href).query)["province"] in ([str(w.p1.id)], [str(w.p2.id)])
        total, rows = _list_length(client, href)
        assert total == number == rows, href
    for unit in (w.unit_a, w.unit_a2, w.unit_b):
        assert unit.name not in html  # no commune in the bars nor in the form before a province is chosen
    assert 'name="province"' in html and 'name="unit"' not in html
    assert "Chọn tỉnh, thành phố để lọc theo đơn vị" in html

    drill = re.search(r'<a href="([^"]+)" data-drill-down="province">' + re.escape(w.p1.name), html)
    assert drill, "the province's name opens its dashboard"
    province_url = unescape(drill.group(1))
    assert parse_qs(urlsplit(province_url).query)["province"] == [str(w.p1.id)]
    province = client.get(province_url).get_data(as_text=True)
    shown: dict[str, int] = {}
    for href, code, n in _figures(province):
        shown.setdefault(code, n)
        assert f"province={w.p1.id}" in href
    assert shown == expected_counts({w.unit_a.id, w.unit_a2.id}, w.period, w.today)
    labels = {label.split(":")[0] for _h, label, _n in BAR.findall(province) if not label.startswith("T")}
    assert labels == {w.unit_a.name, w.unit_a2.name}
    options = re.search(r'<select name="unit">(.*?)</select>', province, re.S).group(1)
    assert w.unit_a.name in options and w.unit_a2.name in options and w.unit_b.name not in options
    # A bad province id is a Vietnamese message, not a 500.
    response = client.get("/dashboard?province=abc")
    assert response.status_code == 400 and "Tỉnh, thành phố không hợp lệ" in response.get_data(as_text=True)


def _days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


def test_a_filter_narrows_every_figure_and_the_url_keeps_it(client, login, board):
    w = board
    login(w.users["supervisor_province"])
    query = f"{_period_query(w)}&unit={w.unit_a2.id}"
    html = client.get(f"/dashboard?{query}").get_data(as_text=True)
    shown = {}
    for href, code, n in _figures(html):
        shown.setdefault(code, n)
        assert f"unit={w.unit_a2.id}" in href
    expected = expected_counts({w.unit_a2.id}, w.period, w.today)
    assert shown == expected
    assert shown["handling_referral"] == 1 and shown["group_cl_indicative"] == 1 and shown["inspections"] == 1
    # The referral item (hàng giả) is never the team's violation: shown apart, "sơ bộ".
    assert shown["group_cl_failed"] == 0 and shown["group_nhan_failed"] == 1


def test_a_communes_dashboard_and_lists_never_hold_another_units_records(client, login, board):
    w = board
    login(w.users["inspector"])
    for query in (_period_query(w), f"{_period_query(w)}&unit={w.unit_b.id}", f"market={w.market_b.id}"):
        html = client.get(f"/dashboard?{query}").get_data(as_text=True)
        assert "Phường Pleiku Thử" not in html and "Chợ Pleiku Thử" not in html
        for href, _code, _n in _figures(html):
            page = client.get(href).get_data(as_text=True)
            for secret in ("Sạp bí mật tổng hợp", "Phường Pleiku Thử", "Sạp bí mật của đơn vị khác"):
                assert secret not in page, href
    html = client.get(f"/dashboard?{_period_query(w)}&unit={w.unit_b.id}").get_data(as_text=True)
    assert all(n == 0 for _h, _c, n in _figures(html))


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=2026-13-01", "Từ ngày không hợp lệ"),
        ("unit=abc", "Đơn vị không hợp lệ"),
        ("from=2026-05-01&to=2026-04-01", "Đến ngày phải sau hoặc bằng Từ ngày"),
        ("from=2000-01-01&to=2026-01-01", "tối đa 10 năm"),
        ("group=XYZ", "Nhóm nội dung kiểm tra không hợp lệ"),
    ],
)
def test_bad_values_answer_a_vietnamese_4xx(client, login, world, query, words):
    login(world.users["supervisor_province"])
    for url in ("/dashboard", "/dashboard/inspections", "/dashboard/state_never_inspected"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert words in response.get_data(as_text=True)
    assert client.get("/dashboard/no_such_figure").status_code == 404
    assert client.get("/dashboard/inspections?after=garbage").status_code == 302


def test_every_role_has_the_dashboard_in_the_desk_menu(client, login, world):
    for actor in ("inspector", "staff", "supervisor_unit", "supervisor_province", "admin_province"):
        login(world.users[actor])
        home = client.get("/").get_data(as_text=True)
        assert 'href="/dashboard">Tổng hợp</a>' in home
        assert client.get("/dashboard").status_code == 200


def test_a_submitted_form_leaves_a_url_without_empty_fields_and_a_list_stays_that_list(client, login, board):
    w = board
    login(w.users["supervisor_province"])
    response = client.get(f"/dashboard/fix_open?{_period_query(w)}&unit=&market=&type=&group=")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert (
        location.startswith("/dashboard/fix_open?") and "unit=" not in location and "market=" not in location
    )
    assert _period_query(w).split("&")[0] in location
    assert client.get(location).status_code == 200
    # A list with a bad value shows the form, which sends the corrected filters back to that list.
    page = client.get("/dashboard/fix_open?from=31/02/2026")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    start = html.index('id="dashboard-filters"')
    assert 'action="/dashboard/fix_open"' in html[start - 300 : start + 300]
