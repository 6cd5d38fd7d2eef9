"""The dashboard (Tổng hợp) in real headless Chromium on the demo data, at a tablet's width: its figures are the
database's counts (counted here, not by the dashboard's code), its two SVG charts are drawn and fit the page, a
filter sent through the form changes the URL and the figures, a figure and a bar open a list of as many records,
a commune's supervisor sees only the commune, and no request leaves the app."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from inspect_app.domain.time import VN_TZ, today_vn
from inspect_app.extensions import db
from inspect_app.models import Inspection, Premise, Province, Unit, User

from tests.browser.conftest import DEMO_PASSWORD
from tests.factories import mark_not_checked

TABLET = {"width": 800, "height": 1280}
COMPLETED = ("completed", "minutes_issued")
DUC_PHO, BA_DONG, CAM_THANH = "21439", "21496", "21025"


def _at(day: date) -> datetime:
    """09:00 in Việt Nam on that day."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


@pytest.fixture
def inspected(app, demo):
    """Inspections over the last months in Phường Đức Phổ and Xã Ba Động (none in Phường Cẩm Thành): completed
    with every kind of handling, one still a draft, one long before the period."""
    from inspect_app.inspections import service

    today = today_vn()

    def user(username):
        return db.session.scalars(select(User).where(User.username == username)).one()

    def premises(code):
        return db.session.scalars(
            select(Premise)
            .join(Unit, Unit.id == Premise.unit_id)
            .where(Unit.code == code, Premise.premise_type == "market_stall")
            .order_by(Premise.id)
        ).all()

    def inspect(premise, inspector, days_ago, answer, outcome, complete=True):
        day = today - timedelta(days=days_ago)
        inspection, _ = service.create_inspection(
            {
                "uuid": str(uuid.uuid4()),
                "premise_id": premise.id,
                "kind": "planned",
                "team": [],
                "started_at": _at(day),
            },
            inspector,
        )
        service.record_finding(
            inspection,
            {"uuid": str(uuid.uuid4()), "item_code": "NHAN-05", "answer": answer, "note": ""},
            inspector,
        )
        if complete:
            mark_not_checked(inspection, inspector)
            update = {"version": inspection.version, "status": "completed", "outcome": outcome}
            if outcome == "fix_request":
                update["fix_deadline"] = day + timedelta(days=15)
            service.update_inspection(inspection, update, inspector)
        db.session.commit()

    duc_pho, ba_dong = premises(DUC_PHO), premises(BA_DONG)
    ducpho, badong = user("kiemtra.ducpho"), user("kiemtra.badong")
    inspect(duc_pho[0], ducpho, 3, "fail", "fix_request")
    inspect(duc_pho[1], ducpho, 35, "pass", "pass")
    inspect(duc_pho[2], ducpho, 65, "fail", "violation_record")
    inspect(duc_pho[3], ducpho, 95, "fail", "reminder")
    inspect(duc_pho[4], ducpho, 125, "fail", "fix_request")
    inspect(duc_pho[5], ducpho, 1, "pass", None, complete=False)  # a draft
    inspect(duc_pho[6], ducpho, 400, "fail", "reminder")  # before the last 150 days
    inspect(ba_dong[0], badong, 20, "fail", "fix_request")
    inspect(ba_dong[1], badong, 50, "pass", "pass")
    return today


# ---- the counts, from the database here --------------------------------------------------------------------------


def _unit_ids(*codes: str) -> dict[str, int]:
    return dict(db.session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())


def _province_unit_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(Unit.id).join(Province, Province.id == Unit.province_id).where(Province.code == "51")
        )
    )


def _inspections(units: set[int], start: date, end: date) -> dict[str, int]:
    """Completed inspections, drafts and fix requests that started (Việt Nam day) in the period, in the units."""
    db.session.rollback()
    rows = db.session.execute(
        select(Inspection.unit_id, Inspection.status, Inspection.outcome, Inspection.started_at)
    ).all()
    counted = {"inspections": 0, "drafts": 0, "handling_fix_request": 0}
    for unit_id, status, outcome, started_at in rows:
        if unit_id not in units or not start <= started_at.astimezone(VN_TZ).date() <= end:
            continue
        if status in COMPLETED:
            counted["inspections"] += 1
            counted["handling_fix_request"] += outcome == "fix_request"
        else:
            counted["drafts"] += 1
    return counted


def _per_unit(units: set[int], start: date, end: date) -> dict[str, int]:
    rows = db.session.execute(
        select(Unit.name, Inspection.started_at)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(Inspection.unit_id.in_(units), Inspection.status.in_(COMPLETED))
    ).all()
    counted: dict[str, int] = {}
    for name, started_at in rows:
        if start <= started_at.astimezone(VN_TZ).date() <= end:
            counted[name] = counted.get(name, 0) + 1
    return counted


def _premises(units: set[int]) -> int:
    return len(
        db.session.scalars(
            select(Premise.id).where(Premise.unit_id.in_(units), Premise.status == "active")
        ).all()
    )


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


# ---- reading the page ---------------------------------------------------------------------------------------------


def _figure(page, code: str) -> int:
    """The number a figure shows in its box (Vietnamese thousands separator)."""
    return int(page.inner_text(f"li.stat a.figure[data-figure={code}]").replace(".", ""))


def _bars(page, chart: str) -> list[tuple[str, int]]:
    return [
        (a.get_attribute("aria-label").split(":")[0], int(a.get_attribute("data-bar")))
        for a in page.locator(f"#{chart} a[data-bar]").all()
    ]


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _readable_at_tablet_width(page) -> None:
    """No sideways scroll of the page; each chart (the months always, the units when a unit has an inspection) as
    wide as most of the screen, its text at least 12 px high, inside the chart and never on top of other text."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the page is {width} px wide on an {TABLET['width']} px screen"
    charts = [svg.get_attribute("id") for svg in page.locator("svg.chart").all()]
    assert charts[0] == "chart-months" and set(charts) <= {"chart-months", "chart-units"}, charts
    for chart in charts:
        found = page.evaluate(
            """(id) => {
                const svg = document.getElementById(id), box = svg.getBoundingClientRect();
                const texts = [...svg.querySelectorAll('text.label, text.value, text.tick')].map(t => {
                    const r = t.getBoundingClientRect();
                    return {cls: t.getAttribute('class'), text: t.textContent, left: r.left, right: r.right,
                            top: r.top, bottom: r.bottom, size: parseFloat(getComputedStyle(t).fontSize)
                                * box.width / svg.viewBox.baseVal.width};
                });
                return {left: box.left, right: box.right, width: box.width, texts};
            }""",
            chart,
        )
        assert found["width"] >= 0.8 * (TABLET["width"] - 40), (chart, found["width"])
        assert found["texts"], chart
        for text in found["texts"]:
            assert text["size"] >= 12, (chart, text)
            assert found["left"] - 1 <= text["left"] and text["right"] <= found["right"] + 1, (chart, text)
        texts = found["texts"]
        for index, one in enumerate(texts):
            for other in texts[index + 1 :]:
                apart = (
                    one["right"] <= other["left"] + 0.5
                    or other["right"] <= one["left"] + 0.5
                    or one["bottom"] <= other["top"] + 0.5
                    or other["bottom"] <= one["top"] + 0.5
                )
                assert apart, (chart, one, other)


# ---- the tests ----------------------------------------------------------------------------------------------------


@pytest.fixture
def tablet(browser, live_server):
    """A tablet-sized context whose requests may only go to the live server (anything else is aborted and kept)."""
    base = live_server.url
    context = browser.new_context(viewport=TABLET, locale="vi-VN")
    context.set_default_timeout(20000)
    context.requests, context.blocked, context.errors = [], [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(base + "/"):
            request_route.continue_()
        else:
            context.blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    context.on("request", lambda request: context.requests.append(request.url))
    yield context
    context.close()


def _login(context, base: str, username: str):
    page = context.new_page()
    page.on("pageerror", lambda error: context.errors.append(str(error)))
    page.goto(f"{base}/dashboard")
    page.wait_for_url(lambda url: "/login?next=" in url)
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/dashboard")
    return page


def _nothing_left_the_app(context, base: str) -> None:
    assert context.requests and context.blocked == []
    assert [url for url in context.requests if not url.startswith(base + "/")] == []
    assert context.errors == []


def test_the_supervisors_dashboard_on_a_tablet(tablet, live_server, inspected):
    base, today = live_server.url, inspected
    province = _province_unit_ids()
    units = _unit_ids(DUC_PHO, BA_DONG, CAM_THANH)
    page = _login(tablet, base, "sokhcn")

    # The default period: 1 January to today; the figures are the database's.
    start = date(today.year, 1, 1)
    expected = _inspections(province, start, today)
    for code in ("inspections", "drafts", "handling_fix_request"):
        assert _figure(page, code) == expected[code], code
    assert _figure(page, "premises") == _premises(province)
    months = _bars(page, "chart-months")
    assert len(months) == _months(start, today)
    assert sum(n for _label, n in months) == expected["inspections"]
    assert dict(_bars(page, "chart-units")) == _per_unit(province, start, today)
    _readable_at_tablet_width(page)

    # A longer period through the form: the URL keeps it, the figures follow (the draft and the inspections of the
    # last 150 days; the one of 400 days ago stays out).
    start = today - timedelta(days=150)
    page.fill("#dashboard-filters input[name=from]", start.isoformat())
    page.fill("#dashboard-filters input[name=to]", today.isoformat())
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(lambda url: f"from={start.isoformat()}" in url)
    assert _query(page)["from"] == [start.isoformat()] and _query(page)["to"] == [today.isoformat()]
    expected = _inspections(province, start, today)
    assert expected == {"inspections": 7, "drafts": 1, "handling_fix_request": 3}
    for code in expected:
        assert _figure(page, code) == expected[code], code
    months = _bars(page, "chart-months")
    assert len(months) == _months(start, today) and sum(n for _label, n in months) == 7
    per_unit = _per_unit(province, start, today)
    assert dict(_bars(page, "chart-units")) == per_unit == {"Phường Đức Phổ": 5, "Xã Ba Động": 2}
    _readable_at_tablet_width(page)

    # One unit through the form: the period stays, the figures are the unit's.
    page.select_option("#dashboard-filters select[name=unit]", str(units[BA_DONG]))
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(lambda url: f"unit={units[BA_DONG]}" in url)
    assert _query(page)["from"] == [start.isoformat()]
    expected = _inspections({units[BA_DONG]}, start, today)
    assert expected == {"inspections": 2, "drafts": 0, "handling_fix_request": 1}
    for code in expected:
        assert _figure(page, code) == expected[code], code
    assert _figure(page, "premises") == _premises({units[BA_DONG]})
    assert dict(_bars(page, "chart-units")) == {"Xã Ba Động": 2}

    # A figure opens its list, as long as the number clicked, with the same filters.
    page.click("li.stat a.figure[data-figure=handling_fix_request]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/dashboard/handling_fix_request")
    assert _query(page)["unit"] == [str(units[BA_DONG])] and _query(page)["from"] == [start.isoformat()]
    assert int(page.get_attribute("#figure-total", "data-total")) == 1
    assert f"từ {start:%d/%m/%Y} đến {today:%d/%m/%Y}" in page.inner_text(".heading")
    assert page.locator("#figure-rows [data-row]").count() == 1
    page.go_back()
    page.wait_for_url(lambda url: urlsplit(url).path == "/dashboard")
    premises = _figure(page, "premises")
    page.click("li.stat a.figure[data-figure=premises]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/dashboard/premises")
    assert int(page.get_attribute("#figure-total", "data-total")) == premises
    assert page.locator("#figure-rows [data-row]").count() == premises
    listed = {int(row.get_attribute("data-row")) for row in page.locator("#figure-rows [data-row]").all()}
    db.session.rollback()
    assert set(db.session.scalars(select(Premise.unit_id).where(Premise.id.in_(listed)))) == {units[BA_DONG]}

    # A whole year, then more than three: a bar for every month, the names under them apart (the full name of each
    # month is in its bar's label).
    for first, last in (
        (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        (date(today.year - 3, 1, 1), today),
    ):
        page.goto(f"{base}/dashboard?from={first.isoformat()}&to={last.isoformat()}")
        months = _bars(page, "chart-months")
        assert len(months) == _months(first, last)
        assert months[0][0] == f"T1/{first.year}" and months[-1][0] == f"T{last.month}/{last.year}"
        expected = _inspections(province, first, last)["inspections"]
        assert _figure(page, "inspections") == expected == sum(n for _label, n in months)
        _readable_at_tablet_width(page)

    # Back to the last 150 days: a month's bar opens the list of that month's inspections.
    page.goto(f"{base}/dashboard?from={start.isoformat()}&to={today.isoformat()}")
    biggest = max(_bars(page, "chart-months"), key=lambda b: b[1])
    page.click(f"#chart-months a[aria-label^='{biggest[0]}:']")
    page.wait_for_url(lambda url: urlsplit(url).path == "/dashboard/inspections")
    assert int(page.get_attribute("#figure-total", "data-total")) == biggest[1]
    assert page.locator("#figure-rows [data-row]").count() == biggest[1]
    _nothing_left_the_app(tablet, base)


def test_a_communes_dashboard_shows_only_the_commune(tablet, live_server, inspected):
    base, today = live_server.url, inspected
    units = _unit_ids(DUC_PHO, BA_DONG, CAM_THANH)
    own = {units[DUC_PHO]}
    page = _login(tablet, base, "lanhdao.ducpho")
    # The form offers no other unit, nor its markets or people; the page never names them.
    assert page.locator("#dashboard-filters select[name=unit]").count() == 0
    markets = page.locator("#dashboard-filters select[name=market] option").all_inner_texts()
    assert set(markets) == {"Mọi chợ", "Chợ Đức Phổ", "Chợ Phổ Ninh"}
    text = page.inner_text("body")
    for other in ("Xã Ba Động", "Phường Cẩm Thành", "Chợ Ba Động", "Đinh Văn Hùng", "Lê Quang Vinh"):
        assert other not in text, other
    # The last 150 days: the commune's figures, one unit in the chart.
    start = today - timedelta(days=150)
    page.fill("#dashboard-filters input[name=from]", start.isoformat())
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_url(lambda url: f"from={start.isoformat()}" in url)
    expected = _inspections(own, start, today)
    assert expected == {"inspections": 5, "drafts": 1, "handling_fix_request": 2}
    for code in expected:
        assert _figure(page, code) == expected[code], code
    assert _figure(page, "premises") == _premises(own)
    assert _bars(page, "chart-units") == [("Phường Đức Phổ", 5)]
    for other in ("Xã Ba Động", "Phường Cẩm Thành", "Chợ Ba Động"):
        assert other not in page.inner_text("body"), other
    _readable_at_tablet_width(page)
    # The commune's list of inspections: its own only, as many as the figure.
    page.click("li.stat a.figure[data-figure=inspections]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/dashboard/inspections")
    assert int(page.get_attribute("#figure-total", "data-total")) == expected["inspections"]
    listed = {int(row.get_attribute("data-row")) for row in page.locator("#figure-rows [data-row]").all()}
    assert len(listed) == expected["inspections"]
    db.session.rollback()
    assert set(db.session.scalars(select(Inspection.unit_id).where(Inspection.id.in_(listed)))) == own
    _nothing_left_the_app(tablet, base)
