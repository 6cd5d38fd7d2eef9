"""The scoping door, as a matrix: every role × every route that takes an id × own unit / other unit.

The routes come from the app's URL map, so a new route with an id cannot escape: an id argument this test does not
know how to fill fails the test until it is added to ID_ARGUMENTS.

The world (two provinces, three units, accounts of every role, an inspection with a photo, reference standards and
instruments with photos, two issued biên bản with their PDFs) is built once per backend per test process, then
copied for each case, since cases POST, PATCH and DELETE: on SQLite the database file and the uploads folder are
copied; on PostgreSQL the uploads folder is copied and the rows are restored from a copy kept in the schema
matrix_world (about 15 ms; CREATE DATABASE … TEMPLATE costs about 140 ms, TRUNCATE alone about 500 ms).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text

from inspect_app import create_app
from inspect_app.access import system_transaction
from inspect_app.extensions import db
from inspect_app.files.storage import LocalStorage
from inspect_app.files.uploads import make_storage, storage_for
from inspect_app.models import Job
from tests.conftest import REPLICA_SESSION, TEST_SETTINGS, app_url, empty_postgres, postgres_tables

# URL argument → how to pick the record of the actor's own unit and of the other unit.
ID_ARGUMENTS = {
    "premise_id": (lambda w: w.premise_a.id, lambda w: w.premise_b.id),
    "market_id": (lambda w: w.market_a.id, lambda w: w.market_b.id),
    "user_id": (lambda w: w.other_users_own_unit().id, lambda w: w.other_users["inspector"].id),
    "unit_id": (lambda w: w.unit_a.id, lambda w: w.unit_b.id),
    "inspection_id": (lambda w: w.records["a"]["inspection"].id, lambda w: w.records["b"]["inspection"].id),
    "finding_id": (lambda w: w.records["a"]["finding"].uuid, lambda w: w.records["b"]["finding"].uuid),
    "photo_id": (lambda w: w.records["a"]["photo"].id, lambda w: w.records["b"]["photo"].id),
    # The actor's own token (one per actor: a dict) and a token of the other unit's inspector.
    "token_id": (lambda w: w.own_token_ids, lambda w: w.other_token_id),
    "minutes_id": (lambda w: w.minutes["a"].id, lambda w: w.minutes["b"].id),
    "standard_id": (lambda w: w.metrology["a"]["standard"].id, lambda w: w.metrology["b"]["standard"].id),
    "instrument_id": (
        lambda w: w.metrology["a"]["instrument"].id,
        lambda w: w.metrology["b"]["instrument"].id,
    ),
    "reading_id": (lambda w: w.measured["a"]["reading"].id, lambda w: w.measured["b"]["reading"].id),
    "lot_id": (lambda w: w.measured["a"]["lot"].id, lambda w: w.measured["b"]["lot"].id),
    "instrument_photo_id": (
        lambda w: w.metrology["a"]["instrument_photo"].id,
        lambda w: w.metrology["b"]["instrument_photo"].id,
    ),
    # The yearly report: a request of the Sở of each province, and each unit's report to it (sent, with its files).
    "request_id": (lambda w: w.reports["a"].request_id, lambda w: w.reports["b"].request_id),
    "report_id": (lambda w: w.reports["a"].id, lambda w: w.reports["b"].id),
    # The complaints register: a complaint of each unit, its complainant's contact private to that unit.
    "complaint_id": (lambda w: w.complaints["a"].id, lambda w: w.complaints["b"].id),
    # Decisions (an issued one of each unit) and the notices issued from each unit's biên bản.
    "decision_id": (lambda w: w.decisions["a"].id, lambda w: w.decisions["b"].id),
    "notice_id": (lambda w: w.notices["a"].id, lambda w: w.notices["b"].id),
    # The yearly inspection plan of each unit, with its annex proposed.
    "plan_id": (lambda w: w.plans["a"].id, lambda w: w.plans["b"].id),
    # A finished export job of each actor (a job is its requester's only) and one of the other unit's staff.
    "job_id": (lambda w: w.own_job_ids, lambda w: w.other_job_id),
}
# Arguments that name no record of any unit (the same answer for everyone).
# (A dashboard figure names a set of records, not a record: its lists are scope-tested below.)
UNSCOPED_ARGUMENTS = {"version": "2026.1", "list_name": "premises", "fmt": "csv", "figure": "inspections"}
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


def _url(rule: str, which: int, world: MatrixWorld, actor: str) -> str:
    url = rule
    for arg, values in world.ids.items():
        value = values[which]
        if isinstance(value, dict):
            value = value[actor]
        for converter in ("id:", "int:", ""):
            url = url.replace(f"<{converter}{arg}>", str(value))
    for arg, value in UNSCOPED_ARGUMENTS.items():
        url = url.replace(f"<{arg}>", value)
    return url


# ---- the world, built once and copied for each case -------------------------------------------------------------


@dataclass(frozen=True)
class MatrixWorld:
    """Plain values only (the ORM objects belong to the app that built the world)."""

    ids: dict[str, tuple]  # URL argument → (the own unit's record, the other unit's record)
    users: dict[str, SimpleNamespace]  # actor → id and username, as the login fixture wants them
    unit_a: int
    unit_a2: int
    unit_b: int
    market_b: int
    premise_a2: int
    premise_b: int
    rows: dict  # every row of every table, as built
    other_units_rows: dict  # every row belonging to unit B, as built
    other_units_files: dict[str, bytes]  # storage key → bytes of every file B's rows name
    uploads: Path
    copy_database: Callable[[Path], str]  # a fresh copy of the built database → its URL


def table_rows(connection) -> dict[str, dict[tuple, dict]]:
    """Every row of every table, all columns (versions included), by primary key."""
    rows = {}
    for table in db.metadata.sorted_tables:
        key = [column.name for column in table.primary_key.columns]
        rows[table.name] = {
            tuple(row[k] for k in key): dict(row) for row in connection.execute(select(table)).mappings()
        }
    return rows


def rows_of_unit(rows: dict, unit_id: int) -> dict[str, dict[tuple, dict]]:
    """The rows that belong to a unit: the unit's own row and every row that leads to one of its rows through
    foreign keys, at any depth (its users, markets, premises, their inspections, findings, photos, biên bản,
    instruments, readings, the users' tokens, its standards, its biên bản counter…)."""
    owned = {name: {} for name in rows}
    owned["units"] = {key: row for key, row in rows["units"].items() if row["id"] == unit_id}
    grown = True
    while grown:
        grown = False
        for table in db.metadata.sorted_tables:
            for key, row in rows[table.name].items():
                if key in owned[table.name]:
                    continue
                for fk in table.foreign_keys:
                    value = row[fk.parent.name]
                    targets = owned[fk.column.table.name].values()
                    if value is not None and any(target[fk.column.name] == value for target in targets):
                        owned[table.name][key] = row
                        grown = True
                        break
    return owned


def _differences(before: dict, after: dict) -> str:
    lines = []
    for name in before:
        for key in sorted(set(before[name]) | set(after[name]), key=repr):
            old, new = before[name].get(key), after[name].get(key)
            if old == new:
                continue
            if old is None or new is None:
                lines.append(f"{name} {key} {'added' if old is None else 'deleted'}: {new or old}")
            else:
                lines.append(
                    f"{name} {key}: "
                    + ", ".join(f"{c} {old[c]!r} → {new[c]!r}" for c in old if old[c] != new[c])
                )
    return "\n".join(lines)


def _without_refusals(before: dict, after: dict) -> tuple[dict, dict]:
    """``after`` less the audit events of refused requests added since ``before`` (and the moves of their chains'
    heads), and those events; any other new event stays, for the comparison to show."""
    added = {
        key: row
        for key, row in after["audit_events"].items()
        if key not in before["audit_events"] and row["action"] == "denied"
    }
    chains = {row["chain"] for row in added.values()}
    trimmed = dict(after)
    trimmed["audit_events"] = {key: row for key, row in after["audit_events"].items() if key not in added}
    trimmed["audit_heads"] = {
        key: before["audit_heads"].get(key, row) if row["chain"] in chains else row
        for key, row in after["audit_heads"].items()
        if row["chain"] not in chains or key in before["audit_heads"]
    }
    return trimmed, added


def _storage_keys(rows: dict) -> set[str]:
    """The stored files the rows name (photos, thumbnails, certificates, biên bản PDFs): columns named *_key."""
    return {
        value
        for table in rows.values()
        for row in table.values()
        for column, value in row.items()
        if column.endswith("_key") and value
    }


def _files(storage) -> dict[str, bytes]:
    return {key: storage.get(key) for key in storage.keys()}


def _populate(url: str, uploads: Path) -> dict:
    """Builds the world in the database at `url` through the app and the services; returns its plain values."""
    from inspect_app.api.auth import issue_token
    from tests.factories import (
        build_world,
        make_complaint,
        make_decision,
        make_metrology,
        make_minutes,
        make_notice,
        make_premise,
        make_reading_and_lot,
        make_records,
        make_user,
    )
    from tests.report_helpers import make_sent_report, this_years_request
    from tests.plan_helpers import make_plan
    from tests.test_jobs import make_finished_export_job

    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(uploads)})
    with app.app_context():
        w = build_world()
        colleague = make_user("inspector", w.unit_a)
        w.other_users_own_unit = lambda: colleague
        w.records = {
            "a": make_records(w.premise_a, w.users["inspector"]),
            "b": make_records(w.premise_b, w.other_users["inspector"]),
        }
        w.metrology = {
            "a": make_metrology(w.premise_a, w.users["inspector"]),
            "b": make_metrology(w.premise_b, w.other_users["inspector"]),
        }
        w.measured = {
            key: make_reading_and_lot(
                w.records[key]["inspection"],
                w.metrology[key]["instrument"],
                w.metrology[key]["standard"],
                user,
            )
            for key, user in (("a", w.users["inspector"]), ("b", w.other_users["inspector"]))
        }
        w.minutes = {
            "a": make_minutes(make_premise(w.unit_a), w.users["inspector"], w.users["staff"]),
            "b": make_minutes(make_premise(w.unit_b), w.other_users["inspector"], w.other_users["staff"]),
        }
        w.decisions = {
            "a": make_decision(w.unit_a, w.users["staff"]),
            "b": make_decision(w.unit_b, w.other_users["staff"]),
        }
        w.notices = {
            "a": make_notice(w.minutes["a"], w.users["staff"]),
            "b": make_notice(w.minutes["b"], w.other_users["staff"]),
        }
        w.reports = {
            "a": make_sent_report(this_years_request(w.users["supervisor_province"]), w.users["staff"]),
            "b": make_sent_report(
                this_years_request(make_user("supervisor", province=w.p2), letter_number="99/SKHCN-BÍ-MẬT"),
                w.other_users["staff"],
            ),
        }
        w.complaints = {
            "a": make_complaint(w.premise_a, w.users["staff"]),
            "b": make_complaint(w.premise_b, w.other_users["staff"]),
        }
        w.plans = {
            "a": make_plan(w.unit_a, w.users["staff"]),
            "b": make_plan(w.unit_b, w.other_users["staff"]),
        }
        w.own_token_ids = {actor: issue_token(w.users[actor], "own")[0].id for actor in ACTORS}
        w.own_job_ids = {actor: make_finished_export_job(app, w.users[actor]).id for actor in ACTORS}
        w.other_job_id = make_finished_export_job(app, w.other_users["staff"]).id
        w.other_token_id = issue_token(w.other_users["inspector"], "other")[0].id
        values = {
            "ids": {arg: (own(w), other(w)) for arg, (own, other) in ID_ARGUMENTS.items()},
            "users": {
                actor: SimpleNamespace(id=user.id, username=user.username) for actor, user in w.users.items()
            },
            "unit_a": w.unit_a.id,
            "unit_a2": w.unit_a2.id,
            "unit_b": w.unit_b.id,
            "market_b": w.market_b.id,
            "premise_a2": w.premise_a2.id,
            "premise_b": w.premise_b.id,
        }
        with db.engine.connect() as connection:
            values["rows"] = table_rows(connection)
            values["other_units_rows"] = rows_of_unit(values["rows"], w.unit_b.id)
            if url.startswith("sqlite"):
                # Everything into the main file, which is what the cases copy.
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        values["other_units_files"] = {
            key: (uploads / key).read_bytes() for key in _storage_keys(values["other_units_rows"])
        }
        db.session.remove()
        db.engine.dispose()
    return values


def _sqlite_world(request, base: Path) -> MatrixWorld:
    path = base / "world.sqlite3"
    shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
    values = _populate(f"sqlite:///{path}", base / "uploads")

    def copy_database(tmp_path: Path) -> str:
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(path, copy)
        return f"sqlite:///{copy}"

    return MatrixWorld(**values, uploads=base / "uploads", copy_database=copy_database)


def _postgres_world(request, base: Path) -> MatrixWorld:
    url = request.getfixturevalue("migrated_postgres")
    engine = create_engine(url)
    request.addfinalizer(engine.dispose)
    with engine.begin() as conn:
        empty_postgres(conn)
    values = _populate(url, base / "uploads")
    with engine.begin() as conn:
        tables = postgres_tables(conn)  # children first
        conn.exec_driver_sql(
            "DROP SCHEMA IF EXISTS matrix_world CASCADE; CREATE SCHEMA matrix_world;"
            + "".join(f'CREATE TABLE matrix_world."{t}" AS TABLE public."{t}";' for t in tables)
        )
        sequences = conn.execute(
            text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        ).all()
    restore = (
        REPLICA_SESSION
        + "".join(f'DELETE FROM public."{t}";' for t in tables)
        + "".join(f'INSERT INTO public."{t}" SELECT * FROM matrix_world."{t}";' for t in reversed(tables))
        + "SELECT "
        + ", ".join(
            f"setval('public.\"{name}\"', {value}, true)"
            if value is not None
            else f"setval('public.\"{name}\"', 1, false)"
            for name, value in sequences
        )
    )

    def copy_database(tmp_path: Path) -> str:
        with engine.begin() as conn:
            conn.exec_driver_sql(restore)
        return app_url(url)

    return MatrixWorld(**values, uploads=base / "uploads", copy_database=copy_database)


@pytest.fixture(scope="session")
def matrix_worlds(request, tmp_path_factory):
    """backend → the world of this module, built on first use in this test process."""
    built = {}

    def get(backend: str) -> MatrixWorld:
        if backend not in built:
            build = _sqlite_world if backend == "sqlite" else _postgres_world
            built[backend] = build(request, tmp_path_factory.mktemp(f"matrix-{backend}"))
        return built[backend]

    return get


@pytest.fixture
def matrix(matrix_worlds, backend) -> MatrixWorld:
    return matrix_worlds(backend)


@pytest.fixture
def database_url(matrix, tmp_path) -> str:
    """Here not an empty database but a fresh copy of the built world."""
    return matrix.copy_database(tmp_path)


@pytest.fixture
def app_config(app_config, matrix) -> dict:
    """The built world's files, in a store of the backend the run tests (TEST_STORAGE) that is this case's own."""
    store = make_storage(app_config)
    for key, data in _files(LocalStorage(matrix.uploads)).items():
        store.put(key, data)
    return app_config


def _rows_now() -> dict:
    # A new connection, so the snapshot sees what the requests committed (every unit's rows).
    with db.engine.connect() as connection:
        system_transaction(connection)
        return table_rows(connection)


# ---- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("rule", "method", "args"), ROUTES, ids=[f"{m} {r}" for r, m, _ in ROUTES])
def test_other_units_records_answer_404_and_stay_unchanged(
    app, client, login, matrix, actor, rule, method, args
):
    storage = storage_for(app)
    login(matrix.users[actor])
    own = client.open(_url(rule, 0, matrix, actor), method=method, data={})
    between, files_between = _rows_now(), _files(storage)
    other = client.open(_url(rule, 1, matrix, actor), method=method, data={})
    after, files_after = _rows_now(), _files(storage)
    assert own.status_code != 404, f"{actor} cannot reach own unit's record at {rule}"
    if own.status_code == 403:
        # The role may not use this route at all: a refusal that says nothing about the record is fine.
        assert other.status_code in (403, 404)
    else:
        assert other.status_code == 404, f"{actor} reached another unit's record at {method} {rule}"
    # The refused request wrote nothing but its refusal in the audit log, in any table. No other table is exempt:
    # the client logs in with a session cookie, so no token's last_used_at moves (bearer requests only) and no
    # login attempt is recorded (/login only).
    after, refusals = _without_refusals(between, after)
    assert after == between, _differences(between, after)
    assert len(refusals) <= 1 and all(
        row["actor_id"] == matrix.users[actor].id for row in refusals.values()
    ), refusals
    assert files_after == files_between, sorted(set(files_after) ^ set(files_between))
    # Neither request touched a row of the other unit: all columns, versions included, are as built.
    other_unit = rows_of_unit(after, matrix.unit_b)
    assert other_unit == matrix.other_units_rows, _differences(matrix.other_units_rows, other_unit)
    assert {key: files_after.get(key) for key in matrix.other_units_files} == matrix.other_units_files


def test_the_other_unit_owns_rows_of_every_kind(matrix):
    """The unchanged-rows check above sees the other unit's records of every kind, not an empty set."""
    owned = {name for name, rows in matrix.other_units_rows.items() if rows}
    expected = {
        "units", "users", "api_tokens", "markets", "premises", "inspections",
        "inspection_members", "findings", "photos", "minutes", "minutes_counters", "reference_standards",
        "instruments", "instrument_photos", "readings", "prepackaged_lots", "reports", "report_files",
        "complaints",
        "decisions", "decision_members", "notices",
        "plans", "plan_premises", "jobs",
    }  # fmt: skip
    assert expected <= owned, expected - owned
    assert {key.split("/")[0] for key in matrix.other_units_files} == {
        "photos",
        "thumbnails",
        "certificates",
        "instruments",
        "minutes",
        "reports",
        "decisions",
        "notices",
        "jobs",
    }
    assert matrix.other_units_rows["premises"] and all(
        row["unit_id"] == matrix.unit_b for row in matrix.other_units_rows["premises"].values()
    )


@pytest.mark.parametrize("turn", [1, 2])
def test_each_case_starts_from_the_untouched_world(app, matrix, turn):
    """Whatever the previous case did to the rows and the files, the next one gets the world as built."""
    storage = storage_for(app)
    assert _rows_now() == matrix.rows
    files = _files(storage)
    assert files == _files(LocalStorage(matrix.uploads))
    assert {name.split("/")[0] for name in files} == {
        "photos",
        "thumbnails",
        "certificates",
        "instruments",
        "minutes",
        "reports",
        "decisions",
        "notices",
        "jobs",
    }
    with db.engine.begin() as connection:
        system_transaction(connection)
        connection.execute(text("UPDATE findings SET version = version + 1"))
        connection.execute(text("UPDATE premises SET name = 'Đã sửa'"))
        connection.execute(
            text(
                "INSERT INTO login_attempts (username, ip, success, at) VALUES ('x', 'y', false, '2026-01-01')"
            )
        )
    for key in storage.keys("photos/"):
        storage.delete(key)
    storage.put("minutes/stray.pdf", b"%PDF")


def test_unit_users_do_not_see_a_sibling_unit_but_the_province_does(client, login, matrix):
    url = f"/premises/{matrix.premise_a2}"
    login(matrix.users["inspector"])
    assert client.get(url).status_code == 404
    login(matrix.users["supervisor_unit"])
    assert client.get(url).status_code == 404
    login(matrix.users["supervisor_province"])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_and_counts_never_show_another_units_records(client, login, matrix, actor):
    login(matrix.users[actor])
    for url in (
        "/premises",
        "/premises?q=bi+mat",
        "/markets",
        "/",
        "/inspections",
        "/minutes",
        "/reports",
        "/complaints",
        "/plans",
        "/decisions",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "Sạp bí mật của đơn vị khác" not in page
        assert "Chợ Pleiku Thử" not in page
        assert "Phường Pleiku Thử" not in page
        assert "99/SKHCN-BÍ-MẬT" not in page
        assert "0905 999 000" not in page
    api = client.get("/api/v1/inspections").get_json()["items"]
    assert {i["unit_id"] for i in api} <= {matrix.unit_a, matrix.unit_a2}
    premises = client.get("/api/v1/premises").get_json()["items"]
    assert matrix.premise_b not in {p["id"] for p in premises}
    listing = client.get("/premises").get_data(as_text=True)
    assert "Sạp cân Nguyễn Thị Hường" in listing
    assert ("Tạp hóa Đinh Văn Ba" in listing) == (actor in ("supervisor_province", "admin_province"))
    home = client.get("/").get_data(as_text=True)
    expected = 3 if actor in ("supervisor_province", "admin_province") else 2
    assert f"<strong>{expected}</strong><span>cơ sở đang hoạt động" in home


def export_urls() -> list[str]:
    """Every list export, in both formats, found in the URL map (a new one is tested without being listed here)."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "UPLOAD_DIR": "/tmp/inspect-x"}
    )
    from inspect_app.exports.views import LISTS

    urls = []
    with app.test_request_context():
        from flask import url_for

        rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("exports.")]
        assert [rule.endpoint for rule in rules] == ["exports.export"]
        from inspect_app.domain.time import today_vn

        today = today_vn()
        # The quarterly results default to the last whole quarter: ask for this one, where the records are.
        this_quarter = {"year": today.year, "quy": (today.month - 1) // 3 + 1}
        for name in LISTS:
            for fmt in ("csv", "xlsx"):
                extra = this_quarter if name == "quarterly" else {}
                urls.append(url_for("exports.export", list_name=name, fmt=fmt, **extra))
    return urls


EXPORT_URLS = export_urls()


def _export_text(response) -> str:
    import io

    import openpyxl

    assert response.status_code == 200, response.status_code
    if response.mimetype == "text/csv":
        return response.get_data().decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return repr([list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)])


@pytest.mark.parametrize("actor", ACTORS)
def test_exports_never_contain_another_units_records(client, login, matrix, actor):
    """Every export, as every actor: the other unit's premises, unit, market and records never appear, not even when
    the query string names the other unit or its market; the actor's own records do."""
    login(matrix.users[actor])
    province_wide = actor in ("supervisor_province", "admin_province")
    for url in EXPORT_URLS:
        for query in ("", f"unit={matrix.unit_b}", f"market={matrix.market_b}&unit={matrix.unit_b}"):
            if query and "premises" not in url and "market" in query:
                continue
            if query:
                query = ("&" if "?" in url else "?") + query
            text = _export_text(client.get(url + query))
            for secret in ("Sạp bí mật của đơn vị khác", "Chợ Pleiku Thử", "Phường Pleiku Thử"):
                assert secret not in text, (actor, url + query)
            if not query:
                assert "Phường Đức Phổ Thử" in text, (actor, url)
        if url.startswith("/exports/premises"):
            text = _export_text(client.get(url))
            assert ("Tạp hóa Đinh Văn Ba" in text) == province_wide


def test_a_filter_by_another_units_market_or_unit_shows_nothing(client, login, matrix):
    login(matrix.users["inspector"])
    page = client.get(f"/premises?market={matrix.market_b}&unit={matrix.unit_b}").get_data(as_text=True)
    assert "Sạp bí mật" not in page
    assert "Không có cơ sở nào phù hợp" in page


def test_logged_out_visitors_are_sent_to_login_for_every_page(client, matrix):
    app_routes = [r for r, m, _ in ROUTES if m == "GET"] + ["/premises", "/markets", "/", "/admin/users"]
    for rule in app_routes:
        response = client.get(_url(rule, 0, matrix, "inspector") if "<" in rule else rule)
        if rule.startswith("/api/"):
            assert response.status_code == 401, rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule


def map_urls() -> list[str]:
    """The map's routes without a record in the URL (the page and its data), found in the URL map: a new one fails
    here until it is added to the scoping test below. (The popup's route names a premise: it is in the matrix.)"""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "UPLOAD_DIR": "/tmp/inspect-x"}
    )
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments and (rule.rule == "/map" or rule.rule.startswith("/api/v1/map/"))
    )


MAP_URLS = map_urls()


def test_every_map_route_is_scope_tested():
    assert MAP_URLS == ["/api/v1/map/gps", "/api/v1/map/premises", "/api/v1/map/summary", "/map"]


@pytest.mark.parametrize("actor", ACTORS)
def test_the_map_never_shows_another_units_records(client, login, matrix, actor):
    """Every map route, as every actor, whole world in view at every kind of zoom: the other unit's premises, unit,
    market and ids never appear, not even when the query string names the other unit or its market; the legend's
    total is the actor's own scope."""
    login(matrix.users[actor])
    own_units = (
        {matrix.unit_a, matrix.unit_a2}
        if actor in ("supervisor_province", "admin_province")
        else {matrix.unit_a}
    )
    own_active = [
        row["id"]
        for row in matrix.rows["premises"].values()
        if row["unit_id"] in own_units and row["status"] == "active"
    ]
    other_inspection = matrix.ids["inspection_id"][1]
    for url in MAP_URLS:
        for query in (
            "",
            f"unit={matrix.unit_b}",
            f"market={matrix.market_b}&unit={matrix.unit_b}",
            "bbox=-180,-90,180,90&zoom=3",
            "bbox=-180,-90,180,90&zoom=16",
        ):
            if "bbox" in query and not url.startswith("/api/v1/map/premises") and url != "/api/v1/map/gps":
                continue
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (actor, url, query, response.status_code)
            text = response.get_data(as_text=True)
            for secret in (
                "Sạp bí mật của đơn vị khác",
                "Chợ Pleiku Thử",
                "Phường Pleiku Thử",
                "Gia Lai Thử",
            ):
                assert secret not in text, (actor, url, query)
            if url.startswith("/api/"):
                body = response.get_json()
                ids = {p["id"] for p in body.get("points", [])} | {
                    i["premise_id"] for i in body.get("items", [])
                }
                assert matrix.premise_b not in ids
                assert other_inspection not in {i["inspection_id"] for i in body.get("items", [])}
    summary = client.get("/api/v1/map/summary").get_json()
    assert summary["total"] == len(own_active)
    assert client.get(f"/api/v1/map/summary?unit={matrix.unit_b}").get_json()["total"] == 0
    page = client.get("/map").get_data(as_text=True)
    assert "Sạp cân Nguyễn Thị Hường" in page
    assert ("Tạp hóa Đinh Văn Ba" in page) == (actor in ("supervisor_province", "admin_province"))


def dashboard_urls() -> list[str]:
    """The dashboard and the list behind each of its figures, found in the URL map: a new route fails here until it
    is added to the scoping test below."""
    from inspect_app.supervision.dashboard import FIGURES

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "UPLOAD_DIR": "/tmp/inspect-x"}
    )
    rules = sorted(rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("dashboard."))
    assert rules == ["/dashboard", "/dashboard/<figure>", "/dashboard/recount"], rules
    return ["/dashboard"] + [f"/dashboard/{code}" for code in FIGURES]


DASHBOARD_URLS = dashboard_urls()


@pytest.mark.parametrize("actor", ACTORS)
def test_the_dashboard_and_its_lists_never_show_another_units_records(client, login, matrix, actor):
    """The dashboard and every figure's list, as every actor, for all time: the other unit's premises, unit, market
    and province never appear, not even when the query string names the other unit or its market; a figure of the
    other unit is 0 and its list empty."""
    login(matrix.users[actor])
    period = "from=2020-01-01&to=2029-12-31"  # all time, within the 10-year limit
    for url in DASHBOARD_URLS:
        for query in (
            period,
            f"{period}&unit={matrix.unit_b}",
            f"{period}&market={matrix.market_b}&unit={matrix.unit_b}",
        ):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, (actor, url, query, response.status_code)
            text = response.get_data(as_text=True)
            for secret in (
                "Sạp bí mật của đơn vị khác",
                "Chợ Pleiku Thử",
                "Phường Pleiku Thử",
                "Gia Lai Thử",
            ):
                assert secret not in text, (actor, url, query)
            if url != "/dashboard" and "unit=" in query:
                assert 'data-total="0"' in text, (actor, url, query)
    board = client.get(f"/dashboard?{period}").get_data(as_text=True)
    assert 'data-figure="inspections"' in board
    # Counting the country again (supervision.kept) is for a national scope only: anyone else is sent back to
    # their own dashboard, and no count is queued, whatever unit the query names.
    for query in (period, f"{period}&unit={matrix.unit_b}"):
        response = client.post(f"/dashboard/recount?{query}")
        assert response.status_code == 302 and response.headers["Location"].startswith("/dashboard"), query
    with db.engine.connect() as connection:
        system_transaction(connection)  # every unit's rows, whatever the scope of the test's session
        assert connection.execute(select(Job.id).where(Job.kind == "dashboard")).first() is None
    listed = client.get(f"/dashboard/premises?{period}").get_data(as_text=True)
    assert "Sạp cân Nguyễn Thị Hường" in listed
    assert ("Tạp hóa Đinh Văn Ba" in listed) == (actor in ("supervisor_province", "admin_province"))
