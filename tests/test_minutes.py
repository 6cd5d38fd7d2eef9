"""Biên bản kiểm tra: issuing, gapless numbering under concurrency, locking, correction, revocation, printing,
and the public QR verification page — read back from real PDFs."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from pypdf import PdfReader
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Inspection, Minutes
from tests.api_helpers import jpeg_bytes, token_for
from inspect_app.inspections import service
from tests.factories import PASSWORD, make_completed_inspection, make_premise, make_records, mark_not_checked
from tests.minutes_helpers import issue_through_form, preview_then_issue, with_recorder


def completed_inspection(world, premise=None, user=None) -> Inspection:
    return make_completed_inspection(premise or world.premise_a, user or world.users["inspector"])


def issue(client, inspection, **fields):
    data = {
        "representative_name": "Nguyễn Thị Hường",
        "representative_position": "Chủ hộ kinh doanh",
        "representative_id_number": "051180001234",
        "representative_statement": "Tôi đồng ý với kết quả kiểm tra.",
        "copies": "2",
    }
    data.update(fields)
    return issue_through_form(client, inspection, data)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_issue_stores_the_pdf_and_every_download_is_the_same_bytes(client, login, world):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    response = issue(client, inspection)
    assert response.status_code == 302
    minutes = db.session.scalars(select(Minutes)).one()
    assert (minutes.number, minutes.status) == (1, "valid")
    first = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    second = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    import hashlib

    assert first == second and hashlib.sha256(first).hexdigest() == minutes.pdf_sha256
    text = pdf_text(first)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN KIỂM TRA",
        "Số: 01/BB-KT",
        "Sạp cân Nguyễn Thị Hường",
        "PHƯỜNG ĐỨC PHỔ THỬ",
        "Bánh quy quá hạn sử dụng",
        "05/12/2026",
        "Tôi đồng ý với kết quả kiểm tra.",
        "051180001234",
    ):
        assert expected in text, expected
    db.session.refresh(inspection)
    assert inspection.status == "minutes_issued"


def test_an_issued_record_refuses_every_change(client, login, world):
    inspection = completed_inspection(world)
    finding = inspection.findings[0]
    login(world.users["staff"])
    issue(client, inspection)
    headers = token_for(client, world.users["inspector"])
    attempts = [
        client.patch(
            f"/api/v1/inspections/{inspection.id}",
            json={"version": inspection.version + 1, "handling_note": "sửa"},
            headers=headers,
        ),
        client.patch(
            f"/api/v1/inspections/{inspection.uuid}", json={"version": 99, "status": "draft"}, headers=headers
        ),
        client.post(
            f"/api/v1/inspections/{inspection.id}/findings",
            json={"uuid": str(uuid.uuid4()), "item_code": "GIA-02", "answer": "pass"},
            headers=headers,
        ),
        client.patch(
            f"/api/v1/findings/{finding.uuid}",
            json={"version": finding.version, "answer": "na"},
            headers=headers,
        ),
        client.post(
            f"/api/v1/inspections/{inspection.id}/photos",
            data={"uuid": str(uuid.uuid4()), "file": (io.BytesIO(jpeg_bytes()), "a.jpg")},
            headers=headers,
            content_type="multipart/form-data",
        ),
    ]
    for response in attempts:
        assert response.status_code == 409, response.get_json()
        assert "không thể sửa" in response.get_json()["error"]
    # Sent again (Back, a second tab): the biên bản already issued, never a second one.
    again = issue(client, inspection)
    current = db.session.scalars(select(Minutes)).one()
    assert again.status_code == 302 and again.location.endswith(f"/minutes/{current.id}")
    assert "đã có Biên bản số" in client.get(again.location).get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Inspection, inspection.id)
    checked = [f for f in stored.findings if f.answer != "skip"]
    assert stored.handling_note == "" and len(checked) == 2 and len(stored.photos) == 1
    assert db.session.scalars(select(Minutes)).all().__len__() == 1


def test_only_completed_inspections_get_minutes_and_bad_input_is_explained(client, login, world):
    draft = make_records(world.premise_a, world.users["inspector"])["inspection"]
    login(world.users["staff"])
    response = issue(client, draft)
    assert response.status_code == 422
    assert "Chỉ lập biên bản cho cuộc kiểm tra đã hoàn thành." in response.get_data(as_text=True)
    inspection = completed_inspection(world, make_premise(world.unit_a))
    for fields, message in [
        ({"representative_name": ""}, "Họ tên người đại diện không được để trống."),
        ({"copies": "0"}, "Số bản phải từ 1 đến 10."),
        ({"copies": "hai"}, "Phải là một số nguyên."),
        ({"business_signature": "data:image/png;base64,AAAA"}, "Chữ ký không hợp lệ"),
    ]:
        response = issue(client, inspection, **fields)
        assert response.status_code == 422 and message in response.get_data(as_text=True), fields
    assert db.session.scalars(select(Minutes)).first() is None


def _qr_urls(content: bytes, tmp_path) -> list[str]:
    from tests.conftest import missing

    if not shutil.which("pdftoppm") or not shutil.which("zbarimg"):
        missing("pdftoppm and zbarimg")
    path = tmp_path / "bb.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    urls = []
    for page in sorted(tmp_path.glob("page*.png")):
        # zbarimg exits 4 when a page has no code; the test then sees an empty string.
        out = subprocess.run(
            ["zbarimg", "-q", "--raw", str(page)], check=False, capture_output=True, text=True
        )
        urls.append(out.stdout.strip())
    return urls


def test_the_qr_code_on_every_page_opens_the_verification_page(client, login, world, tmp_path, app):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection, include_photos="y")
    minutes = db.session.scalars(select(Minutes)).one()
    content = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    urls = _qr_urls(content, tmp_path)
    assert len(urls) >= 2 and len(set(urls)) == 1
    url = urls[0]
    assert url.startswith("HTTP://TESTSERVER/V/")
    client.post("/logout")
    page = client.get(url.removeprefix("HTTP://TESTSERVER"))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Biên bản thật, đang có hiệu lực" in body and "Số</dt><dd>01/BB-KT" in body
    assert minutes.pdf_sha256 in body and "Sạp cân Nguyễn Thị Hường" in body


def test_verification_page_compares_an_uploaded_pdf(client, login, world):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection)
    minutes = db.session.scalars(select(Minutes)).one()
    original = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    copy = client.post(f"/minutes/{minutes.id}/print").get_data()
    assert copy == original  # the first print is the issued document itself
    reprint = client.post(f"/minutes/{minutes.id}/print").get_data()
    assert "BẢN SAO" in pdf_text(reprint) and "BẢN SAO" not in pdf_text(original)
    from inspect_app.minutes.service import verification_token

    url = f"/v/{verification_token(minutes)}"
    client.post("/logout")

    def check(content: bytes, name: str = "bb.pdf"):
        return client.post(
            url, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
        )

    assert "trùng khớp từng byte" in check(original).get_data(as_text=True)
    assert "KHÁC với biên bản đã phát hành" in check(reprint).get_data(as_text=True)
    tampered = (
        original.replace(b"Nguy", b"Ngux", 1) if b"Nguy" in original else original[:-10] + b"0000000000"
    )
    assert "KHÁC với biên bản đã phát hành" in check(tampered).get_data(as_text=True)
    response = check(b"GIF89a not a pdf", "anh.pdf")
    assert response.status_code == 422 and "không phải là tệp PDF" in response.get_data(as_text=True)


def test_tampered_and_random_tokens_are_refused(client, world, login):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection)
    minutes = db.session.scalars(select(Minutes)).one()
    from inspect_app.minutes.service import verification_token

    token = verification_token(minutes)
    client.post("/logout")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_id = "x" * len(token.split(".")[0]) + "." + token.split(".")[1]
    for bad in (flipped, other_id, "random-garbage", uuid.uuid4().hex):
        response = client.get(f"/v/{bad}")
        assert response.status_code == 404
        assert "Không xác minh được biên bản" in response.get_data(as_text=True)


def test_correction_supersedes_and_keeps_both(client, login, world):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection)
    old = db.session.scalars(select(Minutes)).one()
    old_pdf = client.get(f"/minutes/{old.id}/pdf").get_data()
    short = client.post(f"/minutes/{old.id}/reopen", data={"reason": ""}, follow_redirects=True)
    assert "Lý do không được để trống." in short.get_data(as_text=True)
    client.post(f"/minutes/{old.id}/reopen", data={"reason": "Ghi sai số sạp của cơ sở"})
    headers = token_for(client, world.users["inspector"])
    db.session.expire_all()
    current = db.session.get(Inspection, inspection.id)
    assert current.status == "completed"
    edited = client.patch(
        f"/api/v1/inspections/{current.id}",
        json={"version": current.version, "handling_note": "Sửa lại số sạp A01"},
        headers=headers,
    )
    assert edited.status_code == 200
    assert issue(client, current).status_code == 302
    db.session.expire_all()
    old, new = db.session.scalars(select(Minutes).order_by(Minutes.id)).all()
    assert (old.status, new.status, new.number, new.supersedes_id) == ("superseded", "valid", 2, old.id)
    assert old.change_reason == "Ghi sai số sạp của cơ sở" and old.changed_by_id == world.users["staff"].id
    assert client.get(f"/minutes/{old.id}/pdf").get_data() == old_pdf
    assert "thay thế Biên bản số 01/BB-KT" in pdf_text(client.get(f"/minutes/{new.id}/pdf").get_data())
    from inspect_app.minutes.service import verification_token

    page = client.get(f"/v/{verification_token(old)}").get_data(as_text=True)
    assert "ĐÃ ĐƯỢC THAY THẾ" in page and "Biên bản số 02/BB-KT" in page


def test_revoked_minutes_say_so(client, login, world):
    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection)
    minutes = db.session.scalars(select(Minutes)).one()
    assert client.post(f"/minutes/{minutes.id}/revoke", data={"reason": "Lập nhầm cơ sở"}).status_code == 403
    login(world.users["supervisor_unit"])
    client.post(f"/minutes/{minutes.id}/revoke", data={"reason": "Lập nhầm cơ sở"})
    from inspect_app.minutes.service import verification_token

    page = client.get(f"/v/{verification_token(minutes)}").get_data(as_text=True)
    assert "Biên bản ĐÃ BỊ HỦY" in page


def test_a_days_batch_prints_as_one_pdf(client, login, world):
    first = completed_inspection(world)
    second = completed_inspection(world, make_premise(world.unit_a, name="Tạp hóa Minh Châu"))
    login(world.users["staff"])
    issue(client, first)
    issue(client, second)
    day = db.session.scalars(select(Minutes.issued_on)).first()
    listing = client.get(f"/minutes?day={day.isoformat()}").get_data(as_text=True)
    assert "Số 01/BB-KT" in listing and "Số 02/BB-KT" in listing
    text = pdf_text(print_day_in_background(client, day))
    assert "Số: 01/BB-KT" in text and "Số: 02/BB-KT" in text and "Tạp hóa Minh Châu" in text
    assert "BẢN SAO" not in text
    again = pdf_text(print_day_in_background(client, day))
    assert "BẢN SAO" in again


def print_day_in_background(client, day) -> bytes:
    """"In tất cả biên bản trong ngày": a job on the Tác vụ page, run by the worker, its PDF downloaded there."""
    from flask import current_app

    from inspect_app.jobs.worker import Worker

    queued = client.post("/minutes/print-day", data={"day": day.isoformat()})
    assert queued.status_code == 302 and "/jobs" in queued.headers["Location"]
    Worker(current_app._get_current_object(), poll_seconds=0).run(once=True)
    latest = client.get("/jobs/status.json").get_json()["jobs"][0]
    assert latest["status"] == "done", latest
    downloaded = client.get(latest["download_url"])
    assert downloaded.mimetype == "application/pdf"
    return downloaded.get_data()


def test_numbers_have_no_gap_and_no_duplicate_when_issued_at_once(live_server, world, app):
    """Eight clerks press "Lập biên bản" at the same moment, for eight inspections of the same unit."""
    inspections = [completed_inspection(world, make_premise(world.unit_a)) for _ in range(8)]
    username = world.users["staff"].username
    ids = [i.id for i in inspections]
    forms = {i.id: with_recorder(i, {"representative_name": "Chủ cơ sở", "copies": "2"}) for i in inspections}

    def issue_remote(inspection_id: int) -> int:
        session = requests.Session()
        session.post(
            f"{live_server.url}/login", data={"username": username, "password": PASSWORD}, timeout=30
        )
        def post(url, form):
            response = session.post(f"{live_server.url}{url}", data=form, allow_redirects=False, timeout=60)
            return response.status_code, response.text, response

        return preview_then_issue(post, inspection_id, forms[inspection_id]).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(issue_remote, ids))
    assert statuses == [302] * 8
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Minutes.number)))
    assert numbers == list(range(1, 9))


def test_numbers_restart_each_year_and_per_unit(app, world):
    from datetime import date

    from inspect_app.minutes.service import IssueRequest, issue_minutes

    request = IssueRequest("Chủ cơ sở", "Chủ hộ")
    a1 = issue_minutes(completed_inspection(world), request, world.users["staff"], today=date(2026, 12, 31))
    a2 = issue_minutes(
        completed_inspection(world, make_premise(world.unit_a)),
        request,
        world.users["staff"],
        today=date(2027, 1, 1),
    )
    b1 = issue_minutes(
        completed_inspection(world, world.premise_b, world.other_users["inspector"]),
        request,
        world.other_users["staff"],
        today=date(2026, 12, 31),
    )
    assert [(m.year, m.number) for m in (a1, a2, b1)] == [(2026, 1), (2027, 1), (2026, 1)]


@pytest.mark.parametrize("field", ["representative_id_number"])
def test_the_public_page_shows_nothing_private(client, login, world, field):
    world.premise_a.phone = "0905123456"
    db.session.commit()
    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection)
    minutes = db.session.scalars(select(Minutes)).one()
    from inspect_app.minutes.service import verification_token

    client.post("/logout")
    body = client.get(f"/v/{verification_token(minutes)}").get_data(as_text=True)
    assert "051180001234" not in body and "0905123456" not in body


def test_a_reprint_is_the_issued_file_stamped_not_a_new_rendering(client, login, world):
    """What changed after issuing (the premise renamed, the team's Sở flag) never reaches a copy: every page of the
    reprint reads as the issued page, plus the "BẢN SAO" stamp."""
    from tests.documents.pdftools import page_texts

    inspection = completed_inspection(world)
    login(world.users["staff"])
    issue(client, inspection)
    minutes = db.session.scalars(select(Minutes)).one()
    original = client.get(f"/minutes/{minutes.id}/pdf").get_data()
    assert client.post(f"/minutes/{minutes.id}/print").get_data() == original
    inspection.premise.name = "Tên đã đổi sau khi lập biên bản"
    db.session.commit()
    reprint = client.post(f"/minutes/{minutes.id}/print").get_data()
    issued_pages, copy_pages = page_texts(original), page_texts(reprint)
    assert len(copy_pages) == len(issued_pages)
    for issued_page, copy_page in zip(issued_pages, copy_pages, strict=True):
        assert "BẢN SAO" in copy_page and "BẢN SAO" not in issued_page
        assert copy_page.replace("BẢN SAO", "").split() == issued_page.split()
    assert "Tên đã đổi" not in pdf_text(reprint)


def test_the_biên_bản_lists_the_items_not_checked_with_their_reasons(client, login, world):
    """Issue 13.5: the items marked "Không kiểm tra" are named in the biên bản with why, not left out silently."""
    inspector = world.users["inspector"]
    inspection = make_records(world.premise_a, inspector)["inspection"]
    mark_not_checked(inspection, inspector, reason="Chủ cơ sở vắng mặt, không mở kho")
    service.update_inspection(
        inspection, {"version": inspection.version, "status": "completed", "outcome": "reminder"}, inspector
    )
    login(world.users["staff"])
    assert issue(client, inspection).status_code == 302
    minutes = db.session.scalars(select(Minutes)).one()
    text = " ".join(pdf_text(client.get(f"/minutes/{minutes.id}/pdf").get_data()).split())
    assert "Nội dung không kiểm tra: PTD-01 – " in text
    assert text.count("Chủ cơ sở vắng mặt, không mở kho") >= 2
    assert "GIA-01 – " not in text  # answered: in the results table, not among the items not checked


def test_an_inspection_completed_before_the_rule_with_blank_items_still_shows_and_prints(client, login, world):
    """Completed with items left blank (before completion asked for them): the desk page and the biên bản work,
    and the biên bản says those items have no result."""
    inspector = world.users["inspector"]
    inspection = make_records(world.premise_a, inspector)["inspection"]
    inspection.status, inspection.outcome = "completed", "pass"
    db.session.commit()
    login(world.users["staff"])
    assert client.get(f"/inspections/{inspection.id}").status_code == 200
    assert issue(client, inspection).status_code == 302
    minutes = db.session.scalars(select(Minutes)).one()
    text = " ".join(pdf_text(client.get(f"/minutes/{minutes.id}/pdf").get_data()).split())
    assert "Nội dung không kiểm tra: PTD-01 – " in text and "không ghi kết quả" in text
