"""Configuration defaults, the embedded SQLite settings, and models agreeing with the migrations."""

from __future__ import annotations

import os
import re
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, text

from inspect_app import create_app
from inspect_app.extensions import db


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app()
    second = create_app()
    key_file = tmp_path / "instance" / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # The default database is a SQLite file in the instance folder.
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'inspect.sqlite3'}"


def test_environment_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "i"))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "up"))
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://kiemtra.example.vn/")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "up") and (tmp_path / "up").is_dir()
    assert app.config["PUBLIC_BASE_URL"] == "https://kiemtra.example.vn"
    # Behind https the cookies are marked Secure.
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_models_and_migrations_agree(app):
    """Fails when a model changes without a migration (or a migration without the model)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_healthz_reports_a_dead_database_as_503(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody:x@127.0.0.1:1/none",
            "SECRET_KEY": "x",
            "UPLOAD_DIR": str(tmp_path),
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def _check_texts(connection) -> dict[str, str]:
    """Every CHECK constraint in the database by name, as the database keeps its text."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'")
        )
        return dict(rows.all())
    found = {}
    for (sql,) in connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    ):
        for match in re.finditer(r"CONSTRAINT\s+\"?(\w+)\"?\s+CHECK\s*\(", sql):
            depth, end = 1, match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(sql[end], 0)
                end += 1
            found[match.group(1)] = sql[match.end() : end - 1]
    return found


# A quoted code; PostgreSQL also quotes the numbers it keeps ('-90'::numeric), which are not codes.
_CODE = re.compile(r"'([^']*)'(?!::(?:numeric|integer|bigint|double precision|real))")


def test_check_constraints_admit_what_the_models_admit(app):
    """A code list (audit actions, reading kinds, statuses…) widened in the model but not in the migration's CHECK
    constraint would refuse the new value only at run time: each constraint admits exactly the model's codes."""
    with db.engine.connect() as connection:
        stored = _check_texts(connection)
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            name = str(constraint.name)
            assert name in stored, f"{name} is missing from the database"
            wanted = set(_CODE.findall(str(constraint.sqltext)))
            assert set(_CODE.findall(stored[name])) == wanted, name
