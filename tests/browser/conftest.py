"""Browser test fixtures: the real headless Chromium (Debian's, through Playwright) against the live server, CSRF on.

The phone is a 360×740 context standing in Chợ Đức Phổ (the demo data), with geolocation granted and service
workers allowed. A WSGI tap on the server records every response and can make chosen requests fail.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspect_app.extensions import db
from tests.conftest import missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARKET = {"latitude": 14.81125, "longitude": 108.95712, "accuracy": 15}
DEMO_PASSWORD = "KiemTra@2026"
INSPECTOR = "kiemtra.ducpho"
COLLEAGUE = "kiemtra2.ducpho"


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    """These tests check the pages and the phone's JavaScript, not the database: one backend is enough."""
    return request.param


@pytest.fixture
def app_config(app_config):
    # The real thing: the browser must fetch and send the CSRF token itself.
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tap:
    """WSGI middleware: records (method, path, status, body bytes) of each response; `fail` may answer instead."""

    wrapped: object
    log: list = field(default_factory=list)
    fail: object = None  # callable(method, path) -> HTTP status to answer with, or None
    lock: threading.Condition = field(default_factory=threading.Condition)
    open: int = 0  # requests received and not yet answered to the last byte

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        with self.lock:
            self.open += 1
        status = self.fail(method, path) if self.fail else None
        if status:
            # Read the upload first, as a real server would, so the browser sees an answer and not a reset.
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = json.dumps({"error": f"Lỗi máy chủ thử nghiệm ({status})."}).encode()
            start_response(
                f"{status} TEST", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            self._record(method, path, status, len(body))
            return [body]
        return self._passthrough(environ, start_response, method, path)

    def _passthrough(self, environ, start_response, method, path):
        seen = {}

        def remember(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        chunks = None
        size = 0
        try:
            chunks = self.wrapped(environ, remember)
            for chunk in chunks:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
            self._record(method, path, seen.get("status"), size)

    def _record(self, method, path, status, size):
        with self.lock:
            self.log.append((method, path, status, size))
            self.open -= 1
            self.lock.notify_all()

    def wait_idle(self, timeout: float = 20) -> None:
        """Returns once every request the server has received is answered and in the log."""
        with self.lock:
            assert self.lock.wait_for(lambda: self.open == 0, timeout), f"{self.open} requests still open"

    def calls(self, method: str, fragment: str) -> list:
        with self.lock:
            return [entry for entry in self.log if entry[0] == method and fragment in entry[1]]


@pytest.fixture
def tap(app):
    tap = Tap(app.wsgi_app)
    app.wsgi_app = tap
    return tap


@pytest.fixture
def demo(app):
    from inspect_app.demo.seed import load_demo

    # The readings tests set up their own reference weights and scale, so the demo's kit stays out.
    load_demo(metrology=False)
    db.session.commit()


@dataclass
class Field:
    """What a browser test needs: the server's address, the tap, and phone-shaped browser contexts."""

    url: str
    tap: Tap
    browser: object
    contexts: list = field(default_factory=list)

    def phone(self, **options):
        context = self.browser.new_context(
            viewport={"width": 360, "height": 740},
            geolocation=MARKET,
            permissions=["geolocation"],
            service_workers=options.pop("service_workers", "allow"),
            locale="vi-VN",
            **options,
        )
        context.set_default_timeout(20000)
        self.contexts.append(context)
        page = context.new_page()
        # A JavaScript error anywhere fails the test, not just a missing element later.
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return context, page

    def desk(self, username: str):
        """A desk browser (1280×900) logged in as ``username``; ``page.errors`` collects JavaScript errors."""
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.set_default_timeout(20000)
        self.contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(f"{self.url}/login")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page


@pytest.fixture
def field_app(browser, live_server, demo, tap):
    env = Field(url=live_server.url, tap=tap, browser=browser)
    yield env
    for context in env.contexts:
        context.close()


# ---- steps shared by the tests ----------------------------------------------------------------------------------------


def login(page, base: str, username: str = INSPECTOR) -> None:
    page.goto(f"{base}/app")
    # /app needs a session: the existing login page, then back to /app.
    page.wait_for_url(lambda url: "/login?next=" in url)
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/app")
    page.wait_for_selector("#premise-list .prow")


def wait_until(page, expression: str, timeout: float = 20) -> None:
    """Poll a JavaScript expression until it is true. Not page.wait_for_function: that evaluates its predicate with
    eval() inside the page, which the app's Content-Security-Policy (no 'unsafe-eval') refuses."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def wait_for_service_worker(page) -> None:
    wait_until(page, "navigator.serviceWorker.controller !== null")


def pending(page) -> int:
    return int(page.get_attribute("#sync-pill", "data-pending"))


def wait_synced(page, timeout: int = 90000) -> None:
    page.wait_for_selector('#sync-pill[data-pending="0"]', timeout=timeout)


def jpeg(
    width: int = 3000, height: int = 2000, orientation: int | None = None, taken: str | None = None
) -> bytes:
    """A camera-like JPEG: a gradient, optionally with EXIF orientation and capture time."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = image.getexif()
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif.tobytes())
    return buffer.getvalue()


def start_nearest(page, basis: str = "Kế hoạch số 50/KH-UBND ngày 29/9/2025", double_tap: bool = False) -> str:
    """Opens the nearest premise, fills the start form (team with a colleague and a police officer), starts (with
    a double tap on "Bắt đầu kiểm tra" if asked)."""
    name = page.inner_text("#premise-list .prow >> nth=0 >> strong")
    page.click("#premise-list .prow >> nth=0")
    page.wait_for_selector("#start")
    page.wait_for_selector("#gps-box >> text=Sai số GPS ±15 m")
    page.click("label.choice:has-text('Theo kế hoạch')")
    assert page.is_checked("input[name=kind][value=planned]")
    page.fill("#basis", basis)
    page.check(".team .check:has-text('Huỳnh Thị Mai') input")
    page.fill("#member-name", "Nguyễn Văn An")
    page.fill("#member-position", "Cán bộ")
    page.fill("#member-organisation", "Công an phường Đức Phổ")
    page.click("#add-member")
    page.wait_for_selector(".members li:has-text('Nguyễn Văn An')")
    if page.locator("#carried-ok").count():  # filled in from the previous inspection: looked at, confirmed
        page.check("#carried-ok")
    if double_tap:
        page.dblclick("#start")
    else:
        page.click("#start")
    page.wait_for_selector(".items .item")
    return name


def answer_everything(page, photo: bytes | None = None) -> dict:
    """Group by group: the first item fails with a note and a count (and a photo), one item is N/A, the rest pass."""
    answers = {}
    first = True
    while True:
        for item in page.locator(".items > .item").all():
            code = item.get_attribute("data-code")
            if first:
                item.locator(".ans-fail").click()
                page.fill(f"#note-{code}", "Cân đồng hồ lò xo 5 kg không có tem kiểm định")
                page.fill(f"#count-{code}", "1")
                page.locator(f"#count-{code}").blur()
                if photo:
                    page.set_input_files(
                        f"#item-{code} input[type=file]",
                        files=[{"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": photo}],
                    )
                    page.wait_for_selector(f"#item-{code} img.thumb")
                answers[code] = "fail"
                first = False
            elif code == "GIA-03":
                page.locator(f"#item-{code} .ans-na").click()
                answers[code] = "na"
            else:
                page.locator(f"#item-{code} .ans-pass").click()
                answers[code] = "pass"
            page.wait_for_selector(f'#item-{code}[data-answer="{answers[code]}"]')
        if page.locator("#next-group").count():
            group = page.get_attribute("#next-group", "href").rsplit("/", 1)[-1]
            page.click("#next-group")
            page.wait_for_selector(f".items > .item[data-code^='{group}-']")
        else:
            page.click("#to-conclusion")
            page.wait_for_selector("#complete")
            return answers


def mark_rest_not_checked(page, reason: str = "Không đủ thời gian kiểm tra lần này") -> int:
    """On the conclusion screen: every item still without an answer marked "Không kiểm tra" with a reason."""
    marked = 0
    while page.locator("#unanswered .skip-row").count():
        code = page.locator("#unanswered .skip-row").first.get_attribute("data-code")
        page.fill(f"#skip-reason-{code}", reason)
        page.click(f"#skip-{code}")
        page.wait_for_selector(f"#unanswered-{code}", state="detached")
        marked += 1
    return marked


def complete(page, deadline: str | None = None) -> None:
    """Concludes with a fix-by request, its deadline a week from today unless given."""
    page.click("label.choice:has-text('Yêu cầu khắc phục')")
    assert page.is_checked("input[name=outcome][value=fix_request]")
    page.fill("#fix-deadline", deadline or (date.today() + timedelta(days=7)).isoformat())
    page.fill("#handling-note", "Yêu cầu đưa cân đi kiểm định trước hạn.")
    page.click("#complete")
    page.wait_for_selector("#premise-list")


def count(model) -> int:
    """Rows on the server now (a new transaction: the live server commits in other threads)."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def only(model):
    db.session.rollback()
    rows = db.session.scalars(select(model)).all()
    assert len(rows) == 1, rows
    return rows[0]


def preview_and_issue(page) -> None:
    """On the biên bản's issue page: choose a recorder if none is chosen (the team's first member), look at the
    preview, then "Lập và khóa" — the only way a biên bản is issued from the form."""
    if page.locator("#recorder_member").count() and not page.input_value("#recorder_member"):
        values = page.eval_on_selector_all("#recorder_member option", "els => els.map(e => e.value).filter(v => v)")
        page.select_option("#recorder_member", values[0])
    page.click("button:has-text('Xem trước biên bản')")
    page.click("button:has-text('Lập và khóa')")
