"""The yearly report's figures: per commune and for the province, each equal to a count written in the test; the
province's total is the sum of its communes; records on the period's first and last Việt Nam day count, those a
minute outside do not; a commune's user gets no other commune's figures; every row links to a list as long."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.reports.figures import REPORT_CODES, REPORT_ROWS, figure_url, report_table
from tests.factories import make_premise, mark_not_checked
from tests.test_supervision_dashboard import board, expected_counts  # noqa: F401 (board: the dashboard's fixture)


def test_every_row_is_a_figure_with_a_vietnamese_label():
    assert REPORT_CODES and len(set(REPORT_CODES)) == len(REPORT_CODES)
    for row in REPORT_ROWS:
        assert row.label and row.label[0].isupper() or row.label[0].isdigit(), row
    # The sections of the report, in order.
    headings = [row.label.split(".")[0] for row in REPORT_ROWS if row.code is None]
    assert headings == [str(n) for n in range(1, 9)]


def test_each_communes_figures_and_the_provinces_total_equal_the_independent_count(app, board):  # noqa: F811
    w = board
    start, end = w.period
    table = report_table(w.users["supervisor_province"], start, end, today=w.today)
    asked = {uid for uid, _name in table.units}
    assert {w.unit_a.id, w.unit_a2.id, w.unit_b.id} <= asked or {w.unit_a.id, w.unit_a2.id} <= asked
    for unit_id in (w.unit_a.id, w.unit_a2.id):
        expected = expected_counts({unit_id}, w.period, w.today)
        assert {code: table.value(code, unit_id) for code in REPORT_CODES} == {
            code: expected[code] for code in REPORT_CODES
        }, unit_id
    # The province's total is the sum of its communes', and the independent count over all of them.
    for code in REPORT_CODES:
        assert table.value(code) == sum(table.value(code, uid) for uid in asked)
    units = {uid for uid in asked}
    expected = expected_counts(units, w.period, w.today)
    assert {code: table.value(code) for code in REPORT_CODES} == {
        code: expected[code] for code in REPORT_CODES
    }
    assert table.value("inspections") >= 5 and table.value("control_failed") >= 1


def test_a_communes_user_gets_its_own_commune_only(app, board):  # noqa: F811
    w = board
    start, end = w.period
    inspector = w.users["inspector"]
    table = report_table(inspector, start, end, today=w.today)
    assert [uid for uid, _name in table.units] == [w.unit_a.id]
    # Asking for another commune gives nothing of it.
    other = report_table(inspector, start, end, unit_ids=[w.other_users["inspector"].unit_id], today=w.today)
    assert other.units == [] and all(value == 0 for value in other.totals.values())


@pytest.mark.parametrize(
    "minute, counted",
    [
        # The period's first Việt Nam day starts at 17:00 UTC the day before; its last ends at 16:59:59 UTC.
        ("first_day_start", True),
        ("day_before_end", False),
        ("last_day_end", True),
        ("day_after_start", False),
    ],
)
def test_the_periods_first_and_last_days_are_in_and_a_minute_outside_is_out(app, world, minute, counted):
    inspector = world.users["inspector"]
    premise = make_premise(world.unit_a)
    start, end = datetime(2026, 1, 1).date(), datetime(2026, 3, 31).date()
    moments = {
        "first_day_start": datetime(2025, 12, 31, 17, 0, tzinfo=UTC),
        "day_before_end": datetime(2025, 12, 31, 16, 59, tzinfo=UTC),
        "last_day_end": datetime(2026, 3, 31, 16, 59, tzinfo=UTC),
        "day_after_start": datetime(2026, 3, 31, 17, 0, tzinfo=UTC),
    }
    inspection, _ = service.create_inspection(
        {
            "uuid": str(uuid.uuid4()),
            "premise_id": premise.id,
            "kind": "unannounced",
            "team": [],
            "started_at": moments[minute],
        },
        inspector,
    )
    mark_not_checked(inspection, inspector)
    service.update_inspection(
        inspection, {"version": inspection.version, "status": "completed", "outcome": "pass"}, inspector
    )
    db.session.commit()
    table = report_table(inspector, start, end, today=end + timedelta(days=1))
    assert table.value("inspections") == int(counted)
    assert table.value("kind_unannounced") == int(counted)
    assert table.value("inspected") == int(counted)


def test_every_cell_links_to_a_list_as_long_as_its_number(app, client, login, board):  # noqa: F811
    w = board
    start, end = w.period
    login(w.users["supervisor_province"])
    with app.test_request_context():
        table = report_table(w.users["supervisor_province"], start, end, today=w.today)
        links = [
            (figure_url(table, code, uid), table.value(code, uid))
            for code in REPORT_CODES
            for uid in (None, w.unit_a.id)
            if table.value(code, uid)
        ]
    assert len(links) >= 30
    for url, number in links:
        html = client.get(url).get_data(as_text=True)
        assert int(re.search(r'data-total="(\d+)"', html).group(1)) == number, url


def test_every_kind_of_record_a_row_counts_has_an_appendix_line():
    from inspect_app.reports.appendix import LINES
    from inspect_app.supervision.dashboard import FIGURES

    assert {FIGURES[row.code].kind for row in REPORT_ROWS if row.code} <= set(LINES)
