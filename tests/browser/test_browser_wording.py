"""What a new inspector and a ward clerk read, in real headless Chromium: tables named by document and table, never
by an internal id (the phone at 360×740, the desk at 1280×900, the biên bản), and the handling the checklist's
failures suggest on the phone's finish screen and on the desk."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from inspect_app.extensions import db
from inspect_app.models import Inspection, Premise, Reading, User
from tests.browser.conftest import (
    INSPECTOR,
    login,
    mark_rest_not_checked,
    preview_and_issue,
    start_nearest,
    wait_synced,
)
from tests.browser.test_browser_readings import PREMISE, control_sale_with_1_kg
from tests.factories import make_completed_inspection, make_control_reading, make_instrument, make_standard

pytestmark = pytest.mark.browser

CLERK = "vanphong.ducpho"
BẢNG_2 = "Bảng 2, Điều 5 Thông tư 09/2017/TT-BKHCN"
OLD_BẢNG_2 = "Bảng 2 cũ tạm tính trước đây (đã thay thế), Điều 5 Thông tư 09/2017/TT-BKHCN"
OLD_WARNING = "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: tt09_2017_permitted_shortfall 2026.1"
PROVISIONAL = "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức"


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def kit(field_app):
    """A 1 kg M1 weight of the inspector's unit and the 15 kg spring scale (d = 50 g) at the stall."""
    inspector = user(INSPECTOR)
    premise = db.session.scalars(select(Premise).where(Premise.name == PREMISE)).one()
    weight = make_standard(inspector.unit, inspector, nominal=Decimal("1"), serial="M1-1")
    scale = make_instrument(premise, inspector, serial="NH-15-0421")
    db.session.commit()
    return {"premise": premise, "weight": weight, "scale": scale, "inspector": inspector}


def ids_shown(page, selector: str) -> list[str]:
    """Internal table ids (or versions) in the text or in a tooltip of what ``selector`` matches."""
    text = page.inner_text(selector)
    titles = [
        page.locator(f"{selector} [title]").nth(i).get_attribute("title")
        for i in range(page.locator(f"{selector} [title]").count())
    ]
    return [
        part
        for part in (text, *titles)
        if "_2017_" in part or "_2014_" in part or "oiml_" in part or "2026." in part
    ]


def test_the_phone_names_the_tables_a_control_measurement_was_judged_with(field_app, kit):
    """The phone used to say "… chưa đối chiếu văn bản chính thức: tt09_2017_spring_shortfall 2026.2" and "bảng sai
    số phiên bản 2026.2" with the ids in a tooltip: nothing a person can look up."""
    page = control_sale_with_1_kg(field_app)
    page.fill("#indication", "1,03")
    page.wait_for_selector("#reading-result .verdict-pass")
    result = page.inner_text("#reading-result")
    assert f"{PROVISIONAL}: {BẢNG_2}" in result
    assert f"Tính trên điện thoại theo {BẢNG_2}; máy chủ tính lại khi nhận." in result
    assert ids_shown(page, "#reading-result") == []

    # Saved and judged by the server: its warning names the table too.
    page.click("#save-reading")
    page.wait_for_selector("#reading-list .mreading")
    wait_synced(page)
    page.locator("#reading-list .mreading >> text=Máy chủ đã nhận và tính").wait_for()
    assert f"{PROVISIONAL}: {BẢNG_2}" in page.inner_text("#reading-list")
    assert ids_shown(page, "#reading-list") == []
    assert page.errors == []


def test_the_desk_and_the_biên_bản_name_the_tables_also_for_readings_stored_with_ids(field_app, kit):
    """A reading judged before tables had names carries "tt09_2017_permitted_shortfall 2026.1" in its warning and
    as the superseded table: the clerk's page shows the table's name. The biên bản's footnote on provisional results
    says which tables they were."""
    inspector, clerk = kit["inspector"], user(CLERK)
    old = make_completed_inspection(kit["premise"], inspector)
    reading = make_control_reading(old, kit["scale"], kit["weight"], inspector)
    fresh = make_completed_inspection(kit["premise"], inspector)
    make_control_reading(fresh, kit["scale"], kit["weight"], inspector)
    db.session.execute(
        update(Reading.__table__)
        .where(Reading.__table__.c.id == reading.id)
        .values(
            warnings=[OLD_WARNING],
            superseded_table="tt09_2017_permitted_shortfall 2026.1",
            tables=[{"id": "tt09_2017_permitted_shortfall", "version": "2026.1", "provisional": True}],
        )
    )
    old_id, fresh_id = old.id, fresh.id
    db.session.commit()
    assert clerk.unit_id == inspector.unit_id

    page = field_app.desk(CLERK)
    page.goto(f"{field_app.url}/inspections/{old_id}")
    readings = page.inner_text("main")
    assert f"{PROVISIONAL}: {OLD_BẢNG_2}" in readings
    assert f"đã chấm theo bảng cũ ({OLD_BẢNG_2})" in readings
    assert "tt09_2017" not in page.inner_text("main")

    page.goto(f"{field_app.url}/inspections/{fresh_id}")
    assert f"{PROVISIONAL}: {BẢNG_2}" in page.inner_text("main")
    page.click("text=Lập biên bản kiểm tra")
    preview_and_issue(page)
    page.wait_for_selector("text=Đã lập Biên bản số")
    content = page.request.get(
        field_app.url + page.get_attribute("text=Xem / tải bản gốc (PDF)", "href")
    ).body()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert (
        "(*) Kết quả đánh giá theo bảng giới hạn sai số tạm thời, chưa được đối chiếu với văn bản chính thức: "
        f"{BẢNG_2}." in text
    )
    assert "tt09_2017" not in text
    assert page.errors == []


def answer(page, inspection: str, code: str, value: str) -> None:
    page.goto(f"{page.url.split('#')[0]}#/i/{inspection}/{code.split('-')[0]}")
    page.wait_for_selector(f"#item-{code}")
    page.click(f"#item-{code} .ans-{value}")
    page.wait_for_selector(f'#item-{code}[data-answer="{value}"]')


def suggestions(page) -> tuple[str, list[str]]:
    """The hint above the handling list, and the choices marked as suggested in it."""
    marked = page.locator("label.choice[data-suggested=true]")
    return page.inner_text("#handling-hint"), [
        marked.nth(i).locator("input").get_attribute("value") for i in range(marked.count())
    ]


def test_the_suggested_handling_follows_only_what_the_findings_suggest(field_app):
    """The finish screen listed the handling of every failed item: a "sơ bộ" instrument error (PTD-06, the Sở's to
    conclude, no one from the Sở in the team) suggested "Yêu cầu khắc phục" as if it were a violation, and nothing was
    suggested when everything passed. The desk shows the same suggestion."""
    _, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page)
    inspection = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    answer(page, inspection, "PTD-06", "fail")
    answer(page, inspection, "PTD-08", "fail")
    page.goto(f"{field_app.url}/app#/i/{inspection}/done")
    page.wait_for_selector("#handling-hint")
    hint, marked = suggestions(page)
    assert hint == (
        "Gợi ý theo danh mục: Nhắc nhở, Chuyển cơ quan có thẩm quyền "
        "(1 vi phạm; 1 kết quả sơ bộ hoặc thuộc cơ quan khác, chuyển cơ quan có thẩm quyền)"
    )
    assert marked == ["reminder", "referral"]
    assert "Gợi ý theo danh mục" in page.inner_text("label.choice.outcome-reminder")
    assert "Gợi ý theo danh mục" not in page.inner_text("label.choice.outcome-fix_request")

    # Nothing failed: "Đạt".
    answer(page, inspection, "PTD-06", "pass")
    answer(page, inspection, "PTD-08", "pass")
    page.goto(f"{field_app.url}/app#/i/{inspection}/done")
    page.wait_for_selector("#handling-hint")
    assert suggestions(page) == ("Gợi ý theo danh mục: Đạt (không có nội dung không đạt)", ["pass"])

    # Only the preliminary failure: a referral, nothing else.
    answer(page, inspection, "PTD-06", "fail")
    page.goto(f"{field_app.url}/app#/i/{inspection}/done")
    page.wait_for_selector("#handling-hint")
    hint, marked = suggestions(page)
    assert marked == ["referral"] and hint.startswith("Gợi ý theo danh mục: Chuyển cơ quan có thẩm quyền (")
    mark_rest_not_checked(page)
    page.click("label.choice.outcome-referral")
    page.select_option("#referral-body", "skhcn")
    page.click("#complete")
    page.wait_for_selector("#premise-list")
    wait_synced(page)
    db.session.rollback()
    assert (
        db.session.scalars(select(Inspection).where(Inspection.uuid == inspection)).one().status
        == "completed"
    )

    desk = field_app.desk(CLERK)
    stored = db.session.scalars(select(Inspection).where(Inspection.uuid == inspection)).one()
    desk.goto(f"{field_app.url}/inspections/{stored.id}")
    assert desk.inner_text("#handling-suggestion") == (
        "Chuyển cơ quan có thẩm quyền (1 kết quả sơ bộ hoặc thuộc cơ quan khác, chuyển cơ quan có thẩm quyền)"
    )
    assert page.errors == [] and desk.errors == []
