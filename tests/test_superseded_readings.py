"""Readings judged with the superseded TT 09/2017 Bảng 2 guess: kept as judged, flagged by migration 0007, shown with
what the corrected rule gives, re-judged only on request and never on an issued biên bản."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from markupsafe import escape
from sqlalchemy import select, update

from inspect_app import measurements
from inspect_app.extensions import db
from inspect_app.minutes.service import IssueRequest, MinutesError, issue_minutes
from inspect_app.models import AuditEvent, Inspection, Minutes
from inspect_app.models.metrology import Reading
from tests.api_helpers import token_for
from tests.factories import make_completed_inspection, make_control_reading, make_instrument, make_standard

# Every test takes the database back to 0006 and up again, as the tables' owner.
pytestmark = pytest.mark.database_owner

# How the superseded engine judged a 1 kg sell check at 1,03 kg: "Bảng 2" = Bảng 1's d column, 20 g for 400 g – 1 kg.
OLD_TABLES = [{"id": "tt09_2017_permitted_shortfall", "version": "2026.1", "provisional": True}]
OLD_RULE = (
    "Phép đo đối chứng, TT 09/2017/TT-BKHCN Điều 5 (bán hàng: số chỉ của cân − khối lượng quả cân đối chứng) "
    "không vượt lượng thiếu cho phép 20 g cho lượng hàng > 400 g – 1 kg (Bảng 2, giá trị tạm thời)"
)
OLD_VERDICT = {
    "permitted_error": Decimal("0.02"),
    "outcome": "fail",
    "conclusion": "Không phù hợp yêu cầu quy định",
    "rule": OLD_RULE,
    "tables": OLD_TABLES,
    "provisional": True,
}


def _judged_the_old_way(reading_ids: list[int]) -> None:
    """Store the readings as the superseded engine answered, then take the database back to 0006 and up again."""
    db.session.execute(
        update(Reading.__table__).where(Reading.__table__.c.id.in_(reading_ids)).values(**OLD_VERDICT)
    )
    db.session.commit()  # the session keeps no transaction (nor lock) open while the schema changes
    downgrade(revision="0006")
    upgrade()
    db.session.expire_all()


def _setting(world):
    inspector = world.users["inspector"]
    # A 15 kg spring scale with d = e = 50 g (in Bảng 2: at 1 kg, 1 d = 50 g) and a 1 kg weight.
    scale = make_instrument(world.premise_a, inspector)
    weight = make_standard(world.unit_a, inspector, nominal=Decimal("1"))
    open_one = make_completed_inspection(world.premise_a, inspector)
    issued = make_completed_inspection(world.premise_a, inspector)
    readings = [
        make_control_reading(open_one, scale, weight, inspector),
        make_control_reading(issued, scale, weight, inspector),
    ]
    fresh = make_control_reading(open_one, scale, weight, inspector, indication="1.06")
    ids = [reading.id for reading in readings]
    open_id, issued_id, fresh_id = open_one.id, issued.id, fresh.id
    # The second inspection's biên bản was issued before the law's table came in.
    issue_minutes(issued, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), world.users["staff"])
    _judged_the_old_way(ids)
    return open_id, issued_id, ids, fresh_id


def test_old_readings_keep_their_numbers_and_are_flagged(client, login, world):
    open_id, _, ids, fresh_id = _setting(world)
    stored = db.session.get(Reading, ids[0])
    assert stored.superseded_table == "tt09_2017_permitted_shortfall 2026.1"
    assert (stored.error, stored.permitted_error, stored.outcome) == (
        Decimal("0.03"),
        Decimal("0.02"),
        "fail",
    )
    assert stored.rule == OLD_RULE and stored.tables == OLD_TABLES
    # A reading judged by the law's Bảng 2 is not flagged.
    fresh = db.session.get(Reading, fresh_id)
    assert fresh.superseded_table is None and fresh.permitted_error == Decimal("0.05")

    login(world.users["staff"])
    page = client.get(f"/inspections/{open_id}").get_data(as_text=True)
    assert page.count('<span class="badge badge-warn">đã chấm theo bảng cũ</span>') == 1  # the old one only
    assert "1 kết quả đo đã chấm theo bảng cũ" in page
    assert str(escape(OLD_RULE)) in page  # the stored rule, as judged
    assert 'Theo quy tắc đã đính chính: <strong class="answer-pass">Đạt</strong>' in page
    assert "lượng thiếu cho phép 0,05 kg" in page
    assert "Bảng 2, cân đồng hồ lò xo 15 kg, d = 50 g; 1 kg ≤ m ≤ 2,5 kg: 1 d = 50 g" in page
    assert "Chấm lại theo bảng mới" not in page  # staff may not re-judge

    headers = token_for(client, world.users["inspector"])
    items = client.get(f"/api/v1/inspections/{open_id}/readings", headers=headers).get_json()["items"]
    old = next(item for item in items if item["id"] == ids[0])
    assert (old["permitted_error"], old["outcome"], old["rule"]) == ("0.02", "fail", OLD_RULE)
    assert old["superseded_table"] == "tt09_2017_permitted_shortfall 2026.1"
    assert old["superseded_label"] == "đã chấm theo bảng cũ"
    assert old["corrected"]["outcome"] == "pass" and old["corrected"]["outcome_label"] == "Đạt"
    assert (old["corrected"]["error"], old["corrected"]["permitted_error"]) == ("0.03", "0.05")
    assert old["corrected"]["table_id"] == "tt09_2017_spring_shortfall"
    new = next(item for item in items if item["id"] == fresh_id)
    assert new["superseded_table"] is None and new["superseded_label"] is None and new["corrected"] is None


def test_a_supervisor_rejudges_in_one_action_with_a_history_entry(client, login, world):
    open_id, _, ids, _ = _setting(world)
    inspector_headers = token_for(client, world.users["inspector"])
    refused = client.post(f"/api/v1/inspections/{open_id}/readings/rejudge", headers=inspector_headers)
    assert refused.status_code == 403
    login(world.users["inspector"])
    assert client.post(f"/inspections/{open_id}/readings/rejudge").status_code == 403

    login(world.users["supervisor_unit"])
    page = client.get(f"/inspections/{open_id}").get_data(as_text=True)
    assert "Chấm lại theo bảng mới" in page
    response = client.post(f"/inspections/{open_id}/readings/rejudge", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã chấm lại 1 kết quả đo theo bảng mới" in page
    assert "đã chấm theo bảng cũ" not in page

    db.session.expire_all()
    reading = db.session.get(Reading, ids[0])
    assert (reading.error, reading.permitted_error, reading.outcome) == (
        Decimal("0.03"),
        Decimal("0.05"),
        "pass",
    )
    assert reading.superseded_table is None
    assert [ref["id"] for ref in reading.tables] == ["tt09_2017_spring_shortfall"]
    assert "Bảng 2, cân đồng hồ lò xo 15 kg, d = 50 g" in reading.rule
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rejudge")).all()
    on_reading = next(e for e in events if e.record_type == "readings")
    assert on_reading.record_id == reading.id
    assert on_reading.changes["outcome"] == ["fail", "pass"]
    assert on_reading.changes["permitted_error"] == ["0.02", "0.05"]
    assert on_reading.changes["superseded_table"] == ["tt09_2017_permitted_shortfall 2026.1", None]
    on_inspection = next(e for e in events if e.record_type == "inspections")
    assert on_inspection.record_id == open_id and on_inspection.changes["readings"] == [None, [reading.uuid]]

    # Nothing left to re-judge: a clear answer, no new event.
    again = client.post(
        f"/api/v1/inspections/{open_id}/readings/rejudge",
        headers=token_for(client, world.users["supervisor_unit"]),
    )
    assert again.status_code == 422
    assert "Không có kết quả đo nào chấm theo bảng cũ" in str(again.get_json())
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rejudge")).all()) == 2


def test_the_api_rejudges_too(client, world):
    open_id, _, ids, _ = _setting(world)
    headers = token_for(client, world.users["supervisor_unit"])
    response = client.post(f"/api/v1/inspections/{open_id}/readings/rejudge", headers=headers)
    assert response.status_code == 200, response.get_json()
    item = next(item for item in response.get_json()["items"] if item["id"] == ids[0])
    assert (item["permitted_error"], item["outcome"], item["superseded_table"]) == ("0.05", "pass", None)


def test_an_issued_biên_bản_is_never_changed(client, login, world):
    _, issued_id, ids, _ = _setting(world)
    minutes = db.session.scalars(select(Minutes).where(Minutes.inspection_id == issued_id)).one()
    minutes_id, sha256 = minutes.id, minutes.pdf_sha256
    login(world.users["supervisor_unit"])
    before = client.get(f"/minutes/{minutes_id}/pdf").get_data()
    assert hashlib.sha256(before).hexdigest() == sha256

    page = client.get(f"/inspections/{issued_id}").get_data(as_text=True)
    assert "đã chấm theo bảng cũ" in page and "Chấm lại theo bảng mới" not in page
    response = client.post(f"/inspections/{issued_id}/readings/rejudge", follow_redirects=True)
    assert "không chấm lại kết quả đo" in response.get_data(as_text=True)
    assert "Mở lại để đính chính" in response.get_data(as_text=True)
    api = client.post(
        f"/api/v1/inspections/{issued_id}/readings/rejudge",
        headers=token_for(client, world.users["supervisor_unit"]),
    )
    assert api.status_code == 409 and "mở lại cuộc kiểm tra để đính chính" in api.get_json()["error"]

    db.session.expire_all()
    reading = db.session.get(Reading, ids[1])
    assert (reading.permitted_error, reading.outcome, reading.rule) == (Decimal("0.02"), "fail", OLD_RULE)
    assert reading.superseded_table == "tt09_2017_permitted_shortfall 2026.1"
    assert db.session.get(Minutes, minutes_id).pdf_sha256 == sha256
    after = client.get(f"/minutes/{minutes_id}/pdf").get_data()
    assert hashlib.sha256(after).hexdigest() == sha256
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rejudge")).all()


def test_no_new_biên_bản_is_issued_on_verdicts_of_the_old_table(client, login, world):
    """A biên bản issued now must not print a verdict the law no longer gives: re-judge (or void) first."""
    open_id, _, ids, _ = _setting(world)
    inspection = db.session.get(Inspection, open_id)
    with pytest.raises(MinutesError, match="Còn 1 kết quả đo chấm theo bảng cũ"):
        issue_minutes(inspection, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), world.users["staff"])
    assert db.session.scalars(select(Minutes).where(Minutes.inspection_id == open_id)).all() == []
    measurements.rejudge_superseded(inspection, world.users["supervisor_unit"])
    minutes = issue_minutes(inspection, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), world.users["staff"])
    assert minutes.number >= 1 and db.session.get(Reading, ids[0]).outcome == "pass"


OLD_WARNING = "Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: tt09_2017_permitted_shortfall 2026.1"


def test_old_warnings_and_the_old_table_are_shown_by_name_never_by_id(client, login, world):
    """Readings judged before tables had names carry "<id> <version>" in their warnings: the desk page and the
    phone's API show the table's name instead."""
    open_id, _, ids, _ = _setting(world)
    db.session.execute(
        update(Reading.__table__).where(Reading.__table__.c.id == ids[0]).values(warnings=[OLD_WARNING])
    )
    db.session.commit()
    old_name = "Bảng 2 cũ tạm tính trước đây (đã thay thế), Điều 5 Thông tư 09/2017/TT-BKHCN"

    login(world.users["staff"])
    page = client.get(f"/inspections/{open_id}").get_data(as_text=True)
    assert "tt09_2017" not in page
    assert str(escape(f"chưa đối chiếu văn bản chính thức: {old_name}")) in page
    assert str(escape(f"({old_name})")) in page  # what "đã chấm theo bảng cũ" refers to

    headers = token_for(client, world.users["inspector"])
    items = client.get(f"/api/v1/inspections/{open_id}/readings", headers=headers).get_json()["items"]
    old = next(item for item in items if item["id"] == ids[0])
    assert old["warnings"] == [
        f"Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: {old_name}"
    ]
