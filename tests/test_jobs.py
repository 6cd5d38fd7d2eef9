"""Background jobs: the queue's claim, lease and retry, exactly one result, a real `flask worker` killed mid-job,
and the Tác vụ pages (queueing an export, progress, a download only for the person who asked)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from inspect_app.domain.time import utcnow
from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.jobs.kinds import export_params
from inspect_app.jobs.queue import LeaseLost, claim, enqueue, fail, finish, report_progress
from inspect_app.jobs.worker import Worker
from inspect_app.models import AuditEvent, Job
from tests.conftest import storage_env

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["test-slow"]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JOBS_TEST_KINDS": True, "JOBS_LEASE_SECONDS": 60}


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _expire_lease(job_id: int) -> None:
    """What time does to a dead worker's lease, without waiting for it."""
    db.session.execute(
        update(Job).where(Job.id == job_id).values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def _result_files(app, job_id: int) -> list[str]:
    return list(storage_for(app).keys(f"jobs/{job_id}/"))


def wait_for(condition, what: str, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def make_finished_export_job(app, user) -> Job:
    """A premises CSV export asked by ``user`` and run to its end, its file stored."""
    job, _ = enqueue("export", export_params("premises", "csv", {}), user)
    Worker(app, poll_seconds=0).run(once=True)
    return _job(job.id)


# ---- the queue ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_asking_twice_queues_one_job_until_it_ends(app, world, backend):
    staff = world.users["staff"]
    first, created = enqueue("test-slow", {"steps": 1}, staff)
    again, created_again = enqueue("test-slow", {"steps": 1}, staff)
    assert created and not created_again and again.id == first.id
    other, created_other = enqueue("test-slow", {"steps": 2}, staff)
    assert created_other and other.id != first.id
    # Creating a job is a person's request: in the audit log, in the requester's unit.
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "jobs")).first()
    assert (event.action, event.actor_id, event.unit_id) == ("create", staff.id, world.unit_a.id)
    Worker(app, poll_seconds=0).run(once=True)
    assert _job(first.id).status == "done"
    # Once it has ended, the same request is a new job.
    third, created_third = enqueue("test-slow", {"steps": 1}, staff)
    assert created_third and third.id not in (first.id, other.id)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_concurrent_workers_claim_distinct_jobs(app, world, backend):
    ids = {enqueue("test-slow", {"n": n}, world.users["staff"])[0].id for n in range(3)}
    db.session.remove()
    start = threading.Barrier(6)
    claims, errors = [], []

    def take(name: str) -> None:
        with app.app_context():
            try:
                start.wait()
                claims.append(claim(name, KINDS))
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take, args=(f"worker-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    taken = [c for c in claims if c is not None]
    assert sorted(c.job_id for c in taken) == sorted(ids)  # each job once, none twice
    assert all(c.attempt == 1 for c in taken)
    assert {_job(c.job_id).worker_id for c in taken} == {c.worker_id for c in taken}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_job_whose_worker_died_is_taken_again_and_ends_with_one_result(app, world, backend):
    job, _ = enqueue("test-slow", {}, world.users["staff"])
    first = claim("worker-a", KINDS)
    assert claim("worker-b", KINDS) is None  # its lease holds: nobody else takes it
    _expire_lease(job.id)
    second = claim("worker-b", KINDS)
    assert (second.job_id, second.attempt) == (job.id, 2)
    # The first attempt wakes up: it can neither report progress nor finish, and keeps no file.
    with pytest.raises(LeaseLost):
        report_progress(first, 50, "")
    with pytest.raises(LeaseLost):
        finish(first, b"stale", "a.txt", "text/plain")
    assert _result_files(app, job.id) == []
    # A file stored by an attempt that died before finishing is removed when the job ends.
    storage_for(app).put(f"jobs/{job.id}/1-{'0' * 64}.txt", b"orphan")
    key = finish(second, b"fresh", "a.txt", "text/plain")
    stored = _job(job.id)
    assert (stored.status, stored.attempts, stored.result_key, stored.progress) == ("done", 2, key, 100)
    assert stored.result_sha256 == hashlib.sha256(b"fresh").hexdigest() and stored.dedupe_key is None
    assert _result_files(app, job.id) == [key]
    # A finished job is never claimed again, and its result cannot be replaced.
    _expire_lease(job.id)
    assert claim("worker-c", KINDS) is None
    with pytest.raises(LeaseLost):
        finish(second, b"again", "a.txt", "text/plain")
    assert _job(job.id).result_key == key and _result_files(app, job.id) == [key]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_job_that_keeps_dying_fails_with_a_message(app, world, backend):
    job, _ = enqueue("test-slow", {}, world.users["staff"], max_attempts=2)
    for _ in range(2):
        assert claim("worker", KINDS) is not None
        _expire_lease(job.id)
    assert claim("worker", KINDS) is None
    stored = _job(job.id)
    assert stored.status == "failed" and stored.attempts == 2 and stored.dedupe_key is None
    assert "bị gián đoạn 2 lần" in stored.message


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_error_is_retried_then_fails_and_a_refusal_is_not(app, world, backend):
    job, _ = enqueue("test-slow", {}, world.users["staff"], max_attempts=2)
    held = claim("worker", KINDS)
    fail(held, "Traceback…", "lỗi", retry=True)
    assert _job(job.id).status == "queued"
    held = claim("worker", KINDS)
    fail(held, "Traceback…", "Không làm được.", retry=True)
    stored = _job(job.id)
    assert (stored.status, stored.message, stored.attempts) == ("failed", "Không làm được.", 2)


# ---- the worker process, killed ------------------------------------------------------------------------------------


def worker_process(app, tmp_path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """A real `flask worker` process on the test's database and files (``env`` adds settings)."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        **storage_env(app.config),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "STORAGE_FSYNC": "0",
        "JOBS_TEST_KINDS": "1",
        "JOBS_LEASE_SECONDS": "2",
        "JOBS_POLL_SECONDS": "0.2",
        "PUBLIC_URL_CHECK_SECONDS": "0",
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill_worker_mid_job(app, tmp_path, under_way, env: dict | None = None) -> None:
    """Start a real `flask worker` and SIGKILL it once ``under_way()`` holds."""
    first = worker_process(app, tmp_path, env=env)
    try:
        wait_for(under_way, "the job to be under way")
        db.session.remove()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()


def run_once_after_the_lease(app, tmp_path, job_id: int) -> str:
    """Wait for the dead worker's lease to run out, then run `flask worker --once`; its output."""
    db.session.remove()
    wait_for(lambda: _job(job_id).lease_until < utcnow(), "the dead worker's lease to run out")
    db.session.remove()
    second = worker_process(app, tmp_path, "--once")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output
    return output


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_worker_killed_mid_job_is_replaced_and_the_job_ends_with_exactly_one_result(
    app, world, backend, tmp_path
):
    job, _ = enqueue("test-slow", {"steps": 20, "pause": 0.25}, world.users["staff"])
    job_id = job.id
    db.session.remove()
    kill_worker_mid_job(app, tmp_path, lambda: (j := _job(job_id)).status == "running" and j.progress >= 10)
    killed = _job(job_id)
    assert killed.status == "running" and killed.attempts == 1 and killed.result_key is None
    # Its lease runs out; the next worker takes the job again and finishes it.
    assert "Đã chạy 1 tác vụ." in run_once_after_the_lease(app, tmp_path, job_id)
    done = _job(job_id)
    assert (done.status, done.attempts, done.progress) == ("done", 2, 100)
    files = _result_files(app, job_id)
    assert files == [done.result_key]
    data = storage_for(app).get(done.result_key)
    assert hashlib.sha256(data).hexdigest() == done.result_sha256
    assert data == f"job {job_id}: 20 steps\n".encode()
    assert db.session.scalar(select(db.func.count()).select_from(Job)) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sigterm_lets_the_job_under_way_finish(app, world, backend, tmp_path):
    job, _ = enqueue("test-slow", {"steps": 6, "pause": 0.25}, world.users["staff"])
    job_id = job.id
    db.session.remove()
    worker = worker_process(app, tmp_path)
    try:
        wait_for(lambda: _job(job_id).status == "running", "the job to start")
        db.session.remove()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert _job(job_id).status == "done"


# ---- the pages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_an_export_runs_as_a_job_and_only_its_requester_downloads_it(app, client, login, world, backend):
    staff = world.users["staff"]
    login(staff)
    answer = client.post("/jobs/exports/premises.csv")
    assert answer.status_code == 302 and "/jobs" in answer.headers["Location"]
    client.post("/jobs/exports/premises.csv")  # a double click
    jobs = db.session.scalars(select(Job)).all()
    assert len(jobs) == 1 and jobs[0].kind == "export" and jobs[0].unit_id == world.unit_a.id
    job_id = jobs[0].id
    page = client.get("/jobs").get_data(as_text=True)
    assert "Xuất danh sách cơ sở (CSV)" in page and "Đang chờ" in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 409

    Worker(app, poll_seconds=0).run(once=True)
    status = client.get("/jobs/status.json").get_json()["jobs"]
    assert [(j["id"], j["status"], j["progress"]) for j in status] == [(job_id, "done", 100)]
    downloaded = client.get(status[0]["download_url"])
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["Content-Disposition"]
    direct = client.get("/exports/premises.csv")
    assert downloaded.data == direct.data  # the same file the download link gives
    assert world.premise_a.name.encode() in downloaded.data
    assert world.premise_b.name.encode() not in downloaded.data
    from inspect_app.models import AuditEvent

    logged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "download", AuditEvent.record_type == Job.__tablename__)
    ).all()
    assert [(e.record_id, e.actor_id) for e in logged] == [(job_id, world.users["staff"].id)]

    # Anyone else gets 404, as for a job that does not exist: another unit, and a colleague of the same unit.
    for other in (world.other_users["staff"], world.users["inspector"], world.users["supervisor_unit"]):
        login(other)
        assert client.get(f"/jobs/{job_id}/download").status_code == 404
        assert client.get("/jobs/status.json").get_json()["jobs"] == []
    assert client.get(f"/jobs/{job_id + 1000}/download").status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_progress_shows_on_the_status_endpoint(app, client, login, world, backend):
    staff = world.users["staff"]
    job, _ = enqueue("test-slow", {"steps": 4}, staff)
    held = claim("worker", KINDS)
    report_progress(held, 40, "Bước 2/4")
    login(staff)
    (shown,) = client.get("/jobs/status.json").get_json()["jobs"]
    assert (shown["id"], shown["status"], shown["progress"], shown["message"]) == (
        job.id,
        "running",
        40,
        "Bước 2/4",
    )
    assert shown["status_label"] == "Đang chạy" and shown["download_url"] is None
    assert 'data-status="running"' in client.get("/jobs").get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_export_with_invalid_filters_is_refused_at_once(client, login, world, backend):
    login(world.users["staff"])
    answer = client.post("/jobs/exports/premises.xlsx?type=castle")
    assert answer.status_code == 400 and "Loại hình cơ sở không hợp lệ" in answer.get_data(as_text=True)
    assert db.session.scalars(select(Job)).all() == []


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_files_of_old_jobs_are_deleted_after_the_keeping_time(app, client, login, world, backend):
    from inspect_app.jobs.queue import prune_results

    old = make_finished_export_job(app, world.users["staff"])
    recent = make_finished_export_job(app, world.users["inspector"])
    db.session.execute(update(Job).where(Job.id == old.id).values(finished_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    assert prune_results(7) == 1
    assert _result_files(app, old.id) == [] and _job(old.id).result_key is None
    assert _result_files(app, recent.id) == [recent.result_key]
    login(world.users["staff"])
    (shown,) = client.get("/jobs/status.json").get_json()["jobs"]
    assert shown["download_url"] is None and "hết thời hạn lưu" in shown["message"]
    assert client.get(f"/jobs/{old.id}/download").status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_the_province_summary_of_reports_runs_as_a_job(app, client, login, world, backend):
    from tests.report_helpers import make_sent_report, this_years_request

    supervisor = world.users["supervisor_province"]
    report_request = this_years_request(supervisor)
    make_sent_report(report_request, world.users["staff"])
    request_id = report_request.id
    from tests.factories import make_user

    login(make_user("supervisor", province=world.p2))
    assert client.post(f"/jobs/reports/requests/{request_id}/summary.csv").status_code == 404
    login(supervisor)
    assert client.post(f"/jobs/reports/requests/{request_id}/summary.csv").status_code == 302
    Worker(app, poll_seconds=0).run(once=True)
    (shown,) = client.get("/jobs/status.json").get_json()["jobs"]
    assert shown["status"] == "done" and shown["label"].startswith("Bảng tổng hợp báo cáo")
    downloaded = client.get(shown["download_url"])
    assert downloaded.status_code == 200
    assert downloaded.data == client.get(f"/reports/requests/{request_id}/summary.csv").data
    job = db.session.scalars(select(Job)).one()
    assert job.unit_id is None and job.province_id == world.p1.id


def test_a_sqlite_install_runs_its_jobs_in_the_serving_process_by_default(tmp_path, monkeypatch):
    from inspect_app.config import settings_from_env

    monkeypatch.delenv("JOBS_INLINE_WORKER", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert settings_from_env(str(tmp_path))["JOBS_INLINE_WORKER"] is True
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/inspect")
    assert settings_from_env(str(tmp_path))["JOBS_INLINE_WORKER"] is False  # `flask worker` runs beside it
    monkeypatch.setenv("JOBS_INLINE_WORKER", "1")
    assert settings_from_env(str(tmp_path))["JOBS_INLINE_WORKER"] is True


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_inline_worker_thread_runs_queued_jobs(app, world, backend):
    from inspect_app.jobs.worker import start_inline_worker

    job, _ = enqueue("test-slow", {"steps": 1, "pause": 0}, world.users["staff"])
    job_id = job.id
    db.session.remove()
    worker = start_inline_worker(app)
    try:
        wait_for(lambda: _job(job_id).status == "done", "the inline worker to run the job")
    finally:
        worker.stop.set()
