"""flask backup create / verify / restore: a backup of the demo taken while the app writes, verified, restored into a
fresh instance with every row, file and hash intact; truncated or tampered archives refused with nothing restored."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from inspect_app import create_app
from inspect_app.access import act_as_system, system_transaction
from inspect_app.extensions import db
from inspect_app.files.storage import LocalStorage
from inspect_app.files.uploads import storage_for
from inspect_app.models import Premise, Unit, User
from tests.conftest import PG_URL, RUN_ID, TEST_SETTINGS

# Rows the writer thread adds while the first backup is taken.
WRITER_TABLES = {"premises", "audit_events"}


def head_revision() -> str:
    """The newest migration, which a freshly migrated instance is at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")).get_current_head()


def seed_with_files(runner) -> None:
    """The demo (its issued decision is a stored PDF) plus an inspection with a photo and its issued biên bản."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    from tests.factories import make_minutes

    inspector = db.session.scalars(select(User).where(User.username == "kiemtra.ducpho")).one()
    clerk = db.session.scalars(select(User).where(User.username == "vanphong.ducpho")).one()
    premise = db.session.scalars(select(Premise).where(Premise.unit_id == inspector.unit_id)).first()
    make_minutes(premise, inspector, clerk)
    keys = list(storage_for(current_app).keys())
    assert any(k.startswith("photos/") for k in keys) and any(k.startswith("minutes/") for k in keys), keys


def _hashable(value):
    # PostgreSQL hands JSON columns back as lists and dicts.
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def table_rows(engine) -> dict[str, Counter]:
    """Every row of every table, all columns, as a multiset (every unit's)."""
    with engine.connect() as connection:
        system_transaction(connection)
        names = inspect(connection).get_table_names()
        return {
            name: Counter(
                tuple(map(_hashable, row)) for row in connection.execute(text(f'SELECT * FROM "{name}"'))
            )
            for name in names
        }


def sequences(engine) -> dict[str, tuple]:
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        names = connection.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).all()
        return {
            name: tuple(connection.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())
            for name in names
        }


def stored_files(storage) -> dict[str, bytes]:
    return {key: storage.get(key) for key in storage.keys()}


class Writer(threading.Thread):
    """Adds premises one by one through the service, each in its own transaction, until stopped."""

    def __init__(self, app, unit_id: int) -> None:
        super().__init__(daemon=True)
        self.app, self.unit_id = app, unit_id
        self.written, self.stop, self.error = 0, threading.Event(), None
        self.progress = threading.Condition()

    def run(self) -> None:
        from inspect_app.premises.service import create_premise

        try:
            with self.app.app_context():
                act_as_system()  # the test's own writer, as a command would write
                while not self.stop.is_set():
                    create_premise(
                        self.unit_id,
                        {"name": f"Sạp ghi đồng thời {self.written}", "premise_type": "market_stall"},
                        None,
                    )
                    db.session.commit()
                    with self.progress:
                        self.written += 1
                        self.progress.notify_all()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.error = error
            with self.progress:
                self.progress.notify_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.written >= count or self.error, timeout=120)
        assert self.error is None, self.error


@pytest.fixture
def fresh_instance(backend, tmp_path, storage_settings):
    """Builds empty instances of the same backend: a SQLite file not yet created, or a new PostgreSQL database."""
    created: list[str] = []
    server = make_url(PG_URL) if backend == "postgres" else None

    def build(name: str):
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / name}.sqlite3"
        else:
            database = f"inspect_restore_{RUN_ID}_{name}_{uuid.uuid4().hex[:6]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
            admin.dispose()
            created.append(database)
            url = server.set(database=database).render_as_string(hide_password=False)
        return create_app(
            {
                **TEST_SETTINGS,
                "SQLALCHEMY_DATABASE_URI": url,
                "UPLOAD_DIR": str(tmp_path / f"{name}-u"),
                **storage_settings(),
            }
        )

    yield build
    if created:
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for database in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def invoke(app, *args):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    return result


def test_backup_of_the_demo_taken_while_the_app_writes_restores_every_row_file_and_hash(
    app, runner, fresh_instance, tmp_path
):
    seed_with_files(runner)
    storage = storage_for(app)
    before = table_rows(db.engine)
    unit_id = db.session.scalars(select(Unit.id).where(Unit.code == "21439")).one()
    db.session.remove()

    writer = Writer(app, unit_id)
    writer.start()
    try:
        writer.wait_for(3)
        busy = runner.invoke(args=["backup", "create", "--output", str(tmp_path / "busy.tar")])
        assert busy.exit_code == 0, busy.output
        written_at_end = writer.written
        writer.wait_for(written_at_end + 3)
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    assert "Đã tạo bản sao lưu" in busy.output and "nhật ký thao tác đến sự kiện #" in busy.output

    after = table_rows(db.engine)
    after_sequences = sequences(db.engine)
    files = stored_files(storage)
    db.session.remove()
    quiet = runner.invoke(args=["backup", "create", "--output", str(tmp_path)])
    assert quiet.exit_code == 0, quiet.output
    (quiet_archive,) = tmp_path.glob("inspect-backup-*.tar")
    assert (quiet_archive.stat().st_mode & 0o777) == 0o600

    for archive in (tmp_path / "busy.tar", quiet_archive):
        checked = runner.invoke(args=["backup", "verify", str(archive)])
        assert checked.exit_code == 0, checked.output
        assert "toàn vẹn" in checked.output

    # The quiet backup: restored into a fresh instance, every table, sequence, file and hash as in the source.
    restored = fresh_instance("quiet")
    result = invoke(restored, "backup", "restore", str(quiet_archive))
    assert result.exit_code == 0, result.output
    assert "Đã phục hồi" in result.output and "đã kiểm tra lại" in result.output
    with restored.app_context():
        assert table_rows(db.engine) == after
        assert sequences(db.engine) == after_sequences
        restored_storage = storage_for(restored)
        assert stored_files(restored_storage) == files
        manifest = json.loads(tarfile.open(quiet_archive).extractfile("manifest.json").read())
        for entry in manifest["files"]:
            assert hashlib.sha256(restored_storage.get(entry["key"])).hexdigest() == entry["sha256"]
        assert {e["key"] for e in manifest["files"]} == set(files)
        assert manifest["tables"] == {name: sum(rows.values()) for name, rows in after.items()}
        assert manifest["alembic_revision"] == head_revision() and manifest["audit"]["events"] == len(
            list(after["audit_events"].elements())
        )
        # The restored instance works: a new record takes the next id.
        from tests.factories import make_premise

        unit = db.session.scalars(select(Unit).where(Unit.code == "21439")).one()
        assert make_premise(unit).id > max(row[0] for row in after["premises"])
        db.session.remove()
        db.engine.dispose()

    # The backup taken under writes: one consistent moment between the rows before and after the writer.
    restored = fresh_instance("busy")
    result = invoke(restored, "backup", "restore", str(tmp_path / "busy.tar"))
    assert result.exit_code == 0, result.output
    with restored.app_context():
        rows = table_rows(db.engine)
        assert stored_files(storage_for(restored)) == files
        db.engine.dispose()
    for name in after:
        if name == "audit_heads":  # each chain's head moved on with the writer: restored somewhere in between
            seq = lambda table: {chain: last for chain, last, _ in table.elements()}  # noqa: E731
            low, mid, high = seq(before[name]), seq(rows[name]), seq(after[name])
            assert low.keys() <= mid.keys() <= high.keys(), name
            assert all(low.get(chain, 0) <= mid[chain] <= high[chain] for chain in mid), name
        elif name in WRITER_TABLES:
            assert not before[name] - rows[name] and not rows[name] - after[name], name
        else:
            assert rows[name] == after[name], name
    # Each premise the writer added came with its audit event, in the same transaction.
    added = sum(rows["premises"].values()) - sum(before["premises"].values())
    assert 3 <= added <= written_at_end
    assert sum(rows["audit_events"].values()) - sum(before["audit_events"].values()) == added


# ---- refusals ---------------------------------------------------------------------------------------------------------


def rewrite(source: Path, target: Path, change) -> None:
    """Copy the archive member by member; change(name, data) returns new bytes, or None to leave the member out."""
    with tarfile.open(source) as original, tarfile.open(target, "w") as copy:
        for info in original:
            data = change(info.name, original.extractfile(info).read())
            if data is None:
                continue
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _flip_a_file_byte(name, data):
    if name.startswith("files/thumbnails/") and name.endswith(".jpg"):
        return data[:100] + bytes([data[100] ^ 1]) + data[101:]
    return data


def _drop_a_file(name, data):
    return None if name.startswith("files/minutes/") else data


def _change_a_count(name, data, *, resign: bool):
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["tables"]["premises"] += 1
        return json.dumps(manifest).encode()
    if name == "manifest.sha256" and resign:
        return None  # written again below, after the changed manifest
    return data


TAMPERING = {
    "truncated in the middle": "Không đọc hết được",
    "cut after a whole member": "thiếu manifest.sha256",
    "a file's byte changed": "đã bị thay đổi",
    "a file missing": "thiếu files/minutes/",
    "a row count changed": "manifest.json không khớp SHA-256",
    "a row count changed, digest rewritten": "bảng premises có 41 dòng, bảng kê ghi 42 dòng",
}


def tamper(archive: Path, kind: str, target: Path) -> None:
    if kind == "truncated in the middle":
        target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif kind == "cut after a whole member":
        with tarfile.open(archive) as tar:
            last = tar.getmembers()[-1]
        target.write_bytes(archive.read_bytes()[: last.offset])
    elif kind == "a file's byte changed":
        rewrite(archive, target, _flip_a_file_byte)
    elif kind == "a file missing":
        rewrite(archive, target, _drop_a_file)
    elif kind == "a row count changed":
        rewrite(archive, target, lambda name, data: _change_a_count(name, data, resign=False))
    else:
        from inspect_app.backup.manifest import digest_line

        unsigned = target.with_suffix(".unsigned")
        rewrite(archive, unsigned, lambda name, data: _change_a_count(name, data, resign=True))
        with tarfile.open(unsigned) as tar:
            manifest = tar.extractfile("manifest.json").read()
        rewrite(unsigned, target, lambda name, data: data)
        with tarfile.open(target, "a") as tar:
            line = digest_line(manifest)
            info = tarfile.TarInfo("manifest.sha256")
            info.size = len(line)
            tar.addfile(info, io.BytesIO(line))


def test_truncated_or_tampered_backups_are_refused_and_nothing_is_restored(
    app, runner, fresh_instance, tmp_path
):
    seed_with_files(runner)
    premises = db.session.scalar(select(db.func.count()).select_from(Premise))
    db.session.remove()
    archive = tmp_path / "good.tar"
    assert runner.invoke(args=["backup", "create", "--output", str(archive)]).exit_code == 0

    for number, (kind, message) in enumerate(TAMPERING.items()):
        bad = tmp_path / f"bad-{number}.tar"
        tamper(archive, kind, bad)
        message = message.replace("41 dòng, bảng kê ghi 42", f"{premises} dòng, bảng kê ghi {premises + 1}")
        checked = runner.invoke(args=["backup", "verify", str(bad)])
        assert checked.exit_code == 1 and message in checked.output, (kind, checked.output)
        target = fresh_instance(f"t{number}")
        result = invoke(target, "backup", "restore", str(bad))
        assert result.exit_code == 1 and "Không phục hồi." in result.output and message in result.output, (
            kind,
            result.output,
        )
        with target.app_context():
            with db.engine.connect() as connection:
                assert inspect(connection).get_table_names() == [], kind
            db.engine.dispose()
            assert list(storage_for(target).keys()) == [], kind
    # The untouched archive still restores.
    target = fresh_instance("good")
    assert invoke(target, "backup", "restore", str(archive)).exit_code == 0


def test_restore_refuses_an_instance_that_is_not_empty(app, runner, tmp_path):
    runner.invoke(args=["seed-demo"])
    archive = tmp_path / "demo.tar"
    assert runner.invoke(args=["backup", "create", "--output", str(archive)]).exit_code == 0
    db.session.remove()
    before = table_rows(db.engine)
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1
    assert "Chỉ phục hồi vào một bản cài đặt trống" in result.output and "đã có" in result.output
    assert table_rows(db.engine) == before
    # An archive is never written over, nor into the app's own file folder (when the files are on local disk).
    again = runner.invoke(args=["backup", "create", "--output", str(archive)])
    assert again.exit_code == 1 and "không ghi đè" in again.output
    if app.config.get("STORAGE_BACKEND", "local") == "local":
        inside = runner.invoke(
            args=["backup", "create", "--output", str(Path(app.config["UPLOAD_DIR"]) / "x.tar")]
        )
        assert inside.exit_code == 1 and "thư mục lưu tệp" in inside.output
    assert runner.invoke(args=["backup", "verify", str(tmp_path / "none.tar")]).exit_code == 1
    # A gzip-compressed copy (for the trip off-site) verifies as it is.
    compressed = tmp_path / "demo.tar.gz"
    compressed.write_bytes(gzip.compress(archive.read_bytes()))
    assert "toàn vẹn" in runner.invoke(args=["backup", "verify", str(compressed)]).output


def test_storage_keys_skip_files_being_written_and_keep_string_order(tmp_path):
    store = LocalStorage(tmp_path, fsync=False)
    for key in ("photos/2026/a.jpg", "photos/2026/b-thumb.jpg", "photos-x.jpg", "minutes/1.pdf", "a/b/c.pdf"):
        store.put(key, key.encode())
    (tmp_path / "photos" / "2026" / ".c.jpg.k3j2.tmp").write_bytes(b"half")
    (tmp_path / "photos" / ".hidden").mkdir()
    (tmp_path / "photos" / ".hidden" / "x.jpg").write_bytes(b"x")
    (tmp_path / "minutes" / "link.pdf").symlink_to(tmp_path / "minutes" / "1.pdf")
    keys = list(store.keys())
    assert (
        keys
        == sorted(keys)
        == [
            "a/b/c.pdf",
            "minutes/1.pdf",
            "photos-x.jpg",
            "photos/2026/a.jpg",
            "photos/2026/b-thumb.jpg",
        ]
    )
    assert list(store.keys("photos/")) == ["photos/2026/a.jpg", "photos/2026/b-thumb.jpg"]
    assert list(store.keys("photos")) == ["photos-x.jpg", "photos/2026/a.jpg", "photos/2026/b-thumb.jpg"]
    assert list(store.keys("minutes/1")) == ["minutes/1.pdf"]
    assert list(store.keys("nothing/")) == []
    assert list(LocalStorage(tmp_path / "absent").keys()) == []


def test_manifest_reads_back_what_it_wrote_and_refuses_what_it_cannot_read():
    from inspect_app.backup.manifest import (
        AuditHead,
        BackupError,
        Manifest,
        Stored,
        compare_contents,
        digest_line,
        read_digest_line,
    )

    manifest = Manifest(
        created_at="2026-12-03T02:15:00Z",
        app_version="0.1.0",
        alembic_revision="0024",
        backend="postgresql",
        database=Stored("a" * 64, 10),
        tables={"users": 9, "alembic_version": 1},
        audit=AuditHead(last_event_id=69, events=69, sha256="b" * 64),
        files={"photos/1.jpg": Stored("c" * 64, 3)},
    )
    data = manifest.to_json()
    assert Manifest.from_json(data) == manifest
    assert read_digest_line(digest_line(data), data) is None
    assert "đã bị sửa" in read_digest_line(digest_line(data), data + b" ")
    assert compare_contents(
        manifest,
        {
            "database.pgdump": Stored("a" * 64, 10),
            "files/photos/1.jpg": Stored("c" * 64, 3),
            "files/x.jpg": Stored("d" * 64, 1),
        },
    ) == ["files/x.jpg có trong tệp sao lưu nhưng không có trong bảng kê"]
    document = json.loads(data)
    for change, message in (
        ({"format": "other"}, "không phải bảng kê"),
        ({"format_version": 2}, "phiên bản 2"),
        ({"backend": "mysql"}, "không biết"),
        ({"tables": {"users": -1}}, "không đọc được"),
        ({"files": [{"key": "k", "sha256": "short", "size": 1}]}, "không đọc được"),
    ):
        with pytest.raises(BackupError, match=message):
            Manifest.from_json(json.dumps({**document, **change}).encode())
    with pytest.raises(BackupError, match="không đọc được"):
        Manifest.from_json(b"\xff")
