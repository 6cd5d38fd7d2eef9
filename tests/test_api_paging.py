"""The API's lists at any size: pages by cursor, the phone's premises fetched incrementally, bad cursors explained."""

from __future__ import annotations

import pytest

from inspect_app.extensions import db
from inspect_app.premises.service import update_premise
from tests.api_helpers import inspection_payload, token_for
from tests.factories import make_premise


def walk(client, url: str, headers: dict, key: str = "next_cursor") -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        separator = "&" if "?" in url else "?"
        page = client.get(url + (f"{separator}cursor={cursor}" if cursor else ""), headers=headers)
        assert page.status_code == 200, page.get_json()
        body = page.get_json()
        items += body["items"]
        pages += 1
        cursor = body[key]
        if cursor is None:
            return items
        assert pages < 50


def test_the_premises_list_pages_by_name_and_covers_every_premise_once(client, world):
    for index in range(7):
        make_premise(world.unit_a, name=f"Sạp {index % 3} số {index}")
    db.session.commit()
    headers = token_for(client, world.users["inspector"])
    first = client.get("/api/v1/premises?limit=3", headers=headers).get_json()
    assert len(first["items"]) == 3 and first["total"] == 8 and first["next_cursor"]
    items = walk(client, "/api/v1/premises?limit=3", headers)
    names = [item["name"] for item in items]
    assert len(items) == 8 and len({item["id"] for item in items}) == 8 and names == sorted(names)


def test_the_phone_fetches_only_what_changed_since_its_last_fetch(client, world):
    headers = token_for(client, world.users["inspector"])
    everything = client.get("/api/v1/premises/changes", headers=headers).get_json()
    assert [item["id"] for item in everything["items"]] == [world.premise_a.id]
    since = everything["next_since"]
    assert since and everything["next_cursor"] is None

    update_premise(world.premise_a, {"status": "closed"}, world.users["inspector"])
    added = make_premise(world.unit_a, name="Tạp hóa mới mở")
    db.session.commit()
    changed = client.get(
        "/api/v1/premises/changes", query_string={"since": since}, headers=headers
    ).get_json()
    by_id = {item["id"]: item for item in changed["items"]}
    # A closed premise is sent too, so the phone drops it; another unit's never is.
    assert by_id[world.premise_a.id]["status"] == "closed" and added.id in by_id
    assert world.premise_b.id not in by_id and world.premise_a2.id not in by_id
    assert changed["next_since"] >= since


@pytest.mark.parametrize(
    "url",
    ["/api/v1/premises?cursor=xyz", "/api/v1/premises/changes?cursor=%%%", "/api/v1/inspections?cursor=abc"],
)
def test_a_cursor_that_cannot_be_read_is_a_clear_422(client, world, url):
    headers = token_for(client, world.users["inspector"])
    response = client.get(url, headers=headers)
    assert response.status_code == 422
    assert response.get_json() == {
        "error": "Dữ liệu không hợp lệ.",
        "fields": {"cursor": ["Con trỏ trang không hợp lệ; hãy tải lại từ đầu."]},
    }


def test_the_inspections_list_pages_newest_first(client, world):
    headers = token_for(client, world.users["inspector"])
    for day in range(1, 6):
        payload = inspection_payload(world.premise_a, started_at=f"2026-11-{day:02d}T08:00:00+07:00")
        assert client.post("/api/v1/inspections", json=payload, headers=headers).status_code == 201
    items = walk(client, "/api/v1/inspections?limit=2", headers)
    started = [item["started_at"] for item in items]
    assert len(items) == 5 and started == sorted(started, reverse=True)
    unknown = client.get("/api/v1/inspections?status=nonsense", headers=headers).get_json()
    assert unknown == {"items": [], "next_cursor": None}
