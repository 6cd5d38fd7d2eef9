"""The supervisor's map and its filters: the filters read from a query string (Vietnamese errors for bad values, a
round trip through to_query), the map's counts against counts written here independently, what each filter keeps,
the GPS layer and the popup, scoping, and bad values answering a Vietnamese 4xx on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inspect_app.domain.map_grid import cell_degrees, grouping, parse_bbox
from inspect_app.domain.time import today_vn
from inspect_app.extensions import db
from inspect_app.inspections import service
from inspect_app.models import Premise
from inspect_app.supervision.filters import InvalidFilters, SupervisionFilters, parse_filters
from tests.factories import make_premise, mark_not_checked

# ---- the filters and the grid, on plain values ----------------------------------------------------------------------


def test_filters_read_every_value_and_give_it_back():
    args = {
        "province": "2",
        "unit": "3",
        "market": "7",
        "type": "grocery",
        "state": "fix_overdue",
        "from": "01/02/2026",
        "to": "2026-03-31",
        "group": "PTD",
        "result": "violation",
        "handling": "fix_request",
        "inspector": "12",
        "bbox": "ignored here",
    }
    filters = parse_filters(args)
    assert filters == SupervisionFilters(
        province_id=2,
        unit_id=3,
        market_id=7,
        premise_type="grocery",
        state="fix_overdue",
        date_from=date(2026, 2, 1),
        date_to=date(2026, 3, 31),
        group="PTD",
        result="violation",
        handling="fix_request",
        inspector_id=12,
    )
    assert filters.to_args()["from"] == "2026-02-01"
    assert parse_filters(dict(pair.split("=") for pair in filters.to_query().split("&"))) == filters
    assert parse_filters({}) == SupervisionFilters() and SupervisionFilters().to_query() == ""
    assert parse_filters({"unit": " ", "state": ""}).is_empty
    assert filters.filters_inspections and filters.filters_premises
    assert not parse_filters({"unit": "3", "state": "pass"}).filters_inspections


@pytest.mark.parametrize(
    ("args", "name", "words"),
    [
        ({"unit": "abc"}, "unit", "Đơn vị không hợp lệ"),
        ({"province": "Hà Nội"}, "province", "Tỉnh, thành phố không hợp lệ"),
        ({"unit": "-1"}, "unit", "không phải là mã số"),
        ({"market": "99999999999"}, "market", "Chợ không hợp lệ"),
        ({"inspector": "١٢"}, "inspector", "Cán bộ kiểm tra không hợp lệ"),
        ({"type": "shop"}, "type", "Loại hình cơ sở không hợp lệ"),
        ({"state": "late"}, "state", "Tình trạng cơ sở không hợp lệ"),
        ({"from": "2026-13-01"}, "from", "nhập ngày dạng 31/12/2026"),
        ({"to": "hôm qua"}, "to", "Đến ngày không hợp lệ"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to", "Đến ngày phải sau hoặc bằng Từ ngày"),
        ({"group": "XYZ"}, "group", "Nhóm nội dung kiểm tra không hợp lệ"),
        ({"result": "fail"}, "result", "Kết quả kiểm tra không hợp lệ"),
        ({"handling": "fine"}, "handling", "Hình thức xử lý không hợp lệ"),
    ],
)
def test_bad_filter_values_are_named_in_vietnamese(args, name, words):
    with pytest.raises(InvalidFilters) as raised:
        parse_filters(args)
    assert words in raised.value.errors[name]


def test_bbox_and_grid():
    box = parse_bbox("108.3,14.5,109.1,15.4")
    assert (box.west, box.south, box.east, box.north) == (108.3, 14.5, 109.1, 15.4)
    assert parse_bbox("") is None and parse_bbox(None) is None
    assert parse_bbox("-200,-95,200,95").west == -180.0
    for bad in ("1,2,3", "a,b,c,d", "2,0,1,1", "0,2,1,1", "nan,0,1,1"):
        with pytest.raises(ValueError, match="bbox"):
            parse_bbox(bad)
    assert cell_degrees(10) == pytest.approx(cell_degrees(11) * 2)
    assert grouping(6, provinces=2, units=2) == "provinces"
    assert grouping(6, provinces=1, units=96) == "units"
    assert grouping(11, provinces=1, units=96) == "cells"
    assert grouping(6, provinces=1, units=1) == "cells"


# ---- a small world with positions, inspections and a GPS mismatch ---------------------------------------------------


def _inspect(
    premise, user, *, day: date, answers: dict, outcome: str, fix_deadline=None, gps=None, team=None
):
    inspection, _ = service.create_inspection(
        {
            "uuid": str(uuid.uuid4()),
            "premise_id": premise.id,
            "kind": "planned",
            "team": team or [],
            "started_at": datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC),
            "gps": gps,
        },
        user,
    )
    for code, answer in answers.items():
        service.record_finding(
            inspection,
            {"uuid": str(uuid.uuid4()), "item_code": code, "answer": answer, "note": "Ghi chú"},
            user,
        )
    mark_not_checked(inspection, user)
    data = {"version": inspection.version, "status": "completed", "outcome": outcome}
    if fix_deadline:
        data["fix_deadline"] = fix_deadline
    inspection = service.update_inspection(inspection, data, user)
    db.session.commit()
    return inspection


@pytest.fixture
def mapped(world):
    """Located premises in A (four, one in the market), A2 and B, one in A without a location; inspections: a fix
    request with a far GPS fix (A), a pass in March (A), a violation (B)."""
    w = world
    inspector = w.users["inspector"]
    colleague = w.users["supervisor_unit"]
    w.stall = make_premise(
        w.unit_a, name="Sạp bản đồ Một", latitude=14.8100, longitude=108.9500, market_id=w.market_a.id
    )
    w.shop = make_premise(
        w.unit_a, name="Tạp hóa bản đồ Hai", premise_type="grocery", latitude=14.8120, longitude=108.9510
    )
    w.fresh = make_premise(w.unit_a, name="Sạp bản đồ Ba", latitude=14.8130, longitude=108.9520)
    w.unlocated = make_premise(w.unit_a, name="Sạp bản đồ không vị trí")
    w.sibling = make_premise(
        w.unit_a2, name="Tạp hóa xã bên", premise_type="grocery", latitude=14.9, longitude=108.8
    )
    w.secret = make_premise(w.unit_b, name="Sạp bí mật trên bản đồ", latitude=13.98, longitude=108.0)
    today = today_vn()
    w.fix = _inspect(
        w.stall,
        inspector,
        day=today - timedelta(days=10),
        answers={"GIA-01": "pass", "NHAN-05": "fail"},
        outcome="fix_request",
        fix_deadline=today + timedelta(days=30),
        gps={"latitude": 14.8300, "longitude": 108.9500, "accuracy_m": 20.0},
    )
    w.passed = _inspect(
        w.shop,
        inspector,
        day=today - timedelta(days=100),
        answers={"GIA-01": "pass"},
        outcome="pass",
        gps={"latitude": 14.8120, "longitude": 108.9510, "accuracy_m": 8.0},
        team=[{"user_id": colleague.id, "team_role": "lead"}],
    )
    w.violation = _inspect(
        w.secret,
        w.other_users["inspector"],
        day=today - timedelta(days=5),
        answers={"GIA-01": "fail"},
        outcome="reminder",
        gps={"latitude": 13.99, "longitude": 108.0, "accuracy_m": 500.0},
    )
    assert "far_from_premise" in w.fix.gps_flags
    return w


def _scope_count(unit_ids) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(Premise.unit_id.in_(unit_ids), Premise.status == "active")
    )


def _ids(client, query: str = "") -> set[int]:
    response = client.get(f"/api/v1/map/premises?zoom=16&{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["mode"] == "points"
    return {point["id"] for point in body["points"]}


@pytest.mark.parametrize("actor", ["inspector", "supervisor_province"])
def test_the_map_counts_what_the_scope_holds(client, login, mapped, actor):
    w = mapped
    login(w.users[actor])
    units = [w.unit_a.id] + ([w.unit_a2.id] if actor == "supervisor_province" else [])
    expected_total = _scope_count(units)
    located = db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(Premise.unit_id.in_(units), Premise.status == "active", Premise.latitude.is_not(None))
    )
    summary = client.get("/api/v1/map/summary").get_json()
    assert summary["total"] == expected_total and summary["located"] == located
    assert summary["unlocated"] == expected_total - located >= 1
    assert summary["counts"]["fix_pending"] == 1 and summary["counts"]["pass"] == 1
    assert sum(summary["counts"].values()) == expected_total
    # One by one when few; grouped (by unit for the province, by cell for a commune) when the limit is 1.
    points = client.get("/api/v1/map/premises?zoom=16").get_json()
    assert points["mode"] == "points" and len(points["points"]) == points["total"] == located
    states = {p["id"]: p["state"] for p in points["points"]}
    assert (
        states[w.stall.id] == "fix_pending"
        and states[w.shop.id] == "pass"
        and states[w.fresh.id] == "never_inspected"
    )
    client.application.config["MAP_POINT_LIMIT"] = 1
    grouped = client.get("/api/v1/map/premises?zoom=9").get_json()
    assert grouped["mode"] == ("units" if actor == "supervisor_province" else "cells")
    assert sum(g["count"] for g in grouped["groups"]) == grouped["total"] == located
    assert grouped["counts"] == points["counts"]
    if actor == "supervisor_province":
        assert {g["label"] for g in grouped["groups"]} == {w.unit_a.name, w.unit_a2.name}
    # The page: the legend and the list say the same count.
    page = client.get("/map").get_data(as_text=True)
    assert f'data-total="{expected_total}"' in page
    assert page.count('class="card-row"') == expected_total
    assert "Bản đồ" in page and "/vendor/leaflet/leaflet.js" in page


def test_each_filter_keeps_what_it_says(client, login, mapped):
    w = mapped
    login(w.users["supervisor_province"])
    inspector = w.users["inspector"]
    today = today_vn()
    assert _ids(client, "handling=fix_request") == {w.stall.id}
    assert _ids(client, "group=NHAN&result=violation") == {w.stall.id}
    assert _ids(client, "group=GIA&result=pass") == {w.stall.id, w.shop.id}
    assert _ids(client, "group=GIA") == {w.stall.id, w.shop.id}
    assert _ids(client, "group=PTD") == set()
    assert _ids(client, "result=violation") == {w.stall.id}
    assert _ids(client, "result=pass") == {w.shop.id}
    recent = (today - timedelta(days=30)).isoformat()
    assert _ids(client, f"from={recent}") == {w.stall.id}
    assert _ids(client, f"to={recent}") == {w.shop.id}
    # A team member is the inspector; whoever recorded an inspection for another team is not.
    assert _ids(client, f"inspector={inspector.id}") == {w.stall.id}
    assert _ids(client, f"inspector={w.users['supervisor_unit'].id}") == {w.shop.id}
    assert _ids(client, "state=fix_pending") == {w.stall.id}
    assert _ids(client, "state=never_inspected") == {w.fresh.id, w.sibling.id}
    assert _ids(client, "type=grocery") == {w.shop.id, w.sibling.id}
    assert _ids(client, f"market={w.market_a.id}") == {w.stall.id}
    assert _ids(client, f"unit={w.unit_a2.id}") == {w.sibling.id}
    summary = client.get(f"/api/v1/map/summary?unit={w.unit_a.id}&state=never_inspected").get_json()
    assert (
        summary["total"] == 2 + 1 and summary["unlocated"] == 2
    )  # w.premise_a from the world has none either


def test_the_gps_layer_and_the_popup(client, login, mapped):
    w = mapped
    from inspect_app.minutes.service import IssueRequest, issue_minutes

    minutes = issue_minutes(w.fix, IssueRequest("Chủ cơ sở", "Chủ hộ kinh doanh"), w.users["staff"])
    db.session.commit()
    login(w.users["inspector"])
    layer = client.get("/api/v1/map/gps?bbox=108.9,14.7,109.0,14.9").get_json()
    assert [item["inspection_id"] for item in layer["items"]] == [w.fix.id] and layer["more"] is False
    item = layer["items"][0]
    assert item["flags"] == ["far_from_premise"] and item["distance_m"] > 2000 and item["accuracy_m"] == 20.0
    assert item["premise_latitude"] == 14.81 and item["inspection_url"] == f"/inspections/{w.fix.id}"
    assert "xa vị trí đã đăng ký" in item["flag_labels"][0]
    assert client.get("/api/v1/map/gps?bbox=108.0,14.0,108.5,14.5").get_json()["items"] == []
    card = client.get(f"/api/v1/map/premises/{w.stall.id}").get_json()
    assert card["state"] == "fix_pending" and card["state_label"] == "Đang chờ khắc phục"
    assert card["last_inspection"]["url"] == f"/inspections/{w.fix.id}"
    assert card["last_inspection"]["outcome_label"] == "Yêu cầu khắc phục"
    assert (
        card["minutes"]["url"] == f"/minutes/{minutes.id}"
        and card["minutes"]["number"] == minutes.number_text
    )
    assert card["url"] == f"/premises/{w.stall.id}" and card["market"] == w.market_a.name
    fresh = client.get(f"/api/v1/map/premises/{w.fresh.id}").get_json()
    assert (
        fresh["last_inspection"] is None and fresh["minutes"] is None and fresh["state"] == "never_inspected"
    )


@pytest.mark.parametrize("actor", ["inspector", "supervisor_unit", "supervisor_province"])
def test_a_units_map_never_holds_another_units_records(client, login, mapped, actor):
    w = mapped
    login(w.users[actor])
    for query in ("", f"unit={w.unit_b.id}", f"market={w.market_b.id}", "state=violation"):
        for zoom in (3, 9, 16):
            body = client.get(f"/api/v1/map/premises?zoom={zoom}&{query}").get_data(as_text=True)
            assert "Pleiku" not in body and "Gia Lai" not in body
            data = client.get(f"/api/v1/map/premises?zoom={zoom}&{query}").get_json()
            assert w.secret.id not in {p["id"] for p in data["points"]}
            assert all("13.98" not in str(g["latitude"]) for g in data["groups"])
        gps = client.get(f"/api/v1/map/gps?{query}").get_json()
        assert w.violation.id not in {item["inspection_id"] for item in gps["items"]}
        page = client.get(f"/map?{query}").get_data(as_text=True)
        assert "Sạp bí mật" not in page and "Pleiku" not in page
    assert _ids(client, f"unit={w.unit_b.id}") == set()
    assert client.get(f"/api/v1/map/premises/{w.secret.id}").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("state=late", "state", "Tình trạng cơ sở không hợp lệ"),
        ("from=31-31-2026", "from", "Từ ngày không hợp lệ"),
        ("unit=abc", "unit", "Đơn vị không hợp lệ"),
        ("bbox=1,2,3", "bbox", "bbox phải có 4 số"),
        ("zoom=99", "zoom", "zoom phải từ 0 đến 22"),
        ("zoom=x", "zoom", "Phải là số nguyên"),
        ("color=red", "color", "Trường không được hỗ trợ"),
    ],
)
def test_bad_values_answer_a_vietnamese_4xx(client, login, mapped, query, field, words):
    login(mapped.users["supervisor_province"])
    for path in ("/api/v1/map/premises", "/api/v1/map/gps"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert words in " ".join(response.get_json()["fields"][field]), response.get_json()
    if field not in ("bbox", "zoom", "color"):
        summary = client.get(f"/api/v1/map/summary?{query}")
        assert summary.status_code == 422 and words in summary.get_json()["fields"][field][0]
        page = client.get(f"/map?{query}")
        assert page.status_code == 400
        assert words in page.get_data(as_text=True)


def test_a_national_view_counts_by_province_and_drills_down(client, login, mapped):
    """An administrator with no home sees every province: zoomed out, one count per province, never the points."""
    from tests.factories import make_user

    w = mapped
    admin = make_user("admin")
    login(admin)
    client.application.config["MAP_POINT_LIMIT"] = 2
    country = client.get("/api/v1/map/premises?zoom=5").get_json()
    assert country["mode"] == "provinces" and country["points"] == []
    assert {g["label"] for g in country["groups"]} == {w.p1.name, w.p2.name}
    located = db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(Premise.status == "active", Premise.latitude.is_not(None))
    )
    assert sum(g["count"] for g in country["groups"]) == located
    province = next(g for g in country["groups"] if g["label"] == w.p1.name)
    south, west, north, east = province["bounds"]
    # A click zooms to the province's bounds: there, by commune.
    drill = client.get(f"/api/v1/map/premises?zoom=9&bbox={west},{south},{east},{north}").get_json()
    assert drill["mode"] == "units" and drill["total"] == province["count"]
    assert {g["label"] for g in drill["groups"]} == {w.unit_a.name, w.unit_a2.name}


def test_the_national_map_page_offers_provinces_and_a_province_narrows_it(client, login, mapped):
    """At national scope the filter form lists the provinces, not every commune, market and inspector of the
    country; a province chosen narrows the legend, the list and the map's counts to it (by commune when zoomed out)
    and offers its communes."""
    from tests.factories import make_user

    w = mapped
    login(make_user("admin"))
    page = client.get("/map").get_data(as_text=True)
    assert 'name="province"' in page and w.p1.name in page and w.p2.name in page
    assert 'name="unit"' not in page and 'name="market"' not in page and 'name="inspector"' not in page
    assert w.market_a.name not in page.split("</form>")[0]
    assert w.users["inspector"].full_name not in page

    in_p1 = _scope_count([w.unit_a.id, w.unit_a2.id])
    narrowed = client.get(f"/map?province={w.p1.id}").get_data(as_text=True)
    options = narrowed.split('<select name="unit">')[1].split("</select>")[0]
    assert w.unit_a.name in options and w.unit_a2.name in options and w.unit_b.name not in options
    assert w.users["inspector"].full_name in narrowed and w.other_users["inspector"].full_name not in narrowed
    assert w.secret.name not in narrowed
    summary = client.get(f"/api/v1/map/summary?province={w.p1.id}").get_json()
    assert summary["total"] == in_p1
    client.application.config["MAP_POINT_LIMIT"] = 2
    drill = client.get(f"/api/v1/map/premises?zoom=5&province={w.p1.id}").get_json()
    located = db.session.scalar(
        select(func.count())
        .select_from(Premise)
        .where(
            Premise.unit_id.in_([w.unit_a.id, w.unit_a2.id]),
            Premise.status == "active",
            Premise.latitude.is_not(None),
        )
    )
    assert drill["mode"] == "units" and drill["total"] == located > 0
    assert {g["label"] for g in drill["groups"]} == {w.unit_a.name, w.unit_a2.name}
    assert _ids(client, f"province={w.p2.id}") == {w.secret.id}
