"""The content policy in real Chromium: every page of the desk, the map with its basemap, the phone app with its
service worker, and the public verification page work under it with no violation reported, and a script injected
into a page is refused."""

from __future__ import annotations

from tests.browser.conftest import DEMO_PASSWORD, login, wait_for_service_worker

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""
DESK_PAGES = ["/", "/inspections", "/premises", "/dashboard", "/map", "/minutes", "/reports", "/plans",
              "/complaints", "/decisions"]


def _violations(page) -> list[str]:
    return page.evaluate("window.cspViolations")


def _desk(field_app, username: str):
    context = field_app.browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    field_app.contexts.append(context)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{field_app.url}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_desk_pages_run_under_the_policy(field_app):
    page = _desk(field_app, "lanhdao.ducpho")
    for path in DESK_PAGES:
        response = page.goto(f"{field_app.url}{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], path
    # The map drew its legend and its premises (coloured by inline style attributes, which the policy allows).
    page.goto(f"{field_app.url}/map")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []
    assert page.errors == []


def test_an_injected_script_does_not_run(field_app):
    page = _desk(field_app, "lanhdao.ducpho")
    page.goto(f"{field_app.url}/inspections")
    ran = page.evaluate(
        """() => new Promise(resolve => {
            window.injected = false;
            const s = document.createElement('script');
            s.textContent = 'window.injected = true';
            document.body.appendChild(s);
            const img = document.createElement('img');
            img.src = 'https://elsewhere.example.invalid/pixel.png';
            document.body.appendChild(img);
            setTimeout(() => resolve(window.injected), 300);
        })"""
    )
    assert ran is False
    blocked = _violations(page)
    assert any(v.startswith("script-src") for v in blocked), blocked
    assert any(v.startswith("img-src") and "elsewhere.example.invalid" in v for v in blocked), blocked


def test_phone_app_and_public_verification_run_under_the_policy(field_app):
    context, page = field_app.phone()
    context.add_init_script(RECORD_VIOLATIONS)
    login(page, field_app.url)
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_selector("#premise-list .prow")
    assert _violations(page) == []
    assert page.errors == []

    # The public page a QR code opens (here for a code that matches no document): no login, same policy.
    response = page.goto(f"{field_app.url}/v/khong-co-ma-nay")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert _violations(page) == []
