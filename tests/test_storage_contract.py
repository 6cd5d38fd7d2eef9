"""One contract, two stores: the same assertions against LocalStorage and S3Storage (on the real SeaweedFS server)."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from inspect_app.files.storage import StorageUnavailable
from inspect_app.files.uploads import StorageSettingsError, check_storage_settings, make_storage
from tests.conftest import TEST_SETTINGS, s3_settings
from tests.s3_server import dead_endpoint

KEY = "photos/ab/" + "ab" * 32 + ".jpg"


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    config = {**TEST_SETTINGS, "UPLOAD_DIR": str(tmp_path / "uploads")}
    if request.param == "s3":
        config.update(s3_settings(request.getfixturevalue("s3_server")))
    return make_storage(config)


def test_put_get_replace_exists_delete(store):
    assert not store.exists(KEY)
    store.put(KEY, b"first")
    assert store.exists(KEY) and store.get(KEY) == b"first"
    store.put(KEY, b"second, longer")
    assert store.get(KEY) == b"second, longer"
    store.delete(KEY)
    assert not store.exists(KEY)
    store.delete(KEY)  # absent: nothing happens


def test_put_if_absent_never_replaces(store):
    assert store.put_if_absent(KEY, b"original") is True
    assert store.put_if_absent(KEY, b"another") is False
    assert store.get(KEY) == b"original"


def test_put_if_absent_race_has_exactly_one_winner(store):
    writers = 12
    barrier = threading.Barrier(writers)

    def write(number: int) -> bool:
        barrier.wait()
        return store.put_if_absent(KEY, bytes([number]) * (1000 + number))

    with ThreadPoolExecutor(writers) as pool:
        created = list(pool.map(write, range(writers)))
    assert created.count(True) == 1
    winner = created.index(True)
    assert store.get(KEY) == bytes([winner]) * (1000 + winner)


def test_open_streams_and_seeks(store):
    data = bytes(range(256)) * 12_000  # 3 MB: several reads
    store.put(KEY, data)
    with store.open(KEY) as stream:
        chunks = []
        while chunk := stream.read(100_000):
            chunks.append(chunk)
        assert b"".join(chunks) == data and len(chunks) > 1
        assert stream.seek(0, 2) == len(data)
        stream.seek(0)
        assert stream.read(10) == data[:10]
        stream.seek(1_000_001)
        assert stream.read(5) == data[1_000_001:1_000_006]
    with store.open(KEY) as stream:  # how a backup reads a file: its size first, then every byte
        assert stream.seek(0, 2) == len(data)
        stream.seek(0)
        assert hashlib.sha256(stream.read()).hexdigest() == hashlib.sha256(data).hexdigest()


def test_keys_by_prefix_sorted_beyond_one_page(store):
    names = [f"jobs/{number:05d}.txt" for number in range(1100)]  # S3 lists 1000 keys a page
    others = ["jobs-other/x.txt", "jobsx.txt", "photos/a-b.jpg", "photos/a/b.jpg", "photos/a0.jpg"]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda key: store.put(key, b"x"), names + others))
    assert list(store.keys("jobs/")) == names
    assert list(store.keys("photos/")) == sorted(["photos/a-b.jpg", "photos/a/b.jpg", "photos/a0.jpg"])
    everything = list(store.keys())
    assert everything == sorted(names + others)
    assert list(store.keys("nothing/")) == []


def test_modified_at_is_when_written(store):
    before = datetime.now(UTC)
    store.put(KEY, b"x")
    written = store.modified_at(KEY)
    assert written.tzinfo is not None and written.utcoffset() == timedelta(0)
    # S3 keeps whole seconds; the store's clock is this machine's.
    assert before - timedelta(seconds=2) <= written <= datetime.now(UTC) + timedelta(seconds=2)


def test_missing_key_is_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.get(KEY)
    with pytest.raises(FileNotFoundError):
        store.open(KEY)
    with pytest.raises(FileNotFoundError):
        store.modified_at(KEY)
    assert store.exists(KEY) is False


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "a\\b", ".hidden", "a/b c", "ảnh.jpg"])
def test_invalid_key_is_refused_before_any_io(store, key):
    for call in (
        lambda: store.put(key, b"x"),
        lambda: store.put_if_absent(key, b"x"),
        lambda: store.get(key),
        lambda: store.open(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.modified_at(key),
    ):
        with pytest.raises(ValueError):
            call()


def test_s3_store_out_of_reach_is_unavailable(s3_server, tmp_path):
    store = make_storage(
        {
            **TEST_SETTINGS,
            "UPLOAD_DIR": str(tmp_path),
            **s3_settings(s3_server, S3_ENDPOINT_URL=dead_endpoint()),
        }
    )
    for call in (
        lambda: store.put(KEY, b"x"),
        lambda: store.put_if_absent(KEY, b"x"),
        lambda: store.get(KEY),
        lambda: store.open(KEY),
        lambda: store.exists(KEY),
        lambda: store.delete(KEY),
        lambda: store.modified_at(KEY),
        lambda: list(store.keys()),
    ):
        with pytest.raises(StorageUnavailable):
            call()


def test_s3_missing_bucket_is_unavailable_not_missing_file(s3_server, tmp_path):
    store = make_storage(
        {**TEST_SETTINGS, "UPLOAD_DIR": str(tmp_path), **s3_settings(s3_server, S3_BUCKET="no-such-bucket")}
    )
    with pytest.raises(StorageUnavailable):
        store.get(KEY)
    with pytest.raises(StorageUnavailable):
        store.put_if_absent(KEY, b"x")


def test_s3_prefixes_keep_stores_apart(s3_server, tmp_path):
    first, second = (
        make_storage({**TEST_SETTINGS, "UPLOAD_DIR": str(tmp_path), **s3_settings(s3_server)})
        for _ in range(2)
    )
    first.put(KEY, b"first")
    assert not second.exists(KEY) and list(second.keys()) == []
    assert list(first.keys()) == [KEY]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND='ftp' is not a storage backend"),
        ({"STORAGE_BACKEND": "s3"}, "needs S3_BUCKET"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k"}, "go together"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ENDPOINT_URL": "127.0.0.1:9000"}, "http://"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_PREFIX": "../x"}, "S3_PREFIX"),
    ],
)
def test_unusable_storage_settings_stop_the_start(settings, message, tmp_path):
    from inspect_app import create_app

    with pytest.raises(StorageSettingsError, match=message):
        check_storage_settings(settings)
    with pytest.raises(StorageSettingsError, match=message):
        create_app(
            {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": "sqlite://", "UPLOAD_DIR": str(tmp_path), **settings}
        )


def test_s3_without_conditional_writes_still_never_replaces(s3_server, tmp_path):
    """A store that answers 501 to If-None-Match gets a look-then-write: not atomic, but its keys are content
    hashes, so a racing writer could only write the same bytes; what is there is never replaced."""
    store = make_storage({**TEST_SETTINGS, "UPLOAD_DIR": str(tmp_path), **s3_settings(s3_server)})
    store.conditional_writes = False
    assert store.put_if_absent(KEY, b"original") is True
    assert store.put_if_absent(KEY, b"another") is False
    assert store.get(KEY) == b"original"


def test_s3_settings_come_from_the_environment(monkeypatch, tmp_path):
    from inspect_app import create_app
    from inspect_app.files.s3 import S3Storage
    from inspect_app.files.uploads import storage_for

    for name, value in {
        "STORAGE_BACKEND": "S3",
        "S3_ENDPOINT_URL": "http://127.0.0.1:8333",
        "S3_BUCKET": "inspect-files",
        "S3_REGION": "ap-southeast-1",
        "S3_ACCESS_KEY_ID": "key",
        "S3_SECRET_ACCESS_KEY": "secret",
        "S3_PREFIX": "quang-ngai/",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "x",
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    storage = storage_for(app)
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix, storage.endpoint_url) == (
        "inspect-files",
        "quang-ngai/",
        "http://127.0.0.1:8333",
    )
    assert storage.client.meta.region_name == "ap-southeast-1"
    assert "secret" not in repr(storage)
