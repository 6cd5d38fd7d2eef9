"""Staying logged in on the phone (360×740, real headless Chromium): "Ghi nhớ trên thiết bị này" across a browser
restart and a change of network."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_PASSWORD, INSPECTOR, wait_synced

pytestmark = pytest.mark.browser


def _log_in(page, base: str, remember: bool) -> None:
    page.goto(f"{base}/app")
    page.wait_for_url(lambda url: "/login?next=" in url)
    page.fill("#username", INSPECTOR)
    page.fill("#password", DEMO_PASSWORD)
    if remember:
        page.check("#remember")
    page.click("button[type=submit]")
    page.wait_for_url("**/app")
    page.wait_for_selector("#premise-list .prow")


def _restarted(context) -> dict:
    """What survives closing the browser: the cookies with an expiry (a session cookie has expires == -1)."""
    state = context.storage_state()
    context.close()
    return {**state, "cookies": [c for c in state["cookies"] if c["expires"] != -1]}


def _api_status(page) -> int:
    return page.evaluate(
        "fetch('/api/v1/me', {credentials: 'same-origin', cache: 'no-store', headers: {Accept: 'application/json'}})"
        ".then((r) => r.status)"
    )


def test_remember_me_keeps_the_phone_logged_in_after_a_restart_and_on_4g(field_app):
    """The second page after a restart used to log the inspector out and clear the cookie: the phone then said
    "Cần đăng nhập lại để gửi" and every API call was 401. Now pages and API calls keep working, after a restart
    and from another address (Wi-Fi to 4G, seen through the proxy's X-Forwarded-For)."""
    context, page = field_app.phone()
    _log_in(page, field_app.url, remember=True)
    kept = _restarted(context)
    for network in ({}, {"X-Forwarded-For": "100.64.12.7"}):
        context, page = field_app.phone(storage_state=kept, extra_http_headers=network)
        for _ in range(2):
            page.goto(f"{field_app.url}/app")
            page.wait_for_selector("#premise-list .prow")
            assert "/login" not in page.url
        assert _api_status(page) == 200
        wait_synced(page)
        assert _api_status(page) == 200
        assert page.locator("#banner:has-text('Cần đăng nhập lại')").count() == 0
        assert page.errors == []
        kept = _restarted(context)
    assert "remember_token" in {c["name"] for c in kept["cookies"]}


def test_without_remember_me_a_restart_asks_for_the_login_again(field_app):
    context, page = field_app.phone()
    _log_in(page, field_app.url, remember=False)
    context, page = field_app.phone(storage_state=_restarted(context))
    page.goto(f"{field_app.url}/app")
    page.wait_for_url(lambda url: "/login?next=" in url)
    assert _api_status(page) == 401


def test_a_copied_cookie_stops_working_once_its_owner_logs_out(field_app):
    """The session and remember-me cookies copied off a shared computer into another browser work until the owner
    logs out; after that the copy is sent to the login page and the API answers 401. The owner's password page
    lists the two browsers as one session (they are the same login)."""
    context, page = field_app.phone(service_workers="block")
    _log_in_desk(page, field_app.url)
    copied = context.storage_state()
    assert {"session", "remember_token"} <= {c["name"] for c in copied["cookies"]}
    _, thief = field_app.phone(storage_state=copied, service_workers="block")
    thief.goto(f"{field_app.url}/premises")
    assert "/login" not in thief.url and _api_status(thief) == 200
    page.goto(f"{field_app.url}/account/password")
    assert page.locator("#sessions tbody tr").count() == 1
    assert page.locator("#sessions :text('(phiên này)')").count() == 1
    page.click("form.logout button[type=submit]")
    page.wait_for_url("**/login")
    thief.goto(f"{field_app.url}/premises")
    assert "/login" in thief.url and _api_status(thief) == 401
    assert page.errors == [] and thief.errors == []


def _log_in_desk(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", INSPECTOR)
    page.fill("#password", DEMO_PASSWORD)
    page.check("#remember")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
