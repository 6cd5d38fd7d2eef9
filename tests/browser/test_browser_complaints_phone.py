"""A complaint given to an inspector, on the phone (real headless Chromium, 360×740): listed under "Phản ánh được
giao" without the complainant, it opens a start form locked to "theo phản ánh", and the inspection completed on
the phone reaches the server linked to the complaint, which the desk then sees as being handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.complaints import service
from inspect_app.complaints.service import NewComplaint
from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.models import Complaint, Inspection, Premise, User
from tests.browser.conftest import INSPECTOR, login, mark_rest_not_checked, wait_synced

pytestmark = pytest.mark.browser

CONTACT = "0905 777 888"


def test_a_complaint_is_inspected_from_the_phone(field_app):
    inspector = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    clerk = db.session.scalars(
        select(User).where(User.unit_id == inspector.unit_id, User.role == "staff").order_by(User.id)
    ).first()
    premise = db.session.scalars(
        select(Premise)
        .where(Premise.unit_id == inspector.unit_id, Premise.market_id.is_not(None))
        .order_by(Premise.id)
    ).first()
    complaint = service.create_complaint(
        NewComplaint(
            unit_id=inspector.unit_id,
            premise_id=premise.id,
            address="",
            received_on=today_vn() - timedelta(days=1),
            channel="hotline",
            subject="scale",
            content="Cân của sạp thiếu khoảng 100 g mỗi kg.",
            complainant_name="Người Giấu Tên",
            complainant_contact=CONTACT,
        ),
        clerk,
    )
    service.assign(complaint, inspector.id, today_vn() + timedelta(days=5), clerk)
    db.session.commit()

    _, page = field_app.phone()
    login(page, field_app.url)
    row = page.locator(f'#complaints [data-complaint="{complaint.id}"]')
    row.wait_for()
    text = row.inner_text()
    assert premise.name in text and "Cân" in text and "thiếu khoảng 100 g" in text
    assert CONTACT not in page.content() and "Người Giấu Tên" not in page.content()
    row.click()
    page.wait_for_selector("#complaint-note")
    assert page.is_checked("input[name=kind][value=complaint]")
    assert page.is_disabled("input[name=kind][value=planned]")
    page.click("#start")
    page.wait_for_selector(".items .item")
    visit = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    page.locator(".items > .item >> nth=0").locator(".ans-fail").click()
    page.goto(f"{field_app.url}/app#/i/{visit}/done")
    mark_rest_not_checked(page)
    page.click("label.choice:has-text('Nhắc nhở')")
    page.click("#complete")
    page.wait_for_selector("#premise-list")
    assert page.locator(f'[data-complaint="{complaint.id}"]').count() == 0
    wait_synced(page)

    db.session.rollback()
    sent = db.session.scalars(select(Inspection).where(Inspection.uuid == visit)).one()
    assert (sent.kind, sent.complaint_id, sent.status) == ("complaint", complaint.id, "completed")
    assert db.session.get(Complaint, complaint.id).status == "in_progress"
    # Off the phone's list now: the desk closes it.
    page.reload()
    page.wait_for_selector("#premise-list")
    page.wait_for_timeout(500)  # the lists asked of the server after the first screen
    assert page.locator(f'[data-complaint="{complaint.id}"]').count() == 0
    assert page.errors == []
