"""API v1: inspections, findings, photos — idempotent by UUID, 409 on conflicts, clear 4xx on bad input."""

from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.models import Finding, Inspection, Photo
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for
from tests.factories import mark_not_checked


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def auth(client, world):
    return token_for(client, world.users["inspector"])


def test_create_then_resend_returns_the_same_record(client, world, auth):
    payload = inspection_payload(world.premise_a)
    first = client.post("/api/v1/inspections", json=payload, headers=auth)
    assert first.status_code == 201
    body = first.get_json()
    assert body["uuid"] == payload["uuid"] and body["status"] == "draft" and body["version"] == 1
    assert body["catalogue_version"] == "2026.2"
    assert (
        body["team"][0]["team_role"] == "lead" and body["team"][0]["user_id"] == world.users["inspector"].id
    )
    again = client.post("/api/v1/inspections", json=payload, headers=auth)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert count(Inspection) == 1


def test_different_content_under_a_known_uuid_is_a_conflict(client, world, auth):
    payload = inspection_payload(world.premise_a)
    client.post("/api/v1/inspections", json=payload, headers=auth)
    response = client.post("/api/v1/inspections", json=dict(payload, kind="complaint"), headers=auth)
    assert response.status_code == 409
    assert response.get_json()["current"]["kind"] == "planned"
    assert count(Inspection) == 1


def test_stale_edit_gets_409_with_the_current_version(client, world, auth):
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    url = f"/api/v1/inspections/{created['uuid']}"
    first = client.patch(url, json={"version": 1, "handling_note": "Nhắc nhở niêm yết giá"}, headers=auth)
    assert first.status_code == 200 and first.get_json()["version"] == 2
    # A replay of the same edit (its answer was lost) is not a conflict.
    replay = client.patch(url, json={"version": 1, "handling_note": "Nhắc nhở niêm yết giá"}, headers=auth)
    assert replay.status_code == 200 and replay.get_json()["version"] == 2
    stale = client.patch(url, json={"version": 1, "handling_note": "Nội dung khác"}, headers=auth)
    assert stale.status_code == 409
    assert stale.get_json()["current"]["handling_note"] == "Nhắc nhở niêm yết giá"
    assert db.session.get(Inspection, created["id"]).handling_note == "Nhắc nhở niêm yết giá"


def test_complete_requires_an_outcome_and_a_deadline_for_fix_requests(client, world, auth):
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    url = f"/api/v1/inspections/{created['id']}"
    response = client.patch(url, json={"version": 1, "status": "completed"}, headers=auth)
    assert response.status_code == 422
    assert "Cần chọn kết quả" in response.get_json()["fields"]["outcome"][0]
    response = client.patch(
        url, json={"version": 1, "status": "completed", "outcome": "fix_request"}, headers=auth
    )
    assert response.get_json()["fields"]["fix_deadline"] == ["Yêu cầu khắc phục cần có thời hạn khắc phục."]
    mark_not_checked(created["id"], world.users["inspector"])
    response = client.patch(
        url,
        json={"version": 1, "status": "completed", "outcome": "fix_request", "fix_deadline": "2026-12-05"},
        headers=auth,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "completed" and body["ended_at"] and body["fix_deadline"] == "2026-12-05"
    response = client.patch(
        url, json={"version": 2, "outcome": "referral", "referral_body": None}, headers=auth
    )
    assert response.get_json()["fields"]["referral_body"] == [
        "Cần chọn cơ quan có thẩm quyền được chuyển hồ sơ."
    ]


def test_findings_are_idempotent_and_conflict_aware(client, world, auth):
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    url = f"/api/v1/inspections/{created['id']}/findings"
    finding = {
        "uuid": str(uuid.uuid4()),
        "item_code": "GIA-01",
        "answer": "fail",
        "note": "Không niêm yết giá gạo",
    }
    assert client.post(url, json=finding, headers=auth).status_code == 201
    assert client.post(url, json=finding, headers=auth).status_code == 200
    other = dict(finding, uuid=str(uuid.uuid4()))
    clash = client.post(url, json=other, headers=auth)
    assert clash.status_code == 409 and clash.get_json()["current"]["uuid"] == finding["uuid"]
    assert count(Finding) == 1
    edit = client.patch(
        f"/api/v1/findings/{finding['uuid']}", json={"version": 1, "answer": "pass"}, headers=auth
    )
    assert edit.status_code == 200 and edit.get_json()["answer"] == "pass"
    stale = client.patch(
        f"/api/v1/findings/{finding['uuid']}", json={"version": 1, "answer": "na"}, headers=auth
    )
    assert stale.status_code == 409
    unknown = client.post(url, json=dict(finding, uuid=str(uuid.uuid4()), item_code="XYZ-99"), headers=auth)
    assert (
        unknown.status_code == 422
        and "không có trong danh mục" in unknown.get_json()["fields"]["item_code"][0]
    )
    printer = client.post(url, json=dict(finding, uuid=str(uuid.uuid4()), item_code="PTD-07"), headers=auth)
    assert printer.status_code == 422 and "không áp dụng" in printer.get_json()["fields"]["item_code"][0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"gps": {"latitude": 200, "longitude": 108.9, "accuracy_m": 5}},
            "gps",
            "Vĩ độ phải trong khoảng −90 đến 90.",
        ),
        ({"premise_id": 999999}, "premise_id", "Cơ sở không tồn tại hoặc không thuộc phạm vi của bạn."),
        ({"kind": "secret"}, "kind", "Hình thức kiểm tra không hợp lệ"),
        ({"uuid": "not-a-uuid"}, "uuid", "Mã định danh (UUID) không hợp lệ."),
        ({"premise_id": "12"}, "premise_id", "Phải là số nguyên."),
        ({"started_at": "hôm qua"}, "started_at", "Ngày giờ không hợp lệ"),
        ({"surprise": 1}, "surprise", "Trường không được hỗ trợ."),
    ],
)
def test_bad_inspection_input_is_a_clear_422_and_stores_nothing(client, world, auth, changes, field, message):
    response = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a, **changes), headers=auth
    )
    assert response.status_code == 422
    messages = response.get_json()["fields"][field]
    flat = str(messages)
    assert message in flat
    assert count(Inspection) == 0


def test_another_units_premise_is_refused(client, world, auth):
    response = client.post("/api/v1/inspections", json=inspection_payload(world.premise_b), headers=auth)
    assert response.status_code == 422
    assert response.get_json()["fields"]["premise_id"] == [
        "Cơ sở không tồn tại hoặc không thuộc phạm vi của bạn."
    ]
    assert count(Inspection) == 0


def test_a_body_that_is_not_json(client, world, auth):
    response = client.post("/api/v1/inspections", data="uuid=1", headers=auth, content_type="text/plain")
    assert response.status_code == 422 and response.get_json()["fields"]["_body"]


def test_gps_far_or_poor_is_flagged_and_a_missing_location_can_be_set(client, world, auth, app):
    from tests.factories import make_premise

    far = inspection_payload(
        world.premise_a, gps={"latitude": 14.8200, "longitude": 108.9571, "accuracy_m": 80}
    )
    premise_a = world.premise_a
    premise_a.latitude, premise_a.longitude = 14.81125, 108.95712
    db.session.commit()
    body = client.post("/api/v1/inspections", json=far, headers=auth).get_json()
    assert set(body["gps"]["flags"]) == {"poor_accuracy", "far_from_premise"}
    assert 960 < body["gps"]["distance_m"] < 975  # 0.00875° of latitude
    assert "Vị trí GPS kém chính xác" in body["gps"]["warnings"]
    new = make_premise(world.unit_a, name="Sạp chưa có vị trí")
    payload = inspection_payload(new, set_premise_location=True)
    body = client.post("/api/v1/inspections", json=payload, headers=auth).get_json()
    assert body["gps"]["flags"] == [] and body["gps"]["distance_m"] == 0
    db.session.refresh(new)
    assert (new.latitude, new.longitude) == (14.81125, 108.95712)
    assert new.changes[0].source == "gps"


def test_nearest_premises_come_first(client, world, auth):
    from tests.factories import make_premise

    make_premise(world.unit_a, name="Sạp gần", latitude=14.81130, longitude=108.95710)
    make_premise(world.unit_a, name="Sạp xa", latitude=14.9, longitude=108.9)
    items = client.get("/api/v1/premises?near=14.81125,108.95712", headers=auth).get_json()["items"]
    assert [i["name"] for i in items[:2]] == ["Sạp gần", "Sạp xa"]
    assert items[0]["distance_m"] < 10
    assert all(i["unit_id"] == world.unit_a.id for i in items)
    bad = client.get("/api/v1/premises?near=200,1", headers=auth)
    assert bad.status_code == 422 and "near" in bad.get_json()["fields"]


def upload(client, inspection_id, auth, content: bytes, photo_uuid=None, name="anh.jpg", **form):
    data = {"uuid": photo_uuid or str(uuid.uuid4()), "file": (io.BytesIO(content), name), **form}
    return client.post(
        f"/api/v1/inspections/{inspection_id}/photos",
        data=data,
        headers=auth,
        content_type="multipart/form-data",
    )


def test_photo_upload_is_idempotent_and_served_back(client, world, auth, app):
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    photo_uuid = str(uuid.uuid4())
    content = jpeg_bytes(3000, 2000)
    first = upload(client, created["id"], auth, content, photo_uuid, item_code="GIA-01", caption="Bảng giá")
    assert first.status_code == 201
    body = first.get_json()
    assert (body["width"], body["height"]) == (2000, 1333)
    assert upload(client, created["id"], auth, content, photo_uuid).status_code == 200
    clash = upload(client, created["id"], auth, jpeg_bytes(color=(0, 0, 255)), photo_uuid)
    assert clash.status_code == 409
    assert count(Photo) == 1
    image = client.get(body["image_url"], headers=auth)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    import hashlib

    assert hashlib.sha256(image.get_data()).hexdigest() == body["sha256"]


def _png_flood() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "name", "status", "message"),
    [
        (b"Day la van ban, khong phai anh.\n" * 20, "anh.jpg", 422, "Tệp không phải là ảnh"),
        (_png_flood(), "flood.png", 422, "quá lớn"),
        (jpeg_bytes()[:3000], "cut.jpg", 422, "Ảnh bị hỏng"),
        (b"\xff" * (60 * 1024 * 1024), "big.jpg", 413, "Tệp tải lên quá lớn"),
    ],
    ids=["text-renamed-jpg", "30000x30000-png", "truncated-jpeg", "60-MB"],
)
def test_bad_photos_are_refused_and_nothing_is_stored(
    client, world, auth, app, content, name, status, message
):

    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    response = upload(client, created["id"], auth, content, name=name)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert count(Photo) == 0
    assert not list(storage_for(app).keys())


def test_tokens_can_be_revoked(client, world):
    headers = token_for(client, world.users["inspector"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    tokens = client.get("/api/v1/auth/tokens", headers=headers).get_json()
    assert client.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}", headers=headers).status_code == 200
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert "thu hồi" in response.get_json()["error"]
    bad = client.post(
        "/api/v1/auth/token", json={"username": world.users["inspector"].username, "password": "x"}
    )
    assert bad.status_code == 401 and bad.get_json()["error"] == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_a_token_and_its_user_are_read_in_one_statement(client, world):
    """Under load (bench/load_test.py) a bearer-token read cost 4.5× a bare Flask endpoint's CPU, one statement of
    it loading the token's user after the token: every API call of the phone paid it. Then a third loaded the
    premise's market for its name."""
    from sqlalchemy import event

    headers = token_for(client, world.users["inspector"])
    url = f"/api/v1/premises/{world.premise_a.id}"
    assert client.get(url, headers=headers).status_code == 200  # stamps the token's first use
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url, headers=headers).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    # The token's user, then the premise through the scoping door with its market's name.
    assert len(statements) == 2, "\n".join(statements)
    assert "FROM users JOIN api_tokens" in statements[0]
    assert "FROM premises LEFT OUTER JOIN markets" in statements[1]
    assert client.get(url, headers=headers).get_json()["market"] == world.market_a.name


def test_a_bearer_request_neither_reads_nor_writes_the_browsers_session_cookie(client, login, world, monkeypatch):
    """The phone's API calls act as the token's user whatever cookie came with them, so the cookie is not opened
    (nor signed again): a browser logged in as one person and a token of another in the same client."""
    from flask.sessions import SecureCookieSessionInterface

    login(world.users["staff"])  # unit A's staff, in the browser
    headers = token_for(client, world.other_users["inspector"])  # unit B's inspector, on the phone
    signing = []
    serializer = SecureCookieSessionInterface.get_signing_serializer
    monkeypatch.setattr(
        SecureCookieSessionInterface,
        "get_signing_serializer",
        lambda self, app: signing.append(1) or serializer(self, app),
    )
    answer = client.get(f"/api/v1/premises/{world.premise_b.id}", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["name"] == world.premise_b.name
    assert "Set-Cookie" not in answer.headers
    assert client.get(f"/api/v1/premises/{world.premise_a.id}", headers=headers).status_code == 404
    assert signing == []
    # Without the token the same client is the browser's user again, with the session intact.
    assert client.get(f"/api/v1/premises/{world.premise_a.id}").status_code == 200
    assert signing
    assert client.get(f"/api/v1/premises/{world.premise_b.id}").status_code == 404
    assert client.get("/premises").status_code == 200
    # A page asked with a bearer header keeps the browser's session: still unit A's staff.
    page = client.get("/premises", headers=headers)
    assert page.status_code == 200 and world.premise_a.name in page.get_data(as_text=True)


def test_supervisor_cannot_record_and_staff_sees_read_only(client, world):
    headers = token_for(client, world.users["staff"])
    response = client.post("/api/v1/inspections", json=inspection_payload(world.premise_a), headers=headers)
    assert response.status_code == 403
    assert count(Inspection) == 0


def test_openapi_document_lists_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {path for path in doc["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<id:", "{").replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in documented, path
    create = doc["components"]["schemas"]["InspectionCreate"]
    assert {"uuid", "premise_id", "kind"} <= set(create["required"])


def test_the_same_inspection_and_photo_sent_concurrently_make_one_copy(live_server, world, client):
    headers = token_for(client, world.users["inspector"])
    payload = inspection_payload(world.premise_a)

    def send(_):
        return requests.post(
            f"{live_server.url}/api/v1/inspections", json=payload, headers=headers, timeout=30
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(r.status_code for r in pool.map(send, range(12)))
    assert statuses.count(201) == 1 and statuses.count(200) == 11
    assert count(Inspection) == 1
    inspection_id = db.session.scalars(select(Inspection.id)).one()
    content = jpeg_bytes()
    photo_uuid = str(uuid.uuid4())

    def send_photo(_):
        return requests.post(
            f"{live_server.url}/api/v1/inspections/{inspection_id}/photos",
            data={"uuid": photo_uuid},
            files={"file": ("a.jpg", content, "image/jpeg")},
            headers=headers,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(r.status_code for r in pool.map(send_photo, range(8)))
    assert statuses.count(201) == 1 and statuses.count(200) == 7
    assert count(Photo) == 1


def test_premises_limit_from_the_query_string_and_readable_json(client, world, auth):
    from tests.factories import make_premise

    for n in range(3):
        make_premise(world.unit_a, name=f"Sạp thêm {n}")
    response = client.get("/api/v1/premises?limit=2", headers=auth)
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["items"]) == 2 and body["total"] == 4
    assert "Sạp".encode() in response.get_data()  # not \\u-escaped
    assert client.get("/api/v1/premises?limit=0", headers=auth).status_code == 422
    assert client.get("/api/v1/premises?limit=abc", headers=auth).status_code == 422


def test_a_csrf_failure_has_a_code_the_phone_can_recognise(client, world, app):
    from tests.factories import PASSWORD

    client.post("/login", data={"username": world.users["inspector"].username, "password": PASSWORD})
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/api/v1/inspections", json={})
    assert response.status_code == 400 and response.get_json()["code"] == "csrf"


def test_large_json_answers_are_gzipped_for_clients_that_accept_it(client, world, auth):
    import gzip
    import json

    plain = client.get("/api/v1/checklists", headers=auth)
    assert "Content-Encoding" not in plain.headers
    zipped = client.get("/api/v1/checklists", headers={**auth, "Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert json.loads(gzip.decompress(zipped.get_data())) == plain.get_json()
    assert len(zipped.get_data()) * 3 < len(plain.get_data())


def test_reference_data_is_revalidated_with_an_etag(client, world):
    """The phone asks for the catalogue and the tables on every start: unchanged, they cost a 304 and no body."""
    headers = token_for(client, world.users["inspector"])
    for url in ("/api/v1/checklists", "/api/v1/checklists/2026.1", "/api/v1/metrology/tables"):
        first = client.get(url, headers=headers)
        assert first.status_code == 200 and first.headers["ETag"]
        assert "no-cache" in first.headers["Cache-Control"] and "private" in first.headers["Cache-Control"]
        again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
        stale = client.get(url, headers={**headers, "If-None-Match": '"not-the-current-one"'})
        assert stale.status_code == 200 and stale.get_json() == first.get_json()


@pytest.mark.local_storage("about the local upload folder; the store's outage: tests/photos/test_photos_object_store.py")
def test_an_unwritable_upload_folder_gives_a_clear_503_and_records_nothing(client, world, auth, app):
    """The folder photos go to cannot be created (a file sits where it should be; as root, a chmod would not
    stop the writes): the phone is told to send again later, and no photo row or stray file is left. (The object
    store's outage: tests/photos/test_photos_object_store.py.)"""
    from pathlib import Path

    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "photos").write_bytes(b"not a folder")
    photo_uuid = str(uuid.uuid4())
    refused = upload(client, created["id"], auth, jpeg_bytes(), photo_uuid)
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "60"
    assert refused.get_json()["error"].startswith("Máy chủ không lưu được tệp")
    assert count(Photo) == 0
    assert sorted(p.name for p in uploads.rglob("*")) == ["photos"]
    # Once the folder is fixed, the same upload goes through.
    (uploads / "photos").unlink()
    assert upload(client, created["id"], auth, jpeg_bytes(), photo_uuid).status_code == 201
    assert count(Photo) == 1


def test_completion_with_unanswered_items_is_refused_until_each_is_marked_not_checked_with_a_reason(
    client, world, auth
):
    """Issue 13.5: one item answered of those that apply, and "Hoàn thành" with "Đạt" used to be accepted."""
    created = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()
    url = f"/api/v1/inspections/{created['id']}"
    findings = f"{url}/findings"
    answered = {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "pass"}
    assert client.post(findings, json=answered, headers=auth).status_code == 201
    refused = client.patch(url, json={"version": 1, "status": "completed", "outcome": "pass"}, headers=auth)
    assert refused.status_code == 422
    message = refused.get_json()["fields"]["findings"][0]
    assert message.startswith("Còn 20 nội dung chưa có kết quả: PTD-01 – ") and "và 12 nội dung khác" in message
    assert "đánh dấu “Không kiểm tra” kèm lý do" in message and "GIA-01" not in message
    db.session.expire_all()
    assert db.session.get(Inspection, created["id"]).status == "draft"
    # "Không kiểm tra" needs its reason; a blank one is refused and nothing is stored.
    blank = {"uuid": str(uuid.uuid4()), "item_code": "PTD-01", "answer": "skip", "note": "  "}
    response = client.post(findings, json=blank, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["fields"]["note"] == [
        "Nội dung đánh dấu “Không kiểm tra” cần ghi lý do không kiểm tra."
    ]
    assert count(Finding) == 1
    skipped = {**blank, "note": "Cân đang được mang đi sửa, không có tại sạp"}
    stored = client.post(findings, json=skipped, headers=auth)
    assert stored.status_code == 201 and stored.get_json()["answer"] == "skip"
    # An edit may not take the reason away either.
    edit = client.patch(
        f"/api/v1/findings/{stored.get_json()['id']}", json={"version": 1, "note": ""}, headers=auth
    )
    assert edit.status_code == 422 and "cần ghi lý do" in edit.get_json()["fields"]["note"][0]
    still = client.patch(url, json={"version": 1, "status": "completed", "outcome": "pass"}, headers=auth)
    assert still.status_code == 422
    assert still.get_json()["fields"]["findings"][0].startswith("Còn 19 nội dung chưa có kết quả: PTD-02 – ")
    mark_not_checked(created["id"], world.users["inspector"])
    done = client.patch(url, json={"version": 1, "status": "completed", "outcome": "pass"}, headers=auth)
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
