"""Công tơ điện, đồng hồ nước on the phone, in real headless Chromium (360×740): a water meter added on the phone, its
check recorded with a photo, a complaint, a referral and an indicative check with a volume standard (shown "sơ bộ",
never Đạt / Không đạt), refused on the phone when the referral order is wrong, then synced exactly once.

Set FIELD_SHOTS=/some/dir to save screenshots of the meter screen there.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from inspect_app import measurements
from inspect_app.extensions import db
from inspect_app.models import Instrument, InstrumentPhoto, MeterCheck, User
from tests.browser.conftest import INSPECTOR, count, jpeg, login, only, pending, wait_synced
from tests.browser.test_browser_readings import shot, start_at

pytestmark = pytest.mark.browser


@pytest.fixture
def volume_measure(field_app):
    inspector = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    made = measurements.create_standard(
        {
            "uuid": str(uuid.uuid4()), "unit_id": inspector.unit.id, "kind": "volume_measure",
            "nominal": Decimal("20"), "unit": "L", "accuracy_class": "0.1", "serial": "BC-20",
            "certificate_number": "77/KĐ-TĐC", "certificate_type": "verification",
            "calibrated_on": date(2026, 1, 5), "due_on": date(2027, 12, 31),
        },
        inspector,
    )[0]  # fmt: skip
    db.session.commit()
    return made


def no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 80))"
    )
    assert width <= 360, f"the screen is {width} px wide: {wide}"


def test_a_meter_check_on_the_phone_is_synced_once_and_never_judged(field_app, volume_measure):
    _, page = field_app.phone()
    login(page, field_app.url)
    page.wait_for_selector("body[data-metrology=ready]")
    start_at(page)
    page.click("#open-meters")
    page.wait_for_selector("#save-meter-check")
    assert "Không kết luận về sai số." in page.inner_text("#view")

    # A meter not known yet: added here, with its owner, serial, class, address and stamp.
    page.click("#meter-choice label.choice:has-text('Thêm công tơ / đồng hồ nước mới')")
    page.click("#meter-new label.choice:has-text('Đồng hồ nước')")
    page.click("#meter-new label.choice:has-text('Đồng hồ nước lạnh cơ khí')")
    page.fill("#meter-owner_name", "Công ty Cấp nước Quảng Ngãi")
    page.fill("#meter-serial", "DHN-778")
    page.fill("#meter-accuracy_class", "B")
    page.fill("#meter-installation_address", "12 Nguyễn Nghiêm, phường Đức Phổ")
    page.fill("#meter-verification_mark", "N-22-104")
    page.fill("#meter-verified_on", "2022-05-10")

    page.fill("#meter-index_reading", "1234,567")
    page.click("label.choice:has-text('Có tem/dấu kiểm định')")
    page.click("label.choice:has-text('Bị hỏng / không còn')")
    page.check("label.check:has-text('Niêm phong, kẹp chì bị cắt hoặc bị thay') input")
    page.set_input_files(
        "#meter-photo", files=[{"name": "dong-ho.jpg", "mimeType": "image/jpeg", "buffer": jpeg(2400, 1800)}]
    )
    page.wait_for_selector("#meter-photos img.thumb")
    page.fill("#meter-complainant", "Bà Nguyễn Thị Lan")
    page.fill("#meter-complaint", "Hóa đơn tiền nước tháng 10 tăng gấp đôi.")
    page.fill("#meter-referred_to_utility_on", "2026-11-22")
    page.fill("#meter-referred_to_department_on", "2026-11-20")

    # The indicative check: labelled "sơ bộ", a difference and no verdict.
    page.check("#meter-indicative-on")
    assert "Sơ bộ — không kết luận đạt/không đạt" in page.inner_text("#meter-indicative")
    page.click("#meter-indicative .chip:has-text('BC-20')")
    page.wait_for_selector("#meter-indicative .chip[aria-pressed=true]:has-text('BC-20')")
    page.fill("#meter-reference", "20")
    page.fill("#meter-indication", "20,9")
    preview = page.locator("#meter-indicative-preview")
    preview.locator("text=chênh lệch +0,9 L (+4,5 %)").wait_for()
    assert "Sơ bộ — không kết luận đạt/không đạt" in preview.inner_text()
    shown = page.inner_text("#view")
    assert "Đạt" not in shown and "Không đạt" not in shown
    no_overflow(page)
    shot(page, "meter-01-form")

    # The referral order is checked on the phone: nothing is queued.
    page.click("#save-meter-check")
    page.wait_for_selector(
        "#meter-errors >> text=Ngày chuyển Sở không được trước ngày chuyển đơn vị cấp điện/nước."
    )
    assert pending(page) == 0 and count(MeterCheck) == 0

    page.fill("#meter-referred_to_department_on", "2026-11-25")
    page.click("#save-meter-check")
    page.wait_for_selector("#meter-list .meter-check")
    wait_synced(page)
    page.wait_for_selector("#meter-list .meter-check >> text=Máy chủ đã nhận")

    # Exactly once on the server: the meter, its check, its photo.
    assert len(field_app.tap.calls("POST", "/meter-checks")) == 1
    check = only(MeterCheck)
    meter = only(Instrument)
    assert (meter.instrument_type, meter.variant, meter.serial, meter.accuracy_class) == (
        "water_meter",
        "water_mechanical",
        "DHN-778",
        "B",
    )
    assert meter.owner_name == "Công ty Cấp nước Quảng Ngãi" and meter.unit == "m3"
    assert check.instrument_id == meter.id and str(check.index_reading) == "1234.567"
    assert (check.stamp_state, check.seal_state, check.tampering_signs) == (
        "present",
        "broken",
        ["seal_cut_or_replaced"],
    )
    assert (check.referred_to_utility_on, check.referred_to_department_on) == (
        date(2026, 11, 22),
        date(2026, 11, 25),
    )
    assert check.indicative["difference_percent"] == "4.50" and check.indicative["label"] == "Ghi nhận sơ bộ"
    assert count(InstrumentPhoto) == 1 and only(InstrumentPhoto).instrument_id == meter.id

    saved = page.inner_text("#meter-list")
    assert "còn hạn đến 09/05/2027" in saved and "Niêm phong, kẹp chì bị cắt hoặc bị thay" in saved
    assert "Sơ bộ — không kết luận đạt/không đạt" in saved
    assert "Đạt" not in saved and "Không đạt" not in saved
    # What the server answers for the inspection carries no verdict either.
    inspection_uuid = page.evaluate("location.hash").split("/")[2]
    answer = page.evaluate(
        "async (u) => (await fetch(`/api/v1/inspections/${u}/meter-checks`)).json()", inspection_uuid
    )
    assert len(answer["items"]) == 1
    text = json.dumps(answer, ensure_ascii=False)
    assert "Đạt" not in text and "Không đạt" not in text and "outcome" not in text
    no_overflow(page)
    shot(page, "meter-02-saved")

    # Back on the checklist the new meter is listed, and opens its own screen.
    page.click("text=‹ Xong")
    row = page.locator(".mrow:has-text('DHN-778')")
    row.wait_for()
    assert "Ghi ›" in row.inner_text()
    assert "(1 đã ghi)" in page.inner_text("#open-meters")
    assert page.errors == []
