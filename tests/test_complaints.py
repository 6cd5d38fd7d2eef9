"""The complaints register (phản ánh, kiến nghị): receiving, assigning, the inspection theo phản ánh, resolving,
telling the complainant; the contact kept private; the phone's list; the public stall page, its form and its QR
sticker."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Complaint, Inspection
from tests.factories import mark_not_checked
from tests.api_helpers import inspection_payload, token_for
from tests.documents.pdftools import decode_qr, page_png, page_texts

SECRET_PHONE = "0905 111 222"
SECRET_NAME = "Trần Thị Kín"


def _create(client, premise=None, **changes):
    data = {
        "received_on": today_vn().isoformat(),
        "channel": "hotline",
        "subject": "scale",
        "content": "Cân của sạp thiếu khoảng 100 g mỗi kg thịt.",
        "complainant_name": SECRET_NAME,
        "complainant_contact": SECRET_PHONE,
    }
    if premise is not None:
        data["premise_id"] = str(premise.id)
    data.update(changes)
    return client.post("/complaints/new", data=data)


def _only_complaint() -> Complaint:
    return db.session.scalars(select(Complaint)).one()


def test_the_register_flow_from_receipt_to_telling_the_complainant(client, login, world):
    inspector, staff = world.users["inspector"], world.users["staff"]
    login(staff)
    response = _create(client, world.premise_a)
    assert response.status_code == 302
    complaint = _only_complaint()
    assert (complaint.status, complaint.channel, complaint.unit_id) == ("new", "hotline", world.unit_a.id)
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert SECRET_PHONE in page and "Mới nhận" in page

    deadline = today_vn() + timedelta(days=10)
    response = client.post(
        f"/complaints/{complaint.id}/assign",
        data={"assignee_id": str(inspector.id), "deadline": deadline.isoformat()},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (complaint.status, complaint.assignee_id, complaint.deadline) == (
        "assigned",
        inspector.id,
        deadline,
    )

    # The phone: the inspector's open complaints, without the private contact.
    headers = token_for(client, inspector)
    listed = client.get("/api/v1/complaints/assigned", headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [complaint.id]
    assert SECRET_PHONE not in str(listed) and SECRET_NAME not in str(listed)

    # The phone creates the inspection theo phản ánh: the kind is forced, the link kept.
    payload = inspection_payload(world.premise_a, kind="planned", complaint_id=complaint.id)
    created = client.post("/api/v1/inspections", json=payload, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["kind"], body["complaint_id"]) == ("complaint", complaint.id)
    # Resolving by an inspection not yet completed is refused.
    login(staff)
    today = today_vn().isoformat()
    refused = client.post(
        f"/complaints/{complaint.id}/resolve",
        data={"resolution": "inspection", "inspection_id": str(body["id"]), "resolved_on": today},
    )
    assert refused.status_code == 422
    assert "Cuộc kiểm tra chưa hoàn thành." in refused.get_data(as_text=True)
    mark_not_checked(body["id"])
    done = client.patch(
        f"/api/v1/inspections/{body['id']}",
        json={"version": body["version"], "status": "completed", "outcome": "reminder"},
        headers=headers,
    )
    assert done.status_code == 200, done.get_json()
    db.session.expire_all()
    assert complaint.status == "in_progress"

    inspection_page = client.get(f"/inspections/{body['id']}").get_data(as_text=True)
    assert f"Phản ánh số {complaint.id}" in inspection_page and SECRET_PHONE in inspection_page

    resolved = client.post(
        f"/complaints/{complaint.id}/resolve",
        data={"resolution": "inspection", "inspection_id": str(body["id"]), "resolved_on": today},
    )
    assert resolved.status_code == 302
    informed = client.post(
        f"/complaints/{complaint.id}/inform", data={"informed_on": today, "informed_note": "Gọi điện"}
    )
    assert informed.status_code == 302
    db.session.expire_all()
    assert (complaint.status, complaint.resolution, complaint.resolution_inspection_id) == (
        "resolved",
        "inspection",
        body["id"],
    )
    assert complaint.informed_on == today_vn()
    assert client.get("/api/v1/complaints/assigned", headers=headers).get_json()["items"] == []
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "complaints").order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "assign", "edit", "resolve", "inform"]
    # A closed complaint takes no more changes.
    again = client.post(
        f"/complaints/{complaint.id}/assign",
        data={"assignee_id": str(inspector.id), "deadline": today},
    )
    assert again.status_code == 422
    assert "đã được giải quyết" in again.get_data(as_text=True)


def test_a_referral_or_an_answer_closes_a_complaint_and_bad_input_saves_nothing(client, login, world):
    login(world.users["supervisor_unit"])
    assert _create(client, address="Tổ 3, khu phố 2", subject="electricity_meter").status_code == 302
    complaint = _only_complaint()
    today = today_vn().isoformat()
    for data, message in (
        ({"resolution": "referral", "resolved_on": today}, "Cần chọn cơ quan được chuyển phản ánh."),
        ({"resolution": "answer", "resolved_on": today}, "Cần ghi nội dung văn bản trả lời."),
        ({"resolution": "answer", "note": "x", "resolved_on": "31/02/2026"}, "Ngày không hợp lệ"),
        ({"resolution": "zzz", "resolved_on": today}, "Lựa chọn không hợp lệ."),
    ):
        response = client.post(f"/complaints/{complaint.id}/resolve", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert complaint.status == "new"
    response = client.post(
        f"/complaints/{complaint.id}/resolve",
        data={"resolution": "referral", "referral_body": "power_utility", "resolved_on": today},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (complaint.status, complaint.referral_body) == ("referred", "power_utility")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": ""}, "Vui lòng nhập nội dung."),
        ({"content": "a\x00b"}, "Nội dung chứa ký tự không hợp lệ."),
        ({"content": "x" * 4001}, "Nội dung dài quá 4000 ký tự."),
        ({"channel": "public"}, "Lựa chọn không hợp lệ."),
        ({"received_on": "2040-01-01"}, "Ngày tiếp nhận không được sau hôm nay."),
        ({"received_on": "2999-01-01"}, "Ngày 01/01/2999 nằm ngoài khoảng hợp lý"),
        ({}, "Cần chọn cơ sở hoặc ghi địa chỉ"),
    ],
)
def test_a_wrong_complaint_is_refused_in_vietnamese(client, login, world, changes, message):
    login(world.users["staff"])
    response = _create(client, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_the_register_filters_and_the_overdue_flag(client, login, world):
    login(world.users["staff"])
    _create(client, world.premise_a)
    _create(client, address="Chợ đêm", channel="zalo", subject="price")
    late, other = db.session.scalars(select(Complaint).order_by(Complaint.id)).all()
    late.received_on = today_vn() - timedelta(days=20)
    late.deadline = today_vn() - timedelta(days=1)
    late.status, late.assignee_id = "assigned", world.users["inspector"].id
    db.session.commit()
    page = client.get("/complaints?overdue=1").get_data(as_text=True)
    assert f"Số {late.id} " in page and f"Số {other.id} " not in page and "Quá hạn" in page
    page = client.get("/complaints?channel=zalo").get_data(as_text=True)
    assert f"Số {other.id} " in page and f"Số {late.id} " not in page
    page = client.get("/complaints?status=assigned").get_data(as_text=True)
    assert f"Số {late.id} " in page and f"Số {other.id} " not in page
    assert client.get("/complaints?status=zzz&channel=<script>").status_code == 200
    assert 'data-overdue="1"' in client.get("/complaints").get_data(as_text=True)


def test_the_contact_stays_with_the_complaints_own_unit(client, login, world):
    login(world.users["staff"])
    _create(client, world.premise_a)
    complaint = _only_complaint()
    login(world.users["supervisor_province"])
    page = client.get(f"/complaints/{complaint.id}")
    assert page.status_code == 200
    assert SECRET_PHONE not in page.get_data(as_text=True) and SECRET_NAME not in page.get_data(as_text=True)
    for actor in ("inspector", "staff", "supervisor_unit"):
        login(world.other_users[actor])
        assert client.get(f"/complaints/{complaint.id}").status_code == 404
        listing = client.get("/complaints").get_data(as_text=True)
        assert SECRET_PHONE not in listing and world.premise_a.name not in listing
        assert client.post(f"/complaints/{complaint.id}/resolve", data={}).status_code in (403, 404)
    # Another unit's complaint cannot be answered by an inspection of this unit's premise.
    login(world.other_users["inspector"])
    headers = token_for(client, world.other_users["inspector"])
    response = client.post(
        "/api/v1/inspections",
        json=inspection_payload(world.premise_b, complaint_id=complaint.id),
        headers=headers,
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Inspection.id))) == 0


def test_an_inspection_must_be_of_the_complaints_premise(client, login, world):
    login(world.users["staff"])
    _create(client, world.premise_a)
    complaint = _only_complaint()
    other = __import__("tests.factories", fromlist=["make_premise"]).make_premise(world.unit_a)
    headers = token_for(client, world.users["inspector"])
    response = client.post(
        "/api/v1/inspections", json=inspection_payload(other, complaint_id=complaint.id), headers=headers
    )
    assert response.status_code == 422
    assert "Phản ánh không phải về cơ sở này." in str(response.get_json())


# ---- the public stall page ---------------------------------------------------------------------------------------


def _sticker(client, login, world):
    world.unit_a.public_stall_page = True
    db.session.commit()
    login(world.users["staff"])
    response = client.get(f"/premises/{world.premise_a.id}/sticker.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    client.post("/logout")
    db.session.expire_all()
    token_url = "http://testserver/s/"
    return response.get_data(), token_url


def test_no_sticker_while_the_unit_has_not_turned_the_page_on(client, login, world):
    login(world.users["staff"])
    response = client.get(f"/premises/{world.premise_a.id}/sticker.pdf", follow_redirects=True)
    assert "chưa bật trang công khai" in response.get_data(as_text=True)
    assert world.premise_a.public_id is None


def test_the_sticker_qr_opens_the_public_page(client, login, world, tmp_path):
    pdf, prefix = _sticker(client, login, world)
    text = page_texts(pdf)[0]
    assert "Sạp cân Nguyễn Thị Hường" in text and "Chợ Đức Phổ Thử, sạp A01" in text
    codes = set(decode_qr(page_png(pdf, 1, tmp_path)))
    assert len(codes) == 1
    (url,) = codes
    assert url.startswith(prefix) and re.fullmatch(
        r"http://testserver/s/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}", url
    )
    page = client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sạp cân Nguyễn Thị Hường" in html and "Chưa được kiểm tra" in html
    assert world.premise_a.owner_name not in html
    # A forged token, and the page once the unit turns it off, answer 404.
    assert client.get(url.removeprefix("http://testserver")[:-3] + "AAA").status_code == 404
    world.unit_a.public_stall_page = False
    db.session.commit()
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


def test_the_public_form_lands_in_the_register_and_refuses_floods(app, client, login, world, tmp_path):
    pdf, _ = _sticker(client, login, world)
    (url,) = set(decode_qr(page_png(pdf, 1, tmp_path)))
    path = url.removeprefix("http://testserver")
    for data, message in (
        ({"subject": "scale", "content": ""}, "Vui lòng nhập nội dung."),
        ({"subject": "", "content": "Cân thiếu"}, "Vui lòng chọn vấn đề cần phản ánh."),
        ({"subject": "scale", "content": "x\x00y"}, "Nội dung chứa ký tự không hợp lệ."),
        ({"subject": "scale", "content": "x" * 2001}, "Nội dung dài quá 2000 ký tự."),
        ({"subject": "scale", "content": "ok", "name": "a" * 500}, "Họ tên dài quá 120 ký tự."),
    ):
        response = client.post(path, data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Complaint.id))) == 0
    hostile = "<script>alert(1)</script> Cân thiếu 2 lạng"
    response = client.post(
        path, data={"subject": "scale", "content": hostile, "name": SECRET_NAME, "contact": SECRET_PHONE}
    )
    assert response.status_code == 302
    complaint = _only_complaint()
    assert (complaint.channel, complaint.premise_id, complaint.content) == (
        "public",
        world.premise_a.id,
        hostile,
    )
    assert complaint.source_hash and "127.0.0.1" not in complaint.source_hash
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phản ánh đã được chuyển" in shown
    assert SECRET_PHONE not in shown and SECRET_NAME not in shown and "<script>alert" not in shown
    # The desk sees it in the register, escaped; the contact only to the unit.
    login(world.users["staff"])
    page = client.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "Qua trang công khai" in page and SECRET_PHONE in page and "<script>alert" not in page
    client.post("/logout")
    limit = app.config["PUBLIC_REPORT_MAX_PER_ADDRESS"]
    for _ in range(limit - 1):
        assert client.post(path, data={"subject": "price", "content": "Giá cao"}).status_code == 302
    refused = client.post(path, data={"subject": "price", "content": "Giá cao"})
    assert refused.status_code == 429
    assert "Bạn đã gửi nhiều phản ánh" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Complaint.id))) == limit


def test_the_public_form_needs_its_csrf_token(app_config, world):
    from inspect_app import create_app

    world.unit_a.public_stall_page = True
    db.session.commit()
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        from inspect_app.access import act_as_system
        from inspect_app.stalls.service import stall_url

        act_as_system()  # the test's own setup
        from inspect_app.documents.tokens import new_public_id
        from inspect_app.models import Premise

        premise = db.session.get(Premise, world.premise_a.id)
        premise.public_id = new_public_id()
        db.session.commit()
        path = stall_url(premise).removeprefix("http://testserver")
        client = app.test_client()
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)
        response = client.post(path, data={"subject": "scale", "content": "Cân thiếu"})
        assert response.status_code in (400, 422)
        assert db.session.scalar(select(func.count(Complaint.id))) == 0
        db.session.remove()


def test_a_visit_made_offline_is_accepted_though_the_desk_closed_its_complaint(client, login, world):
    """The phone's create must not be refused for good: the visit happened; it is linked all the same."""
    from inspect_app.complaints import service
    from tests.factories import make_complaint

    staff, inspector = world.users["staff"], world.users["inspector"]
    complaint = make_complaint(world.premise_a, staff)
    service.resolve(complaint, resolution="answer", resolved_on=today_vn(), note="Đã trả lời", user=staff)
    headers = token_for(client, inspector)
    payload = inspection_payload(world.premise_a, kind="planned", complaint_id=complaint.id)
    created = client.post("/api/v1/inspections", json=payload, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert (created.get_json()["kind"], created.get_json()["complaint_id"]) == ("complaint", complaint.id)
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).status == "resolved"
    # The desk's own button still refuses a closed complaint.
    login(world.users["supervisor_unit"])
    refused = client.post(f"/complaints/{complaint.id}/inspection")
    assert refused.status_code == 422 and "đã được giải quyết" in refused.get_data(as_text=True)


def test_a_complaint_form_sent_twice_records_one_complaint(client, login, world):
    """The clerk presses "Ghi nhận" twice (or the browser resends the form): the form's own UUID, made when it was
    shown, stores one complaint, and both answers lead to it."""
    login(world.users["staff"])
    page = client.get(f"/complaints/new?premise_id={world.premise_a.id}").get_data(as_text=True)
    shown_uuid = re.search(r'name="uuid" type="hidden" value="([0-9a-f-]{36})"', page).group(1)
    first = _create(client, world.premise_a, uuid=shown_uuid)
    second = _create(client, world.premise_a, uuid=shown_uuid)
    complaint = _only_complaint()
    assert complaint.uuid == shown_uuid
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"/complaints/{complaint.id}"
    # A tampered UUID is not an error: the complaint gets a fresh one.
    assert _create(client, world.premise_a, uuid="not-a-uuid").status_code == 302
    assert db.session.scalar(select(func.count(Complaint.id))) == 2
