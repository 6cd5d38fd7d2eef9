"""Versioning: several catalogue files side by side; an old version keeps its content."""

import os

import pytest

from inspect_app.checklists import (
    CatalogueError,
    available_versions,
    latest_version,
    load_catalogue,
    load_catalogue_file,
    version_key,
)

NEW_QUESTION = "Phương tiện đo có tem kiểm định còn thời hạn và giấy chứng nhận kiểm định hợp lệ?"


@pytest.fixture
def two_versions(tmp_path, shipped_data, write_catalogue, find_item):
    write_catalogue(shipped_data, "2026.1")
    newer = shipped_data
    newer["version"] = "2027.1"
    newer["published_on"] = "2027-01-15"
    find_item(newer, "PTD-02")["question"] = NEW_QUESTION
    newer["groups"][2]["items"].append(
        {
            "code": "GIA-04",
            "question": "Cơ sở công khai giá dịch vụ trông giữ xe theo quy định?",
            "hint": "Nội dung thêm ở phiên bản mới.",
            "legal_basis": [{"document": "Luật Giá 16/2023/QH15", "article": "Chưa xác định điều khoản"}],
            "premise_types": ["market_stall"],
            "answer_kind": "pass_fail",
            "fail_handling": "reminder",
            "fail_handling_note": "Nhắc nhở.",
            "provisional": True,
        }
    )
    write_catalogue(newer, "2027.1")
    return tmp_path


def test_latest_is_default_and_old_version_keeps_old_content(two_versions):
    assert available_versions(two_versions) == ["2026.1", "2027.1"]
    assert latest_version(two_versions) == "2027.1"

    latest = load_catalogue(directory=two_versions)
    assert latest.version == "2027.1"
    assert latest.item("PTD-02").question == NEW_QUESTION
    assert "GIA-04" in latest

    old = load_catalogue("2026.1", directory=two_versions)
    assert old.version == "2026.1"
    assert old.item("PTD-02").question.startswith("Phương tiện đo có dấu/tem kiểm định")
    assert "GIA-04" not in old
    assert old == load_catalogue("2026.1")  # same content as the shipped file


def test_versions_sort_numerically(tmp_path, shipped_data, write_catalogue):
    for version in ("2026.9", "2026.10", "2026.2"):
        write_catalogue(dict(shipped_data, version=version), version)
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")  # not a version: ignored
    (tmp_path / "2026.3.txt").write_text("", encoding="utf-8")
    assert available_versions(tmp_path) == ["2026.2", "2026.9", "2026.10"]
    assert latest_version(tmp_path) == "2026.10"
    assert version_key("2026.10") > version_key("2026.9")


def test_unknown_or_bad_version(two_versions, tmp_path):
    with pytest.raises(CatalogueError, match=r"no catalogue version 2025\.1 \(available: 2026\.1, 2027\.1\)"):
        load_catalogue("2025.1", directory=two_versions)
    with pytest.raises(CatalogueError, match="invalid catalogue version"):
        load_catalogue("../2026.1", directory=two_versions)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert available_versions(empty) == []
    with pytest.raises(CatalogueError, match="no catalogue versions"):
        load_catalogue(directory=empty)


def test_version_must_match_file_name(shipped_data, write_catalogue):
    path = write_catalogue(shipped_data, "2026.2")  # says "2026.1" inside
    with pytest.raises(CatalogueError, match=r"does not match the file name \(2026\.2\.json\)"):
        load_catalogue_file(path)


def test_any_file_name_can_be_validated(shipped_data, write_catalogue):
    path = write_catalogue(shipped_data, "upload-from-admin")
    assert load_catalogue_file(path).version == "2026.1"


def test_cache_returns_same_object_and_rereads_a_replaced_file(two_versions, write_catalogue, shipped_data):
    first = load_catalogue("2027.1", directory=two_versions)
    assert load_catalogue("2027.1", directory=two_versions) is first

    shipped_data["version"] = "2027.1"
    shipped_data["title"] = "Danh mục đã sửa"
    path = write_catalogue(shipped_data, "2027.1", directory=two_versions)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_catalogue("2027.1", directory=two_versions).title == "Danh mục đã sửa"
