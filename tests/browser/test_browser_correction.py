"""Correcting an issued biên bản at the desk (Chromium, 1280×900), as the ward's clerk meets it: the inspector's
control measurement was typed wrong (2,35 kg for a 2 kg weight) and the checklist item failed because of it. The
clerk issues the biên bản, reopens it with a reason, voids the wrong reading with a reason, corrects the finding,
issues the replacement, and reads the replacement PDF and the inspection's history."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.models import Premise, User
from tests.browser.conftest import INSPECTOR, preview_and_issue
from tests.factories import (
    make_control_reading,
    make_instrument,
    make_records,
    make_standard,
    mark_not_checked,
)

pytestmark = pytest.mark.browser

CLERK = "vanphong.ducpho"
WRONG_NOTE = "Phép đo đối chứng: cân chỉ 2,35 kg cho quả cân chuẩn 2 kg, thiếu 350 g"
CORRECTED_NOTE = "Đo lại bằng quả cân chuẩn 2 kg: cân chỉ đúng"


@pytest.fixture
def recorded(field_app):
    """What the inspector's phone sent: the wrong control measurement, PTD-05 failed on it, the visit completed."""
    inspector = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    premise = db.session.scalars(select(Premise).where(Premise.unit_id == inspector.unit_id)).first()
    inspection = make_records(premise, inspector)["inspection"]
    scale = make_instrument(premise, inspector)
    weight = make_standard(inspector.unit, inspector)
    make_control_reading(inspection, scale, weight, inspector, indication="2.35")
    service.record_finding(
        inspection,
        {"uuid": str(uuid.uuid4()), "item_code": "PTD-05", "answer": "fail", "note": WRONG_NOTE},
        inspector,
    )
    mark_not_checked(inspection, inspector)
    inspection = service.update_inspection(
        inspection,
        {"version": inspection.version, "status": "completed", "outcome": "reminder"},
        inspector,
    )
    return inspection.id


def issued_pdf_text(page, base: str) -> str:
    """The text of the biên bản whose page is open, as the "Xem / tải bản gốc" link downloads it."""
    content = page.request.get(base + page.get_attribute("text=Xem / tải bản gốc (PDF)", "href")).body()
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def test_a_reopened_biên_bản_is_corrected_and_the_replacement_no_longer_prints_the_voided_reading(
    field_app, recorded
):
    page = field_app.desk(CLERK)
    base = field_app.url
    inspection_url = f"{base}/inspections/{recorded}"

    # Issued, with the wrong reading in it.
    page.goto(inspection_url)
    page.click("text=Lập biên bản kiểm tra")
    preview_and_issue(page)
    page.wait_for_selector("text=Đã lập Biên bản số")
    first = issued_pdf_text(page, base)
    assert "2,35 kg" in first and WRONG_NOTE in first

    # Reopened for a correction, with the reason.
    page.click("summary:has-text('Đính chính (lập biên bản thay thế)')")
    page.fill("details[open] textarea[name=reason]", "Phép đo đối chứng nhập nhầm số chỉ")
    page.click("text=Mở lại cuộc kiểm tra để đính chính")
    page.wait_for_selector("text=Đã mở lại cuộc kiểm tra để đính chính")
    page.goto(inspection_url)
    assert "Đang đính chính Biên bản số 01/" in page.inner_text("#correcting")

    # The wrong reading voided, with its reason.
    row = page.locator("#ket-qua-do ~ table tr", has_text="2,35 kg")
    row.locator("summary:has-text('Hủy kết quả')").click()
    row.locator("input[name=reason]").fill("Nhập nhầm số chỉ của phép đo đối chứng")
    row.locator("button:has-text('Hủy')").click()
    page.wait_for_selector("text=Đã hủy kết quả đo.")
    assert page.locator("tr.voided", has_text="2,35 kg").count() == 1

    # The finding that rested on it corrected, with its reason; a missing reason is explained first.
    page.click("#item-PTD-05 >> text=Sửa")
    page.wait_for_selector("text=Sửa kết quả kiểm tra")
    assert WRONG_NOTE in page.inner_text("#stored-answer")
    page.check("input[name=answer][value=pass]")
    page.fill("#note", CORRECTED_NOTE)
    page.click("text=Lưu kết quả đã sửa")
    page.wait_for_selector("text=Cần ghi lý do sửa kết quả.")
    assert page.is_checked("input[name=answer][value=pass]") and page.input_value("#note") == CORRECTED_NOTE
    page.fill("#reason", "Kết luận dựa trên phép đo đã hủy vì nhập nhầm")
    page.click("text=Lưu kết quả đã sửa")
    page.wait_for_selector("text=Đã sửa kết quả nội dung PTD-05")
    assert "Đạt" in page.inner_text("#item-PTD-05") and CORRECTED_NOTE in page.inner_text("#item-PTD-05")

    # The replacement: the voided reading's values are gone, the corrected finding is there.
    page.click("text=Lập biên bản kiểm tra")
    preview_and_issue(page)
    page.wait_for_selector("text=Đã lập Biên bản số 02/")
    replacement = issued_pdf_text(page, base)
    assert "thay thế Biên bản số 01/" in replacement
    assert "2,35" not in replacement and "+0,35" not in replacement and WRONG_NOTE not in replacement
    assert CORRECTED_NOTE in replacement and "Không phát hiện vi phạm." in replacement

    # The history tells each change: who, when, old → new, why.
    page.goto(inspection_url)
    page.click("text=Lịch sử thay đổi")
    page.wait_for_selector("#history")
    void_row = page.locator("#history tr", has_text="Hủy kết quả đo").inner_text()
    assert "số chỉ 2,35 kg" in void_row and "Nhập nhầm số chỉ của phép đo đối chứng" in void_row
    assert "Nguyễn Thị Lan" in void_row
    edit_row = page.locator("#history tr", has_text="PTD-05").filter(has_text="Sửa").inner_text()
    assert "Kết quả: Không đạt → Đạt" in edit_row and f"{WRONG_NOTE} → {CORRECTED_NOTE}" in edit_row
    assert "Kết luận dựa trên phép đo đã hủy vì nhập nhầm" in edit_row and "Nguyễn Thị Lan" in edit_row
    assert "Phép đo đối chứng nhập nhầm số chỉ" in page.locator("#history tr", has_text="Mở lại").inner_text()
    assert page.errors == []
