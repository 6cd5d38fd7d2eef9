"""A database that stops answering: a request waits at most the connect timeout (a new connection) or the statement
timeout (a statement, or a lock it waits on), then answers 503 with Retry-After, and /healthz says so. Maintenance
commands are not limited."""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy import create_engine, text

from inspect_app import create_app
from inspect_app.config import engine_options
from inspect_app.extensions import db
from inspect_app.web.public_url import maintenance_command
from tests.conftest import PG_URL, TEST_SETTINGS, missing


def test_postgresql_connections_carry_the_timeouts():
    options = engine_options(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@db/inspect",
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "DB_CONNECT_TIMEOUT_SECONDS": 5,
            "DB_STATEMENT_TIMEOUT_MS": 30000,
        }
    )
    assert options == {
        "pool_pre_ping": True,
        "pool_timeout": 5,
        "connect_args": {
            "connect_timeout": 5,
            "options": "-c jit=off -c statement_timeout=30000 -c lock_timeout=30000",
        },
    }


def test_timeouts_can_be_switched_off_and_sqlite_is_left_alone():
    off = {"SQLALCHEMY_DATABASE_URI": "postgresql://db/x", "DB_CONNECT_TIMEOUT_SECONDS": 0, "DB_STATEMENT_TIMEOUT_MS": 0}
    assert engine_options(off) == {"connect_args": {"options": "-c jit=off"}}
    sqlite = {"SQLALCHEMY_DATABASE_URI": "sqlite:///x", "DB_CONNECT_TIMEOUT_SECONDS": 5, "DB_STATEMENT_TIMEOUT_MS": 5}
    assert engine_options(sqlite) == {}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/srv/app/.venv/bin/flask", "--app", "wsgi", "db", "upgrade"], True),
        (["flask", "rebuild-inspection-tallies"], True),
        (["/srv/app/.venv/lib/python3.11/site-packages/flask/__main__.py", "--app", "wsgi", "backup", "create"], True),
        (["/srv/app/.venv/lib/python3.11/site-packages/flask/__main__.py", "--app", "wsgi", "run"], False),
        (["/srv/app/bench/__main__.py", "db"], False),
        (["/srv/app/.venv/bin/flask", "--app", "wsgi", "run"], False),
        (["/srv/app/.venv/bin/gunicorn", "wsgi:app"], False),
        (["/usr/lib/python3/pytest"], False),
    ],
)
def test_only_maintenance_commands_run_without_a_statement_timeout(argv, expected):
    assert maintenance_command(argv) is expected


def _answer_within(call, seconds: float):
    """Run call() in a thread; a hang past `seconds` fails the test instead of hanging the suite."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("value", call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert "value" in result, f"no answer within {seconds} s: the request hangs"
    return result["value"]


def test_a_server_that_accepts_and_never_answers_gives_a_503_not_a_hang(tmp_path):
    # The kernel completes the TCP handshake for a listening socket nobody serves: a frozen database server.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        app = create_app(
            {
                **TEST_SETTINGS,
                "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://u:p@127.0.0.1:{port}/inspect",
                "UPLOAD_DIR": str(tmp_path / "uploads"),
                "DB_CONNECT_TIMEOUT_SECONDS": 1,
            }
        )
        client = app.test_client()
        health = _answer_within(lambda: client.get("/healthz"), 30)
        assert health.status_code == 503
        assert health.headers["Retry-After"] == "5"
        assert health.get_json() == {"status": "error", "error": "Không kết nối được cơ sở dữ liệu."}
        page = _answer_within(lambda: client.get("/login", headers={"Accept": "text/html"}), 30)
        assert page.status_code == 200  # the login page needs no database
        api = _answer_within(lambda: client.get("/api/v1/premises", headers={"Authorization": "Bearer x"}), 30)
        assert api.status_code == 503
        assert api.headers["Retry-After"] == "5"
        assert "thử lại" in api.get_json()["error"]
    finally:
        silent.close()


@pytest.fixture
def backend():
    return "postgres"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "DB_STATEMENT_TIMEOUT_MS": 300}


def test_the_apps_connections_run_without_jit_compilation(app):
    assert db.session.scalar(text("SHOW jit")) == "off"


def test_a_statement_stuck_behind_a_lock_gives_a_503_and_saves_nothing(app, client, world, login):
    if not PG_URL:
        missing("PostgreSQL (TEST_POSTGRES_URL)")
    login(world.users["inspector"])
    holder = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with holder.connect() as conn:
        conn.execute(text("LOCK TABLE premises IN ACCESS EXCLUSIVE MODE"))
        response = _answer_within(lambda: client.get("/premises", headers={"Accept": "text/html"}), 30)
        conn.rollback()
    holder.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Hệ thống đang bận" in response.get_data(as_text=True)
    # The lock gone, the same page answers.
    assert client.get("/premises").status_code == 200


def _end_pooled_connection(app) -> None:
    """What a database restart does to the app's pooled connection: the server ends it."""

    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()  # back into the pool
    killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()


@pytest.mark.parametrize("idle_seconds", [0, 3600])
def test_a_pooled_connection_the_server_ended_is_replaced(app_config, world, idle_seconds):
    """Pinged when idle (0: always): the request after a restart answers. Not pinged (handed back moments ago): that
    one request answers 503 "try again", and the pool then replaces its connections, so the next one answers."""
    if not PG_URL:
        missing("PostgreSQL (TEST_POSTGRES_URL)")
    from inspect_app.api.auth import issue_token
    from inspect_app.models import User

    app = create_app({**app_config, "DB_PING_IDLE_SECONDS": idle_seconds})
    client = app.test_client()
    with app.app_context():
        _, token = issue_token(db.session.get(User, world.users["inspector"].id), "ping")
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/premises", headers=headers).status_code == 200
    _end_pooled_connection(app)
    first = client.get("/api/v1/premises", headers=headers)
    if idle_seconds == 0:
        assert first.status_code == 200
    else:
        assert first.status_code == 503
        assert first.headers["Retry-After"] == "5"
    assert client.get("/api/v1/premises", headers=headers).status_code == 200
    with app.app_context():
        db.engine.dispose()
