import pytest


def test_healthz_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.database_owner  # it rewrites alembic_version, as only the migrations (the owner) do
def test_healthz_refuses_a_schema_older_than_the_code_and_serves_a_newer_one(client, app, backend):
    """Rolling upgrades: a server on a new version before its migrations ran stays out (503); a server still on
    the previous version while the schema has moved on keeps serving."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from inspect_app.extensions import db
    from inspect_app.main.views import SCHEMA_OLDER

    def set_revision(revision: str) -> None:
        db.session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        db.session.commit()

    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    previous = ScriptDirectory(app.extensions["migrate"].directory).get_revision(head).down_revision
    try:
        set_revision(previous)
        older = client.get("/healthz")
        assert older.status_code == 503 and older.headers["Retry-After"].isdigit()
        assert older.get_json() == {"status": "error", "error": SCHEMA_OLDER}
        set_revision("9999_of_a_later_version")
        assert client.get("/healthz").get_json() == {"status": "ok"}
    finally:
        set_revision(head)
    assert client.get("/healthz").status_code == 200
    if backend == "sqlite":  # a database no migration has run on (this test's own copy)
        db.session.execute(text("DROP TABLE alembic_version"))
        db.session.commit()
        assert client.get("/healthz").get_json() == {"status": "error", "error": SCHEMA_OLDER}
