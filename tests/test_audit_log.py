"""The audit log, complete and append-only: the database refuses to change or delete an event, each event is
hash-chained to the one before it in its chain (`flask audit verify` names a changed or removed event), every
kind of change, download, export and refusal is logged with old → new values, and supervisors and administrators
read it (in their scope) at /audit and export it as CSV."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from contextlib import contextmanager
from itertools import pairwise

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from inspect_app import writes
from inspect_app.access import act_as_system
from inspect_app.audit.service import verify_all
from inspect_app.decisions.service import update_draft
from inspect_app.domain.audit_chain import GENESIS
from inspect_app.domain.decision_rules import MemberLine
from inspect_app.extensions import db
from inspect_app.models import AuditEvent, AuditHead, Minutes
from tests.api_helpers import inspection_payload, token_for
from tests.factories import PASSWORD, decision_draft, make_completed_inspection, make_decision
from tests.minutes_helpers import issue_through_form
from tests.test_audit import events


def some_events(world, count: int = 3) -> list[AuditEvent]:
    """Events in three chains: unit A's, the province's and the system's."""
    made = []
    for n in range(count):
        made.append(
            writes.log("edit", world.premise_a, world.users["inspector"], {"note": [str(n), str(n + 1)]})
        )
        made.append(
            writes.log("login", world.users["supervisor_province"], world.users["supervisor_province"])
        )
        made.append(
            writes.log("login_failed", None, None, {"username": [None, f"ai-do-{n}"]}, record_type="users")
        )
    db.session.commit()
    return made


@contextmanager
def triggers_off(connection):
    """The append-only guard lifted for one transaction, as someone with the database's keys could do."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    else:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
    yield


# ---- append-only in the database ------------------------------------------------------------------------------


@pytest.mark.database_owner
def test_the_database_refuses_to_update_delete_or_truncate_an_event(app, world):
    (first, *_) = some_events(world, 1)
    stored, first_id = len(events()), first.id
    db.session.rollback()  # TRUNCATE waits for every other transaction's lock on the table
    for statement in (
        f"UPDATE audit_events SET action = 'create' WHERE id = {first_id}",
        f"DELETE FROM audit_events WHERE id = {first_id}",
        "DELETE FROM audit_events",
        *(["TRUNCATE audit_events"] if db.engine.dialect.name == "postgresql" else []),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.exec_driver_sql(statement)
    assert len(events()) == stored


def test_the_migrated_schema_has_the_append_only_triggers(app):
    """A later SQLite batch rebuild of audit_events would drop them silently: the migrated head must have them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
                ).scalars()
            )
            assert names == {"audit_events_no_update", "audit_events_no_delete"}
        else:
            names = set(
                connection.exec_driver_sql(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"
                    " AND tgenabled <> 'D'"
                ).scalars()
            )
            assert names == {"audit_events_no_change", "audit_events_no_truncate"}


# ---- the hash chain ---------------------------------------------------------------------------------------------


def test_each_chain_links_its_events_and_verify_passes(app, runner, world):
    some_events(world, 3)
    by_chain: dict[str, list[AuditEvent]] = {}
    for item in events():
        by_chain.setdefault(item.chain, []).append(item)
    assert {f"u{world.unit_a.id}", f"p{world.p1.id}", "system"} <= set(by_chain)
    assert len(by_chain["system"]) == 3
    for chain, chained in by_chain.items():
        assert [e.chain_seq for e in chained] == list(range(1, len(chained) + 1))
        assert chained[0].prev_hash == GENESIS
        assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(chained))
        head = db.session.get(AuditHead, chain)
        assert (head.last_seq, head.hash) == (len(chained), chained[-1].hash)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(events())} sự kiện trong {len(by_chain)} chuỗi" in result.output


@pytest.mark.database_owner
def test_verify_names_an_event_changed_behind_the_apps_back(app, runner, world):
    made = some_events(world, 3)
    changed = made[3]  # unit A's second event
    with db.engine.begin() as connection, triggers_off(connection):
        connection.execute(
            text("UPDATE audit_events SET remote_addr = '10.0.0.9' WHERE id = :id"), {"id": changed.id}
        )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"sự kiện #{changed.id}" in result.output and "đã bị sửa" in result.output
    # Only the broken chain is reported.
    assert "Nhật ký đã bị thay đổi: 1 trong" in result.output and result.output.count("Chuỗi ") == 1


@pytest.mark.database_owner
def test_verify_names_where_an_event_was_removed(app, runner, world):
    made = some_events(world, 3)
    unit_events = [e for e in made if e.chain == f"u{world.unit_a.id}"]
    removed, following = unit_events[1], unit_events[2]
    last_of_province = [e for e in made if e.chain == f"p{world.p1.id}"][-1]
    with db.engine.begin() as connection, triggers_off(connection):
        connection.execute(
            text("DELETE FROM audit_events WHERE id IN (:a, :b)"), {"a": removed.id, "b": last_of_province.id}
        )
    result = verify_all()
    assert not result.ok
    breaks = {b.chain: b for b in result.breaks}
    assert breaks[f"u{world.unit_a.id}"].event_id == following.id
    assert breaks[f"u{world.unit_a.id}"].reason == "missing"
    # The last event of a chain removed: its head no longer matches.
    assert breaks[f"p{world.p1.id}"].reason == "head"
    assert "system" not in breaks


@pytest.mark.database_owner
def test_a_rewritten_chain_with_consistent_hashes_still_breaks_at_its_head(app, world):
    """Changing an event and recomputing its hash does not help: the next event (or the head) still names the old
    hash."""
    from inspect_app.domain.audit_chain import HASHED_FIELDS, event_hash

    made = some_events(world, 2)
    target = made[0]
    fields = {name: getattr(target, name) for name in HASHED_FIELDS} | {"action": "create"}
    with db.engine.begin() as connection, triggers_off(connection):
        connection.execute(
            text("UPDATE audit_events SET action = 'create', hash = :h WHERE id = :id"),
            {"h": event_hash(fields), "id": target.id},
        )
    (broken,) = verify_all().breaks
    assert broken.event_id == made[3].id and broken.reason == "link"


def test_concurrent_writers_of_one_chain_never_fork_it(app, world):
    ids = (world.premise_a.id, world.users["inspector"].id)
    errors = []
    engine = db.engine
    chain = f"u{world.unit_a.id}"
    before = len(events(chain=chain))

    def write(n):
        try:
            # Each thread writes as the system would (in an app context of its own, as a worker has).
            with app.app_context(), Session(engine) as session:
                act_as_system()
                for i in range(5):
                    from inspect_app.models import Premise, User

                    premise, user = session.get(Premise, ids[0]), session.get(User, ids[1])
                    session.add(
                        AuditEvent(
                            action="edit",
                            actor_id=user.id,
                            record_type="premises",
                            record_id=premise.id,
                            unit_id=premise.unit_id,
                            changes={"note": [n, i]},
                        )
                    )
                    session.commit()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    chained = events(chain=chain)
    assert sorted(e.chain_seq for e in chained) == list(range(1, before + 16))
    assert verify_all().ok


@pytest.mark.database_owner
def test_events_stored_before_the_chain_are_chained_by_the_migration(app, runner, world):
    downgrade(revision="0024")
    for n, (unit, province) in enumerate(
        [(world.unit_a.id, None), (None, world.p1.id), (world.unit_a.id, None)]
    ):
        db.session.execute(
            text(
                "INSERT INTO audit_events (occurred_at, actor_id, action, record_type, record_id, unit_id,"
                " province_id, changes, remote_addr) VALUES ('2026-05-01 02:03:04.123456', NULL, 'edit',"
                " 'premises', :n, :unit, :province, :changes, '')"
            ),
            {"n": n, "unit": unit, "province": province, "changes": '{"note": ["a", "b"]}'},
        )
    db.session.commit()
    upgrade()
    stored = events()
    unit_chain = [e for e in stored if e.chain == f"u{world.unit_a.id}"]
    old = [(e.chain, e.record_id) for e in stored if e.record_type == "premises" and e.action == "edit"]
    assert old == [(f"u{world.unit_a.id}", 0), (f"p{world.p1.id}", 1), (f"u{world.unit_a.id}", 2)]
    assert [e.chain_seq for e in unit_chain] == list(range(1, len(unit_chain) + 1))
    some_events(world, 1)  # the app carries on from the migrated heads
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(stored) + 3} sự kiện" in result.output


# ---- what is logged ----------------------------------------------------------------------------------------------


def test_finding_and_inspection_edits_log_old_and_new_values(client, login, world):
    headers = token_for(client, world.users["inspector"])
    inspection = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=headers
    ).get_json()
    finding = client.post(
        f"/api/v1/inspections/{inspection['id']}/findings",
        json={"uuid": str(uuid.uuid4()), "item_code": "GIA-01", "answer": "pass"},
        headers=headers,
    ).get_json()
    edited = client.patch(
        f"/api/v1/findings/{finding['id']}",
        json={"version": finding["version"], "answer": "fail", "note": "Không niêm yết giá"},
        headers=headers,
    )
    assert edited.status_code == 200, edited.get_json()
    (api_edit,) = events(record_type="findings", action="edit")
    assert api_edit.changes == {"answer": ["pass", "fail"], "note": ["", "Không niêm yết giá"]}

    login(world.users["staff"])
    current = edited.get_json()
    desk = client.post(
        f"/findings/{finding['id']}/edit",
        data={
            "version": current["version"],
            "answer": "pass",
            "note": "Đã niêm yết",
            "reason": "Ghi nhầm kết quả",
        },
    )
    assert desk.status_code == 302, desk.get_data(as_text=True)[:500]
    desk_edit = events(record_type="findings", action="edit")[-1]
    assert desk_edit.changes["answer"] == ["fail", "pass"]
    assert desk_edit.changes["reason"] == [None, "Ghi nhầm kết quả"]
    assert desk_edit.actor_id == world.users["staff"].id

    body = client.get(f"/api/v1/inspections/{inspection['id']}", headers=headers).get_json()
    team = [
        {"user_id": world.users["inspector"].id, "team_role": "lead"},
        {"name": "Lê Thị Hoa", "team_role": "member"},
    ]
    patched = client.patch(
        f"/api/v1/inspections/{inspection['id']}",
        json={"version": body["version"], "handling_note": "Nhắc nhở", "team": team},
        headers=headers,
    )
    assert patched.status_code == 200, patched.get_json()
    inspection_edit = events(record_type="inspections", action="edit")[-1]
    assert inspection_edit.changes["handling_note"] == ["", "Nhắc nhở"]
    old_team, new_team = inspection_edit.changes["team"]
    assert "Thành viên: Lê Thị Hoa" in new_team and "Thành viên: Lê Thị Hoa" not in old_team


def test_a_decision_team_change_logs_the_members_before_and_after(app, world):
    staff = world.users["staff"]
    decision = make_decision(world.unit_a, staff, issue=False)
    members = (
        MemberLine("Trần Văn Trưởng", "Phó Chủ tịch", "UBND phường", "lead", False, "12/2025", None),
        MemberLine("Phạm Thị Kỹ", "Công chức", "Phòng Kinh tế", "member", True, "", None),
    )
    update_draft(decision, decision_draft(members=members), staff)
    edit = events(record_type="decisions", action="edit")[-1]
    before, after = edit.changes["members"]
    assert isinstance(before, list) and isinstance(after, list)
    assert any("Phạm Thị Kỹ" in line for line in after) and not any("Phạm Thị Kỹ" in line for line in before)


def test_an_administrators_account_changes_are_logged_without_the_password(client, login, world):
    login(world.users["admin_province"])
    form = {
        "username": "kiemtra.moi",
        "full_name": "Lê Văn Mới",
        "role": "inspector",
        "home": f"unit:{world.unit_a.id}",
        "password": "KiemTra@2026x",
        "active": "y",
    }
    assert client.post("/admin/users/new", data=form).status_code == 302
    created = events(record_type="users", action="create")[-1]
    assert created.changes["username"] == [None, "kiemtra.moi"] and created.changes["role"] == [
        None,
        "inspector",
    ]
    assert created.changes["password_hash"] == ["***", "***"]
    user_id = created.record_id

    changed = {**form, "role": "staff", "home": f"unit:{world.unit_a2.id}", "password": "MatKhauMoi@2026"}
    changed.pop("active")  # unticked: the account is deactivated
    response = client.post(f"/admin/users/{user_id}/edit", data=changed)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    edit = events(record_type="users", action="edit", record_id=user_id)[-1]
    assert edit.changes["role"] == ["inspector", "staff"]
    assert edit.changes["unit_id"] == [world.unit_a.id, world.unit_a2.id]
    assert edit.changes["active"] == [True, False]
    assert edit.changes["password_hash"] == ["***", "***"]
    assert edit.actor_id == world.users["admin_province"].id
    logged = str([e.changes for e in events()])
    assert "pbkdf2" not in logged and "scrypt" not in logged and "MatKhauMoi" not in logged


def test_reopen_then_revoke_keeps_both_and_downloads_and_prints_are_logged(client, login, world):
    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    assert (
        issue_through_form(
            client, inspection, {"representative_name": "Nguyễn Thị Hường", "copies": "2"}
        ).status_code
        == 302
    )
    minutes = db.session.scalars(select(Minutes)).one()
    assert client.get(f"/minutes/{minutes.id}/pdf").status_code == 200
    assert client.post(f"/minutes/{minutes.id}/print").status_code == 200
    assert client.post(f"/minutes/{minutes.id}/reopen", data={"reason": "Ghi sai số sạp"}).status_code == 302
    login(world.users["supervisor_unit"])
    assert client.post(f"/minutes/{minutes.id}/revoke", data={"reason": "Lập nhầm cơ sở"}).status_code == 302
    logged = events(record_type="minutes", record_id=minutes.id)
    assert [e.action for e in logged] == ["issue", "download", "print", "reopen", "revoke"]
    assert logged[1].changes == {"file": [None, f"bien-ban-{minutes.number}-{minutes.year}.pdf"]}
    assert logged[3].changes == {"reason": [None, "Ghi sai số sạp"]}
    assert logged[4].changes == {"reason": [None, "Lập nhầm cơ sở"]}
    assert logged[4].actor_id == world.users["supervisor_unit"].id

    decision = make_decision(world.unit_a, world.users["staff"])
    assert client.get(f"/decisions/{decision.id}/pdf").status_code == 200
    assert [e.action for e in events(record_type="decisions", record_id=decision.id)][-1] == "download"


def test_exports_are_logged_with_their_filters(client, login, world):
    login(world.users["supervisor_province"])
    response = client.get("/exports/premises.csv?q=sap")
    assert response.status_code == 200
    response.get_data()
    (exported,) = events(action="export")
    assert exported.actor_id == world.users["supervisor_province"].id
    assert exported.changes == {
        "list": [None, "premises"],
        "format": [None, "csv"],
        "filters": [None, {"q": "sap"}],
    }
    assert exported.province_id == world.p1.id and exported.remote_addr


def test_refusals_are_logged_once_per_request(client, login, world):
    login(world.users["inspector"])
    assert client.get("/audit").status_code == 403
    (refused,) = events(action="denied")
    assert refused.actor_id == world.users["inspector"].id and refused.unit_id == world.unit_a.id
    assert refused.changes == {"path": [None, "GET /audit"], "permission": [None, "audit.view"]}
    # Another unit's record: the same 404 as a missing one, and the attempt is kept.
    assert client.get(f"/premises/{world.premise_b.id}").status_code == 404
    other = events(action="denied")[-1]
    assert (other.record_type, other.record_id) == ("premises", world.premise_b.id)
    # A record that does not exist is no refusal.
    assert client.get("/premises/999999").status_code == 404
    assert len(events(action="denied")) == 2


# ---- the viewer --------------------------------------------------------------------------------------------------


def test_supervisors_read_the_log_of_their_scope_only(client, login, world):
    writes.log("edit", world.premise_a, world.users["inspector"], {"name": ["Sạp cũ", "Sạp mới"]})
    writes.log("edit", world.premise_a2, world.users["inspector"], {"name": ["Tạp hóa cũ", "Tạp hóa mới"]})
    writes.log("edit", world.premise_b, world.other_users["inspector"], {"name": ["Bí mật cũ", "Bí mật mới"]})
    db.session.commit()
    login(world.users["supervisor_unit"])
    page = client.get("/audit").get_data(as_text=True)
    assert "Sạp cũ → Sạp mới" in page and "Tạp hóa mới" not in page and "Bí mật" not in page
    assert 'href="/audit"' in page  # the nav link "Nhật ký"
    login(world.users["supervisor_province"])
    page = client.get("/audit").get_data(as_text=True)
    assert "Sạp mới" in page and "Tạp hóa mới" in page and "Bí mật" not in page
    filtered = client.get(f"/audit?unit={world.unit_a2.id}&action=edit&record_type=premises").get_data(
        as_text=True
    )
    assert "Tạp hóa mới" in filtered and "Sạp mới" not in filtered
    # A filter by another province's unit shows nothing of it.
    assert "Bí mật" not in client.get(f"/audit?unit={world.unit_b.id}").get_data(as_text=True)
    login(world.users["inspector"])
    assert 'href="/audit"' not in client.get("/").get_data(as_text=True)


def test_the_viewers_filters_and_bad_input(client, login, world):
    some_events(world, 2)
    login(world.users["admin_province"])
    actor = world.users["inspector"].id
    page = client.get(f"/audit?actor={actor}&from=2020-01-01&to=2099-12-31")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("data-event=") == 2
    assert client.get("/audit?from=2099-01-01").get_data(as_text=True).count("data-event=") == 0
    bad = client.get("/audit?from=hôm-qua&action=xoa&unit=abc&after=rác")
    assert bad.status_code in (200, 302)
    assert client.get("/audit?from=hôm-qua").status_code == 200
    assert "Từ ngày không hợp lệ" in client.get("/audit?from=hôm-qua").get_data(as_text=True)
    refused = client.get("/audit.csv?action=xoa")
    assert refused.status_code == 400 and "Thao tác không hợp lệ" in refused.get_data(as_text=True)


def test_the_csv_export_has_the_filtered_rows_and_is_itself_logged(client, login, world):
    some_events(world, 2)
    login(world.users["supervisor_province"])
    response = client.get("/audit.csv?action=edit")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Mã sự kiện", "Thời điểm (UTC)", "Thời điểm (giờ Việt Nam)", "Người thực hiện"]
    assert len(body) == 2 and {row[5] for row in body} == {"Sửa"}
    assert all(row[1].endswith("Z") for row in body)
    exported = events(action="export")[-1]
    assert exported.record_type == "audit_events"
    assert exported.changes["filters"] == [None, {"action": "edit"}]


def test_the_viewer_sends_as_many_statements_for_many_events_as_for_few(client, login, world):
    def statements(url):
        seen = []

        def count(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get(url)
            response.get_data()
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(seen)

    login(world.users["supervisor_province"])
    some_events(world, 1)
    few = statements("/audit"), statements("/audit.csv")
    some_events(world, 20)
    assert (statements("/audit"), statements("/audit.csv")) == few


def test_login_and_logout_stay_logged_with_the_address(client, world):
    inspector = world.users["inspector"]
    assert (
        client.post("/login", data={"username": inspector.username, "password": PASSWORD}).status_code == 302
    )
    (login_event,) = events(action="login")
    assert login_event.remote_addr and login_event.chain == f"u{world.unit_a.id}"
    assert login_event.occurred_at.tzinfo is not None


def test_an_issued_decision_reads_as_a_decision_in_the_viewer_and_the_csv(client, login, world):
    """An issued decision used to read "Lập biên bản — Quyết định kiểm tra", its number "Số biên bản"."""
    decision = make_decision(world.unit_a, world.users["staff"])
    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    assert issue_through_form(client, inspection, {"representative_name": "Nguyễn Thị Hường"}).status_code == 302
    minutes = db.session.scalars(select(Minutes)).one()
    login(world.users["admin_province"])
    page = client.get("/audit?action=issue").get_data(as_text=True)
    assert f"Ban hành quyết định — Quyết định kiểm tra #{decision.id}" in page
    assert f"Lập biên bản — Biên bản #{minutes.id}" in page
    assert "Số quyết định" in page and "Số biên bản" in page
    rows = list(csv.reader(io.StringIO(client.get("/audit.csv?action=issue").get_data(as_text=True).lstrip("\ufeff"))))
    by_type = {row[6]: (row[5], row[10]) for row in rows[1:]}
    assert by_type["Quyết định kiểm tra"][0] == "Ban hành quyết định"
    assert by_type["Quyết định kiểm tra"][1].startswith("Số quyết định: ")
    assert by_type["Biên bản"] == ("Lập biên bản", by_type["Biên bản"][1])
    assert by_type["Biên bản"][1].startswith("Số biên bản: ")
    assert "Lập, ban hành văn bản" in page  # the filter's option: any kind of record
