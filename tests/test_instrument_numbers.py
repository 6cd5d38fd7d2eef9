"""One instrument per serial and per stamp number at a premise, and the instruments of the scope as a change feed
for the phone's offline copy (paged, a constant number of statements)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import requests
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, select, text

from inspect_app import measurements
from inspect_app.domain.time import utcnow
from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.models import Instrument
from tests.api_helpers import jpeg_bytes, token_for
from tests.factories import make_instrument, make_premise

SCALE = {
    "instrument_type": "spring_scale",
    "accuracy_class": "IIII",
    "unit": "kg",
    "max_capacity": "15",
    "e": "0.05",
}


def _post(client, headers, premise, base=SCALE, **values):
    body = {"uuid": str(uuid.uuid4()), **base, **values}
    return client.post(f"/api/v1/premises/{premise.id}/instruments", json=body, headers=headers)


def _instruments(premise) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Instrument.id)).where(Instrument.premise_id == premise.id))


def test_the_same_stamp_or_serial_at_the_premise_is_the_same_instrument(client, world):
    """A phone that adds the scale again (its own UUID, the stamp number typed another way) gets the stored one."""
    headers = token_for(client, world.users["inspector"])
    first = _post(client, headers, world.premise_a, verification_mark="QN-26-0815", serial="")
    assert first.status_code == 201
    again = _post(client, headers, world.premise_a, verification_mark="qn 26 0815", serial="NH-1")
    assert again.status_code == 200
    assert (again.get_json()["id"], again.get_json()["uuid"]) == (
        first.get_json()["id"],
        first.get_json()["uuid"],
    )
    by_serial = _post(client, headers, world.premise_a, verification_mark="QN-27-0001", serial="NH-77")
    assert by_serial.status_code == 201
    same_serial = _post(client, headers, world.premise_a, verification_mark="", serial="nh 77")
    assert same_serial.get_json()["id"] == by_serial.get_json()["id"]
    assert _instruments(world.premise_a) == 2
    # The stamp of one and a serial of another: refused, for a person to check, rather than guessed.
    mixed = _post(client, headers, world.premise_a, verification_mark="QN-27-0001", serial="NH-99")
    assert mixed.status_code == 422
    assert mixed.get_json()["fields"]["verification_mark"][0] == (
        "Cơ sở đã có phương tiện đo cùng số tem kiểm định này: Cân đồng hồ lò xo 15 kg, cấp IIII, e = 50 g, "
        "số NH-77. "
        "Số sản xuất khác nhau: hãy kiểm tra lại số tem."
    )
    assert _instruments(world.premise_a) == 2
    # Another kind of instrument, or another premise, with the same number is another instrument.
    dispenser = {"instrument_type": "fuel_dispenser", "unit": "L", "accuracy_class": "0.5"}
    other_kind = _post(client, headers, world.premise_a, base=dispenser, verification_mark="QN-26-0815")
    assert other_kind.status_code == 201 and other_kind.get_json()["id"] != first.get_json()["id"]
    neighbour = make_premise(world.unit_a, name="Sạp cá Lê Thị Hoa")
    db.session.commit()
    other_premise = _post(client, headers, neighbour, verification_mark="QN-26-0815")
    assert other_premise.status_code == 201
    # Without any number nothing can be recognised: two blank scales are two scales.
    assert _post(client, headers, world.premise_a).status_code == 201
    assert _post(client, headers, world.premise_a).status_code == 201
    assert _instruments(world.premise_a) == 5


def test_an_edit_cannot_give_a_number_of_another_instrument(client, world):
    headers = token_for(client, world.users["inspector"])
    make_instrument(world.premise_a, world.users["inspector"], serial="NH-1", verification_mark="QN-1")
    other = make_instrument(
        world.premise_a, world.users["inspector"], serial="NH-2", verification_mark="QN-2"
    )
    db.session.commit()
    response = client.patch(
        f"/api/v1/instruments/{other.id}",
        json={"version": other.version, "verification_mark": "QN 1"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.get_json()["fields"]["verification_mark"][0].startswith(
        "Cơ sở đã có phương tiện đo cùng số tem kiểm định này: Cân đồng hồ lò xo 15 kg"
    )
    db.session.rollback()
    assert db.session.get(Instrument, other.id).verification_mark == "QN-2"
    # Its own number typed another way, and a new one, are fine.
    response = client.patch(
        f"/api/v1/instruments/{other.id}", json={"version": other.version, "serial": "nh 2"}, headers=headers
    )
    assert response.status_code == 200
    response = client.patch(
        f"/api/v1/instruments/{other.id}",
        json={"version": response.get_json()["version"], "verification_mark": "QN-3"},
        headers=headers,
    )
    assert response.status_code == 200 and response.get_json()["verification_mark"] == "QN-3"


def test_two_phones_adding_the_same_scale_at_once_store_it_once(live_server, client, world):
    """Each phone made its own UUID offline; whichever the server stores first, the others get that one."""
    headers = token_for(client, world.users["inspector"])
    url = f"{live_server.url}/api/v1/premises/{world.premise_a.id}/instruments"
    barrier = threading.Barrier(6)
    answers = []

    def send():
        body = {"uuid": str(uuid.uuid4()), **SCALE, "verification_mark": "QN-26-0815"}
        barrier.wait()
        answers.append(requests.post(url, json=body, headers=headers, timeout=30))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in answers) == [200] * 5 + [201], [r.text[:200] for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert _instruments(world.premise_a) == 1


def test_the_desk_form_opens_the_instrument_already_recorded(client, login, world):
    existing = make_instrument(world.premise_a, world.users["inspector"], verification_mark="QN-26-0815")
    db.session.commit()
    login(world.users["staff"])
    response = client.post(
        f"/premises/{world.premise_a.id}/instruments/new",
        data={**SCALE, "verification_mark": "QN-26-0815", "seal_state": "none", "in_use": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/instruments/{existing.id}/edit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cơ sở đã có Cân đồng hồ lò xo 15 kg" in page and "không thêm bản thứ hai" in page
    assert _instruments(world.premise_a) == 1


def _feed(client, headers, **params):
    response = client.get("/api/v1/instruments/changes", query_string=params, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_instruments_of_the_scope_come_as_a_change_feed(client, world):
    inspector = world.users["inspector"]
    made = [make_instrument(world.premise_a, inspector) for _ in range(3)]
    hidden = make_instrument(world.premise_b, world.other_users["inspector"])
    db.session.commit()
    headers = token_for(client, inspector)
    seen, cursor, since = [], None, None
    while True:
        page = _feed(client, headers, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += page["items"]
        since = page["next_since"]
        if not (cursor := page["next_cursor"]):
            break
    assert [i["uuid"] for i in seen] == [i.uuid for i in made]
    assert hidden.uuid not in {i["uuid"] for i in seen}
    assert seen[0]["premise_id"] == world.premise_a.id and seen[0]["label"].startswith("Cân đồng hồ lò xo")
    # The province's supervisor reads the whole province's the same way.
    province = _feed(client, token_for(client, world.users["supervisor_province"]))
    assert [i["uuid"] for i in province["items"]] == [i.uuid for i in made]
    # Later: only what changed (and the overlap's few rows again).
    db.session.execute(
        text("UPDATE instruments SET updated_at = :old"),
        {"old": utcnow().replace(tzinfo=None) - timedelta(days=1)},
    )
    db.session.commit()
    measurements.update_instrument(made[1], {"version": made[1].version, "note": "Mặt số mờ"}, inspector)
    changed = _feed(client, headers, since=since)
    assert [i["uuid"] for i in changed["items"]] == [made[1].uuid]
    assert changed["items"][0]["note"] == "Mặt số mờ"
    response = client.get("/api/v1/instruments/changes?limit=0", headers=headers)
    assert response.status_code == 422 and "limit" in response.get_json()["fields"]


@pytest.mark.parametrize("url", ["/api/v1/instruments/changes", "/api/v1/premises/{premise}/instruments"])
def test_instrument_lists_run_as_many_statements_for_30_instruments_as_for_3(client, world, url):
    inspector = world.users["inspector"]
    storage = storage_for(client.application)
    headers = token_for(client, inspector)
    url = url.format(premise=world.premise_a.id)

    def add(n):
        for _ in range(n):
            instrument = make_instrument(world.premise_a, inspector)
            measurements.add_instrument_photo(
                instrument,
                {"uuid": str(uuid.uuid4()), "caption": "Tem"},
                jpeg_bytes(40, 30),
                inspector,
                storage,
            )

    def statements() -> tuple[int, int]:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get(url, headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return len(seen), len(response.get_json()["items"])

    add(3)
    client.get(url, headers=headers)
    few, rows = statements()
    assert rows == 3
    add(27)
    many, rows = statements()
    assert rows == 30 and many == few


@pytest.mark.database_owner
def test_numbers_recorded_twice_before_the_keys_keep_the_first_as_the_one(app, world):
    """The migration gives each number's key to the oldest instrument; a later copy keeps its row, unkeyed."""
    inspector = world.users["inspector"]
    first = make_instrument(world.premise_a, inspector, serial="NH-9", verification_mark="QN-9")
    second = make_instrument(world.premise_a, inspector, serial="NH-10", verification_mark="QN-10")
    ids = first.id, second.id
    db.session.commit()
    downgrade(revision="0021")
    db.session.execute(
        text("UPDATE instruments SET serial = 'nh 9', verification_mark = 'QN 9' WHERE id = :id"),
        {"id": ids[1]},
    )
    db.session.commit()
    upgrade()
    db.session.expire_all()
    keys = db.session.execute(
        select(Instrument.id, Instrument.serial_match, Instrument.mark_match).order_by(Instrument.id)
    ).all()
    assert [tuple(row) for row in keys] == [(ids[0], "NH9", "QN9"), (ids[1], None, None)]
    # The later copy can still be edited; it cannot take the number of another instrument.
    later = db.session.get(Instrument, ids[1])
    measurements.update_instrument(later, {"version": later.version, "note": "Trùng với cân NH-9"}, inspector)
    assert later.serial_match is None
