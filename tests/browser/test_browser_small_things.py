"""Small things a new ward clerk and inspector tripped over, each met the way they met it (real headless Chromium:
1280×900 at the desk, 360×740 on the phone, demo data)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Minutes, Premise, User
from tests.browser.test_browser_desk_fit import DESK, desk

pytestmark = pytest.mark.browser


def _user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def completed(field_app):
    """A completed inspection at a Đức Phổ stall, its biên bản not issued yet."""
    from tests.factories import make_completed_inspection

    inspector = _user("kiemtra.ducpho")
    premise = db.session.scalars(
        select(Premise).where(Premise.unit_id == inspector.unit_id, Premise.premise_type == "market_stall")
    ).first()
    inspection = make_completed_inspection(premise, inspector)
    db.session.commit()
    return inspection.id


def test_the_issue_form_is_not_offered_again_after_issuing(field_app, completed):
    """Back from the issued biên bản, or the form left open in a second tab, showed the whole issue form again;
    sending it only said it was refused."""
    from inspect_app.minutes.service import IssueRequest, issue_minutes
    from inspect_app.models import Inspection

    page = desk(field_app, DESK, "vanphong.ducpho")
    page.goto(f"{field_app.url}/inspections/{completed}")
    page.click("a:has-text('Lập biên bản kiểm tra')")
    page.wait_for_selector("#issue-form")
    issue_minutes(
        db.session.get(Inspection, completed),
        IssueRequest("Nguyễn Thị Hường", "Chủ hộ"),
        _user("vanphong.ducpho"),
    )
    db.session.commit()
    minutes = db.session.scalars(select(Minutes)).one()
    page.goto(f"{field_app.url}/minutes/{minutes.id}")
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith(f"/minutes/{minutes.id}")
    assert page.locator("#issue-form").count() == 0
    assert f"đã có Biên bản số {minutes.label} có hiệu lực" in page.inner_text(".flash-warning")
    # The inspection page offers no new one either, only the one issued.
    page.goto(f"{field_app.url}/inspections/{completed}")
    assert page.locator("a:has-text('Lập biên bản kiểm tra')").count() == 0
    assert page.locator(f"a:has-text('Biên bản số {minutes.label}')").count() == 1
    assert page.errors == []


DATE_TIME = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"
TIME_FIRST = r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}"


def test_the_desk_writes_every_date_time_in_one_order(field_app, completed):
    """The inspection page gave its start as 03/12/2026 09:15 and its end as 10:02 03/12/2026; the public page
    said "Kiểm tra lúc 10:05 03/12/2026". Every date-time now reads dd/mm/yyyy HH:MM, Việt Nam time."""
    import re

    from inspect_app.minutes.service import IssueRequest, issue_minutes, verification_token
    from inspect_app.models import Inspection

    inspection = db.session.get(Inspection, completed)
    minutes = issue_minutes(inspection, IssueRequest("Nguyễn Thị Hường", "Chủ hộ"), _user("vanphong.ducpho"))
    db.session.commit()
    page = desk(field_app, DESK, "vanphong.ducpho")
    seen = {}
    for path in (f"/inspections/{completed}", f"/minutes/{minutes.id}", f"/v/{verification_token(minutes)}"):
        page.goto(field_app.url + path)
        seen[path] = page.inner_text("main")
    for path, text in seen.items():
        assert re.search(DATE_TIME, text), path
        assert not re.findall(TIME_FIRST, text), (path, re.findall(TIME_FIRST, text))
    page.goto(f"{field_app.url}/inspections/{completed}")
    started, ended = page.inner_text("dt:has-text('Thời gian') + dd").split(" – ")
    assert re.fullmatch(DATE_TIME, started) and re.fullmatch(DATE_TIME, ended)
    assert page.errors == []


def test_the_premises_import_tells_every_problem_of_a_line_with_an_example_for_its_column(
    field_app, tmp_path
):
    """A line with a longitude in the latitude's place, a phone number in words and an unknown market was reported
    only for its first mistake, with the latitude's example under "Kinh độ"; fixing it took three uploads."""
    csv = tmp_path / "co-so.csv"
    csv.write_text(
        "Tên cơ sở,Chợ,Vĩ độ,Kinh độ,Điện thoại\r\n"
        "Sạp rau Lê Thị Ba,Chợ Cá,14.81,một trăm lẻ tám,không có\r\n",
        encoding="utf-8",
    )
    page = desk(field_app, DESK, "vanphong.ducpho")
    page.goto(f"{field_app.url}/premises/import")
    page.set_input_files("input[type=file]", str(csv))
    page.click("button:has-text('Nhập')")
    page.wait_for_selector("td:text-is('2')")
    reason = page.inner_text("tr:has(td:text-is('2')) td >> nth=1")
    assert "Kinh độ phải là số thập phân (ví dụ 108.9551), không phải “một trăm lẻ tám”." in reason
    assert "Số điện thoại không hợp lệ: “không có” (chỉ gồm chữ số, 9–16 ký tự; ví dụ 0905123456)." in reason
    assert "Chợ “Chợ Cá” chưa có trong danh mục chợ của đơn vị (các chợ đã có: " in reason
    assert "Chợ Đức Phổ" in reason.split("các chợ đã có:")[1]
    assert "1 dòng lỗi không được nhập" in page.inner_text(".flash")
    assert page.errors == []


def test_the_lot_screens_say_how_many_units_the_lot_size_needs(field_app, completed):
    """The inspector typed a lot of 200 bags and weighed 3; nothing said the TT 21/2014 plan asks for 30."""
    from tests.browser.conftest import login, start_nearest

    _, phone = field_app.phone()
    login(phone, field_app.url)
    phone.wait_for_selector("body[data-metrology=ready]")
    start_nearest(phone)
    inspection = phone.url.rsplit("#/i/", 1)[-1].split("/")[0]
    phone.goto(f"{field_app.url}/app#/i/{inspection}/lots")
    phone.fill("#lot-lot_size", "200")
    phone.fill("#lot-measured", "0,99\n1,00\n1,01")
    phone.wait_for_selector("#lot-plan:has-text('cần 30 đơn vị mẫu')")
    assert "Lô 200 đơn vị: cần 30 đơn vị mẫu; đã nhập 3." in phone.inner_text("#lot-plan")
    phone.fill("#lot-lot_size", "60")
    phone.wait_for_selector("#lot-plan:has-text('cân/đo cả lô (60 đơn vị)')")
    phone.fill("#lot-lot_size", "2000")
    phone.wait_for_selector("#lot-plan:has-text('cần 50 đơn vị mẫu')")
    assert phone.errors == []

    page = desk(field_app, DESK, "vanphong.ducpho")
    page.goto(f"{field_app.url}/inspections/{completed}/lots/new")
    hint = page.inner_text(".field:has(#lot_size) .hint")
    assert "lô dưới 100 đơn vị: cân/đo cả lô" in hint
    assert "lô 100–500 đơn vị: 30 đơn vị mẫu" in hint and "lô trên 500 đơn vị: 50 đơn vị mẫu" in hint
    assert page.errors == []


def test_desk_pages_ask_for_nothing_that_is_not_there(field_app):
    """Every desk page used to ask for /favicon.ico and get a 404, an error in the console of every page."""
    context = field_app.browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    field_app.contexts.append(context)
    page = context.new_page()
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.goto(f"{field_app.url}/login")
    page.wait_for_load_state("networkidle")
    icon = page.get_attribute("link[rel=icon]", "href")
    assert icon and context.request.get(f"{field_app.url}{icon}").status == 200
    assert missing == []
