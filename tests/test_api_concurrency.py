"""Many phones syncing at once against a real threaded server: reads never fail, a busy database is a 503 with
Retry-After (the phone's outbox retries it), never a 500, and every record is stored exactly once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from inspect_app.extensions import db
from inspect_app.models import ApiToken, Finding, Inspection
from tests.api_helpers import inspection_payload, token_for

THREADS = 16
REQUESTS_PER_THREAD = 20
INSPECTIONS = 8
FINDING_CODES = ("GIA-01", "GIA-02")


def acceptable(response) -> str | None:
    """Why an answer breaks the rule, or None: 2xx, 409, or 503 carrying Retry-After."""
    if 200 <= response.status_code < 300 or response.status_code == 409:
        return None
    if response.status_code == 503 and response.headers.get("Retry-After", "").isdigit():
        return None
    return f"{response.request.method} {response.url} → {response.status_code} {response.text[:300]}"


@pytest.fixture
def busy_wait(app, request):
    """SQLite's wait for a lock: the app's own 5 s, or 20 ms to stand for a server far more loaded than this one."""
    from sqlalchemy import event

    milliseconds = request.param
    if milliseconds is None:
        yield
        return

    def short_wait(dbapi_connection, connection_record, connection_proxy):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={milliseconds}")
        cursor.close()

    db.engine.dispose()
    event.listen(db.engine, "checkout", short_wait)
    yield
    event.remove(db.engine, "checkout", short_wait)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("busy_wait", [None, 20], ids=["busy-wait-5s", "busy-wait-20ms"], indirect=True)
def test_many_phones_syncing_at_once_never_see_a_500_and_store_each_record_once(
    live_server, world, client, backend, busy_wait
):
    inspector = world.users["inspector"]
    # Several phones of one inspector and the unit's supervisor, each with its own token.
    tokens = [token_for(client, inspector) for _ in range(6)] + [
        token_for(client, world.users["supervisor_unit"]) for _ in range(2)
    ]
    inspections = [inspection_payload(world.premise_a) for _ in range(INSPECTIONS)]
    findings = {
        payload["uuid"]: [
            {"uuid": str(uuid.uuid4()), "item_code": code, "answer": "pass", "note": ""}
            for code in FINDING_CODES
        ]
        for payload in inspections
    }
    base = f"{live_server.url}/api/v1"
    problems: list[str] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def phone(n: int) -> None:
        headers = tokens[n % 6]  # the inspector's phones write; the supervisor's only read
        reader = tokens[6 + n % 2]
        inspection = inspections[n % INSPECTIONS]
        stored = False
        with requests.Session() as http:
            start.wait()
            for step in range(REQUESTS_PER_THREAD):
                if not stored or step % 5 == 0:
                    response = http.post(f"{base}/inspections", json=inspection, headers=headers, timeout=60)
                    stored = stored or response.status_code in (200, 201)
                else:
                    kind = step % 5
                    if kind == 1:
                        response = http.get(f"{base}/me", headers=reader, timeout=60)
                    elif kind == 2:
                        finding = findings[inspection["uuid"]][step % 2]
                        response = http.post(
                            f"{base}/inspections/{inspection['uuid']}/findings",
                            json=finding,
                            headers=headers,
                            timeout=60,
                        )
                    elif kind == 3:
                        response = http.get(f"{base}/inspections?limit=20", headers=headers, timeout=60)
                    else:
                        response = http.get(
                            f"{base}/inspections/{inspection['uuid']}", headers=reader, timeout=60
                        )
                with lock:
                    statuses[response.status_code] += 1
                    if (why := acceptable(response)) is not None:
                        problems.append(why)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    print(f"answers: {dict(sorted(statuses.items()))}")
    assert problems == [], problems[:5]
    assert sum(statuses.values()) == THREADS * REQUESTS_PER_THREAD

    # The phones' outboxes resend whatever was not confirmed: everything ends stored exactly once.
    writer = tokens[0]
    for payload in inspections:
        assert requests.post(f"{base}/inspections", json=payload, headers=writer, timeout=60).status_code in (
            200,
            201,
        )
        for finding in findings[payload["uuid"]]:
            response = requests.post(
                f"{base}/inspections/{payload['uuid']}/findings", json=finding, headers=writer, timeout=60
            )
            assert response.status_code in (200, 201), response.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == INSPECTIONS
    assert db.session.scalar(select(func.count()).select_from(Finding)) == INSPECTIONS * len(FINDING_CODES)
    assert db.session.scalar(select(func.count(func.distinct(Inspection.uuid)))) == INSPECTIONS


def test_a_token_is_stamped_at_most_once_a_minute(app, world, monkeypatch):
    from sqlalchemy import event

    from inspect_app.api import auth

    record, token = auth.issue_token(world.users["inspector"], "phone")
    token_id, issued, user_id = record.id, record.created_at, world.users["inspector"].id
    now = [issued]
    monkeypatch.setattr(auth, "utcnow", lambda: now[0])
    writes: list[str] = []

    def count_writes(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_writes)
    try:

        def use(after: timedelta) -> None:
            now[0] = issued + after
            with app.test_request_context(headers={"Authorization": f"Bearer {token}"}):
                assert auth.user_from_bearer().id == user_id
                db.session.remove()

        def stamped():
            db.session.expire_all()
            return db.session.get(ApiToken, token_id).last_used_at

        use(timedelta(seconds=5))
        first = stamped()
        assert first == issued + timedelta(seconds=5) and len(writes) == 1
        for seconds in (6, 30, 64):
            use(timedelta(seconds=seconds))
        assert stamped() == first and len(writes) == 1
        use(timedelta(seconds=66))
        assert stamped() == issued + timedelta(seconds=66) and len(writes) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count_writes)


def _sqlite_error(message: str):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    return OperationalError("UPDATE inspections SET version=?", (2,), sqlite3.OperationalError(message))


def _postgres_error(error_class_name: str, message: str):
    import psycopg
    from sqlalchemy.exc import OperationalError

    orig = getattr(psycopg.errors, error_class_name, psycopg.OperationalError)(message)
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    "make_error",
    [
        lambda: _sqlite_error("database is locked"),
        lambda: _sqlite_error("database is busy"),
        lambda: _postgres_error("OperationalError", "connection failed: Connection refused"),
        lambda: _postgres_error("LockNotAvailable", "canceling statement due to lock timeout"),
        lambda: _postgres_error("QueryCanceled", "canceling statement due to statement timeout"),
        lambda: _postgres_error("AdminShutdown", "terminating connection due to administrator command"),
    ],
    ids=[
        "sqlite-locked",
        "sqlite-busy",
        "pg-refused",
        "pg-lock-timeout",
        "pg-statement-timeout",
        "pg-shutdown",
    ],
)
def test_a_busy_or_unreachable_database_is_a_503_with_retry_after(app, client, world, backend, make_error):
    def fails():
        raise make_error()

    app.add_url_rule("/api/v1/busy-probe", "busy_probe_api", fails)
    app.add_url_rule("/busy-probe", "busy_probe_page", fails)
    headers = token_for(client, world.users["inspector"])
    answer = client.get("/api/v1/busy-probe", headers=headers)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json() == {"error": "Hệ thống đang bận, vui lòng thử lại sau ít giây."}
    page = client.get("/busy-probe", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert page.mimetype == "text/html" and "Hệ thống đang bận" in page.get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_other_database_errors_stay_500s(app, client, backend):
    from sqlalchemy.exc import IntegrityError

    def broken_sql():
        raise _sqlite_error("no such table: inspektions")

    def integrity():
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    app.config["PROPAGATE_UNEXPECTED"] = False
    app.add_url_rule("/api/v1/broken-probe", "broken_probe", broken_sql)
    app.add_url_rule("/api/v1/integrity-probe", "integrity_probe", integrity)
    for url in ("/api/v1/broken-probe", "/api/v1/integrity-probe"):
        answer = client.get(url)
        assert answer.status_code == 500 and "Retry-After" not in answer.headers
        assert answer.get_json()["error"].startswith("Đã xảy ra lỗi hệ thống.")
