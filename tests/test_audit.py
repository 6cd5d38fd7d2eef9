"""The audit log: the write door writes one event per create, edit, issue, supersede, revoke and login, in the
change's own transaction, with the fields that changed — and nothing for a resend, a replay or a refused write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, Minutes
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for
from tests.factories import PASSWORD, make_completed_inspection
from tests.minutes_helpers import issue_through_form
from tests.test_measurements_api import post_instrument, post_standard, reading_payload


def events(**where) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(query))


def actions(record_type: str, record_id=None) -> list[str]:
    where = {"record_type": record_type}
    if record_id is not None:
        where["record_id"] = record_id
    return [e.action for e in events(**where)]


def test_phone_records_log_one_create_each_and_resends_log_nothing(client, world):
    headers = token_for(client, world.users["inspector"])
    payload = inspection_payload(world.premise_a)
    first = client.post("/api/v1/inspections", json=payload, headers=headers)
    again = client.post("/api/v1/inspections", json=payload, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    inspection_id = first.get_json()["id"]
    (created,) = events(record_type="inspections")
    assert created.action == "create" and created.record_id == inspection_id
    assert created.record_uuid == payload["uuid"] and created.actor_id == world.users["inspector"].id
    assert created.unit_id == world.unit_a.id and created.changes == {}

    finding = {"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "fail", "note": "Không niêm yết"}
    url = f"/api/v1/inspections/{inspection_id}/findings"
    assert client.post(url, json=finding, headers=headers).status_code == 201
    assert client.post(url, json=finding, headers=headers).status_code == 200
    changed = client.post(url, json={**finding, "note": "khác"}, headers=headers)
    assert changed.status_code == 409
    photo = client.post(
        f"/api/v1/inspections/{inspection_id}/photos",
        data={"uuid": str(uuid.uuid4()), "file": (__import__("io").BytesIO(jpeg_bytes()), "a.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201, photo.get_json()
    assert actions("findings") == ["create"]
    (photo_event,) = events(record_type="photos")
    # A finding or photo belongs to its inspection's unit.
    assert photo_event.unit_id == world.unit_a.id and photo_event.record_id == photo.get_json()["id"]


def test_an_edit_logs_what_changed_and_a_replay_or_stale_edit_logs_nothing(client, world):
    headers = token_for(client, world.users["inspector"])
    created = client.post("/api/v1/inspections", json=inspection_payload(world.premise_a), headers=headers)
    body = created.get_json()
    url = f"/api/v1/inspections/{body['id']}"
    edit = {"version": body["version"], "handling_note": "Nhắc chủ sạp", "kind": "unannounced"}
    assert client.patch(url, json=edit, headers=headers).status_code == 200
    assert client.patch(url, json=edit, headers=headers).status_code == 200  # the phone resent it
    stale = client.patch(url, json={**edit, "handling_note": "Khác"}, headers=headers)
    assert stale.status_code == 409
    create, edited = events(record_type="inspections")
    assert edited.action == "edit"
    assert edited.changes == {"handling_note": ["", "Nhắc chủ sạp"], "kind": ["planned", "unannounced"]}

    current = client.get(url, headers=headers).get_json()
    team = [
        {"user_id": world.users["inspector"].id, "team_role": "lead"},
        {"name": "Trần Văn Cường", "organisation": "Công an phường", "team_role": "member"},
    ]
    assert (
        client.patch(url, json={"version": current["version"], "team": team}, headers=headers).status_code
        == 200
    )
    team_event = events(record_type="inspections")[-1]
    assert team_event.changes["team"][1][-1] == "Thành viên: Trần Văn Cường (Công an phường)"


def test_issue_supersede_reopen_revoke_and_print_are_logged(client, login, world):
    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    form = {"representative_name": "Nguyễn Thị Hường", "copies": "2"}
    assert issue_through_form(client, inspection, form).status_code == 302
    first = db.session.scalars(select(Minutes)).one()
    client.post(f"/minutes/{first.id}/reopen", data={"reason": "Ghi sai số sạp"})
    assert issue_through_form(client, inspection, form).status_code == 302
    assert client.post(f"/minutes/{first.id}/print").status_code == 200
    db.session.expire_all()
    second = db.session.scalars(select(Minutes).where(Minutes.id != first.id)).one()
    login(world.users["supervisor_unit"])
    client.post(f"/minutes/{second.id}/revoke", data={"reason": "Lập nhầm cơ sở"})

    assert actions("minutes", first.id)[:3] == ["issue", "reopen", "supersede"]
    assert actions("minutes", second.id) == ["issue", "revoke"]
    issued = events(record_type="minutes", record_id=second.id)[0]
    assert issued.changes["number"] == [None, 2] and issued.changes["sha256"][1] == second.pdf_sha256
    revoked = events(record_type="minutes", record_id=second.id)[-1]
    assert revoked.actor_id == world.users["supervisor_unit"].id
    assert revoked.changes == {"reason": [None, "Lập nhầm cơ sở"]}


def test_metrology_records_and_the_state_check_setting_are_logged(client, login, world):
    headers = token_for(client, world.users["inspector"])
    standard = post_standard(client, headers).get_json()
    patched = client.patch(
        f"/api/v1/standards/{standard['id']}",
        json={"version": standard["version"], "certificate_number": "126/2026/HC-TĐC"},
        headers=headers,
    )
    assert patched.status_code == 200, patched.get_json()
    scale = post_instrument(client, headers, world.premise_a).get_json()
    inspection = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=headers
    ).get_json()
    reading = client.post(
        f"/api/v1/inspections/{inspection['id']}/readings",
        json=reading_payload(scale["id"], [standard["id"]], indication="2.01", measured_at=None)
        | {"measured_at": "2026-11-21T09:00:00+07:00"},
        headers=headers,
    )
    assert reading.status_code == 201, reading.get_json()
    assert actions("reference_standards") == ["create", "edit"]
    assert events(record_type="reference_standards")[-1].changes == {
        "certificate_number": ["125/2026/HC-TĐC", "126/2026/HC-TĐC"]
    }
    assert actions("instruments") == ["create"] and actions("readings") == ["create"]
    assert events(record_type="readings")[0].unit_id == world.unit_a.id

    login(world.users["admin_province"])
    assert client.post("/metrology/settings", data={"state_check_rule": "verification"}).status_code == 302
    assert client.post("/metrology/settings", data={"state_check_rule": "verification"}).status_code == 302
    (setting,) = events(record_type="settings")
    assert setting.changes == {"value": [None, "verification"]} and setting.province_id == world.p1.id


def test_logins_failed_logins_and_password_changes_are_logged_without_secrets(client, login, world):
    inspector = world.users["inspector"]
    wrong = client.post("/login", data={"username": inspector.username, "password": "sai-mat-khau"})
    assert wrong.status_code == 401
    login(inspector)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "MatKhauMoi@2026", "confirm": "MatKhauMoi@2026"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    logged = events(record_type="users")
    assert [e.action for e in logged][:3] == ["login_failed", "login", "edit"]
    failed = logged[0]
    assert failed.actor_id is None and failed.changes == {"username": [None, inspector.username]}
    assert logged[1].actor_id == inspector.id and logged[1].remote_addr
    # The change also ended the account's other sessions and API tokens (none here), and says so.
    assert logged[2].changes == {
        "password_hash": ["***", "***"],
        "sessions_ended": [None, 0],
        "tokens_revoked": [None, 0],
    }
    assert "pbkdf2" not in str([e.changes for e in logged]) and "scrypt" not in str(
        [e.changes for e in logged]
    )


def test_premise_and_account_changes_are_logged(client, login, world):
    login(world.users["admin_province"])
    response = client.post(
        f"/premises/{world.premise_a.id}/edit",
        data={
            "name": "Sạp cân Nguyễn Thị Hường",
            "premise_type": "market_stall",
            "unit_id": world.unit_a.id,
            "stall_number": "A02",
            "status": "active",
            "market_id": world.market_a.id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    (edited,) = events(record_type="premises", action="edit")
    assert edited.changes == {"stall_number": ["A01", "A02"]} and edited.unit_id == world.unit_a.id
    created = client.post(
        "/admin/users/new",
        data={
            "username": "kiemtra.moi",
            "full_name": "Lê Văn Mới",
            "role": "inspector",
            "home": f"unit:{world.unit_a.id}",
            "password": "KiemTra@2026x",
            "active": "y",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    assert [e.action for e in events(record_type="users")][-1] == "create"


def test_audit_events_are_append_only(app, world):
    from inspect_app import writes

    event = writes.log("create", world.premise_a, world.users["inspector"])
    db.session.commit()
    event.action = "edit"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
