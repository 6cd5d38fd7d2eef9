"""The complaints register in Chromium, at the desk: receive a complaint from the premise page, assign it, open the
inspection theo phản ánh, complete it, resolve the complaint citing it, tell the complainant."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.models import Complaint, Premise
from tests.factories import mark_not_checked


def test_a_complaint_from_the_desk_to_its_resolution(field_app):
    premise = db.session.scalars(
        select(Premise).where(Premise.name.like("%"), Premise.market_id.is_not(None)).order_by(Premise.id)
    ).first()
    page = field_app.desk("lanhdao.ducpho")
    base = field_app.url

    page.goto(f"{base}/premises/{premise.id}")
    page.click("text=Ghi nhận phản ánh")
    page.select_option("#channel", "hotline")
    page.select_option("#subject", "scale")
    page.fill("#content", "Cân của sạp thiếu 1 lạng mỗi ký.")
    page.fill("#complainant_name", "Người Gọi Đường Dây Nóng")
    page.fill("#complainant_contact", "0905 000 111")
    page.click("text=Lưu phản ánh")
    page.wait_for_selector("text=Đã ghi nhận phản ánh.")
    assert page.get_attribute("[data-status]", "data-status") == "new"
    complaint_url = page.url

    page.select_option("#assignee_id", label="Trần Văn Bình — Cán bộ kiểm tra")
    page.fill("#deadline", (today_vn() + timedelta(days=7)).isoformat())
    page.click("text=Giao xử lý >> nth=-1")
    page.wait_for_selector("text=Đã giao xử lý phản ánh.")
    assert page.get_attribute("[data-status]", "data-status") == "assigned"

    page.click("text=Tạo cuộc kiểm tra theo phản ánh")
    page.wait_for_selector("#answers-complaint")
    assert "Theo phản ánh" in page.content()
    inspection_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    # The team completes the inspection (on the phone, through the API the phone uses).
    mark_not_checked(inspection_id)
    status = page.evaluate(
        """async (id) => {
            const token = document.querySelector('input[name=csrf_token]').value;
            const headers = {'Content-Type': 'application/json', 'X-CSRFToken': token};
            const current = await (await fetch(`/api/v1/inspections/${id}`)).json();
            const answer = await fetch(`/api/v1/inspections/${id}`, {method: 'PATCH', headers,
                body: JSON.stringify({version: current.version, status: 'completed', outcome: 'reminder'})});
            return answer.status;
        }""",
        inspection_id,
    )
    assert status == 200

    page.goto(complaint_url)
    assert page.get_attribute("[data-status]", "data-status") == "in_progress"
    page.select_option("#resolution", "inspection")
    page.select_option("#inspection_id", str(inspection_id))
    page.click("text=Ghi nhận giải quyết")
    page.wait_for_selector("text=Đã ghi nhận kết quả giải quyết phản ánh.")
    assert page.get_attribute("[data-status]", "data-status") == "resolved"
    assert page.get_attribute("[data-resolution]", "data-resolution") == "inspection"
    page.fill("#informed_note", "Gọi điện báo")
    page.click("button:has-text('Đã báo kết quả')")
    page.wait_for_selector("text=Đã ghi nhận việc báo kết quả cho người phản ánh.")
    assert "Đã báo ngày" in page.content()
    assert not page.errors
    db.session.expire_all()
    complaint = db.session.scalars(
        select(Complaint).where(Complaint.content.like("Cân của sạp thiếu%"))
    ).one()
    assert (complaint.status, complaint.resolution_inspection_id) == ("resolved", inspection_id)
