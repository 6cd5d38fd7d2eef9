"""Correcting a reopened inspection at the desk: a finding edited with a reason, a wrong reading voided, the
replacement biên bản printed from what is in force, and the inspection's history telling each change."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.models import AuditEvent, Finding, Inspection, InspectionTally, Minutes
from tests.factories import (
    make_control_reading,
    make_instrument,
    make_records,
    make_standard,
    mark_not_checked,
)
from tests.test_list_statement_counts import statements_for
from tests.test_minutes import issue, pdf_text

WRONG_NOTE = "Phép đo đối chứng: cân chỉ 2,35 kg cho quả cân chuẩn 2 kg"
REASON = "Kết luận dựa trên phép đo nhập nhầm, đã hủy"


@pytest.fixture
def issued(world):
    """An inspection with a wrongly typed control measurement (2,35 kg for a 2 kg weight), its checklist item failed
    because of it,
    completed and its biên bản issued by the ward's staff."""
    inspector = world.users["inspector"]
    inspection = make_records(world.premise_a, inspector)["inspection"]
    scale = make_instrument(world.premise_a, inspector)
    weight = make_standard(world.unit_a, inspector)
    reading = make_control_reading(inspection, scale, weight, inspector, indication="2.35")
    finding, _ = service.record_finding(
        inspection,
        {
            "uuid": str(uuid.uuid4()),
            "item_code": "PTD-05",
            "answer": "fail",
            "note": WRONG_NOTE,
            "affected_count": 1,
        },
        inspector,
    )
    mark_not_checked(inspection, inspector)
    inspection = service.update_inspection(
        inspection, {"version": inspection.version, "status": "completed", "outcome": "reminder"}, inspector
    )
    return {"inspection": inspection, "reading": reading, "finding": finding}


def reopen(client, login, world, inspection) -> Minutes:
    login(world.users["staff"])
    assert issue(client, inspection).status_code == 302
    minutes = db.session.scalars(select(Minutes)).one()
    response = client.post(f"/minutes/{minutes.id}/reopen", data={"reason": "Phép đo cân nhập nhầm số chỉ"})
    assert response.status_code == 302
    return minutes


def edit(client, finding, **values):
    data = {
        "version": str(finding.version),
        "answer": "pass",
        "note": "",
        "affected_count": "",
        "reason": REASON,
    }
    data.update(values)
    return client.post(f"/findings/{finding.id}/edit", data=data)


def edits_of(finding) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "findings",
                AuditEvent.record_id == finding.id,
                AuditEvent.action == "edit",
            )
        )
    )


def test_a_reopened_inspection_is_corrected_and_the_replacement_prints_the_correction(
    client, login, world, issued
):
    inspection, reading, finding = issued["inspection"], issued["reading"], issued["finding"]
    old = reopen(client, login, world, inspection)
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "Đang đính chính Biên bản số 01/BB-KT" in page
    assert f'href="/findings/{finding.id}/edit"' in page

    assert client.post(f"/readings/{reading.id}/void", data={"reason": "Nhập nhầm số chỉ"}).status_code == 302
    form = client.get(f"/findings/{finding.id}/edit").get_data(as_text=True)
    assert "Đang đính chính Biên bản số 01/BB-KT" in form and WRONG_NOTE in form
    done = edit(client, finding, note="Cân đúng sai số cho phép khi đo lại")
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/inspections/{inspection.id}#item-PTD-05"
    )
    db.session.expire_all()
    stored = db.session.get(Finding, finding.id)
    assert (stored.answer, stored.note, stored.affected_count) == (
        "pass",
        "Cân đúng sai số cho phép khi đo lại",
        None,
    )
    # What the dashboard and the yearly report add up follows: no failed control, no violated finding.
    tally = db.session.execute(
        select(InspectionTally.control_failed, InspectionTally.findings_violated).where(
            InspectionTally.inspection_id == inspection.id
        )
    ).one()
    assert tuple(tally) == (0, 0)
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert '<dd id="violation-count">0 nội dung không đạt</dd>' in page
    [event] = edits_of(finding)
    assert event.actor_id == world.users["staff"].id
    assert event.changes["answer"] == ["fail", "pass"] and event.changes["reason"] == [None, REASON]

    inspection = db.session.get(Inspection, inspection.id)
    assert issue(client, inspection).status_code == 302
    new = db.session.scalars(select(Minutes).where(Minutes.supersedes_id == old.id)).one()
    text = " ".join(pdf_text(client.get(f"/minutes/{new.id}/pdf").get_data()).split())
    assert "2,35" not in text and "+0,35" not in text and WRONG_NOTE not in text
    assert "Cân đúng sai số cho phép khi đo lại" in text
    assert "Không phát hiện vi phạm." in text

    history = client.get(f"/inspections/{inspection.id}/history").get_data(as_text=True)
    assert "Hủy kết quả đo" in history and "Nhập nhầm số chỉ" in history
    assert "số chỉ 2,35 kg" in history
    assert "Kết quả: Không đạt → Đạt" in history and f"Ghi chú: {WRONG_NOTE} → Cân đúng" in history
    assert "Số lượng không đạt: 1 → (trống)" in history and REASON in history
    assert "Mở lại để đính chính" in history and "Phép đo cân nhập nhầm số chỉ" in history
    assert history.count("Lập biên bản") == 2 and "Thay thế biên bản" in history
    assert world.users["staff"].full_name in history


def test_bad_corrections_are_explained_and_nothing_is_saved(client, login, world, issued):
    inspection, finding = issued["inspection"], issued["finding"]
    reopen(client, login, world, inspection)
    for values, message in (
        ({"reason": ""}, "Cần ghi lý do sửa kết quả."),
        ({"reason": "sai"}, "Lý do sửa quá ngắn: cần ít nhất 5 ký tự."),
        ({"answer": "maybe"}, "Cần chọn kết quả: Đạt, Không đạt, Không áp dụng, Không kiểm tra."),
        ({"answer": "skip", "note": ""}, "Nội dung đánh dấu “Không kiểm tra” cần ghi lý do không kiểm tra."),
        ({"answer": "fail", "affected_count": "hai"}, "Số lượng không đạt phải là số nguyên không âm"),
        ({"answer": "fail", "affected_count": "-1"}, "Số lượng không đạt phải là số nguyên không âm"),
        ({"note": "x" * 2001}, "Ghi chú dài quá 2000 ký tự."),
        ({"answer": "fail", "note": WRONG_NOTE, "affected_count": "1"}, "chưa có gì thay đổi để lưu"),
    ):
        response = edit(client, finding, **values)
        assert response.status_code == 422, values
        assert message in response.get_data(as_text=True), values
    # Made from an older version than the one stored now: refused, nothing overwritten.
    service.update_finding(
        finding, {"version": finding.version, "note": "Sửa trên điện thoại"}, world.users["inspector"]
    )
    stale = edit(client, finding, version="1")
    assert stale.status_code == 409 and "đã được sửa ở nơi khác" in stale.get_data(as_text=True)
    assert edits_of(finding)[-1].actor_id == world.users["inspector"].id
    assert db.session.get(Finding, finding.id).note == "Sửa trên điện thoại"


def test_a_form_sent_twice_corrects_once(client, login, world, issued):
    inspection, finding = issued["inspection"], issued["finding"]
    reopen(client, login, world, inspection)
    version = str(finding.version)
    assert edit(client, finding, version=version).status_code == 302
    assert edit(client, finding, version=version).status_code == 302
    assert len(edits_of(finding)) == 1


def test_an_issued_inspection_refuses_the_correction_and_says_how(client, login, world, issued):
    inspection, finding = issued["inspection"], issued["finding"]
    login(world.users["staff"])
    assert issue(client, inspection).status_code == 302
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f"/findings/{finding.id}/edit" not in page
    form = client.get(f"/findings/{finding.id}/edit").get_data(as_text=True)
    assert "Đính chính (lập biên bản thay thế)" in form and "Lưu kết quả đã sửa" not in form
    refused = edit(client, finding)
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).answer == "fail" and edits_of(finding) == []


def test_another_units_finding_is_not_found(client, login, world, issued):
    login(world.other_users["staff"])
    assert client.get(f"/findings/{issued['finding'].id}/edit").status_code == 404
    assert edit(client, issued["finding"]).status_code == 404
    assert client.get(f"/inspections/{issued['inspection'].id}/history").status_code == 404


def test_the_history_page_costs_the_same_statements_however_long_the_history(client, login, world, issued):
    inspection, finding = issued["inspection"], issued["finding"]
    reopen(client, login, world, inspection)
    url = f"/inspections/{inspection.id}/history"
    client.get(url)
    few = statements_for(client, url)
    for n in range(5):
        edit(client, db.session.get(Finding, finding.id), note=f"Ghi chú lần {n}")
        db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > 15
    assert len(statements_for(client, url)) == len(few)
