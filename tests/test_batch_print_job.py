"""Printing every biên bản of a day (or a period) as a background job: one PDF of the issued files in number order
behind a cover listing them, only the requester's units, each counted as printed once the job finishes, and a
worker killed in the middle of the batch leaves exactly one result and one print each."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.jobs.worker import Worker
from inspect_app.models import AuditEvent, Job, Minutes
from tests.factories import make_completed_inspection, make_decision, make_minutes, make_notice, make_premise
from tests.minutes_helpers import issue_through_form
from tests.test_jobs import kill_worker_mid_job, run_once_after_the_lease

SIGNED = {"representative_name": "Nguyễn Thị Hường", "copies": "2"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "JOBS_LEASE_SECONDS": 60}


def issue_minutes(client, login, user, premises) -> list[int]:
    """A biên bản for a completed inspection of each premise, issued through the desk form by ``user``."""
    login(user)
    for premise in premises:
        inspection = make_completed_inspection(premise, user)
        assert issue_through_form(client, inspection, dict(SIGNED)).status_code == 302
    return list(db.session.scalars(select(Minutes.id).where(Minutes.unit_id == premises[0].unit_id)))


def job_now(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def pdf_pages_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def issued_pages(app, minutes: Minutes) -> int:
    return len(PdfReader(io.BytesIO(storage_for(app).get(minutes.pdf_key))).pages)


def run_and_download(app, client) -> tuple[dict, bytes]:
    Worker(app, poll_seconds=0).run(once=True)
    latest = client.get("/jobs/status.json").get_json()["jobs"][0]
    assert latest["status"] == "done", latest
    return latest, client.get(latest["download_url"]).get_data()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_days_minutes_print_as_one_pdf_of_the_requesters_unit(app, client, login, world, backend):
    staff = world.users["staff"]
    names = ["Tạp hóa Minh Châu", "Sạp cá Bà Tư", "Cửa hàng gạo Phú Lộc"]
    premises = [make_premise(world.unit_a, name=name) for name in names]
    ids = issue_minutes(client, login, staff, premises)
    issue_minutes(client, login, world.other_users["staff"], [world.premise_b])
    day = db.session.scalar(select(Minutes.issued_on).where(Minutes.id == ids[0]))

    login(staff)
    answer = client.post("/minutes/print-day", data={"day": day.isoformat()})
    assert answer.status_code == 302 and "/jobs" in answer.headers["Location"]
    client.post("/minutes/print-day", data={"day": day.isoformat()})  # a double click queues nothing more
    job = db.session.scalars(select(Job)).one()
    assert job.kind == "minutes-print" and job.unit_id == world.unit_a.id
    page = client.get("/jobs").get_data(as_text=True)
    assert f"In tất cả biên bản ngày {day:%d/%m/%Y}" in page

    shown, content = run_and_download(app, client)
    assert shown["filename"] == f"bien-ban-ngay-{day.isoformat()}.pdf"
    pages = pdf_pages_text(content)
    issued = db.session.scalars(select(Minutes).where(Minutes.id.in_(ids)).order_by(Minutes.number)).all()
    # The cover, then every page of each issued file, in number order.
    cover = [text for text in pages if "BIÊN BẢN KIỂM TRA NGÀY" in text]
    assert len(cover) == 1 and pages[0] == cover[0]
    assert len(pages) == 1 + sum(issued_pages(app, m) for m in issued)
    assert "3 văn bản" in cover[0] and all(name in cover[0] for name in names)
    body = "\n".join(pages[1:])
    positions = [body.index(f"Số: {m.label}") for m in issued]
    assert positions == sorted(positions) and [m.label for m in issued] == [
        "01/BB-KT",
        "02/BB-KT",
        "03/BB-KT",
    ]
    assert all(name in body for name in names)
    assert world.premise_b.name not in "\n".join(pages)  # another unit's biên bản, same day, same number
    assert "BẢN SAO" not in body
    # Each counts one print, in the audit log, as a single print does; the next batch is stamped as copies.
    db.session.expire_all()
    assert [m.print_count for m in issued] == [1, 1, 1]
    prints = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "print")).all()
    assert sorted(e.record_id for e in prints) == sorted(ids) and {e.actor_id for e in prints} == {staff.id}
    client.post("/minutes/print-day", data={"day": day.isoformat()})
    _, again = run_and_download(app, client)
    assert all("BẢN SAO" in text for text in pdf_pages_text(again)[1:])

    # Another unit's staff downloads nothing of it, and their own day holds only their biên bản.
    login(world.other_users["staff"])
    assert client.get(shown["download_url"]).status_code == 404


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_period_prints_in_parts_and_bad_or_empty_days_queue_nothing(app, client, login, world, backend):
    staff = world.users["staff"]
    ids = issue_minutes(client, login, staff, [make_premise(world.unit_a) for _ in range(3)])
    day = db.session.scalar(select(Minutes.issued_on).where(Minutes.id == ids[0]))
    # The first was issued the day before: a day's batch leaves it out, the period takes it in.
    db.session.execute(update(Minutes).where(Minutes.id == ids[0]).values(issued_on=day - timedelta(days=1)))
    db.session.commit()
    login(staff)
    client.post("/minutes/print-day", data={"day": day.isoformat()})
    _, content = run_and_download(app, client)
    assert "2 văn bản" in pdf_pages_text(content)[0]

    app.config["BATCH_PRINT_PART_SIZE"] = 2
    first = (day - timedelta(days=1)).isoformat()
    client.post("/minutes/print-day", data={"from": first, "to": day.isoformat()})
    shown, content = run_and_download(app, client)
    assert shown["filename"] == f"bien-ban-{first}-den-{day.isoformat()}.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        parts = [pdf_pages_text(bundle.read(name)) for name in bundle.namelist()]
    assert [p[0].count("/BB-KT") for p in parts] == [2, 1]
    assert "Phần 1: 2 văn bản" in parts[0][0] and "Phần 2: 1 văn bản" in parts[1][0]

    jobs_before = db.session.scalar(select(func.count()).select_from(Job))
    for form, message in (
        ({"day": "2026-13-01"}, "Ngày không hợp lệ"),
        ({"from": day.isoformat(), "to": first}, "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu"),
        ({"day": (day + timedelta(days=1)).isoformat()}, "Không có biên bản có hiệu lực nào ngày"),
    ):
        answer = client.post("/minutes/print-day", data=form, follow_redirects=True)
        assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == jobs_before
    login(world.other_users["staff"])
    answer = client.post("/minutes/print-day", data={"day": day.isoformat()}, follow_redirects=True)
    assert "Không có biên bản có hiệu lực nào ngày" in answer.get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_worker_killed_mid_batch_is_replaced_and_each_minutes_counts_one_print(
    app, client, login, world, backend, tmp_path
):
    staff = world.users["staff"]
    ids = issue_minutes(client, login, staff, [make_premise(world.unit_a) for _ in range(4)])
    day = db.session.scalar(select(Minutes.issued_on).where(Minutes.id == ids[0]))
    login(staff)
    client.post("/minutes/print-day", data={"day": day.isoformat()})
    job_id = db.session.scalars(select(Job.id)).one()
    db.session.remove()

    kill_worker_mid_job(
        app, tmp_path, lambda: "Đã ghép 1/4" in job_now(job_id).message, env={"JOBS_TEST_PAUSE": "0.5"}
    )
    killed = job_now(job_id)
    assert (killed.status, killed.attempts, killed.result_key) == ("running", 1, None)
    assert db.session.scalars(select(Minutes.print_count)).all() == [0, 0, 0, 0]  # nothing counted yet
    run_once_after_the_lease(app, tmp_path, job_id)
    done = db.session.get(Job, job_id)
    assert (done.status, done.attempts) == ("done", 2)
    assert list(storage_for(app).keys(f"jobs/{job_id}/")) == [done.result_key]
    pages = pdf_pages_text(storage_for(app).get(done.result_key))
    assert "4 văn bản" in pages[0] and "BẢN SAO" not in "\n".join(pages)
    assert db.session.scalars(select(Minutes.print_count)).all() == [1, 1, 1, 1]
    prints = db.session.scalars(select(AuditEvent.record_id).where(AuditEvent.action == "print")).all()
    assert sorted(prints) == sorted(ids)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_decisions_and_notices_of_the_days_print_after_the_minutes_when_asked(
    app, client, login, world, backend
):
    staff = world.users["staff"]
    minutes = make_minutes(make_premise(world.unit_a, name="Sạp gạo Cô Ba"), world.users["inspector"], staff)
    day = minutes.issued_on
    decision = make_decision(world.unit_a, staff, today=day)
    notice = make_notice(minutes, staff)
    make_decision(world.unit_b, world.other_users["staff"], today=day)
    login(staff)
    client.post("/minutes/print-day", data={"day": day.isoformat()})
    _, only_minutes = run_and_download(app, client)
    assert "1 văn bản" in pdf_pages_text(only_minutes)[0]

    client.post(
        "/minutes/print-day", data={"from": day.isoformat(), "to": day.isoformat(), "with_others": "1"}
    )
    shown, content = run_and_download(app, client)
    assert shown["label"] == f"In tất cả biên bản, quyết định và thông báo ngày {day:%d/%m/%Y}"
    pages = pdf_pages_text(content)
    cover = pages[0]
    assert "3 văn bản" in cover and world.unit_b.name not in cover
    # The biên bản, then the decisions, then the notices.
    listed = [
        cover.index(f"{kind}\n{number}")
        for kind, number in (
            ("Biên bản", minutes.label),
            ("Quyết định", decision.number_text),
            ("Thông báo", notice.number_text),
        )
    ]
    assert listed == sorted(listed)
    stored = [m.pdf_key for m in (minutes, decision, notice)]
    assert len(pages) == 1 + sum(
        len(PdfReader(io.BytesIO(storage_for(app).get(key))).pages) for key in stored
    )
    body = "\n".join(pages[1:])
    assert decision.number_text in body and notice.number_text in body and "Sạp gạo Cô Ba" in body
