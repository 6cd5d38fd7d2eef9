"""Whether the database's schema is older than this code: the migrations it was written for have not run.

In a rolling upgrade ``flask db upgrade`` runs once, before the first server gets the new version. A server started
on the new version too early (or by hand, forgetting the migrations) would fail on the first query naming a new
column; its ``/healthz`` answers 503 instead, so the deploy waits for it and the load balancer's check keeps it out.
A schema *newer* than the code (a server still on the previous version while the others move on) is what a rolling
upgrade goes through, and is served: migrations add before they remove (README, "Production: several servers").
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import column, select, table

# The schema revision the database is at: read by /healthz and by the backup's manifest. A compiled SELECT, not
# text(): on PostgreSQL a request that only ran it ends as a read (web/read_ends.py), so the load balancer's probe
# leaves the connection's prepared statements in place.
SCHEMA_REVISION = select(column("version_num")).select_from(table("alembic_version"))


@lru_cache(maxsize=4)
def _revisions(migrations: str) -> tuple[frozenset[str], frozenset[str]]:
    """Every revision this code's migrations know, and the heads among them (none when they cannot be read)."""
    from alembic.script import ScriptDirectory

    try:
        script = ScriptDirectory(migrations)
        return frozenset(r.revision for r in script.walk_revisions()), frozenset(script.get_heads())
    except Exception:  # noqa: BLE001 - no migrations shipped: nothing to compare with, nothing is refused
        return frozenset(), frozenset()


def schema_is_older(revision: str | None, migrations: str) -> bool:
    """``revision`` (alembic_version's, None when no migration has run) is one of this code's, not its head."""
    known, heads = _revisions(migrations)
    if not known:
        return False
    return revision is None or (revision in known and revision not in heads)


def missing_version_table(error: Exception) -> bool:
    """The error of reading alembic_version from a database no migration has run on (PostgreSQL: relation does
    not exist; SQLite: no such table), rather than a database that cannot be reached."""
    return "alembic_version" in str(getattr(error, "orig", error))
