"""A request's transaction that only read ends with COMMIT on PostgreSQL, so psycopg keeps the statements it prepared
on the server (it forgets them at every ROLLBACK); anything else is rolled back, as before."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from inspect_app.access import act_as_system
from inspect_app.extensions import db
from inspect_app.models import Premise
from inspect_app.web.read_ends import end_reads
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config):
    # One pooled connection: every request, and the check of what the server holds prepared, use the same one.
    return {**app_config, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}}


def ends(app):
    """How each transaction of the app's engine ended, in order."""
    seen: list[str] = []
    event.listen(db.engine, "commit", lambda conn: seen.append("commit"))
    event.listen(db.engine, "rollback", lambda conn: seen.append("rollback"))
    return seen


def add_routes(app, world):
    """Views that end without a commit of their own, after: a flush; a change left unflushed; a textual
    statement; a flush, then an error."""
    premise_id = world.premise_a.id
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an error answers 500, as in production

    def premise() -> Premise:
        act_as_system()
        return db.session.get(Premise, premise_id)

    def flushed():
        premise().name = "Đổi rồi flush"
        db.session.flush()
        return "ok"

    def unflushed():
        premise().name = "Đổi chưa flush"
        return "ok"

    def textual():
        act_as_system()
        db.session.execute(text("UPDATE premises SET name = 'Đổi bằng SQL' WHERE id = :id"), {"id": premise_id})
        return "ok"

    def failed():
        flushed()
        raise RuntimeError("the view failed after its flush")

    def read():
        return premise().name

    for view in (flushed, unflushed, textual, failed, read):
        app.add_url_rule(f"/_test/{view.__name__}", view.__name__, view)
    return premise_id


def stored_name(premise_id: int) -> str:
    """As stored, read in the test's own context, which then gives its connection back."""
    name = db.session.scalar(select(Premise.name).where(Premise.id == premise_id))
    db.session.close()
    return name


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_phones_read_is_prepared_once_and_kept_between_requests(app, client, world):
    """Before, each request ended with ROLLBACK and psycopg forgot its prepared statements: the server parsed and
    planned the premise read (and the token's) again on every call of the phone."""
    username, url = world.users["inspector"].username, f"/api/v1/premises/{world.premise_a.id}"
    db.session.close()  # the test's own context holds no connection while the requests run
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    for _ in range(8):
        assert client.get(url, headers=headers).status_code == 200
    with db.engine.connect() as connection:
        prepared = connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
    assert any("FROM premises LEFT OUTER JOIN markets" in statement for statement in prepared), prepared
    assert any("FROM users JOIN api_tokens" in statement for statement in prepared), prepared


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_read_commits_and_anything_else_rolls_back(app, client, world):
    premise_id, name = add_routes(app, world), world.premise_a.name
    db.session.close()
    seen = ends(app)
    assert client.get("/_test/read").status_code == 200
    assert seen == ["commit"]
    seen.clear()
    assert client.get("/healthz").status_code == 200  # the load balancer's probe, every few seconds
    assert seen == ["commit"]
    for view in ("flushed", "unflushed", "textual", "failed"):
        seen.clear()
        client.get(f"/_test/{view}")
        assert seen == ["rollback"], view
    assert stored_name(premise_id) == name


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_an_error_ends_even_a_read_with_rollback(app, world):
    premise_id = world.premise_a.id
    db.session.close()
    with app.app_context():
        act_as_system()
        db.session.get(Premise, premise_id)
        seen = ends(app)
        end_reads(RuntimeError("the request failed"))
        assert seen == []  # left to the close, which rolls back
        db.session.remove()
        assert seen == ["rollback"]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_commit_that_fails_still_lets_the_session_close(app, world, monkeypatch):
    """Whatever the commit raises, Flask-SQLAlchemy's close still runs after it and rolls back: no session (and no
    connection with its scope) is left behind for a later context."""
    premise_id = world.premise_a.id
    db.session.close()
    with app.app_context():
        act_as_system()
        db.session.get(Premise, premise_id)
        session = db.session()
        monkeypatch.setattr(session, "commit", lambda: (_ for _ in ()).throw(RuntimeError("a listener failed")))
        seen = ends(app)
    assert seen == ["rollback"]
    assert db.engine.pool.checkedout() == 0


def test_a_view_that_did_not_commit_leaves_nothing_behind(app, client, world):
    """Whatever a view changed without committing — flushed, left in the session, or written by a textual
    statement — is gone when the request ends, on both databases; an error changes nothing either."""
    premise_id = add_routes(app, world)
    name = world.premise_a.name
    db.session.close()
    for view in ("flushed", "unflushed", "textual", "failed", "read"):
        answer = client.get(f"/_test/{view}")
        assert answer.status_code == (500 if view == "failed" else 200), view
        assert stored_name(premise_id) == name, view
