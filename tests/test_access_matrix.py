"""The scoping door, as a matrix: every role × every route that takes an id × own unit / other unit.

The routes come from the app's URL map, so a new route with an id cannot escape: an id argument this test does not
know how to fill fails the test until it is added to ID_ARGUMENTS.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app import create_app
from inspect_app.models import Premise

# URL argument → how to pick the record of the actor's own unit and of the other unit.
ID_ARGUMENTS = {
    "premise_id": (lambda w: w.premise_a.id, lambda w: w.premise_b.id),
    "market_id": (lambda w: w.market_a.id, lambda w: w.market_b.id),
    "user_id": (lambda w: w.other_users_own_unit().id, lambda w: w.other_users["inspector"].id),
    "unit_id": (lambda w: w.unit_a.id, lambda w: w.unit_b.id),
    "inspection_id": (lambda w: w.records["a"]["inspection"].id, lambda w: w.records["b"]["inspection"].id),
    "finding_id": (lambda w: w.records["a"]["finding"].uuid, lambda w: w.records["b"]["finding"].uuid),
    "photo_id": (lambda w: w.records["a"]["photo"].id, lambda w: w.records["b"]["photo"].id),
    "token_id": (lambda w: w.own_token_id, lambda w: w.other_token_id),
    "minutes_id": (lambda w: w.minutes["a"].id, lambda w: w.minutes["b"].id),
    "standard_id": (lambda w: w.metrology["a"]["standard"].id, lambda w: w.metrology["b"]["standard"].id),
    "instrument_id": (
        lambda w: w.metrology["a"]["instrument"].id,
        lambda w: w.metrology["b"]["instrument"].id,
    ),
    "instrument_photo_id": (
        lambda w: w.metrology["a"]["instrument_photo"].id,
        lambda w: w.metrology["b"]["instrument_photo"].id,
    ),
}
# Arguments that name no record of any unit (the same answer for everyone).
UNSCOPED_ARGUMENTS = {"version": "2026.1"}
# Public by design: the QR verification page answers anyone (tested in test_minutes.py).
PUBLIC_ARGUMENTS = {"token"}
ACTORS = ["inspector", "staff", "supervisor_unit", "supervisor_province", "admin_province"]


def id_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "UPLOAD_DIR": "/tmp/inspect-x"}
    )
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        if set(rule.arguments) <= set(UNSCOPED_ARGUMENTS) or set(rule.arguments) & PUBLIC_ARGUMENTS:
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST", "PATCH", "DELETE"}):
            routes.append((rule.rule, method, tuple(sorted(rule.arguments))))
    return routes


ROUTES = id_routes()


def test_every_id_argument_is_covered_by_the_matrix():
    unknown = (
        {arg for _rule, _method, args in ROUTES for arg in args} - set(ID_ARGUMENTS) - set(UNSCOPED_ARGUMENTS)
    )
    assert not unknown, f"add these URL arguments to ID_ARGUMENTS so their routes are scope-tested: {unknown}"
    assert ROUTES, "no id-taking routes found"


def _url(rule: str, which: int, world) -> str:
    url = rule
    for arg, pickers in ID_ARGUMENTS.items():
        for converter in ("int:", ""):
            if f"<{converter}{arg}>" in url:
                url = url.replace(f"<{converter}{arg}>", str(pickers[which](world)))
    for arg, value in UNSCOPED_ARGUMENTS.items():
        url = url.replace(f"<{arg}>", value)
    return url


@pytest.fixture
def world_plus(world, app):
    from tests.factories import make_metrology, make_minutes, make_premise, make_records, make_user

    colleague = make_user("inspector", world.unit_a)
    world.other_users_own_unit = lambda: colleague
    world.records = {
        "a": make_records(world.premise_a, world.users["inspector"]),
        "b": make_records(world.premise_b, world.other_users["inspector"]),
    }
    world.metrology = {
        "a": make_metrology(world.premise_a, world.users["inspector"]),
        "b": make_metrology(world.premise_b, world.other_users["inspector"]),
    }
    world.minutes = {
        "a": make_minutes(make_premise(world.unit_a), world.users["inspector"], world.users["staff"]),
        "b": make_minutes(
            make_premise(world.unit_b), world.other_users["inspector"], world.other_users["staff"]
        ),
    }
    return world


def _tokens(world, actor):
    from inspect_app.api.auth import issue_token

    world.own_token_id = issue_token(world.users[actor], "own")[0].id
    world.other_token_id = issue_token(world.other_users["inspector"], "other")[0].id


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("rule", "method", "args"), ROUTES, ids=[f"{m} {r}" for r, m, _ in ROUTES])
def test_other_units_records_answer_404_and_stay_unchanged(
    client, login, world_plus, actor, rule, method, args
):
    world = world_plus
    _tokens(world, actor)
    login(world.users[actor])
    names_before = sorted(p.name for p in Premise.query.all())
    own = client.open(_url(rule, 0, world), method=method, data={})
    other = client.open(_url(rule, 1, world), method=method, data={})
    assert own.status_code != 404, f"{actor} cannot reach own unit's record at {rule}"
    if own.status_code == 403:
        # The role may not use this route at all: a refusal that says nothing about the record is fine.
        assert other.status_code in (403, 404)
    else:
        assert other.status_code == 404, f"{actor} reached another unit's record at {method} {rule}"
    from inspect_app.extensions import db

    db.session.expire_all()
    assert sorted(p.name for p in db.session.scalars(select(Premise))) == names_before


def test_unit_users_do_not_see_a_sibling_unit_but_the_province_does(client, login, world):
    url = f"/premises/{world.premise_a2.id}"
    login(world.users["inspector"])
    assert client.get(url).status_code == 404
    login(world.users["supervisor_unit"])
    assert client.get(url).status_code == 404
    login(world.users["supervisor_province"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_and_counts_never_show_another_units_records(client, login, world_plus, actor):
    world = world_plus
    login(world.users[actor])
    for url in ("/premises", "/premises?q=bi+mat", "/markets", "/", "/inspections", "/minutes"):
        page = client.get(url).get_data(as_text=True)
        assert "Sạp bí mật của đơn vị khác" not in page
        assert "Chợ Pleiku Thử" not in page
        assert "Phường Pleiku Thử" not in page
    api = client.get("/api/v1/inspections").get_json()["items"]
    assert {i["unit_id"] for i in api} <= {world.unit_a.id, world.unit_a2.id}
    premises = client.get("/api/v1/premises").get_json()["items"]
    assert world.premise_b.id not in {p["id"] for p in premises}
    listing = client.get("/premises").get_data(as_text=True)
    assert "Sạp cân Nguyễn Thị Hường" in listing
    assert ("Tạp hóa Đinh Văn Ba" in listing) == (actor in ("supervisor_province", "admin_province"))
    home = client.get("/").get_data(as_text=True)
    expected = 3 if actor in ("supervisor_province", "admin_province") else 2
    assert f"<strong>{expected}</strong><span>cơ sở đang hoạt động" in home


def test_a_filter_by_another_units_market_or_unit_shows_nothing(client, login, world):
    login(world.users["inspector"])
    page = client.get(f"/premises?market={world.market_b.id}&unit={world.unit_b.id}").get_data(as_text=True)
    assert "Sạp bí mật" not in page
    assert "Không có cơ sở nào phù hợp" in page


def test_logged_out_visitors_are_sent_to_login_for_every_page(client, world_plus):
    world = world_plus
    _tokens(world, "inspector")
    app_routes = [r for r, m, _ in ROUTES if m == "GET"] + ["/premises", "/markets", "/", "/admin/users"]
    for rule in app_routes:
        response = client.get(_url(rule, 0, world) if "<" in rule else rule)
        if rule.startswith("/api/"):
            assert response.status_code == 401, rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule
