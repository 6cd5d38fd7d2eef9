"""Quyết định kiểm tra and the Điều 21 notices: drafts, the certificate warning, gap-free numbers per series and
year (also when issued at once), the PDFs read back, the QR verification, inspections under a decision and their
biên bản citing it, scoping."""

from __future__ import annotations

import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, UTC

import requests
from pypdf import PdfReader
from sqlalchemy import select

from inspect_app.access import act_for
from inspect_app.decisions.service import issue_decision
from inspect_app.domain.decision_rules import MemberLine
from inspect_app.extensions import db
from inspect_app.models import Decision, Minutes, MinutesCounter
from tests.api_helpers import token_for
from tests.documents.pdftools import page_png, require_tool
from tests.minutes_helpers import issue_through_form
from tests.factories import (
    PASSWORD,
    decision_draft,
    make_completed_inspection,
    make_decision,
    make_minutes,
    make_notice,
    make_premise,
    mark_not_checked,
)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def form_data(**values) -> dict:
    data = {
        "unit_id": "",
        "kind": "themed",
        "subject": "Kiểm tra chuyên đề đo lường tại chợ Đức Phổ",
        "legal_bases": "Luật Đo lường ngày 11 tháng 11 năm 2011\nThông tư số 28/2013/TT-BKHCN",
        "scope_groups": ["metrology", "price"],
        "scope_place": "chợ Đức Phổ",
        "period_from": "2026-11-01",
        "period_to": "2026-11-30",
        "signer_title": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn Ký",
        "recipients": "Như Điều 3;\nLưu: VT.",
        "members-0-name": "Trần Văn Trưởng",
        "members-0-position": "Phó Chủ tịch",
        "members-0-organisation": "UBND phường",
        "members-0-team_role": "lead",
        "members-1-name": "Lê Thị Kỹ Thuật",
        "members-1-organisation": "Phòng Kinh tế",
        "members-1-team_role": "member",
        "members-1-technical": "y",
        "members-1-certificate_number": "88/CC-TĐC",
        "members-1-certificate_date": "2023-03-01",
    }
    data.update(values)
    return data


def test_draft_preview_warning_issue_and_download(client, login, world, tmp_path):
    login(world.users["staff"])
    bad = client.post("/decisions/new", data=form_data(unit_id=str(world.unit_a.id), period_to="2026-10-01"))
    assert bad.status_code == 422 and "Ngày kết thúc không được trước ngày bắt đầu." in bad.get_data(
        as_text=True
    )
    assert db.session.scalars(select(Decision)).first() is None
    created = client.post("/decisions/new", data=form_data(unit_id=str(world.unit_a.id)))
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    decision = db.session.scalars(select(Decision)).one()
    assert decision.status == "draft" and len(decision.members) == 2
    preview = client.get(f"/decisions/{decision.id}/preview")
    assert "DỰ THẢO" in pdf_text(preview.get_data())
    # The leader has no certificate: a warning, and issuing needs a confirmation.
    page = client.get(f"/decisions/{decision.id}/issue").get_data(as_text=True)
    assert "Trưởng đoàn Trần Văn Trưởng chưa có số chứng chỉ" in page
    refused = client.post(f"/decisions/{decision.id}/issue", data={})
    assert refused.status_code == 422 and "Cần xác nhận" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).status == "draft"
    assert db.session.scalars(select(MinutesCounter)).first() is None
    issued = client.post(f"/decisions/{decision.id}/issue", data={"confirm": "y"})
    assert issued.status_code == 302
    db.session.expire_all()
    decision = db.session.get(Decision, decision.id)
    assert decision.number_text == "01/QĐ-UBND" and decision.status == "issued"
    content = client.get(f"/decisions/{decision.id}/pdf").get_data()
    text = pdf_text(content)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "QUYẾT ĐỊNH",
        "Số: 01/QĐ-UBND",
        "Căn cứ Luật Đo lường ngày 11 tháng 11 năm 2011;",
        "Thông tư số 28/2013/TT-BKHCN",
        "Điều 1.",
        "Trần Văn Trưởng",
        "Lê Thị Kỹ Thuật",
        "88/CC-TĐC",
        "Điều 3.",
        "Nơi nhận:",
        "Nguyễn Văn Ký",
    ):
        assert expected in text, expected
    assert "DỰ THẢO" not in text
    # The QR code opens the public page, which says the decision is genuine.
    zbarimg = require_tool("zbarimg")
    png = page_png(content, 1, tmp_path)
    decoded = subprocess.run(
        [zbarimg, "--raw", "-q", str(png)], check=True, capture_output=True, text=True, timeout=60
    )
    url = decoded.stdout.strip()
    assert url.startswith("HTTP://TESTSERVER/V/")
    client.post("/logout")
    public = client.get(url.replace("HTTP://TESTSERVER", ""))
    body = public.get_data(as_text=True)
    assert public.status_code == 200 and "Văn bản thật" in body and "01/QĐ-UBND" in body
    same = client.post(url.replace("HTTP://TESTSERVER", ""), data={"file": (io.BytesIO(content), "qd.pdf")})
    assert "trùng khớp" in same.get_data(as_text=True)


def test_issued_decision_cannot_be_edited_and_other_unit_gets_404(client, login, world):
    decision = make_decision(world.unit_a, world.users["staff"])
    login(world.users["staff"])
    response = client.post(f"/decisions/{decision.id}/edit", data=form_data())
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).subject == "Kiểm tra nhà nước về đo lường tại chợ Đức Phổ"
    login(world.other_users["staff"])
    for url in (
        f"/decisions/{decision.id}",
        f"/decisions/{decision.id}/pdf",
        f"/decisions/{decision.id}/preview",
    ):
        assert client.get(url).status_code == 404
    assert "Kiểm tra nhà nước về đo lường tại chợ Đức Phổ" not in client.get("/decisions").get_data(
        as_text=True
    )


def test_series_are_separate_and_restart_each_year(app, world):
    user = world.users["staff"]
    minutes = make_minutes(make_premise(world.unit_a), world.users["inspector"], user)
    d1 = make_decision(world.unit_a, user, today=date(2026, 12, 31))
    d2 = make_decision(world.unit_a, user, today=date(2026, 12, 31))
    d3 = make_decision(world.unit_a, user, today=date(2027, 1, 2))
    other = make_decision(world.unit_b, world.other_users["staff"], today=date(2026, 12, 31))
    notice = make_notice(minutes, user)
    assert minutes.label == "01/BB-KT"
    assert [d.number_text for d in (d1, d2, d3, other)] == [
        "01/QĐ-UBND",
        "02/QĐ-UBND",
        "01/QĐ-UBND",
        "01/QĐ-UBND",
    ]
    assert notice.number_text == "01/TB-UBND"
    second = make_minutes(make_premise(world.unit_a), world.users["inspector"], user)
    assert second.label == "02/BB-KT"


def test_warning_for_technical_member_without_certificate(app, world):
    draft = decision_draft(
        members=(
            MemberLine("A", team_role="lead", certificate_number="1/CC"),
            MemberLine("B", team_role="member", technical=True),
        )
    )
    from inspect_app.decisions.service import CertificatesMissing, create_draft

    decision, _ = create_draft(world.unit_a, draft, world.users["staff"])
    try:
        issue_decision(decision, world.users["staff"])
    except CertificatesMissing as exc:
        assert exc.warnings == [
            "Thành viên kỹ thuật B chưa có số chứng chỉ bồi dưỡng nghiệp vụ kiểm tra nhà nước về đo lường "
            "(TT 28/2013/TT-BKHCN Điều 5 khoản 7)."
        ]
    else:
        raise AssertionError("issued without confirmation")


def test_decision_numbers_have_no_gap_when_issued_at_once(live_server, world, app):
    user = world.users["staff"]
    ids = [make_decision(world.unit_a, user, issue=False).id for _ in range(6)]
    username = user.username

    def issue_remote(decision_id: int) -> int:
        session = requests.Session()
        session.post(
            f"{live_server.url}/login", data={"username": username, "password": PASSWORD}, timeout=30
        )
        response = session.post(
            f"{live_server.url}/decisions/{decision_id}/issue", data={}, allow_redirects=False, timeout=60
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(issue_remote, ids))
    assert statuses == [302] * 6
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Decision.number))) == list(range(1, 7))


def test_inspection_under_a_decision_and_its_minutes_cite_it(client, login, world):
    decision = make_decision(world.unit_a, world.users["staff"], today=date(2026, 1, 5))
    other = make_decision(world.unit_b, world.other_users["staff"])
    draft = make_decision(world.unit_a, world.users["staff"], issue=False)
    headers = token_for(client, world.users["inspector"])

    def create(decision_id, started=datetime(2026, 3, 2, 2, 0, tzinfo=UTC)):
        import uuid

        return client.post(
            "/api/v1/inspections",
            json={
                "uuid": str(uuid.uuid4()),
                "premise_id": world.premise_a.id,
                "kind": "planned",
                "team": [],
                "decision_id": decision_id,
                "started_at": started.isoformat(),
            },
            headers=headers,
        )

    for wrong in (other.id, draft.id):
        response = create(wrong)
        assert response.status_code == 422, response.get_json()
    # Before the decision's period (from 01/01/2026); a start after it would lie in the future, refused as such.
    early = create(decision.id, datetime(2025, 12, 30, 2, 0, tzinfo=UTC))
    assert early.status_code == 422 and "chỉ áp dụng" in str(early.get_json())
    created = create(decision.id)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["decision_id"] == decision.id
    assert created.get_json()["decision_number"] == "01/QĐ-UBND"
    # Complete it and issue its biên bản: the legal basis cites the decision.
    from inspect_app.inspections import service
    from inspect_app.models import Inspection

    inspection = db.session.get(Inspection, created.get_json()["id"])
    mark_not_checked(inspection, world.users["inspector"])
    service.update_inspection(
        inspection,
        {"version": inspection.version, "status": "completed", "outcome": "reminder"},
        world.users["inspector"],
    )
    login(world.users["staff"])
    response = issue_through_form(client, inspection, {"representative_name": "Chủ cơ sở", "copies": "2"})
    assert response.status_code == 302
    minutes = db.session.scalars(select(Minutes)).one()
    text = " ".join(pdf_text(client.get(f"/minutes/{minutes.id}/pdf").get_data()).split())
    assert "Căn cứ Quyết định kiểm tra số 01/QĐ-UBND ngày 05/01/2026" in text


def test_desk_form_links_a_decision(client, login, world):
    decision = make_decision(world.unit_a, world.users["staff"], today=date(2026, 1, 5))
    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "Số 01/QĐ-UBND" in page
    day = inspection.started_at.date()
    if not decision.period_from <= day <= decision.period_to:
        return  # the factory's inspection is dated today; the decision covers 2026 only
    response = client.post(f"/inspections/{inspection.id}/decision", data={"decision_id": str(decision.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(inspection), inspection.id).decision_id == decision.id


def test_notices_from_a_minutes(client, login, world):
    minutes = make_minutes(make_premise(world.unit_a), world.users["inspector"], world.users["staff"])
    login(world.users["staff"])
    page = client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    assert "Lập thông báo tạm dừng" in page
    bad = client.post(
        f"/minutes/{minutes.id}/notices/new",
        data={
            "kind": "stop",
            "subject": "cân đồng hồ lò xo 30 kg",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Ngô Ký",
        },
    )
    assert bad.status_code == 422 and "Cần ghi thời hạn khắc phục." in bad.get_data(as_text=True)
    ok = client.post(
        f"/minutes/{minutes.id}/notices/new",
        data={
            "kind": "stop",
            "subject": "cân đồng hồ lò xo 30 kg",
            "fix_deadline": "2030-01-10",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Ngô Ký",
        },
    )
    assert ok.status_code == 302
    resume = client.post(
        f"/minutes/{minutes.id}/notices/new",
        data={
            "kind": "resume",
            "subject": "cân đồng hồ lò xo 30 kg",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Ngô Ký",
        },
    )
    assert resume.status_code == 302
    page = client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    ids = re.findall(r"/notices/(\d+)/pdf", page)
    assert len(ids) == 2
    stop = pdf_text(client.get(f"/notices/{ids[0]}/pdf").get_data())
    assert "THÔNG BÁO" in stop and "Số: 01/TB-UBND" in stop and "tạm dừng" in stop and "10/01/2030" in stop
    assert f"Biên bản kiểm tra số {minutes.label}" in " ".join(stop.split())
    again = pdf_text(client.get(f"/notices/{ids[1]}/pdf").get_data())
    assert "Số: 02/TB-UBND" in again and "được tiếp tục" in again
    login(world.other_users["staff"])
    assert client.get(f"/notices/{ids[0]}/pdf").status_code == 404
    assert client.get(f"/minutes/{minutes.id}/notices/new").status_code == 404


def test_a_second_issue_of_the_same_draft_takes_no_number_and_a_resubmitted_notice_is_the_same(app, world):
    from inspect_app.decisions.service import DecisionError, create_draft

    user = world.users["staff"]
    draft, _ = create_draft(world.unit_a, decision_draft(), user)
    stale = db.session.get(Decision, draft.id)
    with app.app_context():  # another request, its own session, issues it first
        act_for(user)
        issue_decision(db.session.get(Decision, draft.id), user, confirmed=True, today=date(2026, 6, 1))
        db.session.remove()
    assert stale.status == "draft"  # what this request read
    try:
        issue_decision(stale, user, confirmed=True, today=date(2026, 6, 1))
    except DecisionError as refused:
        assert "đã được ban hành" in str(refused)
    else:
        raise AssertionError("issued twice")
    db.session.expire_all()
    assert db.session.get(Decision, draft.id).number_text == "01/QĐ-UBND"
    # No number was lost: the next decision is 02.
    assert make_decision(world.unit_a, user, today=date(2026, 6, 1)).number_text == "02/QĐ-UBND"

    minutes = make_minutes(make_premise(world.unit_a), world.users["inspector"], user)
    first = make_notice(minutes, user)
    again = make_notice(minutes, user)
    assert again.id == first.id and first.number_text == "01/TB-UBND"
    counter = db.session.scalars(
        select(MinutesCounter).where(MinutesCounter.unit_id == world.unit_a.id, MinutesCounter.series == "notice")
    ).one()
    assert counter.last_number == 1
