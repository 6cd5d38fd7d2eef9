"""Completing with checklist items left blank (issue 13.5), on the phone (360×740, real headless Chromium)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection
from tests.browser.conftest import login, mark_rest_not_checked, start_nearest, wait_synced

pytestmark = pytest.mark.browser


def test_blank_items_are_marked_not_checked_with_a_reason_before_completing_even_offline(field_app):
    """One item answered of all that apply and "Đạt" used to complete the inspection. Now the phone refuses, shows
    the items still blank, and takes "Không kiểm tra" for each only with a reason; marked offline, each reaches the
    server once, with its reason."""
    context, page = field_app.phone()
    login(page, field_app.url)
    start_nearest(page)
    inspection = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    first = page.locator(".items > .item >> nth=0")
    answered = first.get_attribute("data-code")
    first.locator(".ans-pass").click()
    page.wait_for_selector(f'#item-{answered}[data-answer="pass"]')
    page.goto(f"{field_app.url}/app#/i/{inspection}/done")
    page.wait_for_selector("#unanswered")
    rows = page.locator("#unanswered .skip-row")
    blank = rows.count()
    assert blank > 10 and page.locator(f"#unanswered-{answered}").count() == 0
    assert f"Còn {blank} nội dung chưa có kết quả" in page.inner_text("#unanswered")
    page.click("label.choice:has-text('Đạt')")
    page.click("#complete")
    page.wait_for_selector("#done-errors .error")
    assert f"Còn {blank} nội dung chưa có kết quả" in page.inner_text("#done-errors")
    assert page.locator("#premise-list").count() == 0
    # Offline from here: the reasons are kept on the phone and sent later, once each.
    context.set_offline(True)
    code = rows.first.get_attribute("data-code")
    page.click(f"#skip-{code}")
    assert page.inner_text(f"#skip-error-{code}") == "Cần ghi lý do không kiểm tra."
    assert page.locator(f"#unanswered-{code}").count() == 1
    page.fill(f"#skip-reason-{code}", "Cân đang mang đi sửa, không có tại sạp")
    page.click(f"#skip-{code}")
    page.wait_for_selector(f"#unanswered-{code}", state="detached")
    assert "Cân đang mang đi sửa, không có tại sạp" in page.inner_text("#not-checked")
    assert mark_rest_not_checked(page, "Chủ sạp vắng mặt") == blank - 1
    assert page.locator("#unanswered").count() == 0
    assert "Không kiểm tra (" + str(blank) + "):" in page.inner_text("#not-checked")
    page.click("label.choice:has-text('Đạt')")
    page.click("#complete")
    page.wait_for_selector("#premise-list")
    context.set_offline(False)
    wait_synced(page)
    db.session.rollback()
    stored = db.session.scalars(select(Inspection).where(Inspection.uuid == inspection)).one()
    assert stored.status == "completed"
    findings = db.session.scalars(select(Finding).where(Finding.inspection_id == stored.id)).all()
    assert len(findings) == blank + 1 and len({f.item_code for f in findings}) == blank + 1
    skipped = {f.item_code: f.note for f in findings if f.answer == "skip"}
    assert len(skipped) == blank and skipped[code] == "Cân đang mang đi sửa, không có tại sạp"
    assert set(skipped.values()) == {"Cân đang mang đi sửa, không có tại sạp", "Chủ sạp vắng mặt"}
    assert page.errors == []
