"""Where a new inspector stumbled on the phone (360×740, real headless Chromium), each reproduced as they met it."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspect_app.domain import plausible
from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection
from tests.browser.conftest import login, mark_rest_not_checked, start_nearest, wait_synced

pytestmark = pytest.mark.browser


def labels_tab(field_app):
    """An inspection started at the nearest stall, on its labels tab (NHAN-01 asks for a count when it fails)."""
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page)
    inspection = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    page.goto(f"{field_app.url}/app#/i/{inspection}/NHAN")
    page.wait_for_selector("#item-NHAN-01")
    return page


def test_the_count_box_is_only_there_for_a_failed_item(field_app):
    """A count ("how many were wrong") means nothing on "Đạt" or "Không áp dụng"; changing a failed answer to
    "Đạt" drops its count, on the phone and on the server."""
    page = labels_tab(field_app)
    item = "#item-NHAN-01"
    for answer in ("pass", "na"):
        page.click(f"{item} .ans-{answer}")
        page.wait_for_selector(f'{item}[data-answer="{answer}"]')
        assert page.locator("#count-NHAN-01").count() == 0, answer
    page.click(f"{item} .ans-fail")
    page.wait_for_selector("#count-NHAN-01")
    assert page.inner_text(f"{item} .fcount label") == "Số lượng không đạt"
    page.fill("#count-NHAN-01", "3")
    page.locator("#count-NHAN-01").blur()
    page.click(f"{item} .ans-pass")
    page.wait_for_selector(f'{item}[data-answer="pass"]')
    assert page.locator("#count-NHAN-01").count() == 0
    wait_synced(page)
    db.session.rollback()
    finding = db.session.scalars(select(Finding).where(Finding.item_code == "NHAN-01")).one()
    assert (finding.answer, finding.affected_count) == ("pass", None)
    assert page.errors == []


def test_a_count_that_is_not_a_count_is_refused_on_the_phone_and_the_last_one_kept(field_app):
    """A negative count used to stay on the phone's screen while 0 was saved: the inspector saw one number and
    the biên bản said another. Now it is refused under the box, and nothing is saved until it is a count."""
    page = labels_tab(field_app)
    item = "#item-NHAN-01"
    page.click(f"{item} .ans-fail")
    page.wait_for_selector("#count-NHAN-01")
    page.fill("#count-NHAN-01", "3")
    page.locator("#count-NHAN-01").blur()
    wait_synced(page)
    for typed in ("-5", "2.5"):
        page.fill("#count-NHAN-01", typed)
        page.locator("#count-NHAN-01").blur()
        assert page.inner_text("#count-error-NHAN-01") == "Số lượng không đạt phải là số nguyên, không âm (ví dụ 3).", typed
        assert page.input_value("#count-NHAN-01") == typed  # what was typed stays, to be corrected
    page.fill("#count-NHAN-01", "4")
    page.locator("#count-NHAN-01").blur()
    assert page.inner_text("#count-error-NHAN-01") == ""
    # The phone saves the count, then sends it: the server is asked until it has it (or the wait runs out).
    deadline = time.monotonic() + 60
    while True:
        db.session.rollback()
        finding = db.session.scalars(select(Finding).where(Finding.item_code == "NHAN-01")).one()
        if finding.affected_count == 4 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(200)
    assert (finding.answer, finding.affected_count) == ("fail", 4)
    assert page.errors == []


def test_a_double_tap_on_complete_acts_once_and_opens_nothing_underneath(field_app):
    """The second tap of a double tap on "Hoàn thành" used to land on the home screen's list and open the start
    screen of another stall."""
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page)
    inspection = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    page.locator(".items > .item >> nth=0").locator(".ans-pass").click()
    page.goto(f"{field_app.url}/app#/i/{inspection}/done")
    mark_rest_not_checked(page)
    page.click("label.choice:has-text('Đạt')")
    page.dblclick("#complete")
    page.wait_for_selector("#premise-list")
    page.wait_for_timeout(800)  # anything the second tap set off has happened by now
    assert page.url.endswith("/app#/"), page.url
    assert page.locator("#start").count() == 0
    wait_synced(page)
    db.session.rollback()
    assert db.session.scalars(select(Inspection).where(Inspection.uuid == inspection)).one().status == "completed"
    assert page.errors == []


def test_a_double_tap_on_start_starts_one_inspection(field_app):
    """A quick double tap (or a desk mouse's double click) on "Bắt đầu kiểm tra" used to start two inspections of
    the stall, both sent to the server."""
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page, double_tap=True)
    page.wait_for_timeout(800)  # anything the second tap set off has happened by now
    wait_synced(page)
    db.session.rollback()
    started = db.session.scalars(select(Inspection)).all()
    assert len(started) == 1, [(i.id, i.premise_id, i.uuid) for i in started]
    assert page.errors == []


def test_a_fix_deadline_the_server_would_refuse_is_refused_on_the_phone(field_app):
    """A deadline in year 9999 used to close the inspection on the phone, then be refused by the server, leaving
    it closed on the phone and open on the server for good. The phone now checks the server's last plausible day
    (/api/v1/me) and keeps the inspection open until the deadline is one the server takes."""
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page)
    inspection = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    page.goto(f"{field_app.url}/app#/i/{inspection}/done")
    mark_rest_not_checked(page)
    page.click("label.choice:has-text('Yêu cầu khắc phục')")
    latest = page.get_attribute("#fix-deadline", "max")
    assert latest == plausible.latest_day().isoformat()
    page.fill("#fix-deadline", "9999-12-31")
    page.click("#complete")
    shown = page.wait_for_selector(".error:has-text('Thời hạn khắc phục không được sau ngày')").inner_text()
    year, month, day = latest.split("-")
    assert shown == f"Thời hạn khắc phục không được sau ngày {day}/{month}/{year}."
    assert page.locator("#premise-list").count() == 0  # still on the conclusion screen
    page.fill("#fix-deadline", (date.today() + timedelta(days=14)).isoformat())
    page.click("#complete")
    page.wait_for_selector("#premise-list")
    wait_synced(page)
    db.session.rollback()
    done = db.session.scalars(select(Inspection).where(Inspection.uuid == inspection)).one()
    assert (done.status, done.fix_deadline) == ("completed", date.today() + timedelta(days=14))
    assert page.errors == []


def test_what_the_last_inspection_filled_in_is_shown_and_confirmed_before_starting(field_app):
    """The kind, legal basis and team of the previous inspection used to be reused silently for the next stall."""
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page, basis="Kế hoạch số 50/KH-UBND ngày 29/9/2025")
    page.goto(f"{field_app.url}/app#/")
    page.wait_for_selector("#premise-list .prow")
    page.click("#premise-list .prow >> nth=1")
    page.wait_for_selector("#carried-note")
    note = page.inner_text("#carried-note")
    assert "Điền sẵn theo lần kiểm tra trước" in note
    assert "Hình thức: Theo kế hoạch" in note and "Căn cứ: Kế hoạch số 50/KH-UBND ngày 29/9/2025" in note
    assert "Huỳnh Thị Mai" in note and "Nguyễn Văn An" in note
    # Not confirmed: nothing starts.
    page.click("#start")
    page.wait_for_timeout(700)
    assert page.locator("#start").count() == 1 and page.locator(".items .item").count() == 0
    page.check("#carried-ok")
    page.click("#start")
    page.wait_for_selector(".items .item")
    assert page.errors == []


def test_the_phone_search_finds_words_not_pieces_of_the_ward_name(field_app):
    """"huong" used to keep every premise listed: each address's "phường" holds it once the accents are gone.
    A typed word now has to start a word (a number may sit anywhere: "11" finds stall "G11")."""
    _, page = field_app.phone()
    login(page, field_app.url)
    everyone = page.locator("#premise-list .prow").count()
    page.fill("#premise-search", "huong")
    page.wait_for_timeout(200)
    found = page.locator("#premise-list .prow strong").all_inner_texts()
    assert 0 < len(found) < everyone, (found, everyone)
    assert all("Hường" in name or "Hương" in name for name in found), found
    page.fill("#premise-search", "Hường")
    page.wait_for_timeout(200)
    assert page.locator("#premise-list .prow strong").all_inner_texts() == found
    page.fill("#premise-search", "phường đức phổ")
    page.wait_for_timeout(200)
    assert page.locator("#premise-list .prow").count() > len(found)  # the ward's own name still finds its stalls
    assert page.errors == []
