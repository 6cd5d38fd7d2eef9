"""The list query functions: keyset pages, the nearest premises, the phone's change feed, and eager loading."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import event, select

from inspect_app.domain.geo import order_by_distance
from inspect_app.extensions import db
from inspect_app.models import Premise, Unit, User
from inspect_app.premises.queries import nearest_premises, premises_changed, premises_page
from inspect_app.premises.service import update_premise
from inspect_app.web.paging import CHANGE_OVERLAP, InvalidCursor, decode_cursor, encode_cursor
from tests.bulk import add_listed_records
from tests.factories import make_premise, make_records


def count_statements(function):
    statements = []

    def record(*args, **kwargs):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = function()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return result, statements


# ---- cursors ------------------------------------------------------------------------------------------------------


def test_cursors_keep_their_values_and_refuse_anything_else():
    moment = datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=UTC)
    values = ["Sạp cân Nguyễn Thị Hường", 42, moment, date(2026, 12, 1)]
    text = encode_cursor(values)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    assert decode_cursor(text, 4) == values
    for bad in ("", "!!!", encode_cursor([1])[:-2] + "x", "bnVsbA", encode_cursor([1, 2])):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, 4)
    with pytest.raises(ValueError):
        encode_cursor([datetime(2026, 1, 1)])  # naive


# ---- premises pages -----------------------------------------------------------------------------------------------


def test_premises_pages_walk_forward_and_back_through_equal_names(world):
    for n in range(11):
        make_premise(world.unit_a, name="Sạp trùng tên" if n % 3 == 0 else f"Sạp {n:02d}")
    make_premise(world.unit_a2, name="Sạp ở xã khác")
    user = world.users["inspector"]
    expected = [
        p.id
        for p in db.session.scalars(
            select(Premise).where(Premise.unit_id == world.unit_a.id).order_by(Premise.name, Premise.id)
        )
    ]
    assert len(expected) == 12
    seen, after, pages = [], None, []
    while True:
        page = premises_page(user, status=None, after=after, limit=5, count_cap=10)
        pages.append(page)
        seen += [p.id for p in page.items]
        assert page.total == 10 and page.total_capped
        if not page.has_next:
            break
        after = page.next_cursor
    assert seen == expected and [len(p) for p in pages] == [5, 5, 2]
    assert not pages[0].has_prev and pages[1].has_prev
    back, before = [], pages[-1].prev_cursor
    while before:
        page = premises_page(user, status=None, before=before, limit=5)
        back = [p.id for p in page.items] + back
        before = page.prev_cursor
    assert back == expected[:10]
    exact = premises_page(user, status=None, limit=5)
    assert exact.total == 12 and not exact.total_capped
    with pytest.raises(InvalidCursor):
        premises_page(user, after="nonsense")


def test_premises_page_is_scoped_and_filtered(world):
    supervisor = world.users["supervisor_province"]
    names = {p.name for p in premises_page(supervisor, status=None).items}
    assert names == {world.premise_a.name, world.premise_a2.name}
    page = premises_page(supervisor, "nguyen thi huong", status="active")
    assert [p.name for p in page.items] == [world.premise_a.name] and page.total == 1
    assert premises_page(supervisor, unit_id=world.unit_b.id).items == []
    assert [p.id for p in premises_page(world.other_users["inspector"]).items] == [world.premise_b.id]


def test_premises_list_page_follows_its_links(client, login, world, monkeypatch):
    from inspect_app.premises import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        make_premise(world.unit_a, name=f"Sạp xếp {n}")
    login(world.users["inspector"])
    url, names, pages = "/premises?q=sap+xep", [], 0
    while url:
        html = client.get(url).get_data(as_text=True)
        pages += 1
        names += re.findall(r"<strong>(Sạp xếp \d)</strong>", html)
        assert "hơn" not in html and '<span class="count" title="Tổng số: 5">5</span>' in html
        assert ("Trang trước" in html) == (pages > 1) and ("Trang đầu" in html) == (pages > 1)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        url = unescape(found.group(1)) if found else None
    assert names == [f"Sạp xếp {n}" for n in range(5)] and pages == 3
    previous = re.search(r'rel="prev" href="([^"]+)"', html).group(1)
    html = client.get(unescape(previous)).get_data(as_text=True)
    assert re.findall(r"<strong>(Sạp xếp \d)</strong>", html) == ["Sạp xếp 2", "Sạp xếp 3"]
    # A cursor this server did not make: the first page again.
    response = client.get("/premises?after=%%%")
    assert response.status_code == 302 and "after" not in response.headers["Location"]


# ---- nearest premises ---------------------------------------------------------------------------------------------


def test_nearest_premises_are_exactly_the_nearest(world):
    rng = random.Random(7)
    centre = (14.81, 108.95)
    for n in range(160):
        located = n % 10 != 0
        lat = centre[0] + rng.uniform(-0.08, 0.08) if located else None
        lon = centre[1] + rng.uniform(-0.08, 0.08) if located else None
        unit = world.unit_b if n % 7 == 0 else (world.unit_a if n % 2 else world.unit_a2)
        make_premise(
            unit,
            name=f"Cơ sở {n:03d}",
            latitude=lat,
            longitude=lon,
            status="closed" if n % 13 == 0 else "active",
        )
    for who in ("inspector", "supervisor_province"):
        user = world.users[who]
        visible = db.session.scalars(
            select(Premise).where(
                Premise.unit_id.in_(
                    [world.unit_a.id] if who == "inspector" else [world.unit_a.id, world.unit_a2.id]
                ),
                Premise.status == "active",
            )
        ).all()
        located = [p for p in visible if p.latitude is not None]
        for point in (centre, (14.86, 108.90), (14.70, 108.95), (15.50, 109.50)):
            brute = order_by_distance(
                sorted(visible, key=lambda p: (p.name, p.id)), point, lambda p: (p.latitude, p.longitude)
            )
            for limit in (1, 7, 30, len(located), len(visible) + 5):
                found = nearest_premises(user, *point, limit=limit, start_radius_m=200)
                assert [p.id for p, _ in found] == [p.id for p, _ in brute[:limit]], (who, point, limit)
                for (_, mine), (_, theirs) in zip(found.items, brute[:limit], strict=True):
                    assert mine == pytest.approx(theirs) if theirs is not None else mine is None
                assert found.total == len(visible)
        assert nearest_premises(user, *centre, limit=3, q="co so 00", with_total=False).total is None
        searched = nearest_premises(user, *centre, q="co so 00").items
        assert searched and all(w in p.search_text for p, _ in searched for w in ("co", "so", "00"))


def test_nearest_premises_use_few_statements_however_many_there_are(world):
    rng = random.Random(3)
    for _ in range(120):
        make_premise(
            world.unit_a,
            latitude=14.81 + rng.uniform(-0.02, 0.02),
            longitude=108.95 + rng.uniform(-0.02, 0.02),
        )
    user = world.users["inspector"]
    found, statements = count_statements(lambda: nearest_premises(user, 14.81, 108.95, limit=20))
    assert len(found.items) == 20
    # scope + box(es) + the 20 premises with their markets + the total, each through the scoping door
    assert len(statements) <= 8, statements


# ---- the phone's change feed --------------------------------------------------------------------------------------


def test_change_feed_pages_everything_then_only_what_changed(world):
    user = world.users["inspector"]
    premises = [world.premise_a] + [make_premise(world.unit_a, name=f"Sạp {n}") for n in range(4)]
    old = datetime(2026, 1, 1, tzinfo=UTC)
    for n, premise in enumerate(premises):
        premise.updated_at = old + timedelta(minutes=n)
    world.premise_b.updated_at = old
    db.session.commit()
    seen, after = [], None
    while True:
        page = premises_changed(user, None, after=after, limit=2)
        seen += [p.id for p in page.items]
        if not page.has_next:
            break
        after = page.next_cursor
    assert seen == [p.id for p in premises]
    since = page.extra["next_since"]
    assert since == old + timedelta(minutes=4)
    # Nothing written since: the last few (inside the overlap) come again, nothing older.
    again = premises_changed(user, since)
    assert {p.id for p in again.items} == {p.id for p in premises}  # all within 10 minutes of `since`
    later = since + CHANGE_OVERLAP + timedelta(minutes=1)
    assert premises_changed(user, later).items == []
    assert premises_changed(user, later).extra["next_since"] == later
    # An edit, a closure, and an edit in another unit.
    update_premise(premises[1], {"phone": "0905000111"}, user)
    update_premise(premises[2], {"status": "closed"}, user)
    update_premise(world.premise_b, {"phone": "0905000222"}, world.other_users["inspector"])
    db.session.commit()
    changed = premises_changed(user, later)
    assert [p.id for p in changed.items] == [premises[1].id, premises[2].id]
    assert changed.items[1].status == "closed"
    assert changed.extra["next_since"] == premises[2].updated_at
    assert premises[1].changes[0].field == "phone"  # the edit's history is kept as before


# ---- inspections and biên bản ---------------------------------------------------------------------------------------


def test_full_inspection_dumps_load_per_page_not_per_row(app, world):
    from inspect_app.api.inspections import InspectionSchema
    from inspect_app.inspections.queries import inspections_page

    user = world.users["inspector"]
    user_id = user.id

    def dump():
        db.session.expunge_all()
        with app.test_request_context():
            page = inspections_page(db.session.get(User, user_id), full=True, limit=50)
            return InspectionSchema(many=True).dump(page.items)

    unit_id, premise_name = world.unit_a.id, world.premise_a.name
    make_records(world.premise_a, user)
    few, few_statements = count_statements(dump)
    for _ in range(3):
        make_records(make_premise(db.session.get(Unit, unit_id)), db.session.get(User, user_id))
    many, many_statements = count_statements(dump)
    assert len(few) == 1 and len(many) == 4 and len(many_statements) == len(few_statements)
    assert many[0]["findings"] and many[0]["photos"] and many[0]["team"][0]["user_id"] == user_id
    assert [i["premise_name"] for i in many][-1] == premise_name


def test_minutes_pages_and_day_counts(world):
    from inspect_app.minutes.queries import counts_by_day, minutes_page

    user = world.users["supervisor_province"]
    add_listed_records(world.unit_a, world.users["inspector"], 7, new_units=True)
    first = minutes_page(user, limit=4)
    second = minutes_page(user, after=first.next_cursor, limit=4)
    listed = first.items + second.items
    assert first.total == 7 and len(second.items) == 3 and not second.has_next
    keys = [(m.issued_on, m.number, m.id) for m in listed]
    assert keys == sorted(keys, reverse=True)
    assert all(m.inspection.premise.name.startswith("Sạp đông khách") for m in listed)
    days = sorted({m.issued_on for m in listed})
    counts = counts_by_day(user, days)
    assert sum(counts.values()) == 7 and set(counts) == set(days)
    assert counts_by_day(world.other_users["staff"], days) == {}
    assert minutes_page(user, day=days[0]).total == counts[days[0]]


def test_inspection_pages_walk_newest_first_whatever_the_session_time_zone(world, backend):
    from sqlalchemy import text

    from inspect_app.inspections.queries import inspections_page
    from inspect_app.models import Inspection

    inspections = add_listed_records(world.unit_a, world.users["inspector"], 7)
    # Two started at the same instant: the id breaks the tie.
    inspections[3].started_at = inspections[4].started_at
    db.session.commit()
    if backend == "postgres":
        # Cursor times are UTC; a server talking Việt Nam time must not shift them by seven hours.
        db.session.execute(text("SET TIME ZONE 'Asia/Ho_Chi_Minh'"))
    user = world.users["supervisor_province"]
    expected = [
        i.id
        for i in db.session.scalars(
            select(Inspection).order_by(Inspection.started_at.desc(), Inspection.id.desc())
        )
    ]
    seen, after = [], None
    for _ in range(5):  # four pages; a cursor read wrongly could go round for ever
        page = inspections_page(user, after=after, limit=2)
        seen += [i.id for i in page.items]
        if not page.has_next:
            break
        after = page.next_cursor
    assert seen == expected and len(seen) == 7
    back = inspections_page(user, before=page.prev_cursor, limit=2)
    assert [i.id for i in back.items] == expected[4:6]
