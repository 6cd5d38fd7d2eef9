"""The supervisor's map in real headless Chromium on the demo data: the premises drawn (or counted in groups) are
the scope's, a filter changes them and the URL, a popup links to the right inspection and biên bản, the GPS layer
draws the far fix, and the page works with its basemap's tile requests blocked: no request leaves the app."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.models import Premise, Province, Unit, User

from tests.browser.conftest import DEMO_PASSWORD, wait_until
from tests.factories import mark_not_checked

TILE_HOST = "tiles.example.invalid"


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "MAP_TILE_URL": f"https://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png",
        "MAP_TILE_ATTRIBUTION": "© Bản đồ nền thử nghiệm",
        # Few enough that the province's view is counted by commune, and one premise is drawn by itself.
        "MAP_POINT_LIMIT": 5,
    }


@pytest.fixture
def inspected(app, demo):
    """A completed inspection in Chợ Đức Phổ with a fix request, its GPS fix 2 km away, and its biên bản."""
    from inspect_app.inspections import service
    from inspect_app.minutes.service import IssueRequest, issue_minutes

    inspector = db.session.scalars(select(User).where(User.username == "kiemtra.ducpho")).one()
    clerk = db.session.scalars(select(User).where(User.username == "vanphong.ducpho")).one()
    premise = db.session.scalars(select(Premise).where(Premise.name == "Sạp cân Nguyễn Thị Hường")).one()
    inspection, _ = service.create_inspection(
        {
            "uuid": str(uuid.uuid4()),
            "premise_id": premise.id,
            "kind": "planned",
            "team": [],
            "started_at": datetime.now(UTC) - timedelta(days=2),
            "gps": {"latitude": premise.latitude + 0.018, "longitude": premise.longitude, "accuracy_m": 25.0},
        },
        inspector,
    )
    service.record_finding(
        inspection,
        {"uuid": str(uuid.uuid4()), "item_code": "NHAN-05", "answer": "fail", "note": "Quá hạn sử dụng"},
        inspector,
    )
    mark_not_checked(inspection, inspector)
    inspection = service.update_inspection(
        inspection,
        {
            "version": inspection.version,
            "status": "completed",
            "outcome": "fix_request",
            "fix_deadline": today_vn() + timedelta(days=20),
        },
        inspector,
    )
    minutes = issue_minutes(inspection, IssueRequest("Nguyễn Thị Hường", "Chủ hộ kinh doanh"), clerk)
    db.session.commit()
    assert "far_from_premise" in inspection.gps_flags
    return {"inspection": inspection.id, "minutes": minutes.id, "premise": premise.id}


def _province_count() -> int:
    """The province supervisor's scope, counted here: active premises of the demo province's units."""
    return db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .join(Unit, Unit.id == Premise.unit_id)
        .join(Province, Province.id == Unit.province_id)
        .where(Province.code == "51", Premise.status == "active", Premise.latitude.is_not(None))
    )


def _loaded(page) -> None:
    wait_until(
        page,
        "(() => { const m = document.getElementById('map');"
        " return m.dataset.drawn !== '' && m.dataset.drawn !== undefined && !m.dataset.loading; })()",
    )


def test_the_supervisors_map(browser, live_server, inspected):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(20000)
    requests, blocked = [], []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(base + "/"):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/map")
        page.wait_for_url(lambda url: "/login?next=" in url)
        page.fill("#username", "sokhcn")
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: urlsplit(url).path == "/map")
        _loaded(page)
        expected = _province_count()
        assert expected > 5
        map_box = page.locator("#map")
        # The province, fitted: more premises than the point limit, counted in grid cells; every premise of the
        # scope is in one.
        assert map_box.get_attribute("data-mode") == "cells"
        assert int(map_box.get_attribute("data-drawn")) == expected
        counted = [int(text.replace(".", "")) for text in page.locator(".cluster span").all_inner_texts()]
        assert sum(counted) == expected
        # Zoomed out to the province's scale: counted by commune, labelled with its name; the hash keeps the view.
        page.click(".leaflet-control-zoom-out")
        page.wait_for_selector('#map[data-mode="units"]', state="attached")
        _loaded(page)
        assert urlsplit(page.url).fragment.startswith("10/")
        counted = [int(text.replace(".", "")) for text in page.locator(".cluster span").all_inner_texts()]
        assert sum(counted) == expected == int(map_box.get_attribute("data-drawn")) and len(counted) == 3
        assert "Phường Đức Phổ" in page.locator(".cluster-label").all_inner_texts()
        assert int(page.get_attribute("#map-total", "data-total")) == expected
        assert page.inner_text("[data-count=fix_pending]") == "1"
        assert page.locator("#map-list .card-row").count() == expected
        # The GPS layer: the far fix of the inspection.
        page.wait_for_selector('#map[data-gps="1"]', state="attached")
        # A filter change: the URL keeps it, the map and the list follow.
        page.select_option("select[name=state]", "fix_pending")
        page.click("#map-filters button[type=submit]")
        page.wait_for_url(lambda url: "state=fix_pending" in url)
        _loaded(page)
        assert parse_qs(urlsplit(page.url).query) == {"state": ["fix_pending"]}
        assert map_box.get_attribute("data-mode") == "points"
        assert map_box.get_attribute("data-drawn") == "1"
        assert page.locator("#map-list .card-row").count() == 1
        assert page.get_attribute("#map-list .card-row", "data-premise") == str(inspected["premise"])
        # The popup: a real click on the drawn premise.
        x, y = page.evaluate(
            """() => { let found; window.inspectMap.eachLayer(l => { if (l.premiseId) found = l; });
                const p = window.inspectMap.latLngToContainerPoint(found.getLatLng()); return [p.x, p.y]; }"""
        )
        box = map_box.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_selector(".map-card a.card-inspection")
        assert (
            page.get_attribute(".map-card a.card-inspection", "href")
            == f"/inspections/{inspected['inspection']}"
        )
        assert page.get_attribute(".map-card a.card-minutes", "href") == f"/minutes/{inspected['minutes']}"
        assert page.get_attribute(".map-card a.card-premise", "href") == f"/premises/{inspected['premise']}"
        assert "Đang chờ khắc phục" in page.inner_text(".map-card")
        # The GPS layer's fix (just north of the premise, under its popup): its popup gives the distance and
        # accuracy and links to the same inspection.
        page.evaluate("() => { window.inspectMap.closePopup(); }")
        page.wait_for_selector(".leaflet-popup", state="detached")  # it fades out first
        x, y = page.evaluate(
            """() => { let found; window.inspectMap.eachLayer(l => { if (l.inspectionId) found = l; });
                const p = window.inspectMap.latLngToContainerPoint(found.getLatLng()); return [p.x, p.y]; }"""
        )
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_selector(".leaflet-popup a.gps-inspection")
        gps_popup = page.inner_text(".leaflet-popup")
        assert "Cách cơ sở: 1.9" in gps_popup or "Cách cơ sở: 2.0" in gps_popup, gps_popup
        assert "Sai số GPS: ±25 m" in gps_popup
        assert (
            page.get_attribute(".leaflet-popup a.gps-inspection", "href")
            == f"/inspections/{inspected['inspection']}"
        )
        page.evaluate("() => { window.inspectMap.closePopup(); }")
        page.wait_for_selector(".leaflet-popup", state="detached")  # it fades out first
        x, y = page.evaluate(
            """() => { let found; window.inspectMap.eachLayer(l => { if (l.premiseId) found = l; });
                const p = window.inspectMap.latLngToContainerPoint(found.getLatLng()); return [p.x, p.y]; }"""
        )
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_selector(".map-card a.card-inspection")
        page.click(".map-card a.card-inspection")
        page.wait_for_url(f"**/inspections/{inspected['inspection']}")
        assert "Sạp cân Nguyễn Thị Hường" in page.inner_text("main")
        # Tiles were asked for and blocked; nothing else left the app.
        assert blocked and all(urlsplit(url).hostname == TILE_HOST for url in blocked), blocked
        outside = [
            url for url in requests if not url.startswith(base + "/") and urlsplit(url).hostname != TILE_HOST
        ]
        assert outside == []
        assert errors == []
    finally:
        context.close()
