"""Two app servers behind nginx on one PostgreSQL database and one file store (tests/cluster.py): a login on one
server holds on the other and its logout ends it everywhere, a photo uploaded through one is read whole through the
other, biên bản issued through both at once keep gap-free numbers, failed logins through both are counted together,
and an export queued through one is run by the job worker and downloaded through the other."""

from __future__ import annotations

import hashlib
import uuid
from itertools import pairwise

import pytest
import requests
from sqlalchemy import select

from inspect_app import create_app
from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.models import Job, LoginAttempt, Minutes, Photo
from tests.api_helpers import inspection_payload, jpeg_bytes
from tests.cluster import Cluster, csrf_token, environment, nginx_binary
from tests.conftest import (
    RUN_ID,
    create_postgres_database,
    drop_postgres_database,
    missing,
    s3_settings,
    storage_env,
)
from tests.factories import PASSWORD, build_world, make_completed_inspection, make_user
from tests.minutes_helpers import preview_digest, with_recorder
from tests.test_jobs import wait_for
from tests.test_write_races import together

OTHER = {"A": "B", "B": "A"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, worker_id, s3_server):
    name = f"inspect_cluster_{RUN_ID}_{worker_id}"
    url = create_postgres_database(name)  # skips without TEST_POSTGRES_URL
    nginx = nginx_binary()
    if nginx is None:
        drop_postgres_database(name)
        missing("nginx")
    # Every server reads and writes the one object store (a real S3-compatible server on loopback).
    running = Cluster(tmp_path_factory.mktemp("cluster"), url, storage_env(s3_settings(s3_server)))
    try:
        running.start(nginx)
        # The tests' own view of the same database and store, with every server's settings; accounts they make
        # get a fast password hash (the servers check whichever method a hash names).
        with environment(running.environment("tests")):
            running.app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        yield running
    finally:
        running.stop()
        if running.app is not None:
            with running.app.app_context():
                db.engine.dispose()
        drop_postgres_database(name)


def log_in(cluster: Cluster, user, via: str) -> requests.Session:
    """A browser that opened the login page through the other server and logged in through ``via``."""
    browser = cluster.browser()
    page = cluster.send(browser, "GET", "/login", via=OTHER[via])
    answer = cluster.send(
        browser,
        "POST",
        "/login",
        via=via,
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def round_robin_alternates_between_the_two_servers(cluster, world):
    answers = [cluster.upstream(cluster.probe()) for _ in range(6)]
    assert set(answers) == {"A", "B"}
    assert all(first != second for first, second in pairwise(answers))


def a_login_through_one_server_holds_on_the_other_and_its_logout_ends_it_on_both(cluster, world):
    staff = world.users["staff"]
    browser = log_in(cluster, staff, via="A")
    home = cluster.send(browser, "GET", "/", via="B")
    assert home.status_code == 200 and staff.full_name in home.text
    # https as nginx says (X-Forwarded-Proto): Secure cookies and HSTS from either server.
    assert "max-age" in home.headers["Strict-Transport-Security"]
    assert all(cookie.secure for cookie in browser.cookies)
    assert cluster.send(browser, "GET", "/premises", via="A").status_code == 200
    copied = browser.cookies.copy()

    page = cluster.send(browser, "GET", "/", via="A")
    answer = cluster.send(browser, "POST", "/logout", via="B", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    # The session kept in the database has ended: a copy of the cookie taken before logging out opens nothing,
    # whichever server it reaches.
    for via in ("A", "B"):
        thief = cluster.browser()
        thief.cookies = copied.copy()
        answer = cluster.send(thief, "GET", "/", via=via)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def a_photo_uploaded_through_one_server_is_read_whole_through_the_other(cluster, world):
    phone = cluster.browser()
    answer = cluster.send(
        phone,
        "POST",
        "/api/v1/auth/token",
        via="B",
        json={"username": world.users["inspector"].username, "password": PASSWORD},
    )
    assert answer.status_code == 201, answer.text
    phone.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    payload = inspection_payload(world.premise_a)
    assert cluster.send(phone, "POST", "/api/v1/inspections", via="A", json=payload).status_code == 201
    image = jpeg_bytes(1200, 900, color=(30, 120, 60))
    answer = cluster.send(
        phone,
        "POST",
        f"/api/v1/inspections/{payload['uuid']}/photos",
        via="A",
        data={"uuid": str(uuid.uuid4()), "caption": "Cân treo"},
        files={"file": ("can.jpg", image, "image/jpeg")},
    )
    assert answer.status_code == 201, answer.text
    uploaded = answer.json()

    read = cluster.send(phone, "GET", f"/api/v1/photos/{uploaded['id']}/image", via="B")
    assert read.status_code == 200 and read.headers["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(read.content).hexdigest() == uploaded["sha256"]
    photo = db.session.get(Photo, uploaded["id"])
    assert photo.sha256 == uploaded["sha256"]
    assert storage_for(cluster.app).get(photo.storage_key) == read.content
    thumbnail = cluster.send(phone, "GET", f"/api/v1/photos/{uploaded['id']}/thumbnail", via="A")
    assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"


ISSUES = 8


def biên_bản_issued_through_both_servers_at_once_keep_gap_free_numbers(cluster, world):
    inspections = [
        make_completed_inspection(world.premise_a, world.users["inspector"]) for _ in range(ISSUES)
    ]
    forms = [with_recorder(i, {"representative_name": "Chủ cơ sở", "copies": "2"}) for i in inspections]
    ids = [i.id for i in inspections]
    clerks = [log_in(cluster, world.users["staff"], via="AB"[n % 2]) for n in range(ISSUES)]
    issued = []
    for clerk, inspection_id, form in zip(clerks, ids, forms, strict=True):
        url = f"/inspections/{inspection_id}/minutes/new"
        page = cluster.send(clerk, "GET", url)
        form = {**form, "csrf_token": csrf_token(page.text)}
        preview = cluster.send(clerk, "POST", url, data={**form, "action": "preview"})
        assert preview.status_code == 200, preview.text[:500]
        issued.append((url, {**form, "action": "issue", "preview_digest": preview_digest(preview.text)}))

    answers = together(ISSUES, lambda n: cluster.send(clerks[n], "POST", issued[n][0], data=issued[n][1]))
    assert {cluster.upstream(answer) for answer in answers} == {"A", "B"}
    assert [answer.status_code for answer in answers] == [302] * ISSUES
    numbers = db.session.execute(
        select(Minutes.inspection_id, Minutes.number, Minutes.id).where(Minutes.unit_id == world.unit_a.id)
    ).all()
    assert sorted(number for _, number, _ in numbers) == list(range(1, ISSUES + 1))
    assert sorted(inspection_id for inspection_id, _, _ in numbers) == sorted(ids)
    by_inspection = {inspection_id: minutes_id for inspection_id, _, minutes_id in numbers}
    for answer, inspection_id in zip(answers, ids, strict=True):
        assert answer.headers["Location"] == f"/minutes/{by_inspection[inspection_id]}"


def failed_logins_through_both_servers_are_counted_together(cluster, world):
    username = make_user("staff", world.unit_a).username
    browser = cluster.browser()
    token = csrf_token(cluster.send(browser, "GET", "/login").text)

    def try_password(password: str, via: str, n: int) -> requests.Response:
        # A client's own X-Forwarded-For is not believed: nginx appends the address it saw, the app takes that.
        return cluster.send(
            browser,
            "POST",
            "/login",
            via=via,
            data={"username": username, "password": password, "csrf_token": token},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )

    limit = cluster.app.config["LOGIN_MAX_FAILURES_PER_USER_AND_IP"]
    for n in range(limit):
        answer = try_password("sai-mat-khau", "AB"[n % 2], n)
        assert answer.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in answer.text
    # One more try through either server passes the limit: even the right password is refused.
    over = try_password(PASSWORD, "AB"[limit % 2], limit)
    assert over.status_code == 429 and "Đăng nhập sai quá nhiều lần" in over.text
    addresses = db.session.scalars(select(LoginAttempt.ip).where(LoginAttempt.username == username)).all()
    assert addresses == ["127.0.0.1"] * limit


def an_export_queued_through_one_server_is_run_by_the_worker_and_downloaded_through_the_other(cluster, world):
    staff = world.users["staff"]
    browser = log_in(cluster, staff, via="B")
    page = cluster.send(browser, "GET", "/jobs", via="A")
    answer = cluster.send(
        browser, "POST", "/jobs/exports/premises.csv", via="A", data={"csrf_token": csrf_token(page.text)}
    )
    assert answer.status_code == 302 and "/jobs" in answer.headers["Location"], answer.text[:500]

    def finished():
        jobs = cluster.send(browser, "GET", "/jobs/status.json").json()["jobs"]
        assert len(jobs) == 1 and jobs[0]["status"] in ("queued", "running", "done"), jobs
        return jobs[0] if jobs[0]["status"] == "done" else None

    job = wait_for(finished, "the worker to run the export", seconds=30)
    downloaded = cluster.send(browser, "GET", job["download_url"], via="B")
    assert downloaded.status_code == 200 and "attachment" in downloaded.headers["Content-Disposition"]
    assert world.premise_a.name.encode() in downloaded.content
    assert world.premise_b.name.encode() not in downloaded.content
    stored = db.session.get(Job, job["id"])
    assert hashlib.sha256(downloaded.content).hexdigest() == stored.result_sha256
    # Run by the flask worker process, not by either app server.
    assert stored.worker_id.split(":")[1] == str(cluster.processes["worker"].pid)


SCENARIOS = [
    round_robin_alternates_between_the_two_servers,
    a_login_through_one_server_holds_on_the_other_and_its_logout_ends_it_on_both,
    a_photo_uploaded_through_one_server_is_read_whole_through_the_other,
    biên_bản_issued_through_both_servers_at_once_keep_gap_free_numbers,
    failed_logins_through_both_servers_are_counted_together,
    an_export_queued_through_one_server_is_run_by_the_worker_and_downloaded_through_the_other,
]


def test_two_app_servers_behind_nginx(cluster):
    """Every scenario on one set of servers (started once: a test of its own each would start one set per
    pytest-xdist worker), each with fresh provinces, units and accounts (tests/factories.build_world)."""
    for scenario in SCENARIOS:
        with cluster.app.app_context():
            world = build_world()
            db.session.commit()
            try:
                scenario(cluster, world)
            except AssertionError as failure:
                raise AssertionError(f"{scenario.__name__}: {failure}\n{cluster.logs()}") from failure
            finally:
                db.session.remove()
