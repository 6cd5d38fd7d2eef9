"""Backups of an instance: one archive with the database, every stored file and a manifest (create); the archive
checked whole against its manifest (verify); and put back into an empty instance, then checked again (restore).

Restoring into another kind of database (a SQLite backup into PostgreSQL, or back) is not done here."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from ..files.storage import Storage, StorageUnavailable, validate_key
from .archive import CHUNK, ArchiveReader, ArchiveWriter
from .database import (
    Snapshot,
    backend_of,
    check_postgres_dump,
    check_sqlite_copy,
    dump_postgres,
    read_snapshot,
    restore_postgres,
    restore_sqlite,
    snapshot_sqlite,
    sqlite_path,
    table_count,
)
from .manifest import (
    DATABASE_NAMES,
    FILES_PREFIX,
    MANIFEST_DIGEST_NAME,
    MANIFEST_NAME,
    BackupError,
    Manifest,
    Stored,
    compare_audit,
    compare_contents,
    compare_counts,
    digest_line,
    read_digest_line,
)

__all__ = ["Restored", "Verified", "create_backup", "default_archive_name", "restore_backup", "verify_backup"]

# A manifest lists one line per stored file: a province's photos make it a few tens of megabytes at most.
MANIFEST_LIMIT = 512 * 1024 * 1024


def default_archive_name(moment: datetime) -> str:
    return f"inspect-backup-{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar"


def create_backup(
    engine: Engine,
    storage: Storage,
    output: Path,
    app_version: str,
    *,
    on_file: Callable[[int], None] | None = None,
) -> Manifest:
    """Write the archive `output`: the database first (a consistent snapshot), then every stored file, then the
    manifest and its digest. Files are stored before the rows that name them are committed, so every file the
    snapshot's rows name is already there when the files are read after it; a file stored later is kept too.
    ``on_file(count)`` is told how many files are in after each one (a background job's progress)."""
    backend = backend_of(engine)
    root = getattr(storage, "root", None)
    if root is not None and output.resolve().is_relative_to(root):
        raise BackupError(f"Không ghi bản sao lưu vào thư mục lưu tệp của ứng dụng ({root}).")
    output.parent.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".inspect-backup-") as work:
        dump = Path(work) / DATABASE_NAMES[backend]
        snapshot = snapshot_sqlite(engine, dump) if backend == "sqlite" else dump_postgres(engine, dump)
        with ArchiveWriter(output) as archive:
            database = archive.add_file(DATABASE_NAMES[backend], dump)
            dump.unlink()
            files = {}
            for key in storage.keys():
                try:
                    stream = storage.open(key)
                except FileNotFoundError:
                    continue  # removed since it was listed: a failed write cleaning up, named by no record
                with stream:
                    size = stream.seek(0, 2)
                    stream.seek(0)
                    files[key] = archive.add_stream(FILES_PREFIX + key, stream, size)
                if on_file is not None:
                    on_file(len(files))
            manifest = _manifest(created_at, app_version, backend, database, snapshot, files)
            data = manifest.to_json()
            archive.add_bytes(MANIFEST_NAME, data)
            archive.add_bytes(MANIFEST_DIGEST_NAME, digest_line(data))
    return manifest


def _manifest(created_at, app_version, backend, database, snapshot: Snapshot, files) -> Manifest:
    return Manifest(
        created_at=created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        app_version=app_version,
        alembic_revision=snapshot.alembic_revision,
        backend=backend,
        database=database,
        tables=snapshot.tables,
        audit=snapshot.audit,
        files=files,
    )


@dataclass(frozen=True)
class Verified:
    """An archive found whole: its manifest, and its database extracted into the work folder."""

    manifest: Manifest
    database: Path


def verify_backup(path: Path, work: Path) -> Verified:
    """Read the archive once, hashing every member; the database is extracted into `work` and opened. BackupError,
    naming every problem found, unless the archive is complete and matches its manifest in every hash, size and
    row count (and, for SQLite, the audit log's head)."""
    found: dict[str, Stored] = {}
    manifest_bytes = digest_bytes = None
    problems = []
    for member in ArchiveReader(path):
        if member.name == MANIFEST_NAME:
            manifest_bytes = member.read(MANIFEST_LIMIT)
        elif member.name == MANIFEST_DIGEST_NAME:
            digest_bytes = member.read(1024)
        elif member.name in DATABASE_NAMES.values():
            found[member.name] = member.save(work / member.name)
        else:
            if member.name.startswith(FILES_PREFIX) and _valid_key(member.name[len(FILES_PREFIX) :]):
                found[member.name] = member.copy()
            else:
                problems.append(f"{member.name!r} không phải một thành phần của bản sao lưu")
    if manifest_bytes is None or digest_bytes is None:
        missing = MANIFEST_NAME if manifest_bytes is None else MANIFEST_DIGEST_NAME
        raise BackupError(f"{path} thiếu {missing}: tệp sao lưu bị cắt cụt hoặc chưa ghi xong.")
    if problem := read_digest_line(digest_bytes, manifest_bytes):
        raise BackupError(problem)
    manifest = Manifest.from_json(manifest_bytes)
    problems += compare_contents(manifest, found)
    if problems:
        raise BackupError.listing(f"Bản sao lưu {path} không toàn vẹn:", problems)
    database = work / manifest.database_name
    if manifest.backend == "sqlite":
        problems = _snapshot_problems(manifest, check_sqlite_copy(database))
    else:
        # A dump's rows can be counted without a server; the audit log's head is checked once it is restored.
        problems = compare_counts(manifest.tables, check_postgres_dump(database))
    if problems:
        raise BackupError.listing("Cơ sở dữ liệu trong bản sao lưu không khớp bảng kê:", problems)
    return Verified(manifest, database)


def _snapshot_problems(manifest: Manifest, snapshot: Snapshot) -> list[str]:
    return compare_counts(manifest.tables, snapshot.tables) + compare_audit(manifest.audit, snapshot.audit)


def _valid_key(key: str) -> bool:
    try:
        validate_key(key)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    # The backup's schema is older than this version's: `flask db upgrade` brings it up to date.
    needs_upgrade: bool


def restore_backup(engine: Engine, storage: Storage, path: Path, migrations: Path) -> Restored:
    """Verify the archive, then restore its database and files into this instance, which must be empty (no table
    in the database, no stored file): nothing is written unless the whole archive checked out. Afterwards the row
    counts, the audit log's head and every file's hash are checked again."""
    backend = backend_of(engine)
    _refuse_unless_empty(engine, storage)
    with tempfile.TemporaryDirectory(prefix="inspect-restore-") as work:
        manifest = verify_backup(path, Path(work)).manifest
        if manifest.backend != backend:
            raise BackupError(
                f"Bản sao lưu là của cơ sở dữ liệu {manifest.backend}, ứng dụng đang dùng {backend}: chưa phục hồi "
                "được sang một loại cơ sở dữ liệu khác."
            )
        needs_upgrade = _check_revision(manifest, migrations)
        database = Path(work) / manifest.database_name
        if backend == "sqlite":
            restore_sqlite(engine, database)
        else:
            restore_postgres(engine, database)
        database.unlink()
        try:
            _restore_files(path, manifest, storage)
        except (BackupError, StorageUnavailable) as error:
            raise BackupError(
                f"{error} Cơ sở dữ liệu đã được phục hồi nhưng các tệp chưa đủ: hãy làm trống cơ sở dữ liệu và "
                "thư mục lưu tệp rồi phục hồi lại."
            ) from None
    with engine.connect() as connection:
        problems = _snapshot_problems(manifest, read_snapshot(connection))
    found = {FILES_PREFIX + key: _hash_stored(storage, key) for key in storage.keys()}
    found[manifest.database_name] = manifest.database
    problems += compare_contents(manifest, found)
    if problems:
        raise BackupError.listing("Đã phục hồi nhưng kiểm tra lại thấy sai khác với bảng kê:", problems)
    return Restored(manifest, needs_upgrade)


def _refuse_unless_empty(engine: Engine, storage: Storage) -> None:
    problems = []
    if engine.dialect.name != "sqlite" or sqlite_path(engine).exists():
        with engine.connect() as connection:
            tables = table_count(connection)
        if tables:
            problems.append(f"cơ sở dữ liệu {engine.url.render_as_string()} đã có {tables} bảng")
    if next(iter(storage.keys()), None) is not None:
        problems.append(f"thư mục lưu tệp {getattr(storage, 'root', storage)} đã có tệp")
    if problems:
        raise BackupError.listing(
            "Chỉ phục hồi vào một bản cài đặt trống (cơ sở dữ liệu mới tạo, chưa chạy flask db upgrade, và thư mục "
            "lưu tệp trống); không ghi đè dữ liệu đang có:",
            problems,
        )


def _check_revision(manifest: Manifest, migrations: Path) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    script = ScriptDirectory(str(migrations))
    revision = manifest.alembic_revision
    try:
        known = revision is not None and script.get_revision(revision) is not None
    except (CommandError, RevisionError):
        known = False
    if not known:
        raise BackupError(
            f"Cơ sở dữ liệu trong bản sao lưu ở phiên bản {revision!r}, phiên bản ứng dụng này không biết: hãy "
            f"phục hồi bằng phiên bản ứng dụng đã tạo ra nó ({manifest.app_version})."
        )
    return revision not in script.get_heads()


def _restore_files(path: Path, manifest: Manifest, storage: Storage) -> None:
    """Each file from the archive into the storage, one at a time, its hash checked again before it is stored."""
    for member in ArchiveReader(path):
        if not member.name.startswith(FILES_PREFIX):
            continue
        key = member.name[len(FILES_PREFIX) :]
        expected = manifest.files.get(key)
        if expected is None:
            raise BackupError(f"{member.name} đã thay đổi trong lúc phục hồi.")
        data = member.read(expected.size)
        if hashlib.sha256(data).hexdigest() != expected.sha256:
            raise BackupError(f"{member.name} đã thay đổi trong lúc phục hồi.")
        storage.put(key, data)


def _hash_stored(storage: Storage, key: str) -> Stored:
    digest, size = hashlib.sha256(), 0
    with storage.open(key) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Stored(sha256=digest.hexdigest(), size=size)
