"""A reading far from the weights on the phone (issue 13.3), in real headless Chromium (360×740): 7 kg of weights on
the 15 kg spring scale and "1,95" typed used to be saved as "phù hợp", and the weights chosen for one kind of
measurement stayed chosen, unseen, for the other."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from inspect_app.extensions import db
from inspect_app.models import Reading
from tests.browser.conftest import count, login, wait_synced
from tests.browser import test_browser_readings as readings
from tests.browser.test_browser_readings import pick, start_at
from tests.factories import make_standard

pytestmark = pytest.mark.browser

# The readings tests' fixtures: the unit's weights and the 15 kg spring scale at the premise.
inspector, weights, scale = readings.inspector, readings.weights, readings.scale


def test_an_indication_far_from_the_load_is_asked_about_and_never_saved_as_passing(field_app, scale, inspector):
    make_standard(inspector.unit, inspector, nominal=Decimal("2"), serial="M1-2c", due_on=date(2027, 12, 31))
    db.session.commit()
    _, page = field_app.phone()
    login(page, field_app.url)
    page.wait_for_selector("body[data-metrology=ready]")
    start_at(page)
    page.locator(".mrow:has-text('15 kg')").click()
    # Weights chosen for the instrument's error, then the kind changed: nothing stays chosen unseen.
    pick(page, "M1-2a", "M1-2b")
    page.click("label.choice:has-text('Đối chứng')")
    page.wait_for_selector("#reading-form .chips")
    assert page.locator(".chip[aria-pressed=true]").count() == 0
    assert "Chưa chọn quả cân." in page.inner_text("#reading-form")

    page.click("label.choice:has-text('Bán hàng')")
    pick(page, "M1-2a", "M1-2b", "M1-2c", "M1-1")
    page.fill("#indication", "1,95")
    page.wait_for_selector("#reading-result .mresult[data-outcome=inconclusive]")
    assert "Số chỉ 1,95 kg khác xa tải 7 kg" in page.inner_text("#reading-result")
    assert "chuẩn đo lường quá hạn" not in page.inner_text("#reading-result")
    page.click("#save-reading")
    page.wait_for_selector("#ask-again")
    assert page.inner_text("#ask-text") == "Số chỉ 1,95 kg khác xa tải 7 kg — kiểm tra lại?"
    page.click("#ask-fix")
    page.wait_for_selector("#ask-again", state="detached")
    assert page.evaluate("document.activeElement.id") == "indication"
    assert page.locator("#reading-list .mreading").count() == 0

    # Corrected: a plausible number is saved without a question.
    page.fill("#indication", "6,95")
    page.wait_for_selector("#reading-result .mresult[data-outcome=pass]")
    page.click("#save-reading")
    page.wait_for_selector("#reading-list .mreading >> nth=0")
    assert page.locator("#ask-again").count() == 0

    # Kept on purpose ("Vẫn lưu"): stored, and judged by the server's engine as no basis to conclude, never "phù hợp".
    page.fill("#indication", "1,95")
    page.click("#save-reading")
    page.click("#ask-save")
    page.wait_for_selector("#reading-list .mreading >> nth=1")
    wait_synced(page)
    assert count(Reading) == 2
    far = db.session.scalars(db.select(Reading).where(Reading.indication == Decimal("1.95"))).one()
    assert (far.kind, far.reference, far.outcome) == ("control", Decimal("7"), "inconclusive")
    assert far.conclusion.startswith("Không đủ cơ sở kết luận (số chỉ khác xa")
    assert any("Số chỉ 1,95 kg khác xa tải 7 kg" in warning for warning in far.warnings)
    assert page.errors == []
