"""A backup asked for on the Tác vụ page: only an administrator who sees every unit asks for it and downloads it;
the worker writes the same archive as `flask backup create` into BACKUP_DIR, and `flask backup verify` passes on
the downloaded file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from inspect_app.domain.time import utcnow
from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.jobs.queue import claim
from inspect_app.jobs.worker import Worker
from inspect_app.models import AuditEvent, Job, User
from tests.factories import make_records, make_user


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "BACKUP_DIR": str(tmp_path / "backups")}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_an_administrator_backs_up_in_the_background_and_the_download_verifies(
    app, client, login, runner, world, backend, tmp_path
):
    make_records(world.premise_a, world.users["inspector"])  # a stored photo to carry
    admin = make_user("admin")
    # Nobody else may ask: a province's administrator sees one province only.
    for user in (world.users["admin_province"], world.users["staff"], world.users["supervisor_province"]):
        login(user)
        assert "Tạo bản sao lưu" not in client.get("/jobs").get_data(as_text=True)
        assert client.post("/jobs/backup").status_code == 403
    assert db.session.scalars(select(Job)).all() == []

    login(admin)
    assert "Tạo bản sao lưu toàn bộ dữ liệu" in client.get("/jobs").get_data(as_text=True)
    assert client.post("/jobs/backup").status_code == 302
    Worker(app, poll_seconds=0).run(once=True)
    (shown,) = client.get("/jobs/status.json").get_json()["jobs"]
    assert shown["status"] == "done" and shown["label"] == "Sao lưu toàn bộ dữ liệu"
    assert shown["filename"].startswith("inspect-backup-") and shown["filename"].endswith(".tar")
    # The archive is in BACKUP_DIR, not in the file store; the job keeps a small pointer to it.
    archives = sorted((tmp_path / "backups").iterdir())
    assert [a.name for a in archives] == [shown["filename"]]
    job = db.session.scalars(select(Job)).one()
    assert job.result_key.endswith(".json") and job.result_size < 2000

    downloaded = client.get(shown["download_url"])
    assert downloaded.status_code == 200 and downloaded.mimetype == "application/x-tar"
    assert downloaded.data == archives[0].read_bytes()
    copy = tmp_path / "downloaded.tar"
    copy.write_bytes(downloaded.data)
    verified = runner.invoke(args=["backup", "verify", str(copy)])
    assert verified.exit_code == 0, verified.output
    assert "toàn vẹn" in verified.output and "0 tệp" not in verified.output
    logged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "download", AuditEvent.record_type == "jobs")
    ).all()
    assert [(e.record_id, e.actor_id) for e in logged] == [(job.id, admin.id)]

    # Another administrator of everything did not ask for it; the requester moved to a province may no longer.
    login(make_user("admin"))
    assert client.get(shown["download_url"]).status_code == 404
    db.session.execute(update(User).where(User.id == admin.id).values(province_id=world.p1.id))
    db.session.commit()
    login(admin)
    assert client.get(shown["download_url"]).status_code == 404


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_backup_whose_worker_died_leaves_one_archive(app, client, login, world, backend, tmp_path):
    admin = make_user("admin")
    login(admin)
    client.post("/jobs/backup")
    job_id = db.session.scalars(select(Job.id)).one()
    held = claim("worker-that-dies", ["backup"])
    # It had written one archive whole and begun another before it died.
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / f"inspect-backup-20261203T010000Z-job{job_id}.tar").write_bytes(b"whole but never finished")
    (folder / f"inspect-backup-20261203T010500Z-job{job_id}.tar.partial").write_bytes(b"cut short")
    db.session.execute(
        update(Job).where(Job.id == held.job_id).values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    Worker(app, poll_seconds=0).run(once=True)
    done = db.session.get(Job, job_id)
    assert (done.status, done.attempts) == ("done", 2)
    assert [p.name for p in folder.iterdir()] == [done.result_filename]
    assert list(storage_for(app).keys(f"jobs/{job_id}/")) == [done.result_key]
