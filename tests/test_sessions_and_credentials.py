"""Sessions end on the server: logging out ends a copied cookie, a password change or an administrator's reset ends
the account's other sessions, remember-me cookies and API tokens. The password page is throttled like the login, the
login does the same work whether the username exists, one person's typos lock only that person, and the limits hold
under concurrent guesses."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import AuditEvent, LoginAttempt, UserSession
from inspect_app.domain.time import utcnow
from tests.api_helpers import token_for
from tests.factories import PASSWORD

NEW_PASSWORD = "MatKhauMoi-2026"


def _log_in(client, user, password: str = PASSWORD, remember: bool = False, address: str = "127.0.0.1"):
    data = {"username": user.username, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def _me(client, headers: dict | None = None) -> int:
    return client.get("/api/v1/me", headers={"Accept": "application/json", **(headers or {})}).status_code


def _copy(source, cookie: str, target) -> None:
    target.set_cookie(cookie, source.get_cookie(cookie).value)


def _another_browser(app):
    return app.test_client()


def test_a_copied_session_cookie_stops_working_after_logout(app, client, world):
    user = world.users["inspector"]
    assert _log_in(client, user).status_code == 302
    thief = _another_browser(app)
    _copy(client, "session", thief)
    assert _me(thief) == 200 and thief.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    # The copy is refused on the API (401) and sent to the login page on the desk.
    assert _me(thief) == 401
    page = thief.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.revoked_at is not None


def test_a_copied_remember_cookie_stops_working_after_logout(app, client, world):
    user = world.users["inspector"]
    assert _log_in(client, user, remember=True).status_code == 302
    thief = _another_browser(app)
    _copy(client, "remember_token", thief)
    assert _me(thief) == 200
    thief.delete_cookie("session")  # only the year-long cookie is kept
    assert client.post("/logout").status_code == 302
    assert _me(thief) == 401


def test_a_password_change_ends_every_other_session_and_token_but_this_one(app, client, world):
    user = world.users["inspector"]
    other_browser = _another_browser(app)
    remembered_phone = _another_browser(app)
    assert _log_in(other_browser, user).status_code == 302
    assert _log_in(remembered_phone, user, remember=True).status_code == 302
    remembered_only = _another_browser(app)
    _copy(remembered_phone, "remember_token", remembered_only)
    token = token_for(client, user)
    assert _log_in(client, user).status_code == 302
    assert [_me(c) for c in (other_browser, remembered_phone, remembered_only)] == [200, 200, 200]
    assert _me(_another_browser(app), token) == 200
    # The list of sessions shows the three browsers, this one marked.
    page = client.get("/account/password").get_data(as_text=True)
    assert "Phiên đăng nhập" in page and page.count("(phiên này)") == 1

    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _me(client) == 200  # this browser stays logged in
    assert [_me(c) for c in (other_browser, remembered_phone, remembered_only)] == [401, 401, 401]
    assert _me(_another_browser(app), token) == 401
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "edit", AuditEvent.record_id == user.id)
    ).all()[-1]
    assert event.changes["sessions_ended"] == [None, 2]
    assert event.changes["tokens_revoked"] == [None, 1]
    assert event.changes["password_hash"] == ["***", "***"]


def test_a_user_logs_out_their_other_browsers_and_keeps_their_tokens(app, client, world):
    user = world.users["inspector"]
    elsewhere = _another_browser(app)
    assert _log_in(elsewhere, user).status_code == 302
    token = token_for(_another_browser(app), user)
    assert _log_in(client, user).status_code == 302
    assert "Đăng xuất các phiên khác" in client.get("/account/password").get_data(as_text=True)
    response = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "Đã đăng xuất 1 phiên đăng nhập khác." in response.get_data(as_text=True)
    assert [_me(client), _me(elsewhere), _me(_another_browser(app), token)] == [200, 401, 200]
    page = client.get("/account/password").get_data(as_text=True)
    assert "(phiên này)" in page and "Đăng xuất các phiên khác" not in page


def _admin_edit(client, world, target, **changes):
    data = {
        "username": target.username,
        "full_name": target.full_name,
        "position": "",
        "role": target.role,
        "home": f"unit:{target.unit_id}",
        "password": "",
        "active": "y",
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/admin/users/{target.id}/edit", data=data)


@pytest.mark.parametrize("change", ["reset", "deactivate"])
def test_an_administrators_reset_or_lock_ends_every_session_and_token(app, client, login, world, change):
    target = world.users["staff"]
    desk, phone = _another_browser(app), _another_browser(app)
    assert _log_in(desk, target).status_code == 302
    assert _log_in(phone, target, remember=True).status_code == 302
    token = token_for(client, target)
    login(world.users["admin_province"])
    edit = {"password": "MatKhauCap-2026"} if change == "reset" else {"active": None}
    assert _admin_edit(client, world, target, **edit).status_code == 302
    assert [_me(desk), _me(phone), _me(_another_browser(app), token)] == [401, 401, 401]
    assert _me(client) == 200  # the administrator's own session is untouched
    if change == "deactivate":
        # Unlocking the account later does not bring the old cookies back.
        assert _admin_edit(client, world, target).status_code == 302
        assert [_me(desk), _me(phone), _me(_another_browser(app), token)] == [401, 401, 401]
        assert _log_in(_another_browser(app), target).status_code == 302


def test_a_reset_from_the_command_line_ends_every_session_and_token(app, client, runner, world):
    target = world.users["staff"]
    assert _log_in(client, target, remember=True).status_code == 302
    token = token_for(_another_browser(app), target)
    result = runner.invoke(
        args=[
            "create-user",
            "--username",
            target.username,
            "--password",
            "MatKhauCap-2026",
            "--role",
            "staff",
        ]
        + ["--unit", world.unit_a.code]
    )
    assert result.exit_code == 0, result.output
    assert [_me(client), _me(_another_browser(app), token)] == [401, 401]


def test_an_administrator_resetting_their_own_password_stays_logged_in(app, client, login, world):
    me = world.users["admin_province"]
    elsewhere = _another_browser(app)
    assert _log_in(elsewhere, me).status_code == 302
    login(me)
    data = {
        "username": me.username,
        "full_name": me.full_name,
        "role": "admin",
        "home": f"province:{me.province_id}",
        "password": "MatKhauCap-2026",
        "active": "y",
    }
    assert client.post(f"/admin/users/{me.id}/edit", data=data).status_code == 302
    assert _me(client) == 200 and _me(elsewhere) == 401


def test_the_password_page_is_throttled_like_the_login(client, login, world):
    user = world.users["inspector"]
    login(user)
    url = "/account/password"
    wrong = {"current": "sai-mat-khau", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for _ in range(5):
        response = client.post(url, data=wrong)
        assert response.status_code == 422
        assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    # Now even the right current password is refused, in Vietnamese, and the password is unchanged.
    right = {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = client.post(url, data=right)
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    # The guesses count for the login too: the username is locked from this address.
    client.post("/logout")
    assert _log_in(client, user).status_code == 429
    failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert len(failed) == 5 and all(e.changes["form"] == [None, "password_change"] for e in failed)


def test_the_login_checks_a_password_whether_the_username_exists_or_not(app, client, world, monkeypatch):
    """The same work either way: one password hash computed, with the configured method and cost."""
    import inspect_app.auth.throttle as throttle
    from werkzeug.security import check_password_hash

    checked: list[str] = []

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split("$")[0])
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(throttle, "check_password_hash", counting, raising=False)
    monkeypatch.setattr("inspect_app.models.users.check_password_hash", counting)
    method = app.config["PASSWORD_HASH_METHOD"]
    for username in ("khong-ton-tai", world.users["inspector"].username):
        checked.clear()
        response = client.post("/login", data={"username": username, "password": "sai-mat-khau"})
        assert response.status_code == 401
        assert checked == [method], username


def test_one_persons_typos_do_not_lock_the_ward_office_out(client, world):
    """Five colleagues behind the office's one NAT address each mistype five times: each is locked from there, but
    the others (and the same people elsewhere) still log in."""
    office = "203.0.113.5"
    typists = [world.users[name] for name in ("inspector", "staff", "supervisor_unit")]
    typists += [world.other_users[name] for name in ("inspector", "staff")]
    for user in typists:
        for _ in range(5):
            assert _log_in(client, user, "sai-mat-khau", address=office).status_code == 401
    assert _log_in(client, typists[0], address=office).status_code == 429
    client.post("/logout")
    assert _log_in(client, world.users["supervisor_province"], address=office).status_code == 302
    client.post("/logout")
    assert _log_in(client, typists[0], address="198.51.100.20").status_code == 302


def test_a_username_guessed_from_many_addresses_is_locked_but_not_for_its_usual_address(app, client, world):
    user = world.users["inspector"]
    home = "192.0.2.10"
    assert _log_in(client, user, address=home).status_code == 302
    client.post("/logout")
    limit = app.config["LOGIN_MAX_FAILURES_PER_USER"]
    for n in range(limit):
        assert _log_in(client, user, "doan-mo", address=f"198.18.0.{n + 1}").status_code == 401
    # From yet another address even the right password waits out the window…
    assert _log_in(client, user, address="198.18.1.1").status_code == 429
    # …but from the address the user logged in from before, the user still gets in.
    assert _log_in(client, user, address=home).status_code == 302


def test_a_session_notes_its_last_use_at_most_every_few_minutes(client, world):
    user = world.users["inspector"]
    assert _log_in(client, user).status_code == 302
    row = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    long_ago = utcnow() - timedelta(hours=1)
    row.last_seen_at = long_ago
    db.session.commit()
    assert _me(client) == 200
    db.session.refresh(row)
    stamped = row.last_seen_at
    assert stamped > long_ago + timedelta(minutes=30)
    assert _me(client) == 200
    db.session.refresh(row)
    assert row.last_seen_at == stamped


def test_a_cookie_without_a_server_session_is_refused(app, client, world):
    """A session made before sessions were kept on the server (only the account id inside) logs nobody in."""
    user = world.users["inspector"]
    assert _log_in(client, user).status_code == 302
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{user.id}:")
        session["_user_id"] = str(user.id)
    assert _me(client) == 401


CONCURRENT_GUESSES = 30


def test_concurrent_wrong_guesses_never_pass_the_limit(app, live_server, world, monkeypatch):
    """Thirty wrong passwords sent at once for one username from one address: no more than the limit are checked;
    the rest are refused with 429 before any password is checked."""
    import inspect_app.auth.throttle as throttle
    from werkzeug.security import check_password_hash

    username = world.users["inspector"].username
    checked = Counter()
    lock = threading.Lock()

    def slow(pwhash: str, password: str) -> bool:
        with lock:
            checked["n"] += 1
        time.sleep(0.2)  # widens the window between counting the failures and recording this one
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(throttle, "check_password_hash", slow, raising=False)
    monkeypatch.setattr("inspect_app.models.users.check_password_hash", slow)
    start = threading.Barrier(CONCURRENT_GUESSES)
    statuses: list[int] = []

    def guess(n: int) -> None:
        start.wait()
        response = requests.post(
            f"{live_server.url}/login",
            data={"username": username, "password": f"doan-{n}"},
            allow_redirects=False,
            timeout=60,
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(CONCURRENT_GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = app.config.get("LOGIN_MAX_FAILURES_PER_USER_AND_IP", 5)
    counted = Counter(statuses)
    assert set(counted) <= {401, 429}, counted
    assert checked["n"] <= limit and counted[401] <= limit, (checked, counted)
    assert counted[429] >= CONCURRENT_GUESSES - limit
    db.session.expire_all()
    failures = db.session.scalars(select(LoginAttempt).where(LoginAttempt.success.is_(False))).all()
    assert len(failures) <= limit


def test_one_account_logging_in_from_many_devices_at_once_is_not_refused(app, live_server, world):
    """Eight correct logins of one account at the same moment (a double-clicked button, the office's phones): the
    tries still being checked hold the others back for a moment, none is refused as a failure."""
    username = world.users["staff"].username
    start = threading.Barrier(8)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def log_in() -> None:
        start.wait()
        response = requests.post(
            f"{live_server.url}/login",
            data={"username": username, "password": PASSWORD},
            allow_redirects=False,
            timeout=60,
        )
        with lock:
            answers.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=log_in) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [(302, "/")] * 8
    db.session.expire_all()
    attempts = db.session.scalars(select(LoginAttempt).where(LoginAttempt.username == username)).all()
    assert [a.success for a in attempts] == [True] * 8
