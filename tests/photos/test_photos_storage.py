"""LocalStorage: round trips, atomic writes that leave nothing behind on failure, and strict keys."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from inspect_app.files.storage import LocalStorage, Storage, StorageUnavailable, validate_key

KEY = "photos/2026/11/42/0b6f3c1e-8f7a-4c39-9d55-3c2f1a0e7b21.jpg"


def _all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_round_trip_creates_parent_directories(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "uploads")
    assert not store.exists(KEY)
    store.put(KEY, b"abc")
    assert store.exists(KEY)
    assert store.get(KEY) == b"abc"
    with store.open(KEY) as fh:
        assert fh.read() == b"abc"
    assert store.path(KEY) == (tmp_path / "uploads" / KEY).resolve()
    assert _all_files(tmp_path / "uploads") == [KEY]


def test_files_are_private_to_the_app_user(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put(KEY, b"abc")
    assert stat.S_IMODE(store.path(KEY).stat().st_mode) == 0o600


def test_overwrite_and_delete(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put(KEY, b"old")
    store.put(KEY, b"new")
    assert store.get(KEY) == b"new"
    store.delete(KEY)
    assert not store.exists(KEY)
    store.delete(KEY)  # deleting again is a no-op, as on S3
    with pytest.raises(FileNotFoundError):
        store.get(KEY)
    with pytest.raises(FileNotFoundError):
        store.open(KEY)


def test_failed_rename_leaves_no_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStorage(tmp_path)

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StorageUnavailable, match="disk went away"):
        store.put(KEY, b"x" * 100_000)
    assert not store.exists(KEY)
    assert _all_files(tmp_path) == []


def test_failed_write_keeps_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStorage(tmp_path)
    store.put(KEY, b"version 1")

    def refuse(fd: int) -> None:
        raise OSError("fsync failed")

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(StorageUnavailable, match="fsync failed"):
        store.put(KEY, b"version 2, never complete")
    monkeypatch.undo()
    assert store.get(KEY) == b"version 1"
    assert _all_files(tmp_path) == [KEY]


def test_interrupted_write_is_never_visible_under_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the bytes are being written the key is absent; the temp file is hidden and cleaned up."""
    store = LocalStorage(tmp_path)
    seen: list[tuple[bool, list[str]]] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        seen.append((store.exists(KEY), [p.name for p in store.path(KEY).parent.iterdir()]))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    store.put(KEY, b"abc")
    exists_during_write, names_during_write = seen[0]
    assert not exists_during_write
    assert len(names_during_write) == 1 and names_during_write[0].startswith(".")
    assert names_during_write[0].endswith(".tmp")
    assert [p.name for p in store.path(KEY).parent.iterdir()] == [KEY.rsplit("/", 1)[1]]


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    return calls


def test_fsync_is_on_by_default_and_can_be_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_fsyncs(monkeypatch)
    LocalStorage(tmp_path / "durable").put(KEY, b"abc")
    assert len(calls) == 2  # the file, then its directory
    calls.clear()
    quick = LocalStorage(tmp_path / "quick", fsync=False)
    quick.put(KEY, b"abc")
    assert calls == [] and quick.get(KEY) == b"abc"
    assert _all_files(tmp_path / "quick") == [KEY]


def test_the_apps_storage_follows_storage_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspect_app import create_app
    from inspect_app.files.uploads import storage_for

    def storage(**config):
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "UPLOAD_DIR": str(tmp_path), **config}
        )
        return storage_for(app)

    calls = _count_fsyncs(monkeypatch)
    storage().put(KEY, b"production")  # not set: durable, as in production
    assert len(calls) == 2
    calls.clear()
    storage(STORAGE_FSYNC=False).put(KEY, b"tests")
    assert calls == []


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "/etc/passwd",
        "a//b",
        "",
        "a/",
        "/",
        "a/../b",
        "a/./b",
        "a/b/..",
        ".",
        "..",
        "a\\b",
        "..\\x",
        "C:\\x",
        ".hidden",
        "photos/.x.jpg.abc.tmp",
        "a/b c.jpg",
        "a/ảnh.jpg",
        "a/b\x00.jpg",
        "x" * 1025,
    ],
)
def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        validate_key(key)
    for call in (lambda: store.put(key, b"x"), lambda: store.get(key), lambda: store.exists(key)):
        with pytest.raises(ValueError):
            call()
    assert _all_files(tmp_path) == []


def test_non_string_key_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        validate_key(Path("a/b"))  # type: ignore[arg-type]


@pytest.mark.parametrize("key", [KEY, "a", "minutes/2026/BB-0042.pdf", "a/b_c-d.e.f"])
def test_safe_keys_pass(key: str) -> None:
    assert validate_key(key) == key


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "photos").symlink_to(outside, target_is_directory=True)
    store = LocalStorage(root)
    with pytest.raises(ValueError, match="outside"):
        store.put("photos/x.jpg", b"x")
    assert list(outside.iterdir()) == []


def test_storages_without_local_files_say_so() -> None:
    class Remote(Storage):
        def put(self, key: str, data: bytes) -> None: ...
        def get(self, key: str) -> bytes:
            return b""

        def open(self, key: str):  # type: ignore[override]
            raise FileNotFoundError(key)

        def exists(self, key: str) -> bool:
            return False

        def delete(self, key: str) -> None: ...

    with pytest.raises(NotImplementedError):
        Remote().path(KEY)
