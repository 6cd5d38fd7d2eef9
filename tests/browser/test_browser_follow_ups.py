"""Follow-ups on the phone, in real headless Chromium: a fix-by request past its deadline shows under "Việc cần làm",
offline too; the follow-up visit started from it names the first inspection, and once it is completed (and sent)
the request is no longer to do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.models import Inspection, Premise, User
from tests.browser.conftest import INSPECTOR, login, mark_rest_not_checked, wait_for_service_worker, wait_synced
from tests.factories import mark_not_checked

pytestmark = pytest.mark.browser


def _fix_request(premise: Premise, user: User, deadline) -> Inspection:
    inspection, _ = service.create_inspection(
        {
            "uuid": str(uuid.uuid4()),
            "premise_id": premise.id,
            "kind": "planned",
            "team": [],
            "started_at": datetime.now(UTC) - timedelta(days=20),
        },
        user,
    )
    service.record_finding(
        inspection,
        {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết giá"},
        user,
    )
    mark_not_checked(inspection, user)
    return service.update_inspection(
        inspection,
        {
            "version": inspection.version,
            "status": "completed",
            "outcome": "fix_request",
            "fix_deadline": deadline,
        },
        user,
    )


def test_an_overdue_fix_is_to_do_offline_and_the_follow_up_closes_it(field_app):
    user = db.session.scalars(select(User).where(User.username == INSPECTOR)).one()
    premises = db.session.scalars(
        select(Premise)
        .where(Premise.unit_id == user.unit_id, Premise.status == "active")
        .order_by(Premise.id)
    ).all()
    # No other open fix in the demo's unit may come first.
    for premise in premises:
        if premise.last_result == "pending_fix":
            premise.last_result, premise.open_fix_deadline = "pass", None
    overdue, later = premises[0], premises[1]
    first = _fix_request(overdue, user, today_vn() - timedelta(days=2))
    _fix_request(later, user, today_vn() + timedelta(days=40))
    db.session.commit()

    context, page = field_app.phone()
    login(page, field_app.url)
    wait_for_service_worker(page)
    page.wait_for_selector("#follow-ups")
    rows = page.locator("#follow-ups .prow")
    assert rows.count() == 1
    deadline = (today_vn() - timedelta(days=2)).strftime("%d/%m/%Y")
    assert f"Quá hạn khắc phục {deadline}" in rows.first.inner_text()
    assert overdue.name in rows.first.inner_text()
    assert page.inner_text("#follow-ups-later") == "Còn 1 yêu cầu khắc phục chưa đến hạn."

    # Offline, after a reload: the list comes from the phone.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#follow-ups .prow")
    assert page.is_visible(".banner-offline")
    page.click("#follow-ups .prow")
    page.wait_for_selector("#follows-note")
    inspected = first.started_at.astimezone(UTC) + timedelta(hours=7)
    assert f"cuộc kiểm tra ngày {inspected:%d/%m/%Y}" in page.inner_text("#follows-note")
    page.click("#start")
    page.wait_for_selector(".items .item")
    visit = page.url.rsplit("#/i/", 1)[-1].split("/")[0]
    # While it is under way, the home screen leads back to the visit.
    page.goto(f"{field_app.url}/app#/")
    page.wait_for_selector("#follow-ups .prow:has-text('Đang kiểm tra lại')")
    page.click("#follow-ups .prow")
    page.wait_for_selector(".items .item")
    page.locator(".items > .item >> nth=0").locator(".ans-pass").click()
    page.goto(f"{field_app.url}/app#/i/{visit}/done")
    mark_rest_not_checked(page)
    page.click("label.choice:has-text('Đạt')")
    page.click("#complete")
    page.wait_for_selector("#premise-list")
    # Done on the phone: no longer to do, though not sent yet.
    assert page.locator("#follow-ups .prow").count() == 0

    context.set_offline(False)
    wait_synced(page)
    db.session.rollback()
    sent = db.session.scalars(select(Inspection).where(Inspection.uuid == visit)).one()
    assert (sent.follows_id, sent.status, sent.outcome) == (first.id, "completed", "pass")
    # The server agrees: only the later request is left.
    page.reload()
    page.wait_for_selector("#follow-ups-later")
    assert page.locator("#follow-ups .prow").count() == 0
    assert page.errors == []
