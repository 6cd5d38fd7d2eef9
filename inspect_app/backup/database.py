"""The database half of a backup: a consistent copy taken while the app writes (SQLite's online backup API, or
pg_dump on an exported snapshot), the row count of every table and the audit log's head read in the same snapshot,
the checks of a dump, and its restore into an empty database."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from ..access import system_transaction
from ..main.schema import SCHEMA_REVISION
from .audit import audit_head
from .manifest import AuditHead, BackupError

__all__ = [
    "Snapshot",
    "backend_of",
    "check_postgres_dump",
    "check_sqlite_copy",
    "dump_postgres",
    "read_snapshot",
    "restore_postgres",
    "restore_sqlite",
    "snapshot_sqlite",
    "table_count",
]


@dataclass(frozen=True)
class Snapshot:
    """What one consistent view of the database holds: rows per table, the schema's revision, the audit head."""

    tables: dict[str, int]
    alembic_revision: str | None
    audit: AuditHead


def backend_of(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Chưa sao lưu được cơ sở dữ liệu loại {name}.")
    return name


def _tables(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


def table_count(connection: Connection) -> int:
    """How many tables the database has (in PostgreSQL, in any schema but the system's)."""
    if connection.dialect.name == "postgresql":
        return connection.scalar(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        )
    return len(_tables(connection))


def read_snapshot(connection: Connection) -> Snapshot:
    """Row counts, revision and audit head as the connection's transaction sees them (every unit's rows: the backup
    acts for nobody)."""
    system_transaction(connection)
    names = _tables(connection)
    preparer = connection.dialect.identifier_preparer
    counts = {name: connection.scalar(text(f"SELECT count(*) FROM {preparer.quote(name)}")) for name in names}
    revision = None
    if "alembic_version" in counts:
        revision = connection.scalar(SCHEMA_REVISION)
    return Snapshot(tables=counts, alembic_revision=revision, audit=audit_head(connection))


# ---- SQLite ----------------------------------------------------------------------------------------------------------


def _sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}", poolclass=NullPool)


def _read_file_snapshot(path: Path) -> Snapshot:
    engine = _sqlite_engine(path)
    try:
        with engine.connect() as connection:
            return read_snapshot(connection)
    finally:
        engine.dispose()


def snapshot_sqlite(engine: Engine, target: Path) -> Snapshot:
    """Copy the live database to `target` with SQLite's online backup API, in one step: the copy is the database
    as one read transaction saw it, and in WAL mode the app's writers are not held up meanwhile."""
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(destination)
        finally:
            destination.close()
    finally:
        raw.close()
    snapshot = _read_file_snapshot(target)
    # Reading the copy may have left a write-ahead log beside it; the copy must be whole in its one file.
    _checkpoint(target)
    return snapshot


def _checkpoint(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def check_sqlite_copy(path: Path) -> Snapshot:
    """PRAGMA integrity_check on an extracted copy, then its snapshot; BackupError when the copy is damaged."""
    try:
        connection = sqlite3.connect(path)
        try:
            result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"Tệp cơ sở dữ liệu trong bản sao lưu không mở được: {error}.") from None
    if result != ["ok"]:
        raise BackupError.listing(
            "Tệp cơ sở dữ liệu trong bản sao lưu bị hỏng (PRAGMA integrity_check):", result
        )
    return _read_file_snapshot(path)


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"Không phục hồi được vào cơ sở dữ liệu SQLite {engine.url.render_as_string()}.")
    return Path(database)


def restore_sqlite(engine: Engine, source: Path) -> None:
    """Copy the extracted database into the configured (empty) one with the backup API, then checkpoint it."""
    engine.dispose()
    target = sqlite_path(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(source)
    try:
        destination = sqlite3.connect(target)
        try:
            origin.backup(destination)
        finally:
            destination.close()
    finally:
        origin.close()
    engine.dispose()


# ---- PostgreSQL ------------------------------------------------------------------------------------------------------

# URL query parameters libpq also reads from the environment.
_LIBPQ_QUERY = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "host": "PGHOST",
    "port": "PGPORT",
}


def libpq_environment(engine: Engine) -> tuple[dict[str, str], str]:
    """The environment for pg_dump / pg_restore (the password only as PGPASSWORD, never on a command line, where
    any user of the machine could read it) and the database's name."""
    url = make_url(engine.url)
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username)):
        if value:
            env[key] = str(value)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for name, variable in _LIBPQ_QUERY.items():
        value = url.query.get(name)
        if value:
            env[variable] = value if isinstance(value, str) else value[0]
    if not url.database:
        raise BackupError("DATABASE_URL không ghi tên cơ sở dữ liệu.")
    env["PGDATABASE"] = url.database
    return env, url.database


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Không tìm thấy chương trình {name} (gói postgresql-client, cùng phiên bản với máy chủ PostgreSQL)."
        )
    return path


def _run(arguments: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BackupError(f"{what} thất bại (mã {completed.returncode}): {completed.stderr.strip()[-2000:]}")


def dump_postgres(engine: Engine, target: Path) -> Snapshot:
    """pg_dump --format=custom of the database as one snapshot sees it; the counts and the audit head are read in
    the transaction that exported that snapshot, so the manifest describes exactly what was dumped."""
    env, _database = libpq_environment(engine)
    # Row-level security (migration 0030): pg_dump acts for nobody and reads every unit's rows. Without
    # --enable-row-security it refuses tables with policies unless it runs as a superuser.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c inspect.unit_ids=*").strip()
    pg_dump = _tool("pg_dump")
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot_id = connection.scalar(text("SELECT pg_export_snapshot()"))
            # Counting a province's tables is a maintenance job, not a request: no per-statement limit.
            connection.execute(text("SET LOCAL statement_timeout = 0"))
            snapshot = read_snapshot(connection)
            other_schemas = connection.scalars(
                text(
                    "SELECT nspname FROM pg_namespace WHERE nspname <> 'public' "
                    "AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
                )
            ).all()
            # The exporting transaction stays open until pg_dump is done with the snapshot.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--enable-row-security",
                    # Only the app's own schema: another schema in the same database (another program's, a
                    # test's scratch copy) is not the app's to save, and the app's role may not read it.
                    *[f"--exclude-schema={name}" for name in other_schemas],
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    "--no-password",
                ],
                env,
                "pg_dump",
            )
    return snapshot


def check_postgres_dump(dump: Path) -> dict[str, int]:
    """pg_restore --list reads the dump's table of contents; then the rows of each table are counted in the COPY
    blocks pg_restore writes out (one line a row), without a server. Returns the counts."""
    pg_restore = _tool("pg_restore")
    env = dict(os.environ)
    _run([pg_restore, "--list", str(dump)], env, "pg_restore --list (đọc mục lục bản sao cơ sở dữ liệu)")
    return dict(_copy_counts(pg_restore, dump, env))


_COPY = re.compile(r'^COPY (?:(?:"[^"]+"|[^ ."]+)\.)?("(?:[^"]|"")+"|[^ (]+) ')


def _copy_counts(pg_restore: str, dump: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    process = subprocess.Popen(
        [pg_restore, "--data-only", "--file=-", str(dump)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    table, rows = None, 0
    for line in process.stdout:
        if table is None:
            match = _COPY.match(line.decode("utf-8", "replace"))
            if match:
                name = match.group(1)
                table, rows = (name[1:-1].replace('""', '"') if name.startswith('"') else name), 0
        elif line == b"\\.\n":
            yield table, rows
            table = None
        else:
            rows += 1
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.wait() != 0 or table is not None:
        raise BackupError(f"pg_restore không đọc hết được bản sao cơ sở dữ liệu: {stderr.strip()[-2000:]}")


def restore_postgres(engine: Engine, dump: Path) -> None:
    """pg_restore into the configured, empty database, in one transaction: a failure leaves it empty."""
    env, database = libpq_environment(engine)
    engine.dispose()
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={database}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
