"""Voiding a reading or a pre-packaged lot before the biên bản (kept, shown struck through, counted nowhere), and
readings and lots typed in at the desk through the same services as the phone's."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inspect_app import measurements
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.minutes.content import minutes_sections
from inspect_app.minutes.service import IssueRequest, issue_minutes
from inspect_app.models import AuditEvent, PrepackagedLot, Reading
from tests.api_helpers import token_for
from tests.factories import make_instrument, make_reading_and_lot, make_records, make_standard, make_user
from tests.factories import mark_not_checked

REASON = "Nhập nhầm số chỉ 2,20 thay vì 2,02"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def setting(world):
    """An inspection at premise A with a 15 kg scale, a 2 kg weight, a passing weighing and a lot."""
    inspector = world.users["inspector"]
    inspection = make_records(world.premise_a, inspector)["inspection"]
    scale = make_instrument(world.premise_a, inspector)
    weight = make_standard(world.unit_a, inspector)
    recorded = make_reading_and_lot(inspection, scale, weight, inspector)
    return {"inspection": inspection, "scale": scale, "weight": weight, **recorded}


def weigh(setting, user, indication: str) -> Reading:
    reading, _ = measurements.record_reading(
        setting["inspection"],
        {
            "uuid": str(uuid.uuid4()),
            "instrument_id": setting["scale"].id,
            "kind": "weighing",
            "standard_ids": [setting["weight"].id],
            "indication": Decimal(indication),
        },
        user,
    )
    return reading


def void_events(record_type: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == record_type, AuditEvent.action == "void")
            .order_by(AuditEvent.id)
        )
    )


def test_a_voided_reading_is_kept_shown_and_counted_nowhere(client, login, world, setting):
    inspector = world.users["inspector"]
    wrong = weigh(setting, inspector, "2.20")
    inspection = setting["inspection"]
    assert wrong.outcome == "fail"
    assert measurements.automatic_findings(inspection)["PTD-06"].answer == "fail"
    auth = token_for(client, inspector)
    url = f"/api/v1/readings/{wrong.id}/void"

    for body, message in (
        ({}, "Trường này là bắt buộc."),
        ({"reason": "  "}, "Cần ghi lý do hủy kết quả."),
        ({"reason": "sai"}, "Lý do hủy quá ngắn: cần ít nhất 5 ký tự."),
    ):
        response = client.post(url, json=body, headers=auth)
        assert response.status_code == 422 and response.get_json()["fields"]["reason"] == [message], body
    assert void_events("readings") == [] and db.session.get(Reading, wrong.id).voided_at is None

    first = client.post(url, json={"reason": REASON}, headers=auth)
    assert first.status_code == 200, first.get_json()
    answer = first.get_json()
    assert answer["voided"] is True and answer["void_reason"] == REASON
    assert answer["voided_by_id"] == inspector.id and answer["outcome"] == "fail"
    # Twice: the same answer, and one entry in the history.
    again = client.post(url, json={"reason": "Một lý do khác nữa"}, headers=auth)
    assert again.status_code == 200 and again.get_json() == answer
    (event,) = void_events("readings")
    assert event.record_id == wrong.id and event.actor_id == inspector.id
    assert event.changes["void_reason"] == [None, REASON]

    # Kept in the database and in the API list, flagged.
    assert count(Reading) == 2
    listed = client.get(f"/api/v1/inspections/{inspection.id}/readings", headers=auth).get_json()["items"]
    assert [item["voided"] for item in listed] == [False, True]
    # Counted nowhere: the suggestions and the biên bản see only the passing weighing.
    db.session.expire_all()
    suggestion = measurements.automatic_findings(inspection)["PTD-06"]
    assert suggestion.answer == "pass" and suggestion.reason.startswith("1/1 đạt")
    readings, _lots, standards = minutes_sections(inspection)
    assert [r.indication for r in readings] == [Decimal("2.00")] and len(standards) == 1
    # The inspection page shows it struck through, with who and why.
    login(world.users["staff"])
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f"Đã hủy: {REASON} — {inspector.full_name}" in page
    assert page.count('<tr class="voided">') == 1
    assert '<td class="struck">2,20 kg</td>' in page and "<s>Không đạt</s>" in page


def test_a_lot_is_voided_at_the_desk_and_leaves_the_biên_bản(client, login, world, setting):
    inspection, lot = setting["inspection"], setting["lot"]
    assert "CL-03" in measurements.automatic_findings(inspection)
    login(world.users["staff"])
    url = f"/lots/{lot.id}/void"
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f'action="{url}"' in page and 'name="csrf_token"' in page

    refused = client.post(url, data={"reason": ""})
    assert refused.status_code == 422
    assert "Cần ghi lý do hủy kết quả." in refused.get_data(as_text=True)
    assert db.session.get(PrepackagedLot, lot.id).voided_at is None

    done = client.post(url, data={"reason": "Cân nhầm lô hàng của sạp bên cạnh"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/inspections/{inspection.id}")
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "Đã hủy lô hàng đóng gói sẵn." in page
    assert "Đã hủy: Cân nhầm lô hàng của sạp bên cạnh" in page and f'action="{url}"' not in page
    db.session.expire_all()
    assert measurements.lots_of(inspection) == [] and minutes_sections(inspection)[1] == ()
    assert "CL-03" not in measurements.automatic_findings(inspection)
    assert client.post(url, data={"reason": "Lần nữa cho chắc"}).status_code == 302
    assert len(void_events("prepackaged_lots")) == 1


def test_who_may_void(client, login, world, setting):
    reading = setting["reading"]
    url = f"/api/v1/readings/{reading.id}/void"
    body = {"reason": "Ghi trùng phép đo"}
    # Another inspector of the unit did not record it; an inspector of another unit does not see it.
    colleague = make_user("inspector", world.unit_a)
    response = client.post(url, json=body, headers=token_for(client, colleague))
    assert response.status_code == 403 and "Chỉ người đã ghi kết quả" in response.get_json()["error"]
    outsider = client.post(url, json=body, headers=token_for(client, world.other_users["staff"]))
    assert outsider.status_code == 404
    login(world.other_users["supervisor_unit"])
    assert client.post(f"/readings/{reading.id}/void", data=body).status_code == 404
    assert db.session.get(Reading, reading.id).voided_at is None and void_events("readings") == []
    # The unit's supervisor may.
    supervisor = world.users["supervisor_unit"]
    response = client.post(url, json=body, headers=token_for(client, supervisor))
    assert response.status_code == 200 and response.get_json()["voided_by_id"] == supervisor.id


def test_after_the_biên_bản_voiding_is_refused_and_points_to_the_correction(client, login, world, setting):
    inspector, inspection, reading = world.users["inspector"], setting["inspection"], setting["reading"]
    mark_not_checked(inspection, inspector)
    inspection = service.update_inspection(
        inspection,
        {"version": inspection.version, "status": "completed", "outcome": "pass"},
        inspector,
    )
    issue_minutes(
        inspection, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), world.users["staff"], date(2026, 11, 21)
    )
    response = client.post(
        f"/api/v1/readings/{reading.id}/void",
        json={"reason": "Nhập nhầm"},
        headers=token_for(client, inspector),
    )
    assert response.status_code == 409 and response.get_json()["locked"] is True
    assert "Đính chính (lập biên bản thay thế)" in response.get_json()["error"]
    login(world.users["staff"])
    page = client.post(f"/lots/{setting['lot'].id}/void", data={"reason": "Nhập nhầm lô"})
    assert page.status_code == 409 and "lập biên bản thay thế" in page.get_data(as_text=True)
    assert client.get(f"/inspections/{inspection.id}/readings/new").status_code == 409
    assert void_events("readings") == void_events("prepackaged_lots") == []


# ---- desk entry ---------------------------------------------------------------------------------------------------


def reading_form(setting, **values) -> dict:
    data = {
        "instrument_id": str(setting["scale"].id),
        "kind": "weighing",
        "direction": "",
        "standard_ids": [str(setting["weight"].id)],
        "reference": "",
        "indication": "2,20",
        "unit": "",
        "note": "Chép từ sổ tay",
    }
    data.update(values)
    return data


def test_staff_type_a_reading_at_the_desk_and_see_its_verdict(client, login, world, setting):
    login(world.users["staff"])
    inspection = setting["inspection"]
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f'href="/inspections/{inspection.id}/readings/new"' in page
    form = client.get(f"/inspections/{inspection.id}/readings/new").get_data(as_text=True)
    assert "Cân đồng hồ lò xo 15 kg" in form and "Quả cân chuẩn 2 kg M1" in form
    response = client.post(f"/inspections/{inspection.id}/readings/new", data=reading_form(setting))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    stored = db.session.scalars(select(Reading).order_by(Reading.id.desc())).first()
    assert (stored.indication, stored.outcome, stored.created_by_id) == (
        Decimal("2.20"),
        "fail",
        world.users["staff"].id,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi phép đo Cân đồng hồ lò xo 15 kg" in page and "Không đạt" in page
    assert '<td class="">2,20 kg</td>' in page and "+0,2 kg" in page
    # A control measurement with its direction, decimal comma in the reference.
    control = reading_form(setting, kind="control", direction="sell", reference="2", indication="1,98")
    assert client.post(f"/inspections/{inspection.id}/readings/new", data=control).status_code == 302
    assert count(Reading) == 3


def test_bad_desk_readings_are_shown_back_in_vietnamese_and_nothing_is_stored(client, login, world, setting):
    login(world.users["staff"])
    small = make_instrument(
        world.premise_a, world.users["inspector"], max_capacity=Decimal("1"), e=Decimal("0.01")
    )
    url = f"/inspections/{setting['inspection'].id}/readings/new"
    cases = [
        ({"indication": "hai ký"}, "Số chỉ phải là số (ví dụ 5,15 hoặc 5.15)."),
        ({"indication": ""}, "Số chỉ: cần nhập giá trị."),
        ({"standard_ids": []}, "Cần chọn ít nhất một chuẩn đo lường đã dùng."),
        ({"instrument_id": str(small.id)}, "lớn hơn mức cân lớn nhất Max = 1 kg của cân."),
        ({"kind": "control"}, "Phép đo đối chứng cần chọn chiều: bán hàng hoặc mua hàng."),
        ({"kind": "dispenser"}, "Phép đo dung tích chỉ áp dụng cho cột đo xăng dầu."),
        ({"reference": "3"}, "khác tổng khối lượng các quả cân đã chọn"),
    ]
    for changes, message in cases:
        response = client.post(url, data=reading_form(setting, **changes))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert message in page and "Chưa có gì được lưu" in page, (changes, page[:3000])
    assert count(Reading) == 1


def test_a_lot_is_typed_in_at_the_desk(client, login, world, setting):
    login(world.users["staff"])
    url = f"/inspections/{setting['inspection'].id}/lots/new"
    form = {"product": "Gạo túi 5 kg", "nominal": "5", "unit": "kg", "measured": "4,98\n5,01; 4,97\n5"}
    bad = client.post(url, data={**form, "measured": "4,98 năm"})
    assert bad.status_code == 422 and "Đơn vị mẫu thứ 2 phải là số" in bad.get_data(as_text=True)
    assert count(PrepackagedLot) == 1
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    lot = db.session.scalars(select(PrepackagedLot).order_by(PrepackagedLot.id.desc())).first()
    assert lot.measured == ["4.98", "5.01", "4.97", "5"] and lot.sample_size == 4
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi lô Gạo túi 5 kg" in page and "Gạo túi 5 kg" in page


def test_a_voided_failure_is_not_a_violation(setting, world):
    """The one definition of a violation leaves voided results out, in SQL as in Python."""
    from inspect_app.inspections.queries import violation_summary

    inspection = setting["inspection"]
    inspection.province_in_team = True  # the instrument's own error is concluded only with the Sở in the team
    db.session.commit()
    failing = weigh(setting, world.users["inspector"], "2.2")
    assert failing.outcome == "fail" and not failing.indicative
    assert failing.counts_as_violation and violation_summary(inspection).readings == 1
    measurements.void_record(failing, REASON, world.users["inspector"])
    assert not failing.counts_as_violation
    assert violation_summary(inspection).readings == 0
    assert (
        db.session.scalar(select(func.count()).select_from(Reading).where(Reading.counts_as_violation)) == 0
    )


def test_a_reading_typed_in_later_is_judged_on_the_day_of_the_visit(client, login, world):
    """Standards valid on the day of the visit but overdue by the day the clerk types the reading in: still valid."""
    from datetime import timedelta

    from inspect_app.domain.time import today_vn, utcnow

    inspector = world.users["inspector"]
    inspection = make_records(world.premise_a, inspector)["inspection"]
    inspection.started_at = utcnow() - timedelta(days=10)
    db.session.commit()
    scale = make_instrument(world.premise_a, inspector)
    weight = make_standard(
        world.unit_a,
        inspector,
        due_on=today_vn() - timedelta(days=5),
        calibrated_on=today_vn() - timedelta(days=300),
    )
    login(world.users["staff"])
    data = reading_form({"scale": scale, "weight": weight}, indication="2")
    assert client.post(f"/inspections/{inspection.id}/readings/new", data=data).status_code == 302
    reading = db.session.scalars(select(Reading).order_by(Reading.id.desc())).first()
    assert reading.standards[0]["status"] == "valid" and reading.outcome != "inconclusive"
    assert reading.measured_at == inspection.started_at
