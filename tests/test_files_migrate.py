"""`flask files migrate-to-s3`: every local file copied into the object store (the real SeaweedFS server), each
hash verified, files already there skipped, nothing in the store replaced, and a second run copies nothing."""

from __future__ import annotations

import pytest

from inspect_app import create_app
from inspect_app.files.storage import LocalStorage
from inspect_app.files.uploads import storage_for
from tests.conftest import s3_settings
from tests.factories import make_records


# The install before the move keeps its files on local disk, whatever TEST_STORAGE says.
pytestmark = pytest.mark.local_storage("the move from local disk to the store starts on local disk")


@pytest.fixture
def s3_app(app_config, s3_server):
    """The same install, database and upload folder, now configured for the object store."""
    return create_app({**app_config, **s3_settings(s3_server)})


def migrate(s3_app):
    with (
        s3_app.app_context()
    ):  # a command runs in the app context it finds, and the test's is the local app's
        return s3_app.test_cli_runner().invoke(args=["files", "migrate-to-s3"])


def test_local_files_are_copied_verified_and_a_second_run_copies_nothing(app, world, s3_app):
    make_records(world.premise_a, world.users["inspector"])  # a photo and its thumbnail
    local = LocalStorage(app.config["UPLOAD_DIR"])
    local.put("jobs/1/1-report.xlsx", b"an export")
    local_keys = list(local.keys())
    assert len(local_keys) == 3

    first = migrate(s3_app)
    assert first.exit_code == 0, first.output
    assert "Tổng kết: đã chép 3, đã có sẵn 0, đã kiểm tra mã băm 3, lỗi 0." in first.output
    with s3_app.app_context():
        store = storage_for(s3_app)
        assert list(store.keys()) == local_keys
        assert all(store.get(key) == local.get(key) for key in local_keys)
        checked = s3_app.test_cli_runner().invoke(args=["files", "check"])
    assert checked.exit_code == 0 and "0 bản ghi thiếu tệp" in checked.output

    again = migrate(s3_app)
    assert again.exit_code == 0
    assert "Tổng kết: đã chép 0, đã có sẵn 3, đã kiểm tra mã băm 3, lỗi 0." in again.output

    # Written locally after the first run: only that file is copied.
    local.put("jobs/2/1-report.csv", b"later")
    later = migrate(s3_app)
    assert "Tổng kết: đã chép 1, đã có sẵn 3, đã kiểm tra mã băm 4, lỗi 0." in later.output


def test_damaged_local_files_and_differing_stored_ones_are_reported_not_copied(app, world, s3_app):
    records = make_records(world.premise_a, world.users["inspector"])
    local = LocalStorage(app.config["UPLOAD_DIR"])
    photo_key = records["photo"].storage_key
    local.put(photo_key, b"not the bytes this key was made from")
    local.put("jobs/3/1-report.csv", b"local")
    with s3_app.app_context():
        store = storage_for(s3_app)
        store.put("jobs/3/1-report.csv", b"already in the store, other bytes")

    result = migrate(s3_app)
    assert result.exit_code == 1
    assert f"Tệp trên máy không khớp mã băm trong tên (không chép): {photo_key}" in result.output
    assert "Kho đã có khóa này với nội dung khác (không ghi đè): jobs/3/1-report.csv" in result.output
    assert "Tổng kết: đã chép 1, đã có sẵn 0, đã kiểm tra mã băm 1, lỗi 2." in result.output
    with s3_app.app_context():
        assert not store.exists(photo_key)
        assert store.get("jobs/3/1-report.csv") == b"already in the store, other bytes"


def test_the_command_needs_the_object_store_configured(app, runner):
    result = runner.invoke(args=["files", "migrate-to-s3"])
    assert result.exit_code != 0 and "Đặt STORAGE_BACKEND=s3" in result.output
