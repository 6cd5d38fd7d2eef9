"""The national dashboard, counted by a job and kept (supervision.kept): the page never counts the country itself;
it shows the latest kept figures of its filters and day with their time, counts again when they are older than
DASHBOARD_KEEP_MINUTES or when asked, shows a count that failed, and keeps each person's counts their own. On SQLite
and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from inspect_app.domain.time import today_vn, utcnow
from inspect_app.extensions import db
from inspect_app.files.uploads import storage_for
from inspect_app.jobs.queue import claim, fail
from inspect_app.jobs.worker import Worker
from inspect_app.models import Job
from inspect_app.supervision.dashboard import dashboard, with_period
from inspect_app.supervision.filters import SupervisionFilters
from inspect_app.supervision.kept import JOB_KIND
from tests.dashboard_helpers import counted_national_dashboard
from tests.factories import make_completed_inspection, make_user
from tests.test_list_queries import count_statements

INSPECTIONS = re.compile(r'data-figure="inspections"[^>]*>([\d.]+)</a>')
READS_THE_ROWS = re.compile(r"\b(FROM|JOIN) (inspections|inspection_tallies|inspection_instruments|premises)\b")


def _jobs(user) -> list[Job]:
    """The person's counts, oldest first (PostgreSQL returns an updated row wherever it now lies)."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Job).where(Job.kind == JOB_KIND, Job.requested_by_id == user.id).order_by(Job.id)
        )
    )


def _inspections_shown(html: str) -> int:
    found = INSPECTIONS.search(html)
    assert found, "the figure of inspections"
    return int(found.group(1).replace(".", ""))


def _age(job: Job, minutes: int) -> None:
    """As if the job had finished ``minutes`` ago."""
    db.session.execute(
        update(Job).where(Job.id == job.id).values(finished_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def _run_jobs(app) -> None:
    Worker(app, poll_seconds=0).run(once=True)


@pytest.fixture
def country(app, world):
    """Completed inspections in both provinces, and an administrator of everything."""
    make_completed_inspection(world.premise_a, world.users["inspector"])
    make_completed_inspection(world.premise_b, world.other_users["inspector"])
    world.admin = make_user("admin")
    return world


def test_the_country_is_counted_once_in_the_background_then_shown_from_what_was_kept(app, client, login, country):
    w = country
    login(w.admin)
    page, statements = count_statements(lambda: client.get("/dashboard"))
    html = page.get_data(as_text=True)
    # No figure yet, no statement over the country's rows: a job counts them, and the page says so and reloads.
    assert page.status_code == 200
    assert 'data-kept="none"' in html and "Đang tính số liệu của cả nước ở nền" in html
    assert '<meta http-equiv="refresh" content="10">' in html and 'data-figure="' not in html
    assert not [s for s in statements if READS_THE_ROWS.search(s)], statements
    [job] = _jobs(w.admin)
    assert job.status == "queued" and job.params["today"] == today_vn().isoformat()
    # Asked again while it waits: the same job, no second one.
    assert 'data-kept="none"' in client.get("/dashboard").get_data(as_text=True)
    assert len(_jobs(w.admin)) == 1

    _run_jobs(app)
    page, statements = count_statements(lambda: client.get("/dashboard"))
    html = page.get_data(as_text=True)
    assert 'data-kept="fresh"' in html and "Số liệu của cả nước được tính ở nền lúc" in html
    assert "refresh" not in html and "Tính lại ngay" in html
    assert not [s for s in statements if READS_THE_ROWS.search(s)], statements
    # The kept figures are the dashboard's own, counted in the administrator's scope for the same filters.
    expected = dashboard(w.admin, with_period(SupervisionFilters(), today_vn()))
    assert expected.grouped_by == "province" and expected.counts["inspections"] == 2
    shown: dict[str, int] = {}
    for code, n in re.findall(r'data-figure="(\w+)"[^>]*>([\d.]+)</a>', html):
        shown.setdefault(code, int(n.replace(".", "")))  # the figure first, then the bars
    assert {code: expected.counts[code] for code in shown} == shown and len(shown) > 30
    for _gid, name, count in expected.by_group:
        assert f'aria-label="{name}: {count}' in html, name
    assert len(_jobs(w.admin)) == 1
    # The counts are not listed among the files the person asked for (Tác vụ): the dashboard shows them.
    assert "Tổng hợp toàn quốc" not in client.get("/jobs").get_data(as_text=True)


def test_old_figures_are_shown_while_they_are_counted_again(app, client, login, country):
    w = country
    login(w.admin)
    html = counted_national_dashboard(client, "/dashboard").get_data(as_text=True)
    assert _inspections_shown(html) == 2
    make_completed_inspection(w.premise_a2, w.users["supervisor_province"])
    # Still fresh: the kept figures, without the new inspection, and no new count.
    assert _inspections_shown(client.get("/dashboard").get_data(as_text=True)) == 2
    assert len(_jobs(w.admin)) == 1

    _age(_jobs(w.admin)[0], minutes=61)  # DASHBOARD_KEEP_MINUTES is 60
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-kept="stale"' in html and "Đang tính lại số liệu của cả nước ở nền" in html
    assert _inspections_shown(html) == 2  # the old figures meanwhile
    client.get("/dashboard")
    assert [job.status for job in _jobs(w.admin)] == ["done", "queued"]
    _run_jobs(app)
    assert _inspections_shown(client.get("/dashboard").get_data(as_text=True)) == 3


def test_a_count_can_be_asked_for_now_and_each_filter_has_its_own(app, client, login, country):
    w = country
    login(w.admin)
    counted_national_dashboard(client, "/dashboard")
    response = client.post("/dashboard/recount")
    assert response.status_code == 302 and response.headers["Location"].startswith("/dashboard?")
    assert [job.status for job in _jobs(w.admin)] == ["done", "queued"]
    client.post("/dashboard/recount")  # a double click
    assert len(_jobs(w.admin)) == 2
    _run_jobs(app)
    # Another period is another count; the province's own dashboard is counted in the request, as before.
    today = today_vn()
    other = client.get(f"/dashboard?from={today.year}-01-01&to={today.isoformat()}&group=NHAN")
    assert 'data-kept="none"' in other.get_data(as_text=True)
    assert len(_jobs(w.admin)) == 3
    province = client.get(f"/dashboard?province={w.p1.id}").get_data(as_text=True)
    assert "data-kept" not in province and _inspections_shown(province) == 1
    assert len(_jobs(w.admin)) == 3


def test_a_failed_count_is_shown_and_counted_again_when_asked(app, client, login, country):
    w = country
    login(w.admin)
    client.get("/dashboard")
    held = claim("worker-test", [JOB_KIND])
    fail(held, "OperationalError", "Cơ sở dữ liệu không trả lời kịp.", retry=False)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Lần tính gần nhất không thành công: Cơ sở dữ liệu không trả lời kịp." in html
    assert "refresh" not in html and 'data-figure="' not in html
    assert [job.status for job in _jobs(w.admin)] == ["failed"]  # not asked again by itself
    client.post("/dashboard/recount")
    _run_jobs(app)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'data-kept="fresh"' in html and _inspections_shown(html) == 2 and "không thành công" not in html


@pytest.mark.parametrize(
    "kept",
    [
        None,  # the file is gone
        b"not json",
        json.dumps({"format": 1, "today": "2026-12-01", "counts": {"inspections": 2}}).encode(),  # other figures
        json.dumps({"format": 1, "counts": []}).encode(),
    ],
)
def test_kept_figures_that_cannot_be_shown_are_counted_again(app, client, login, country, kept):
    w = country
    login(w.admin)
    counted_national_dashboard(client, "/dashboard")
    [job] = _jobs(w.admin)
    storage = storage_for(app)
    storage.delete(job.result_key)
    if kept is not None:
        storage.put(job.result_key, kept)
    response = client.get("/dashboard")
    assert response.status_code == 200 and 'data-kept="none"' in response.get_data(as_text=True)
    assert [job.status for job in _jobs(w.admin)] == ["done", "queued"]
    _run_jobs(app)
    assert _inspections_shown(client.get("/dashboard").get_data(as_text=True)) == 2


def test_each_administrator_has_their_own_count(app, client, login, country):
    w = country
    login(w.admin)
    counted_national_dashboard(client, "/dashboard")
    second = make_user("admin")
    login(second)
    assert 'data-kept="none"' in client.get("/dashboard").get_data(as_text=True)
    assert len(_jobs(second)) == 1
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == JOB_KIND)) == 2
