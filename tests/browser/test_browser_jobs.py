"""Background jobs in Chromium: a list exported in the background, followed on the Tác vụ page until its file can
be downloaded, the page polling its progress (static JS, under the Content-Security-Policy)."""

from __future__ import annotations

from inspect_app.jobs.worker import Worker
from tests.browser.conftest import wait_until


def test_a_background_export_shows_its_progress_and_then_its_file(field_app, app):
    page = field_app.desk("vanphong.ducpho")
    base = field_app.url
    page.goto(f"{base}/premises")
    page.click("text=Excel (chạy nền) >> nth=0")
    page.wait_for_url(lambda url: "/jobs" in url)
    page.wait_for_selector("text=Đã đưa tác vụ vào hàng chờ.")
    row = page.locator(".job").first
    assert row.get_attribute("data-status") == "queued"
    assert "Xuất danh sách cơ sở (XLSX)" in row.inner_text()

    Worker(app, poll_seconds=0).run(once=True)
    # The page asks the server again by itself and shows the finished job with its file.
    wait_until(page, "document.querySelector('.job[data-status=done] .job-download a') !== null")
    assert page.locator(".job .job-progress").first.get_attribute("value") == "100"
    with page.expect_download() as download:
        page.click(".job-download a")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert field_app.tap.calls("GET", "/jobs/status.json")
    assert page.errors == []
