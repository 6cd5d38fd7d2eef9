"""Security headers: every answer (page, JSON, static file, error) carries the content policy, frame protection,
nosniff and the referrer policy; HSTS only over https; a wrong method names the allowed ones."""

from __future__ import annotations

import pytest

from inspect_app.web.headers import content_security_policy, tile_origin


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    """Headers do not depend on the database."""
    return request.param


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/api/v1/inspections", "/no-such-page"])
def test_every_answer_carries_the_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = _policy(response)
    for directive in ("default-src", "script-src", "style-src", "connect-src", "frame-ancestors", "base-uri"):
        assert policy[directive] == ["'self'"], directive
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "Strict-Transport-Security" not in response.headers  # plain http: the browser would ignore it anyway


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://kiemtra.example.vn")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_behind_a_trusted_proxy(app_config):
    from inspect_app import create_app

    app = create_app({**app_config, "TRUST_PROXY_HOPS": 1})
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_the_map_tile_server_is_the_only_other_image_source(app_config):
    from inspect_app import create_app

    app = create_app({**app_config, "MAP_TILE_URL": "https://{s}.tile.example.vn/{z}/{x}/{y}.png"})
    policy = _policy(app.test_client().get("/login"))
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://*.tile.example.vn"]
    assert policy["connect-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.basemaps.example.com/light/{z}/{x}/{y}.png", "https://*.basemaps.example.com"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),  # the app's own path: 'self' already covers it
        ("javascript:alert(1)", None),
        ("https://evil.example; script-src *", None),
    ],
)
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin


def test_a_hostile_tile_setting_cannot_widen_the_policy():
    policy = content_security_policy("https://x.example/{z}/{x}/{y}.png'; script-src *")
    assert "script-src 'self';" in policy and "script-src *" not in policy


def test_wrong_method_names_the_allowed_ones(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
