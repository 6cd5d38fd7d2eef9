"""The yearly report as the communes and the Sở use it: a request published to every commune, each commune's task,
the draft, sending (frozen figures and files, verifiable by token), what has changed since, the Sở's overview and
its totals, scoping, a concurrent send, bad input; on SQLite and PostgreSQL.

Sending renders the report's files with the real renderers; the ``rendered`` fixture records the documents they
were given, so a test can read what a file shows before it is bytes (the files themselves are read back too).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import threading
import uuid
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import func, select

from inspect_app.access import act_for
from inspect_app.domain.errors import Conflict, InvalidInput
from inspect_app.domain.vocabulary import REPORT_FORMATS
from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.inspections import service as inspections
from inspect_app.models import AuditEvent, Report, ReportFile, ReportRequest
from inspect_app.reports import service
from inspect_app.reports.appendix import appendix as report_appendix
from inspect_app.reports.figures import REPORT_CODES, REPORT_ROWS, report_table
from inspect_app.reports.frozen import thaw
from tests.factories import PASSWORD, make_completed_inspection, make_premise, make_user
from tests.test_supervision_dashboard import board  # noqa: F401 (the dashboard's world, a fixture)
from tests.report_helpers import (
    calendar_year,
    make_sent_report,
    publish,
    ready_draft,
    ready_to_send,
    recorded_documents,
    this_years_request,
)


@pytest.fixture
def rendered():
    with recorded_documents() as documents:
        yield documents


# ---- the flow -------------------------------------------------------------------------------------------------------


def _request_form(today: date, **values) -> dict:
    data = {
        "letter_number": "3078/SKHCN-TĐC",
        "letter_date": (today - timedelta(days=3)).isoformat(),
        "subject": "về việc đề nghị báo cáo kết quả thực hiện Kế hoạch số 40/KH-UBND",
        "plan": "Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh Quảng Ngãi",
        "preset": "calendar_year",
        "year": str(today.year),
        "quarter": "",
        "period_from": "",
        "period_to": "",
        "deadline": (today + timedelta(days=10)).isoformat(),
    }
    data.update(values)
    return data


def test_a_request_reaches_every_commune_as_a_task(client, login, world):
    today = today_vn()
    login(world.users["supervisor_province"])
    assert client.get("/reports/requests/new").status_code == 200
    response = client.post("/reports/requests/new", data=_request_form(today))
    assert response.status_code == 302, response.get_data(as_text=True)
    published = db.session.scalars(select(ReportRequest)).one()
    assert (published.period_from, published.period_to) == calendar_year(today)
    # "về việc" typed before the subject is left out: the report's sentence says it.
    assert published.subject.startswith("đề nghị báo cáo kết quả thực hiện Kế hoạch số 40/KH-UBND")
    assert published.province_id == world.p1.id and published.letter_number == "3078/SKHCN-TĐC"
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "publish")
    )
    listing = client.get("/reports").get_data(as_text=True)
    assert 'data-sent="0"' in listing and "0/2" in listing  # two communes in the province, none sent
    overview = client.get(f"/reports/requests/{published.id}").get_data(as_text=True)
    assert overview.count('data-task="not_started"') == 2
    # The commune sees it as a task with its deadline; the other province's commune does not see it at all.
    login(world.users["staff"])
    tasks = client.get("/reports").get_data(as_text=True)
    assert 'data-task="not_started"' in tasks and f"hạn gửi {published.deadline:%d/%m/%Y}" in tasks
    login(world.other_users["staff"])
    assert "3078/SKHCN-TĐC" not in client.get("/reports").get_data(as_text=True)
    assert client.get(f"/reports/requests/{published.id}").status_code == 404
    # Only a province's supervisors publish.
    for actor in ("staff", "supervisor_unit", "inspector"):
        login(world.users[actor])
        assert client.post("/reports/requests/new", data=_request_form(today)).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"preset": "custom", "period_from": "2026-06-01", "period_to": "2026-01-01"}, "period_to",
         "Ngày kết thúc của kỳ báo cáo không được trước ngày bắt đầu."),
        ({"preset": "custom", "period_from": "2023-01-01", "period_to": "2026-01-01"}, "period_to",
         "Kỳ báo cáo dài quá 2 năm"),
        ({"letter_date": "2026-06-01", "deadline": "2026-05-01"}, "deadline",
         "Hạn gửi báo cáo không được trước ngày của công văn."),
        ({"preset": "quarter", "quarter": ""}, "quarter", "Chọn quý"),
        ({"year": "hai nghìn"}, "year", "Cần ghi năm báo cáo"),
        ({"letter_date": "31/02/2026"}, "letter_date", "Ngày không hợp lệ"),
        ({"letter_number": ""}, "letter_number", "Cần ghi số công văn"),
    ],
)  # fmt: skip
def test_bad_request_input_is_explained_and_nothing_is_lost(client, login, world, changes, field, message):
    today = today_vn()
    login(world.users["supervisor_province"])
    data = _request_form(today, **changes)
    response = client.post("/reports/requests/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert message in html
    assert db.session.scalar(select(func.count()).select_from(ReportRequest)) == 0
    # What was typed is still there.
    assert 'value="3078/SKHCN-TĐC"' in html or not data["letter_number"]
    assert "Kế hoạch số 40/KH-UBND ngày 09/9/2025 của UBND tỉnh Quảng Ngãi" in html


def test_the_report_is_drafted_sent_frozen_and_shows_what_changed(client, login, world, rendered):
    today = today_vn()
    inspector, staff = world.users["inspector"], world.users["staff"]
    kept = make_completed_inspection(world.premise_a, inspector)
    make_completed_inspection(make_premise(world.unit_a), inspector)
    request = this_years_request(world.users["supervisor_province"])
    login(staff)
    started = client.post(f"/reports/requests/{request.id}/start")
    report = db.session.scalars(select(Report)).one()
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/reports/{report.id}/edit")
    assert client.post(f"/reports/requests/{request.id}/start").status_code == 302  # the same report again
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
    assert (report.status, report.period_from, report.letter_number) == (
        "draft",
        request.period_from,
        "3078/SKHCN-TĐC",
    )
    assert report.subject == f"Kết quả triển khai thực hiện {request.plan}"
    assert report.signer_title.startswith("TM. ỦY BAN NHÂN DÂN") and "Lưu: VT." in report.recipients
    assert "UBND phường đã tổ chức 2 cuộc kiểm tra" in report.section_text
    assert 'data-task="draft"' in client.get("/reports").get_data(as_text=True)

    # The draft's page: every figure a link to a list as long.
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    links = re.findall(r'<a class="figure" href="([^"]+)" data-figure="(\w+)" data-value="(\d+)"', page)
    assert {code for _href, code, _n in links} == set(REPORT_CODES)
    for href, code, n in links:
        if int(n):
            listed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
            assert f'data-total="{n}"' in listed, (code, href)
    assert dict((code, int(n)) for _h, code, n in links)["inspections"] == 2

    # Edit the draft; sending without a number is refused with the message on the field, and nothing changes.
    edit = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert "Kinh phí bố trí cho hoạt động" in edit  # the suggested typed-in rows
    form = {
        "version": str(report.version),
        "number": "",
        "issued_on": today.isoformat(),
        "subject": report.subject,
        "section_text": "Đoạn một có số liệu.\r\n\r\nĐoạn hai.",
        "signer_title": "TM. ỦY BAN NHÂN DÂN\r\nCHỦ TỊCH",
        "signer_name": "Nguyễn Văn Sinh",
        "recipients": "- Sở Khoa học và Công nghệ tỉnh Quảng Ngãi (báo cáo);\r\n- Lưu: VT.",
        "typed_rows-0-label": "Số lượt tập huấn",
        "typed_rows-0-value": "3",
        "typed_rows-1-label": "Kinh phí (đồng)",
        "typed_rows-1-value": "",
    }
    assert client.post(f"/reports/{report.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.section_text == "Đoạn một có số liệu.\n\nĐoạn hai."
    assert report.typed_rows == [{"label": "Số lượt tập huấn", "value": "3"}]
    refused = client.post(f"/reports/{report.id}/send")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Cần ghi số của báo cáo" in html
    assert 'value="Nguyễn Văn Sinh"' in html  # what was saved is still in the form
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "draft"
    form |= {"version": str(db.session.get(Report, report.id).version), "number": "15/BC-UBND"}
    assert client.post(f"/reports/{report.id}/edit", data=form).status_code == 302

    # Send: frozen figures, the files stored with their SHA-256, the QR's address in the PDF.
    before = report_table(staff, report.period_from, report.period_to, [world.unit_a.id])
    sent = client.post(f"/reports/{report.id}/send")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert (report.status, report.sent_on, report.sent_by_id) == ("sent", today, staff.id)
    frozen = thaw(report.figures)
    assert frozen.cells == before.cells and frozen.units == [(world.unit_a.id, world.unit_a.name)]
    files = {
        f.format: f for f in db.session.scalars(select(ReportFile).where(ReportFile.report_id == report.id))
    }
    assert set(files) == {"pdf", "docx", "xlsx", "csv", "acsv"}
    for fmt, stored in files.items():
        content = client.get(f"/reports/{report.id}/file.{fmt}").get_data()
        assert hashlib.sha256(content).hexdigest() == stored.sha256 and len(content) == stored.size, fmt
    url = service.verification_url(report)
    assert url.startswith("HTTP://TESTSERVER/V/")
    assert rendered[-1].verify_url == url and rendered[-1].number == "15/BC-UBND"
    assert rendered[-1].opening.startswith(
        "Thực hiện theo đề nghị của Sở Khoa học và Công nghệ tỉnh Quảng Ngãi Thử tại Công văn số 3078/SKHCN-TĐC"
    )
    # The appendix: for each figure that is not zero, as many records as the figure.
    nonzero = [(row.label, frozen.value(row.code, world.unit_a.id)) for row in REPORT_ROWS if row.code]
    appendix = rendered[-1].appendix
    assert [(section.label, section.value) for section in appendix] == [(lbl, n) for lbl, n in nonzero if n]
    assert all(len(section.records) == section.value and not section.truncated for section in appendix)
    # The appendix's CSV, as kept: a line per record under each figure, as many as the figure.
    head, *lines = csv.reader(
        io.StringIO(client.get(f"/reports/{report.id}/file.acsv").get_data().decode("utf-8-sig"))
    )
    assert head == ["STT", "Số liệu", "Giá trị", "Hồ sơ"]
    assert [(label, int(value), record) for _n, label, value, record in lines] == [
        (section.label, section.value, record) for section in appendix for record in section.records
    ]
    inspections_listed = next(
        section for section in appendix if section.label == "Số cuộc kiểm tra đã thực hiện"
    )
    assert any("Sạp cân Nguyễn Thị Hường (Chợ Đức Phổ Thử)" in line for line in inspections_listed.records)
    cut = report_appendix(staff, frozen, world.unit_a.id, limit=1)
    assert all(len(s.records) == 1 and s.truncated == s.value - 1 for s in cut)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'id="no-changes"' in page and "Sửa bản nháp" not in page
    assert client.post(f"/reports/{report.id}/send").status_code == 409
    assert client.post(f"/reports/{report.id}/edit", data=form).status_code == 409

    # A later correction of an inspection changes the live figures, not the sent report; the page lists it.
    inspections.update_inspection(kept, {"version": kept.version, "kind": "complaint"}, inspector)
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert thaw(report.figures).cells == before.cells
    live = report_table(staff, report.period_from, report.period_to, [world.unit_a.id])
    assert live.value("kind_complaint") == before.value("kind_complaint") + 1
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'data-changed="kind_planned"' in page and 'data-changed="kind_complaint"' in page
    assert 'id="no-changes"' not in page
    assert (
        hashlib.sha256(client.get(f"/reports/{report.id}/file.pdf").get_data()).hexdigest()
        == files["pdf"].sha256
    )
    assert 'data-task="sent"' in client.get("/reports").get_data(as_text=True)


def test_the_sos_overview_sums_the_sent_reports(client, login, world, rendered):
    inspector = world.users["inspector"]
    a2_staff = make_user("staff", world.unit_a2)
    a2_inspector = make_user("inspector", world.unit_a2)
    for _ in range(3):
        make_completed_inspection(make_premise(world.unit_a), inspector)
    make_completed_inspection(world.premise_a2, a2_inspector)
    request = this_years_request(world.users["supervisor_province"])
    report_a = make_sent_report(request, world.users["staff"])
    report_a2 = make_sent_report(request, a2_staff)
    # After both were sent, more records: the overview keeps the sent figures.
    make_completed_inspection(make_premise(world.unit_a2), a2_inspector)
    login(world.users["supervisor_province"])
    html = client.get(f"/reports/requests/{request.id}").get_data(as_text=True)
    assert (
        html.count('data-task="sent"') == 2 and '<span class="stat-value" data-count="sent">2</span>' in html
    )
    total = html[html.index('id="province-total"') :]
    sent = [thaw(r.figures) for r in (report_a, report_a2)]
    for code in REPORT_CODES:
        row = re.search(rf'data-row="{code}">.*?</tr>', total, re.S).group(0)
        values = [int(v) for v in re.findall(r'data-value="(\d+)"', row)]
        assert values[0] == sum(t.value(code) for t in sent), code
        assert sorted(values[1:]) == sorted(t.value(code) for t in sent), code
    # Three inspections in A and one in A2 when they were sent; the one made in A2 since is not in the sum.
    assert re.search(r'data-row="inspections">.*?data-value="4"', total, re.S)
    overview = service.overview(request, world.users["supervisor_province"])
    assert overview.sent.value("inspections") == 4
    assert overview.sent.value("inspections", world.unit_a.id) == 3
    # The table as a file: a column per commune that sent, and the total.
    summary = client.get(f"/reports/requests/{request.id}/summary.csv")
    assert summary.status_code == 200 and summary.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(summary.get_data().decode("utf-8-sig"))))
    inspections_row = next(row for row in rows if "inspections" in row)
    assert inspections_row[-3:] == ["3", "1", "4"], inspections_row
    assert client.get(f"/reports/requests/{request.id}/summary.pdf").status_code == 404
    # The commune's own user sees only its own commune's line.
    login(world.users["staff"])
    mine = client.get(f"/reports/requests/{request.id}").get_data(as_text=True)
    assert world.unit_a2.name not in mine and mine.count('data-unit="') == 1


def test_a_report_is_seen_and_sent_only_in_its_scope(client, login, world, rendered):
    request = this_years_request(world.users["supervisor_province"])
    report = ready_draft(request, world.users["staff"])
    for actor, status in (("inspector", 200), ("supervisor_province", 200), ("admin_province", 200)):
        login(world.users[actor])
        assert client.get(f"/reports/{report.id}").status_code == status
        assert client.get(f"/reports/{report.id}/file.csv").status_code != 404
        assert client.post(f"/reports/{report.id}/send").status_code == 403
        assert client.post(f"/reports/requests/{request.id}/start").status_code == 403
    login(world.other_users["supervisor_unit"])
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/file.pdf", f"/reports/{report.id}/edit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/reports/{report.id}/send").status_code == 404
    a2_staff = make_user("staff", world.unit_a2)
    login(a2_staff)
    assert client.get(f"/reports/{report.id}").status_code == 404
    assert (
        client.get(f"/reports/requests/{request.id}").status_code == 200
    )  # the province's request is A2's too
    login(world.users["supervisor_unit"])
    assert client.post(f"/reports/{report.id}/send").status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "sent"


def test_a_free_standing_report_takes_its_own_period_and_letter(client, login, world, rendered):
    today = today_vn()
    login(world.users["staff"])
    bad = client.post(
        "/reports/new",
        data={"preset": "custom", "period_from": "2026-01-01", "period_to": "2028-06-30", "plan": "KH 50"},
    )
    assert bad.status_code == 422 and "Kỳ báo cáo dài quá 2 năm" in bad.get_data(as_text=True)
    assert 'value="KH 50"' in bad.get_data(as_text=True)
    made = client.post(
        "/reports/new",
        data={"preset": "quarter", "year": str(today.year), "quarter": "1", "letter_number": "12/SKHCN",
              "letter_date": f"{today.year}-04-02", "deadline": f"{today.year}-04-01"},
    )  # fmt: skip
    assert made.status_code == 422 and "Hạn gửi báo cáo không được trước" in made.get_data(as_text=True)
    made = client.post(
        "/reports/new",
        data={"preset": "quarter", "year": str(today.year), "quarter": "1", "plan": ""},
    )
    assert made.status_code == 302
    report = db.session.scalars(select(Report)).one()
    assert (report.request_id, report.period_from, report.period_to) == (
        None, date(today.year, 1, 1), date(today.year, 3, 31)
    )  # fmt: skip
    assert report.subject.startswith(
        "Kết quả công tác kiểm tra về tiêu chuẩn, đo lường, chất lượng từ ngày 01/01/"
    )
    # Its period is edited with the draft; a reversed period is refused and the draft stays as it was.
    form = {"version": str(report.version), "preset": "custom", "period_from": f"{today.year}-05-01",
            "period_to": f"{today.year}-04-01", "number": "3/BC-UBND"}  # fmt: skip
    response = client.post(f"/reports/{report.id}/edit", data=form)
    assert response.status_code == 422 and "không được trước ngày bắt đầu" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Report, report.id).number == ""
    assert "Báo cáo khác" in client.get("/reports").get_data(as_text=True)
    ready_to_send(db.session.get(Report, report.id), world.users["staff"])
    assert client.post(f"/reports/{report.id}/send").status_code == 302
    assert rendered[-1].opening.startswith("UBND phường Đức Phổ Thử báo cáo kết quả công tác kiểm tra")


def test_an_edit_made_from_an_older_version_is_refused(app, world, rendered):
    today = today_vn()
    staff = world.users["staff"]
    request = this_years_request(world.users["supervisor_province"])
    report, _ = service.start_report(request, staff)
    old = report.version
    service.update_report(report, {"version": old, "number": "1/BC"}, staff)
    with pytest.raises(Conflict, match="sửa ở nơi khác"):
        service.update_report(report, {"version": old, "number": "2/BC"}, staff)
    ready_to_send(report, staff)
    service.send_report(report, staff)
    with pytest.raises(Conflict, match="đã được gửi"):
        service.update_report(report, {"version": report.version, "number": "3/BC"}, staff)
    with pytest.raises(Conflict, match="đã được gửi"):
        service.send_report(report, staff)
    with pytest.raises(InvalidInput):
        publish(world.users["supervisor_province"], period=(today, today - timedelta(days=1)), deadline=today)


def test_send_freezes_the_version_the_sender_saw_or_is_refused(client, login, world, rendered):
    staff, colleague = world.users["staff"], world.users["supervisor_unit"]
    request = this_years_request(world.users["supervisor_province"])
    report = ready_draft(request, staff)
    login(staff)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    seen = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'type="hidden" name="version" value="(\d+)"', page
    )
    assert seen, "the send form carries the version shown"
    # A colleague edits the text after the page was shown.
    service.update_report(report, {"version": report.version, "section_text": "Văn bản đã sửa."}, colleague)
    response = client.post(f"/reports/{report.id}/send", data={"version": seen.group(1)})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == "draft"
    assert db.session.scalar(select(func.count()).select_from(ReportFile)) == 0


@pytest.mark.parametrize("actors", [("staff", "supervisor_unit")])
def test_two_sends_at_once_give_one_sent_report(app, live_server, world, rendered, actors):
    """Two of the commune's people press "Gửi báo cáo" at the same moment: one sends it, the other is told it is
    already sent (409); one set of files, one audit event, never a 500."""
    make_completed_inspection(world.premise_a, world.users["inspector"])
    request = this_years_request(world.users["supervisor_province"])
    report = ready_draft(request, world.users["staff"])
    report_id = report.id
    sessions = []
    for actor in actors:
        http = requests.Session()
        http.post(
            f"{live_server.url}/login", data={"username": world.users[actor].username, "password": PASSWORD}
        )
        sessions.append(http)
    barrier = threading.Barrier(len(sessions))
    statuses = []

    def send(http):
        barrier.wait()
        response = http.post(f"{live_server.url}/reports/{report_id}/send", allow_redirects=False, timeout=60)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(http,)) for http in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302, 409], statuses
    db.session.expire_all()
    report = db.session.get(Report, report_id)
    assert report.status == "sent"
    files = db.session.scalars(select(ReportFile).where(ReportFile.report_id == report_id)).all()
    assert len(files) == len(REPORT_FORMATS) and all(f.sha256 in f.storage_key for f in files)
    sends = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "send")
    assert db.session.scalar(sends) == 1
    # Only the winner's files are in storage.
    assert list(storage_for(app).keys("reports/")) == sorted(f.storage_key for f in files)


def test_the_public_page_verifies_a_sent_report_by_token(client, login, world, rendered):
    report = make_sent_report(this_years_request(world.users["supervisor_province"]), world.users["staff"])
    login(world.users["staff"])
    pdf = client.get(f"/reports/{report.id}/file.pdf").get_data()
    docx = client.get(f"/reports/{report.id}/file.docx").get_data()
    client.post("/logout")
    url = service.verification_url(report).removeprefix("HTTP://TESTSERVER")
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Báo cáo thật, đã được gửi qua hệ thống" in html
    assert 'id="number">15/BC-UBND' in html and world.unit_a.name in html
    digests = {f.format: f.sha256 for f in report.files}
    assert digests["pdf"] in html and digests["docx"] in html

    def check(content: bytes, name: str):
        return client.post(
            url, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
        )

    assert "trùng khớp từng byte với báo cáo đã phát hành" in check(pdf, "bc.pdf").get_data(as_text=True)
    assert "Tệp Word (DOCX) này trùng khớp" in check(docx, "bc.docx").get_data(as_text=True)
    changed = pdf[:-20] + b"%" * 20
    assert "KHÁC với báo cáo đã phát hành" in check(changed, "bc.pdf").get_data(as_text=True)
    garbage = check(b"GIF89a", "anh.pdf")
    assert garbage.status_code == 422 and "không phải là tệp PDF hoặc Word" in garbage.get_data(as_text=True)
    token = url.removeprefix("/V/")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (flipped, "A" * 26 + token[26:], "rác", uuid.uuid4().hex):
        response = client.get(f"/V/{bad}")
        assert response.status_code == 404 and "Không xác minh được" in response.get_data(as_text=True)
    # A draft has no public page, even with a well-signed token for its id.
    from inspect_app.documents.verification import verification_token

    draft, _ = service.start_report(
        publish(world.users["supervisor_province"], period=calendar_year(today_vn()), deadline=today_vn()),
        world.users["staff"],
    )
    draft.public_id = "d" * 22
    db.session.commit()
    assert client.get(f"/v/{verification_token(draft.public_id)}").status_code == 404


def test_the_real_files_read_back_with_the_figures_and_the_qr(client, login, world, tmp_path):
    """Runs once the renderers are in the tree: the PDF (pypdf) and DOCX (python-docx) hold the figures, and the
    PDF's QR code opens the report's public page."""
    import docx
    from pypdf import PdfReader

    from tests.test_minutes import _qr_urls

    make_completed_inspection(world.premise_a, world.users["inspector"])
    report = make_sent_report(this_years_request(world.users["supervisor_province"]), world.users["staff"])
    login(world.users["staff"])
    pdf = client.get(f"/reports/{report.id}/file.pdf").get_data()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "15/BC-UBND" in text and "Số cuộc kiểm tra đã thực hiện" in text
    document = docx.Document(io.BytesIO(client.get(f"/reports/{report.id}/file.docx").get_data()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Số cuộc kiểm tra đã thực hiện" in cells
    assert service.verification_url(report) in _qr_urls(pdf, tmp_path)


def test_a_send_from_a_stale_read_loses_to_the_one_that_committed(app, world, rendered):
    """Two sessions read the draft; one sends and commits; the other's send, made from what it read, matches no
    row and is refused (Conflict, 409 in the view) without storing any file."""
    from inspect_app.models import User

    staff = world.users["staff"]
    make_completed_inspection(world.premise_a, world.users["inspector"])
    request = this_years_request(world.users["supervisor_province"])
    report = ready_draft(request, staff)
    stale = db.session.get(Report, report.id)
    assert stale.status == "draft"
    with app.app_context():  # another request: its own session
        act_for(staff)
        service.send_report(db.session.get(Report, report.id), db.session.get(User, staff.id))
        db.session.remove()
    assert stale.status == "draft"  # what this session read
    with pytest.raises(Conflict, match="đã được gửi"):
        service.send_report(stale, staff)
    files = db.session.scalars(select(ReportFile)).all()
    stored = list(storage_for(app).keys("reports/"))
    assert len(files) == len(stored) == len(REPORT_FORMATS)


def _counted(client, url: str) -> int:
    from tests.test_list_statement_counts import statements_for

    return len(statements_for(client, url))


@pytest.mark.parametrize("sent", [False, True], ids=["draft", "sent"])
def test_the_report_pages_statements_do_not_grow_with_records(client, login, world, rendered, sent):
    """The report's page (its figures with their links, and for a sent one what has changed), the request's overview
    and the list: as many statements with 30 inspections (or communes) as with 3."""
    from tests.bulk import add_listed_records

    staff, province = world.users["staff"], world.users["supervisor_province"]
    request = publish(province, period=(date(2026, 1, 1), date(2026, 12, 31)), deadline=date(2026, 12, 31))
    report, _ = service.start_report(request, staff)
    if sent:
        ready_to_send(report, staff)
        service.send_report(report, staff)
    add_listed_records(world.unit_a, world.users["inspector"], 3)
    add_listed_records(world.unit_a, world.users["inspector"], 3, new_units=True)
    cases = [(staff, f"/reports/{report.id}"), (staff, "/reports"), (province, f"/reports/requests/{request.id}"),
             (province, "/reports"), (province, f"/reports/{report.id}")]  # fmt: skip
    few = {}
    for user, url in cases:
        login(user)
        client.get(url)  # warm-up
        few[(user.id, url)] = _counted(client, url)
    add_listed_records(world.unit_a, world.users["inspector"], 27)
    add_listed_records(world.unit_a, world.users["inspector"], 27, new_units=True)
    for user, url in cases:
        login(user)
        assert _counted(client, url) == few[(user.id, url)], url
    login(staff)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    figure = re.search(r'data-row="inspections">.*?data-value="(\d+)"', page, re.S).group(1)
    assert int(figure) == (0 if sent else 30)


def test_the_appendix_lists_the_records_behind_every_figure(app, board):  # noqa: F811
    """Over the dashboard's world (every kind of record): each section of a commune's appendix has a line per record
    its figure counts, and every kind of record reads as a line."""
    from inspect_app.supervision.dashboard import FIGURES

    w = board
    table = report_table(w.users["supervisor_province"], *w.period, today=w.today)
    sections = report_appendix(w.users["supervisor_province"], table, w.unit_a.id)
    labels = {row.label: row.code for row in REPORT_ROWS if row.code}
    assert {FIGURES[labels[s.label]].kind for s in sections} >= {
        "inspections", "inspected_premises", "instruments", "findings", "readings", "lots", "used_standards",
    }  # fmt: skip
    for section in sections:
        assert section.value == table.value(labels[section.label], w.unit_a.id) > 0
        assert len(section.records) == section.value and section.truncated == 0, section.label
        assert all(line and "None" not in line for line in section.records), section.records


def test_odd_input_never_breaks_a_report(client, login, world, rendered):
    staff = world.users["staff"]
    login(staff)
    assert client.get("/reports/99999999999999999999").status_code == 404
    assert client.get("/reports/requests/99999999999999999999").status_code == 404
    request = this_years_request(world.users["supervisor_province"])
    report = ready_draft(request, staff)
    # Control characters pasted from Word or a broken file: dropped, so every file still renders.
    service.update_report(
        report,
        {
            "version": report.version,
            "section_text": "Dòng một\x0b\x01\x00.\n\nDòng hai.",
            "signer_name": "Nguyễn\x01 Văn Sinh",
            "typed_rows": [{"label": "Kinh phí\x0c", "value": "15.000.000\x00"}],
        },
        staff,
    )
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.section_text == "Dòng một.\n\nDòng hai." and report.signer_name == "Nguyễn Văn Sinh"
    assert report.typed_rows == [{"label": "Kinh phí", "value": "15.000.000"}]
    for fmt in ("docx", "pdf", "xlsx", "csv", "acsv"):
        assert client.get(f"/reports/{report.id}/file.{fmt}").status_code == 200, fmt


def test_a_communes_report_compares_its_approved_plan_with_the_results(app, world, rendered):
    """With the commune's approved plan for the year, the generated section ends with the plan beside the result;
    another commune (no plan) gets none."""
    from inspect_app.plans import service as plans
    from tests.plan_helpers import make_plan

    today = today_vn()
    staff, leader = world.users["staff"], world.users["supervisor_unit"]
    planned = make_premise(world.unit_a, name="Sạp trong kế hoạch")
    plan = make_plan(world.unit_a, staff, year=today.year)
    plan.number, plan.targets = "15/KH-UBND", {"kinds": {"planned": 4, "unannounced": 1}, "groups": {}}
    db.session.commit()
    plans.approve(plan, leader)
    make_completed_inspection(planned, world.users["inspector"])
    request = this_years_request(world.users["supervisor_province"])
    report, _ = service.start_report(request, staff)
    last = report.section_text.split("\n\n")[-1]
    annexed = len(plans.annex(plan, include_removed=False))
    assert last == (
        f"So với Kế hoạch kiểm tra năm {today.year} (số 15/KH-UBND): dự kiến 5 cuộc kiểm tra, đã thực hiện 1 cuộc "
        "(20% kế hoạch) (đã thực hiện/dự kiến: theo kế hoạch 1/4; đột xuất 0/1). "
        f"Trong {annexed} cơ sở thuộc danh sách kiểm tra của kế hoạch, 1 cơ sở đã được kiểm tra trong kỳ."
    )
    other, _ = service.start_report(request, world.other_users["staff"])
    assert "So với Kế hoạch" not in other.section_text
