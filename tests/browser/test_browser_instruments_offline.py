"""The unit's instruments on the phone with its premises (360×740, real headless Chromium): a stall never opened
online shows its scale offline, and the same stamp number at the same premise is the same instrument, on the phone
and on the server."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Instrument, Premise, Reading, User
from tests.browser.conftest import (
    INSPECTOR,
    count,
    login,
    only,
    pending,
    wait_for_service_worker,
    wait_synced,
)
from tests.browser.test_browser_readings import pick, save_reading, start_at
from tests.factories import make_instrument, make_standard

pytestmark = pytest.mark.browser

HUONG = "Sạp cân Nguyễn Thị Hường"
LOC = "Sạp thịt heo Trần Văn Lộc"


def _premise(name: str) -> Premise:
    return db.session.scalars(select(Premise).where(Premise.name == name)).one()


@pytest.fixture
def kit(field_app):
    """M1 weights of 2 kg, 2 kg and 1 kg, and the 15 kg spring scale at Sạp cân Nguyễn Thị Hường (stamp only)."""
    inspector = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    for serial, nominal in (("M1-2a", "2"), ("M1-2b", "2"), ("M1-1", "1")):
        make_standard(
            inspector.unit, inspector, nominal=Decimal(nominal), serial=serial, due_on=date(2027, 12, 31)
        )
    scale = make_instrument(_premise(HUONG), inspector, serial="", verification_mark="QN-26-0815")
    db.session.commit()
    return scale


def _offline_with_everything_kept(field_app):
    """Logged in online on the home screen only (no stall opened), then the network goes."""
    context, page = field_app.phone()
    login(page, field_app.url)
    wait_for_service_worker(page)
    page.wait_for_selector("body[data-metrology=ready]")
    # The start screen says what the phone keeps for offline use.
    page.wait_for_selector("#premises-kept:has-text('cơ sở và 1 phương tiện đo để dùng khi mất mạng')")
    assert not [call for call in field_app.tap.log if call[1].endswith("/instruments")]
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#premise-list .prow")
    page.wait_for_selector("body[data-metrology=ready]")
    return context, page


def _measure(page) -> None:
    pick(page, "M1-2a", "M1-2b", "M1-1")
    page.fill("#indication", "5,05")
    page.wait_for_selector("#reading-result .mverdict")
    save_reading(page, 1)


def test_offline_a_stall_never_opened_shows_its_scale_and_it_is_not_added_twice(field_app, kit):
    """It used to say "Chưa tải được danh sách phương tiện đo", and adding the scale again made a second one."""
    context, page = _offline_with_everything_kept(field_app)
    start_at(page)
    row = page.locator("#instrument-panel .mrow:has-text('Cân đồng hồ lò xo 15 kg')")
    row.wait_for()
    assert "tem kiểm định số QN-26-0815 còn hạn đến 01/03/2027" in row.inner_text()
    assert "Chưa tải được" not in page.inner_text("#instrument-panel")

    # The inspector starts adding it anyway: the stamp number, typed another way, brings up the one already there.
    page.click("#add-instrument")
    page.fill("#ins-max_capacity", "15")
    page.fill("#ins-e", "0,05")
    page.fill("#ins-verification_mark", "qn 26 0815")
    offer = page.locator("#instrument-twin")
    offer.wait_for()
    assert (
        "Cơ sở đã có phương tiện đo cùng số tem kiểm định này: Cân đồng hồ lò xo 15 kg" in offer.inner_text()
    )
    waiting = pending(page)
    page.click("#save-instrument")
    page.wait_for_timeout(300)
    assert pending(page) == waiting and page.locator("#save-instrument").count() == 1
    page.click("#use-twin")
    page.wait_for_selector("#indication")
    _measure(page)
    assert count(Reading) == 0

    context.set_offline(False)
    wait_synced(page)
    assert count(Instrument) == 1
    assert only(Reading).instrument_id == kit.id
    assert field_app.tap.calls("POST", "/instruments") == []
    assert page.errors == []


def test_a_scale_added_offline_that_the_server_already_has_gets_its_readings(field_app, kit):
    """Recorded at the desk after the phone's last fetch: the phone cannot offer it, so it adds the scale; on sync the
    server answers with its own, and the reading made on the phone's copy is stored against it."""
    context, page = _offline_with_everything_kept(field_app)
    inspector = db.session.get(User, kit.created_by_id)
    desk = make_instrument(_premise(LOC), inspector, serial="", verification_mark="TKĐ-51-0198765")
    db.session.commit()
    start_at(page, LOC, "tran van loc")
    page.wait_for_selector("#instrument-panel >> text=Chưa có phương tiện đo nào được ghi cho cơ sở này.")
    page.click("#add-instrument")
    page.fill("#ins-max_capacity", "15")
    page.fill("#ins-e", "0,05")
    page.fill("#ins-verification_mark", "TKĐ 51 0198765")
    page.fill("#ins-valid_until", "2027-03-01")
    page.click("#save-instrument")
    page.wait_for_selector("#indication")
    phone_uuid = page.url.rsplit("/", 1)[-1]
    assert phone_uuid != desk.uuid
    _measure(page)

    context.set_offline(False)
    wait_synced(page)
    assert [entry[2] for entry in field_app.tap.calls("POST", "/instruments")] == [200]
    assert count(Instrument) == 2  # the desk's scale here, and the other stall's
    reading = only(Reading)
    assert reading.instrument_id == desk.id
    # The phone now shows the server's scale, once, with the reading.
    page.wait_for_url(f"**/pt/{desk.uuid}")
    page.click("text=‹ Xong")
    rows = page.locator("#instrument-panel .mrow")
    rows.first.wait_for()
    assert rows.count() == 1 and "1 phép đo" in rows.first.inner_text()
    assert page.errors == []
