"""Issuing a biên bản at the desk (Chromium, 1280×900): a hasty click used to issue and lock a biên bản with no
statement and no signatures. Now the first button shows the preview; only then is "Lập và khóa" offered, and it
issues exactly what was previewed."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import InspectionMember, Minutes, MinutesCounter, Premise, User
from tests.browser.conftest import DEMO_PASSWORD, INSPECTOR
from tests.factories import make_completed_inspection

pytestmark = pytest.mark.browser


def counters() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(MinutesCounter.last_number), 0)))


def test_the_desk_previews_before_it_issues_and_issues_what_was_previewed(field_app):
    inspector = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    premise = db.session.scalars(
        select(Premise).where(Premise.unit_id == inspector.unit_id).order_by(Premise.id)
    ).first()
    inspection = make_completed_inspection(premise, inspector)
    db.session.add(
        InspectionMember(
            inspection=inspection,
            name="Lê Thị Thu Hà",
            position="Chuyên viên Phòng Kinh tế",
            position_in_team=1,
        )
    )
    db.session.commit()
    recorder_id = next(m.id for m in inspection.members if m.name == "Lê Thị Thu Hà")
    minutes_before, counters_before = db.session.scalar(select(func.count(Minutes.id))), counters()

    context = field_app.browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    field_app.contexts.append(context)
    context.set_default_timeout(30000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = field_app.url
    page.goto(f"{base}/login")
    page.fill("#username", "vanphong.ducpho")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{base}/inspections/{inspection.id}")
    page.click("text=Lập biên bản kiểm tra")

    # The hasty click: the only button that submits is the preview, and it refuses a form without a recorder.
    assert page.locator("button:has-text('Lập và khóa')").count() == 0
    page.click("button:has-text('Xem trước biên bản')")
    page.wait_for_selector("text=Cần chọn người lập biên bản trong đoàn kiểm tra.")
    assert page.locator("button:has-text('Lập và khóa')").count() == 0

    page.select_option("#recorder_member", str(recorder_id))
    page.fill("#representative_statement", "Tôi đồng ý, sẽ khắc phục trước hạn.")
    canvas = page.locator(".sign-pad[data-target=leader_signature] canvas")
    canvas.scroll_into_view_if_needed()
    pad = canvas.bounding_box()
    page.mouse.move(pad["x"] + 40, pad["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 40 + step * 25, pad["y"] + 60 + (step % 3) * 15)
    page.mouse.up()
    assert page.input_value("#leader_signature").startswith("data:image/png;base64,")
    page.click("button:has-text('Xem trước biên bản')")
    frame = page.wait_for_selector("#minutes-preview iframe[src^='blob:']", state="attached")
    preview = base64.b64decode(frame.get_attribute("data-pdf"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(preview)).pages).split())
    assert "BẢN XEM TRƯỚC — chưa có giá trị" in text and "Số: …/BB-KT" in text
    assert "Tôi đồng ý, sẽ khắc phục trước hạn." in text and "Lê Thị Thu Hà" in text
    db.session.rollback()
    assert (db.session.scalar(select(func.count(Minutes.id))), counters()) == (
        minutes_before,
        counters_before,
    )

    # A change after the preview withdraws the button; a form sent anyway is refused, nothing is stored.
    page.fill("#representative_statement", "Tôi không đồng ý.")
    assert page.locator("#issue-button").is_disabled()
    # A page whose script did not run (or a form sent twice) still gets the server's refusal.
    with page.expect_navigation():
        page.evaluate(
            "() => { const b = document.getElementById('issue-button'); b.disabled = false; b.form.requestSubmit(b); }"
        )
    page.wait_for_selector("text=Biên bản chưa được xem trước đúng với nội dung này")
    db.session.rollback()
    assert (db.session.scalar(select(func.count(Minutes.id))), counters()) == (
        minutes_before,
        counters_before,
    )

    page.click("button:has-text('Xem trước biên bản')")
    page.wait_for_selector("#minutes-preview iframe")
    page.click("button:has-text('Lập và khóa')")
    page.wait_for_selector("text=Đã lập Biên bản số")
    db.session.rollback()
    minutes = db.session.scalars(select(Minutes).where(Minutes.inspection_id == inspection.id)).one()
    assert minutes.representative_statement == "Tôi không đồng ý."
    assert (minutes.recorder_member_id, minutes.recorder_name) == (recorder_id, "Lê Thị Thu Hà")
    assert minutes.leader_signature_sha256 and minutes.issued_by.username == "vanphong.ducpho"
    issued = PdfReader(io.BytesIO(page.request.get(f"{base}/minutes/{minutes.id}/pdf").body()))
    assert sum(len(p.images) for p in issued.pages) == 1  # the leader's signature, in the leader's place
    assert errors == []
