"""Evidence is immutable: files under keys derived from their content, never overwritten, nothing left behind by a
refused upload, and `flask files check` reporting orphan files and rows whose file is missing."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.domain.time import utcnow
from inspect_app.extensions import db
from inspect_app.files.evidence import content_key, references
from inspect_app.files.storage import LocalStorage
from inspect_app.files.uploads import storage_for
from inspect_app.models import Photo
from tests.api_helpers import inspection_payload, jpeg_bytes, token_for, upload_photo


# ---- the store ----------------------------------------------------------------------------------------------------


def test_put_if_absent_never_replaces_a_stored_object(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path, fsync=False)
    assert store.put_if_absent("photos/ab/one.jpg", b"first") is True
    assert store.put_if_absent("photos/ab/one.jpg", b"second") is False
    assert store.get("photos/ab/one.jpg") == b"first"
    # No temp file is left beside it, whichever call won.
    assert sorted(p.name for p in (tmp_path / "photos" / "ab").iterdir()) == ["one.jpg"]


def test_keys_lists_stored_keys_by_prefix_without_temp_files(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path, fsync=False)
    for key in ("photos/ab/1.jpg", "photos/cd/2.jpg", "minutes/ef/3.pdf", "top.txt"):
        store.put(key, b"x")
    (tmp_path / "photos" / "ab" / ".1.jpg.abcd.tmp").write_bytes(b"half")
    assert sorted(store.keys()) == ["minutes/ef/3.pdf", "photos/ab/1.jpg", "photos/cd/2.jpg", "top.txt"]
    assert sorted(store.keys("photos/")) == ["photos/ab/1.jpg", "photos/cd/2.jpg"]
    assert sorted(store.keys("photos/a")) == ["photos/ab/1.jpg"]
    assert list(store.keys("nothing/")) == []


def test_content_keys_follow_the_bytes() -> None:
    digest = hashlib.sha256(b"pdf bytes").hexdigest()
    assert content_key("minutes", b"pdf bytes", "pdf") == f"minutes/{digest[:2]}/{digest}.pdf"
    assert content_key("minutes", b"pdf bytes", "pdf") != content_key("minutes", b"other", "pdf")
    with pytest.raises(ValueError):
        content_key("../x", b"", "pdf")


# ---- photos -------------------------------------------------------------------------------------------------------


def test_a_photo_is_stored_under_its_content_and_a_refused_one_leaves_nothing(client, world, app):
    auth = token_for(client, world.users["inspector"])
    created = client.post("/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth)
    inspection_id = created.get_json()["id"]
    storage = storage_for(app)
    photo_uuid = str(uuid.uuid4())
    first = upload_photo(client, inspection_id, auth, jpeg_bytes(color=(10, 200, 10)), photo_uuid)
    assert first.status_code == 201
    photo = db.session.scalars(select(Photo)).one()
    assert photo.storage_key == f"photos/{photo.sha256[:2]}/{photo.sha256}.jpg"
    assert hashlib.sha256(storage.get(photo.storage_key)).hexdigest() == photo.sha256
    before = sorted(storage.keys())
    assert before == sorted([photo.storage_key, photo.thumbnail_key])
    # Other bytes under the same UUID: refused, and its files are not kept.
    refused = upload_photo(client, inspection_id, auth, jpeg_bytes(color=(200, 10, 10)), photo_uuid)
    assert refused.status_code == 409
    # Not an image: refused before anything is written.
    assert (
        upload_photo(client, inspection_id, auth, b"not an image" * 50, str(uuid.uuid4())).status_code == 422
    )
    assert sorted(storage.keys()) == before
    # The same bytes under a second UUID share the file; a stored file is never replaced.
    again = upload_photo(client, inspection_id, auth, jpeg_bytes(color=(10, 200, 10)), str(uuid.uuid4()))
    assert again.status_code == 201 and again.get_json()["sha256"] == photo.sha256
    assert sorted(storage.keys()) == before


def test_a_conflicting_upload_keeps_a_file_another_row_shares(client, world, app):
    """The refused upload's bytes are those of another stored photo: the shared file stays."""
    auth = token_for(client, world.users["inspector"])
    inspection_id = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()["id"]
    green, red = jpeg_bytes(color=(10, 200, 10)), jpeg_bytes(color=(200, 10, 10))
    assert upload_photo(client, inspection_id, auth, green, str(uuid.uuid4())).status_code == 201
    taken = str(uuid.uuid4())
    assert upload_photo(client, inspection_id, auth, red, taken).status_code == 201
    assert upload_photo(client, inspection_id, auth, green, taken).status_code == 409
    db.session.expire_all()
    for photo in db.session.scalars(select(Photo)):
        assert hashlib.sha256(storage_for(app).get(photo.storage_key)).hexdigest() == photo.sha256
    assert set(storage_for(app).keys()) == {r.key for r in references()}


# ---- flask files check --------------------------------------------------------------------------------------------


def test_files_check_reports_orphans_and_missing_files(client, world, app, runner, monkeypatch):
    from tests.factories import make_completed_inspection

    auth = token_for(client, world.users["inspector"])
    inspection_id = client.post(
        "/api/v1/inspections", json=inspection_payload(world.premise_a), headers=auth
    ).get_json()["id"]
    assert upload_photo(client, inspection_id, auth, jpeg_bytes(), str(uuid.uuid4())).status_code == 201
    make_completed_inspection(world.premise_a, world.users["inspector"])
    clean = runner.invoke(args=["files", "check"])
    assert clean.exit_code == 0, clean.output
    assert "0 tệp không dùng, 0 bản ghi thiếu tệp" in clean.output

    storage = storage_for(app)
    storage.put("photos/00/left-behind.jpg", b"an upload whose row was never written")
    photo = db.session.scalars(select(Photo)).first()
    storage.delete(photo.storage_key)
    report = runner.invoke(args=["files", "check"])
    assert report.exit_code == 1
    assert "Tệp không bản ghi nào dùng: photos/00/left-behind.jpg" in report.output
    assert f"Bản ghi thiếu tệp: photos {photo.id} (storage_key): {photo.storage_key}" in report.output

    # A fresh orphan may be an upload in flight: kept. One older than an hour is removed.
    fresh = runner.invoke(args=["files", "check", "--delete-orphans"])
    assert "Đã xóa 0 tệp" in fresh.output and storage.exists("photos/00/left-behind.jpg")
    # Two hours later (a stored object's time cannot be set back in an object store, so the clock moves on).
    from inspect_app.files import check

    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(check, "utcnow", lambda: later)
    cleaned = runner.invoke(args=["files", "check", "--delete-orphans"])
    assert "Đã xóa 1 tệp" in cleaned.output and not storage.exists("photos/00/left-behind.jpg")
    assert cleaned.exit_code == 1  # the photo's file is still missing: never hidden


def test_every_issued_document_is_stored_under_its_content(client, login, world, app, runner):
    from tests.factories import make_completed_inspection, make_decision, make_metrology
    from tests.test_minutes import issue

    from inspect_app.models import Minutes

    inspection = make_completed_inspection(world.premise_a, world.users["inspector"])
    login(world.users["staff"])
    assert issue(client, inspection).status_code == 302
    make_decision(world.unit_a, world.users["staff"])
    make_metrology(world.premise_a, world.users["inspector"])
    db.session.expire_all()
    minutes = db.session.scalars(select(Minutes)).one()
    assert minutes.pdf_key == f"minutes/{minutes.pdf_sha256[:2]}/{minutes.pdf_sha256}.pdf"
    kinds = {key.split("/")[0] for key in storage_for(app).keys()}
    assert {"minutes", "decisions", "photos", "thumbnails", "certificates", "instruments"} <= kinds
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 0 and "0 tệp không dùng, 0 bản ghi thiếu tệp" in result.output


def test_a_replaced_certificate_photo_is_kept_as_the_audit_logs_evidence(world, app, runner, monkeypatch):
    """The standard's certificate photo is replaced: no row names the old file any more, but the audit log's
    old → new values do, so `--delete-orphans` keeps it (a file nothing names at all is still removed)."""
    from tests.factories import make_standard

    from inspect_app.measurements.standards import set_certificate_photo

    storage = storage_for(app)
    user = world.users["staff"]
    standard = make_standard(world.unit_a, user)
    set_certificate_photo(standard, jpeg_bytes(color=(200, 30, 30)), storage, user)
    old_keys = {standard.certificate_key, standard.certificate_thumbnail_key}
    set_certificate_photo(standard, jpeg_bytes(color=(30, 30, 200)), storage, user)
    assert old_keys.isdisjoint({standard.certificate_key, standard.certificate_thumbnail_key})
    storage.put("photos/00/left-behind.jpg", b"an upload whose row was never written")
    # Two hours later, when the files are old enough to be removed.
    from inspect_app.files import check

    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(check, "utcnow", lambda: later)

    result = runner.invoke(args=["files", "check", "--delete-orphans"])

    assert result.exit_code == 0, result.output
    assert "tệp cũ nhật ký thay đổi còn ghi (giữ làm chứng cứ): 2" in result.output
    assert "Tệp không bản ghi nào dùng: photos/00/left-behind.jpg" in result.output
    assert "Đã xóa 1 tệp" in result.output and not storage.exists("photos/00/left-behind.jpg")
    assert all(storage.exists(key) for key in old_keys)
    assert not any(key in result.output for key in old_keys)
