"""Login, logout, throttling, CSRF and session cookie flags."""

from __future__ import annotations

from inspect_app import create_app
from inspect_app.models import LoginAttempt
from tests.factories import PASSWORD, make_province, make_unit, make_user


def test_login_then_logout(client, world):
    user = world.users["inspector"]
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page
    response = client.post("/login", data={"username": user.username.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert f"Xin chào, {user.full_name}" in client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = client.post("/login", data={"username": world.users["staff"].username, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_in_vietnamese(client, world):
    response = client.post(
        "/login", data={"username": world.users["staff"].username, "password": "sai-mat-khau"}
    )
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_empty_fields_get_vietnamese_messages(client, world):
    response = client.post("/login", data={"username": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng nhập tên đăng nhập." in body and "Vui lòng nhập mật khẩu." in body


def test_login_is_throttled_after_repeated_failures(client, world):
    user = world.users["inspector"]
    for _ in range(5):
        assert client.post("/login", data={"username": user.username, "password": "wrong"}).status_code == 401
    # Even the right password is refused while throttled.
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
    assert LoginAttempt.query.filter_by(success=False).count() == 5
    # Another account from another address is not affected.
    other = world.users["staff"]
    response = client.post(
        "/login",
        data={"username": other.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 302


def test_inactive_account_cannot_log_in(client, world):
    user = make_user("inspector", world.unit_a, active=False)
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 401


def test_next_parameter_cannot_redirect_off_site(client, world):
    user = world.users["inspector"]
    response = client.post(
        "/login?next=https://evil.example/steal", data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/premises", data={"username": user.username, "password": PASSWORD})
    assert response.headers["Location"] == "/premises"


def test_forms_are_protected_by_csrf(app_config, tmp_path):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    with app.app_context():
        province = make_province()
        user = make_user("inspector", make_unit(province))
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code in (400, 422)
        assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
        # With the token from the page, the same login works.
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        # Logout is a POST with a token too; without one it is refused.
        assert client.post("/logout").status_code == 400
        from inspect_app.extensions import db

        db.session.remove()


def test_passwords_are_stored_as_scrypt_hashes_in_production(app):
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    province = make_province()
    user = make_user("staff", make_unit(province))
    assert user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_behind_a_trusted_proxy_throttling_sees_the_real_client(app_config):
    app = create_app({**app_config, "TRUST_PROXY_HOPS": 1, "LOGIN_MAX_FAILURES_PER_IP": 2})
    with app.app_context():
        user = make_user("inspector", make_unit(make_province()))
        client = app.test_client()
        for _ in range(2):
            client.post(
                "/login",
                data={"username": "nobody", "password": "x"},
                headers={"X-Forwarded-For": "203.0.113.7"},
            )
        blocked = client.post(
            "/login",
            data={"username": user.username, "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        assert blocked.status_code == 429
        other = client.post(
            "/login",
            data={"username": user.username, "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
        assert other.status_code == 302
        from inspect_app.extensions import db

        db.session.remove()


def test_a_user_changes_their_own_password(client, login, world):
    user = world.users["inspector"]
    login(user)
    url = "/account/password"
    assert "Đổi mật khẩu" in client.get(url).get_data(as_text=True)
    wrong = client.post(url, data={"current": "sai", "new": "MatKhauMoi-2026", "confirm": "MatKhauMoi-2026"})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    weak = client.post(url, data={"current": PASSWORD, "new": "ngan", "confirm": "ngan"})
    assert "Mật khẩu cần ít nhất 10 ký tự." in weak.get_data(as_text=True)
    mismatch = client.post(
        url, data={"current": PASSWORD, "new": "MatKhauMoi-2026", "confirm": "MatKhauKhac-2026"}
    )
    assert "Hai lần nhập mật khẩu mới không khớp." in mismatch.get_data(as_text=True)
    assert (
        client.post(
            url, data={"current": PASSWORD, "new": "MatKhauMoi-2026", "confirm": "MatKhauMoi-2026"}
        ).status_code
        == 302
    )
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 401
    assert (
        client.post("/login", data={"username": user.username, "password": "MatKhauMoi-2026"}).status_code
        == 302
    )


PHONE = "Mozilla/5.0 (Linux; Android 13; SM-A146P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"


def _restart(client) -> None:
    """A browser restart: the session cookie (no expiry) is gone, persistent cookies stay."""
    client.delete_cookie("session", domain="localhost")


def _signed_in(client, address: str, agent: str = PHONE) -> bool:
    response = client.get(
        "/api/v1/me",
        headers={"User-Agent": agent, "Accept": "application/json"},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def test_remember_me_survives_a_restart_and_a_new_network(client, world):
    """Ticked "Ghi nhớ trên thiết bị này": after a browser restart every page and API call stays logged in, and
    so does a phone that moves from Wi-Fi to 4G (another address, behind a proxy or not). The cookie used from
    another kind of browser is still refused."""
    user = world.users["inspector"]
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "remember": "y"},
        headers={"User-Agent": PHONE},
        environ_base={"REMOTE_ADDR": "192.168.1.20"},
    )
    assert response.status_code == 302
    _restart(client)
    assert [_signed_in(client, "192.168.1.20") for _ in range(3)] == [True, True, True]
    assert client.get_cookie("remember_token") is not None
    # 4G: another address, then a browser update (only the version numbers change), then another restart.
    assert _signed_in(client, "100.64.12.7")
    assert _signed_in(client, "100.64.12.7", PHONE.replace("124.0.0.0", "125.0.6422.53").replace("13", "14"))
    _restart(client)
    assert _signed_in(client, "100.71.3.9") and _signed_in(client, "192.168.1.20")
    page = client.get("/app", headers={"User-Agent": PHONE}, environ_base={"REMOTE_ADDR": "100.71.3.9"})
    assert page.status_code == 200
    # The same cookies in a desktop Firefox: the session and the remember cookie are dropped.
    assert not _signed_in(
        client,
        "100.71.3.9",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
    )
    assert not _signed_in(client, "100.71.3.9")


def test_without_remember_me_a_restart_logs_out(client, world):
    user = world.users["inspector"]
    client.post(
        "/login", data={"username": user.username, "password": PASSWORD}, headers={"User-Agent": PHONE}
    )
    assert _signed_in(client, "127.0.0.1")
    assert client.get_cookie("remember_token") is None
    _restart(client)
    assert not _signed_in(client, "127.0.0.1")
