"""The field app in real headless Chromium: the whole inspection online and offline, errors that must not lose a
record, the shared-phone logout warning, and the bytes a first visit costs.

"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.domain.geo import distance_m
from inspect_app.models import Finding, Inspection, Photo, Premise, User
from tests.browser.conftest import (
    preview_and_issue,
    COLLEAGUE,
    INSPECTOR,
    MARKET,
    answer_everything,
    complete,
    count,
    jpeg,
    login,
    only,
    pending,
    start_nearest,
    wait_for_service_worker,
    wait_synced,
)

pytestmark = pytest.mark.browser


def applicable_items(premise_type: str) -> list[str]:
    from inspect_app.checklists import load_catalogue

    return [item.code for item in load_catalogue().items_for(premise_type)]


def check_server_record(name: str, answers: dict, photos: int) -> Inspection:
    """Exactly one inspection on the server, complete, with every answer, the team, the GPS fix and the photos."""
    inspection = only(Inspection)
    assert inspection.premise.name == name
    assert inspection.status == "completed" and inspection.outcome == "fix_request"
    assert inspection.fix_deadline == date.today() + timedelta(days=7)  # complete()'s deadline
    assert inspection.kind == "planned" and inspection.basis == "Kế hoạch số 50/KH-UBND ngày 29/9/2025"
    assert inspection.gps_accuracy_m == MARKET["accuracy"] and inspection.flags == []
    assert [(m.display_name, m.team_role) for m in inspection.members] == [
        ("Trần Văn Bình", "lead"),
        ("Huỳnh Thị Mai", "member"),
        ("Nguyễn Văn An", "member"),
    ]
    assert inspection.members[2].organisation == "Công an phường Đức Phổ"
    stored = {f.item_code: f for f in inspection.findings}
    assert {code: f.answer for code, f in stored.items()} == answers
    assert sorted(answers) == sorted(applicable_items(inspection.premise.premise_type))
    failed = [f for f in stored.values() if f.answer == "fail"]
    assert len(failed) == 1 and failed[0].note == "Cân đồng hồ lò xo 5 kg không có tem kiểm định"
    assert failed[0].affected_count == 1
    assert count(Finding) == len(answers) and count(Photo) == photos
    return inspection


def test_the_whole_inspection_online(field_app):
    _, page = field_app.phone()
    login(page, field_app.url)

    # Nearest first: the first row is the premise closest to the phone, and distances only grow down the list.
    premises = db.session.scalars(select(Premise).where(Premise.latitude.is_not(None))).all()
    user = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    nearest = min(
        distance_m(MARKET["latitude"], MARKET["longitude"], p.latitude, p.longitude)
        for p in premises
        if p.unit_id == user.unit_id
    )
    distances = [int(text.removesuffix(" m")) for text in page.locator(".prow-dist").all_inner_texts()[:10]]
    assert distances == sorted(distances) and abs(distances[0] - nearest) < 1
    # The search ignores Vietnamese marks and works on the list kept on the phone.
    page.fill("#premise-search", "bui thi yen")
    assert page.locator("#premise-list .prow strong").all_inner_texts() == ["Sạp thịt bò Bùi Thị Yến"]
    page.fill("#premise-search", "")

    name = start_nearest(page)
    # A 3000×2000 camera photo turned on its side by EXIF, with its capture time.
    photo = jpeg(3000, 2000, orientation=6, taken="2026:11:21 08:35:00")
    answers = answer_everything(page, photo=photo)
    complete(page)
    wait_synced(page)
    assert page.inner_text("#sync-pill") == "✓ Đã đồng bộ"

    inspection = check_server_record(name, answers, photos=1)
    stored = inspection.photos[0]
    # Shrunk on the phone to the 2000 px limit, upright, and the camera's EXIF time kept through the canvas.
    assert (stored.width, stored.height) == (1333, 2000)
    assert stored.item_code == next(code for code, a in answers.items() if a == "fail")
    assert stored.taken_at.astimezone(UTC) == datetime(2026, 11, 21, 1, 35, tzinfo=UTC)
    # The app used the session and the CSRF token: no write was refused on the way.
    assert not [entry for entry in field_app.tap.log if entry[2] in (400, 401, 403)]
    assert page.errors == []

    # Still on the phone: the biên bản is issued from the inspection's page and shown for signing on paper.
    page.goto(f"{field_app.url}/app#/i/{inspection.uuid}")
    page.click("#open-minutes")
    page.click("text=Lập biên bản kiểm tra")
    page.fill("#representative_name", "Chủ cơ sở")
    preview_and_issue(page)
    page.wait_for_selector("h1:has-text('Biên bản số 01/BB-KT')")
    assert page.locator("text=Xem / tải bản gốc (PDF)").is_visible()


def test_the_whole_inspection_offline_then_synced_once(field_app):
    context, page = field_app.phone()
    login(page, field_app.url)
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_selector("#premise-list .prow")

    context.set_offline(True)
    # The app shell comes from the service worker, the data from the phone.
    page.reload()
    page.wait_for_selector("#premise-list .prow")
    assert page.is_visible(".banner-offline")
    name = start_nearest(page)
    answers = answer_everything(page, photo=jpeg(2400, 1800))
    complete(page)

    # A full reload while offline: the shell and the outbox survive.
    page.reload()
    page.wait_for_selector("#premise-list .prow")
    waiting = 1 + len(answers) + 1 + 1  # create, one item per finding (edits merged), photo, completion
    page.wait_for_selector(f'#sync-pill[data-pending="{waiting}"]')
    # Counted as the inspector thinks of it: one inspection, whatever the records behind it.
    assert page.inner_text("#sync-pill") == "1 cuộc kiểm tra chờ gửi"
    page.goto(f"{field_app.url}/app#/sync")
    page.wait_for_selector(".obx")
    assert page.locator(".obx").count() == waiting
    assert count(Inspection) == 0

    context.set_offline(False)
    wait_synced(page)
    assert page.inner_text("#sync-pill") == "✓ Đã đồng bộ"
    check_server_record(name, answers, photos=1)
    # One create, sent once: nothing was sent twice.
    assert [
        entry[2]
        for entry in field_app.tap.calls("POST", "/api/v1/inspections")
        if entry[1].endswith("inspections")
    ] == [201]
    assert page.errors == []


def test_a_server_error_keeps_the_item_until_it_is_sent(field_app):
    _, page = field_app.phone()
    login(page, field_app.url)
    # The server fails every finding for a while (a crash, a restart, a full disk).
    field_app.tap.fail = lambda method, path: 500 if method == "POST" and path.endswith("/findings") else None
    start_nearest(page)
    page.click("#item-PTD-01 .ans-fail")
    page.fill("#note-PTD-01", "Không có tem kiểm định")
    page.locator("#note-PTD-01").blur()
    page.goto(f"{field_app.url}/app#/sync")
    page.wait_for_selector(".obx >> text=Lỗi máy chủ thử nghiệm (500).")
    assert page.is_visible("text=Máy chủ chưa nhận (500)")
    # The finding waits (with the note merged in, or as an edit queued behind it if the note came after a send).
    assert pending(page) in (1, 2)
    assert count(Inspection) == 1 and count(Finding) == 0
    assert field_app.tap.calls("POST", "/findings")

    field_app.tap.fail = None
    page.click("#send-now")
    wait_synced(page)
    finding = only(Finding)
    assert (finding.item_code, finding.answer, finding.note) == ("PTD-01", "fail", "Không có tem kiểm định")
    statuses = [entry[2] for entry in field_app.tap.calls("POST", "/findings")]
    assert statuses[-1] == 201 and set(statuses[:-1]) == {500}
    assert page.errors == []


def test_a_network_cut_during_a_send_keeps_the_item(field_app):
    # Without the service worker, so the page's own route sees the request.
    _, page = field_app.phone(service_workers="block")
    login(page, field_app.url)
    cut = []

    def cut_once(route):
        if not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(
        "**/api/v1/inspections",
        lambda route: cut_once(route) if route.request.method == "POST" else route.continue_(),
    )
    start_nearest(page)
    wait_synced(page)
    assert cut and count(Inspection) == 1
    assert page.errors == []


def test_a_stale_edit_shows_the_servers_message_and_can_be_reapplied(field_app):
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page)
    page.click("#item-PTD-02 .ans-pass")
    wait_synced(page)

    # Someone else (another phone of the team) changes the same finding on the server.
    from inspect_app.inspections import service

    finding = only(Finding)
    colleague = db.session.scalars(select(User).where(User.username == COLLEAGUE)).one()
    service.update_finding(finding, {"version": 1, "answer": "na", "note": "Sửa từ máy khác"}, colleague)

    page.click("#item-PTD-02 .ans-fail")
    page.wait_for_selector(".banner-bad >> text=1 bản ghi bị máy chủ từ chối")
    page.click(".banner-bad >> text=Xem lý do")
    failed = page.locator(".obx-failed")
    failed.wait_for()
    assert "Bản ghi đã được sửa ở nơi khác sau khi bạn mở nó." in failed.inner_text()
    assert pending(page) == 1
    # The person keeps their answer: it is sent again on top of the server's current version.
    page.click("text=Gửi lại trên bản mới nhất")
    wait_synced(page)
    finding = only(Finding)
    assert (finding.answer, finding.version) == ("fail", 3)
    assert page.errors == []


def test_logout_with_unsent_records_warns_and_keeps_them_for_their_owner(field_app):
    context, page = field_app.phone()
    login(page, field_app.url)
    wait_for_service_worker(page)
    field_app.tap.fail = lambda method, path: 503 if method == "POST" and path.startswith("/api/") else None
    start_nearest(page)
    page.click(".tab:has-text('Niêm yết giá')")
    page.click("#item-GIA-01 .ans-fail")
    page.wait_for_selector('#sync-pill[data-pending="2"]', state="attached")

    # Cancelled: still logged in, nothing lost.
    page.goto(f"{field_app.url}/app")
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as dialog:
        page.click("#logout")
    assert dialog.value.message.startswith("Còn 2 bản ghi chưa gửi")
    assert page.url.endswith("/app") and pending(page) == 2

    # The site's own logout form (outside /app) is stopped by the service worker with the same warning.
    page.goto(f"{field_app.url}/premises")
    page.click("form.logout button[type=submit]")
    page.wait_for_selector("h1:has-text('Còn 2 bản ghi chưa gửi')")
    page.click("text=Vẫn đăng xuất")
    page.wait_for_url("**/login")

    # Another inspector on the same phone: the first one's records stay waiting and are not sent as theirs.
    field_app.tap.fail = None
    login(page, field_app.url, COLLEAGUE)
    page.goto(f"{field_app.url}/app#/sync")
    page.wait_for_selector("text=2 bản ghi của tài khoản khác đang chờ trên máy này")
    assert pending(page) == 0 and count(Inspection) == 0

    # Back to the owner: confirmed logout from /app, then their own login sends them.
    page.goto(f"{field_app.url}/app")
    page.wait_for_selector("#logout")
    page.click("#logout")
    page.wait_for_url("**/login")
    login(page, field_app.url, INSPECTOR)
    wait_synced(page)
    inspection = only(Inspection)
    assert inspection.created_by.username == INSPECTOR and [f.item_code for f in inspection.findings] == [
        "GIA-01"
    ]
    assert page.errors == []


def test_first_visit_transfers_little(field_app):
    context, page = field_app.phone()
    page.goto(f"{field_app.url}/login?next=/app")
    page.fill("#username", INSPECTOR)
    page.fill("#password", "KiemTra@2026")
    field_app.tap.log.clear()
    page.click("button[type=submit]")
    page.wait_for_selector("#premise-list .prow")
    wait_for_service_worker(page)
    # Quiet: the service worker has cached the shell (it controls the page only once installed), the first sync
    # pass is done, the metrology tables and the premises' change feed are in, and the server has answered every
    # request to the last byte.
    page.wait_for_selector("#sync-pill.pill-ok")
    page.wait_for_selector("body[data-metrology=ready]")
    # The phone's offline copy of the premises has been filled from the change feed.
    page.wait_for_selector("#premises-kept")
    field_app.tap.wait_idle()
    log = list(field_app.tap.log)
    total = sum(size for _method, _path, _status, size in log)
    report = "\n".join(f"{size:8} {status} {method} {path}" for method, path, status, size in log)
    print(f"\nfirst visit: {len(log)} responses, {total} bytes of bodies\n{report}")
    assert total < 150_000, report


def test_an_expired_session_keeps_everything_and_asks_for_a_new_login(field_app):
    context, page = field_app.phone()
    login(page, field_app.url)
    field_app.tap.fail = lambda method, path: 503 if method == "POST" and path.startswith("/api/") else None
    start_nearest(page)
    page.wait_for_selector('#sync-pill[data-pending="1"]', state="attached")

    # The session ends (expired, or logged out elsewhere); the server is healthy again.
    context.clear_cookies()
    field_app.tap.fail = None
    page.goto(f"{field_app.url}/app#/sync")
    page.wait_for_selector("#send-now")
    page.click("#send-now")
    page.wait_for_selector(".banner-bad >> text=Cần đăng nhập lại để gửi")
    assert pending(page) == 1 and count(Inspection) == 0

    page.click(".banner-bad >> text=Đăng nhập")
    page.fill("#username", INSPECTOR)
    page.fill("#password", "KiemTra@2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/app")
    wait_synced(page)
    assert only(Inspection).created_by.username == INSPECTOR
    assert page.errors == []


def test_a_refused_record_shows_each_field_and_is_sent_once_fixed(field_app):
    context, page = field_app.phone()
    login(page, field_app.url)
    context.set_offline(True)
    name = start_nearest(page)
    page.click("#item-PTD-02 .ans-pass")

    # Meanwhile the office marks the premise as closed: the server refuses the inspection (422).
    premise = db.session.scalars(select(Premise).where(Premise.name == name)).one()
    premise.status = "closed"
    db.session.commit()
    context.set_offline(False)
    page.wait_for_selector(".banner-bad >> text=1 bản ghi bị máy chủ từ chối")
    page.click(".banner-bad >> text=Xem lý do")
    failed = page.locator(".obx-failed")
    failed.wait_for()
    assert "Dữ liệu không hợp lệ." in failed.inner_text()
    assert (
        "Cơ sở: Cơ sở đã ngừng hoạt động; hãy cập nhật trạng thái trước khi kiểm tra." in failed.inner_text()
    )
    # The finding waits behind its inspection: both are still on the phone.
    assert pending(page) == 2 and count(Inspection) == 0

    premise.status = "active"
    db.session.commit()
    page.click(".obx-failed >> text=Thử lại")
    wait_synced(page)
    assert [f.item_code for f in only(Inspection).findings] == ["PTD-02"]
    assert page.errors == []


def test_gps_warnings_and_setting_a_premise_location(field_app):
    from tests.factories import make_premise

    user = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    unlocated = make_premise(user.unit, name="Tạp hóa Chưa Định Vị")
    # 80 m accuracy, about 970 m north of the market.
    context, page = field_app.phone()
    context.set_geolocation({"latitude": 14.8200, "longitude": 108.95712, "accuracy": 80})
    login(page, field_app.url)

    page.click("#premise-list .prow:has-text('Sạp cân Nguyễn Thị Hường')")
    warnings = page.locator("#gps-box .warn")
    warnings.first.wait_for()
    texts = warnings.all_inner_texts()
    assert any("Vị trí GPS kém chính xác: sai số ±80 m (cho phép tối đa 50 m)" in t for t in texts)
    assert any("cách vị trí đã đăng ký của cơ sở" in t and "xa hơn 150 m cộng sai số GPS" in t for t in texts)
    assert not page.locator("#set-location").count()

    # A premise with no registered location: the phone offers to set it from this fix.
    page.goto(f"{field_app.url}/app")
    page.fill("#premise-search", "chua dinh vi")
    assert page.inner_text("#premise-list .prow .prow-dist") == "—"
    page.click("#premise-list .prow:has-text('Tạp hóa Chưa Định Vị')")
    page.check("#set-location")
    page.click("#start")
    page.wait_for_selector(".items .item")
    wait_synced(page)
    db.session.refresh(unlocated)
    assert (unlocated.latitude, unlocated.longitude) == (14.82, 108.95712)
    inspection = only(Inspection)
    assert inspection.flags == ["poor_accuracy"] and inspection.gps_distance_m == 0
    assert page.errors == []
