"""The field app's shell as the browser receives it: login gate, service worker headers, manifest, icons, caching."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from PIL import Image

from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config):
    # No browser here: the test client's form login sends no CSRF token.
    return {**app_config, "WTF_CSRF_ENABLED": False}


def test_the_app_needs_a_login_and_holds_nothing_about_the_user(client, login, world):
    response = client.get("/app")
    assert response.status_code == 302 and "/login?next=/app" in response.headers["Location"]
    user = world.users["inspector"]
    login(user)
    response = client.get("/app")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="vi">' in html
    # The service worker serves this page to whoever logs in next on the phone.
    assert user.username not in html and user.full_name not in html and PASSWORD not in html
    assert "csrf" not in html.lower()
    assert response.headers["Cache-Control"] == "no-cache, private"
    vocabulary = json.loads(html.split('id="vocabulary">')[1].split("</script>")[0])
    assert [code for code, _ in vocabulary["kinds"]] == ["planned", "themed", "unannounced", "complaint"]
    assert dict(vocabulary["answers"]) == {"pass": "Đạt", "fail": "Không đạt", "na": "Không áp dụng", "skip": "Không kiểm tra"}


def test_the_service_worker_is_served_for_the_root_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    for url in (
        "/app",
        "/manifest.webmanifest",
        "/app/static/field/app.js",
        "/app/static/icons/icon-512.png",
    ):
        assert f'"{url}"' in body


def test_the_manifest_and_its_icons(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.get_data(as_text=True))
    assert data["name"] == "Kiểm tra TC-ĐL-CL" and data["short_name"]
    assert data["start_url"] == "/app" and data["display"] == "standalone" and data["theme_color"]
    for icon in data["icons"]:
        size = int(icon["sizes"].split("x")[0])
        response = client.get(icon["src"])
        assert response.mimetype == "image/png"
        assert Image.open(io.BytesIO(response.get_data())).size == (size, size)
    assert sorted(icon["sizes"] for icon in data["icons"]) == ["192x192", "512x512"]


def test_shell_files_are_gzipped_and_revalidated_by_etag(client):
    plain = client.get("/app/static/field/app.js")
    packed = client.get("/app/static/field/app.js", headers={"Accept-Encoding": "gzip"})
    assert plain.mimetype == "text/javascript" and "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    again = client.get(
        "/app/static/field/app.js",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304 and again.get_data() == b""
    # Only the shell's own files are served here.
    assert client.get("/app/static/field/README.md").status_code == 404
