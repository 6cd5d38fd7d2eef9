"""The national dashboard, counted in the background and kept.

At national scope (``dashboard.by_province``) the dashboard's statements read the whole country's period: at 34
provinces about 14 s of database CPU (bench/README.md). That is long work, and long work does not hold a web
request (the exports and the province's summary do not either): a job of kind ``dashboard`` counts the figures in
the requester's scope and keeps them as its result (JSON); the page shows the latest figures kept for the same
filters and day, with the time they were counted, and asks for a new count when they are older than
DASHBOARD_KEEP_MINUTES. A failed count is shown and asked for again only after as long, or with "Tính lại".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app

from ..access import scoped
from ..domain.time import utcnow
from ..extensions import db
from ..files.storage import StorageUnavailable
from ..files.uploads import storage_for
from ..models import Job, User
from ..jobs.queue import enqueue
from .dashboard import FIGURES, Dashboard, with_period
from .filters import SupervisionFilters, parse_filters

JOB_KIND = "dashboard"
# The person's latest dashboard jobs looked at for the same filters: one statement, whatever their number.
LOOKED_AT = 20
PENDING = ("queued", "running")
# The kept file's format: a file of another (an older release's) is counted again, never shown.
FORMAT = 1


def job_params(filters: SupervisionFilters, today: date) -> dict:
    """What a count is asked with: the filters (their period included) and the day it counts for."""
    return {"args": filters.to_args(), "today": today.isoformat()}


def read_params(params: dict) -> tuple[SupervisionFilters, date]:
    """The filters and day of a job's parameters; InvalidFilters or ValueError when they are not valid (any more)."""
    today = date.fromisoformat(str(params.get("today") or ""))
    return with_period(parse_filters(params.get("args") or {}), today), today


def job_label(params: dict) -> str:
    try:
        filters, _today = read_params(params)
    except ValueError:
        return "Tổng hợp toàn quốc"
    return (
        f"Tổng hợp toàn quốc từ {filters.date_from.strftime('%d/%m/%Y')} đến {filters.date_to.strftime('%d/%m/%Y')}"
    )


def encode(board: Dashboard) -> bytes:
    """The figures a page needs, as the job's result."""
    data = {
        "format": FORMAT,
        "today": board.today.isoformat(),
        "counts": board.counts,
        "by_month": board.by_month,
        "by_group": board.by_group,
        "grouped_by": board.grouped_by,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def decode(data: bytes, filters: SupervisionFilters) -> Dashboard:
    """A kept result back as the page's figures; ValueError when it is not one of this release's, with every
    figure the page shows."""
    try:
        return _decode(json.loads(data.decode("utf-8")), filters)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a kept dashboard: {error!r}") from None


def _decode(kept, filters: SupervisionFilters) -> Dashboard:
    if kept.get("format") != FORMAT or set(kept["counts"]) != set(FIGURES):
        raise ValueError("another format, or other figures")
    return Dashboard(
        filters=filters,
        today=date.fromisoformat(kept["today"]),
        counts={str(code): int(n) for code, n in kept["counts"].items()},
        by_month=[(int(y), int(m), int(n)) for y, m, n in kept["by_month"]],
        by_group=[(int(gid), str(name), int(n)) for gid, name, n in kept["by_group"]],
        grouped_by=str(kept["grouped_by"]),
    )


@dataclass
class Kept:
    """What the national dashboard page shows: the latest figures kept for its filters and day (``board``, counted
    at ``counted_at``; None when there are none yet), whether they are still fresh, the job counting them anew
    (queued or running) and the latest count that failed after them."""

    board: Dashboard | None = None
    counted_at: datetime | None = None
    fresh: bool = False
    counting: Job | None = None
    failed: Job | None = None


def keep_minutes() -> int:
    return max(1, int(current_app.config.get("DASHBOARD_KEEP_MINUTES", 60)))


def _read(job: Job, filters: SupervisionFilters) -> Dashboard | None:
    """The figures ``job`` kept; None when its file is gone, unreadable or not this release's (counted again, as
    if never kept). StorageUnavailable when the store does not answer."""
    try:
        with storage_for(current_app).open(job.result_key) as handle:
            return decode(handle.read(), filters)
    except (OSError, ValueError):  # FileNotFoundError and a local disk's errors among them
        return None


def kept_dashboard(user: User, filters: SupervisionFilters, today: date, *, recount: bool = False) -> Kept:
    """The figures kept for ``user``'s dashboard of ``filters`` on ``today``; a count is queued when they are
    missing or older than DASHBOARD_KEEP_MINUTES (or ``recount``: asked for), unless one is queued or running
    already, or (not asked for) the latest count failed less than DASHBOARD_KEEP_MINUTES ago."""
    params = job_params(filters, today)
    jobs = db.session.scalars(
        scoped(Job, user)
        .where(Job.requested_by_id == user.id, Job.kind == JOB_KIND)
        .order_by(Job.id.desc())
        .limit(LOOKED_AT)
    )
    kept = Kept()
    for job in jobs:
        if job.params != params:
            continue
        if job.status in PENDING:
            kept.counting = kept.counting or job
        elif job.status == "failed":
            kept.failed = kept.failed or job
        elif job.status == "done" and job.result_key:
            try:
                board = _read(job, filters)
            except StorageUnavailable:
                break  # an older file would not answer either: nothing kept to show now
            if board is not None:
                kept.board, kept.counted_at = board, job.finished_at
                break
    since = utcnow() - timedelta(minutes=keep_minutes())
    kept.fresh = kept.counted_at is not None and kept.counted_at > since
    failed_lately = kept.failed is not None and (kept.failed.finished_at or kept.failed.created_at) > since
    if kept.counting is None and (recount or not (kept.fresh or failed_lately)):
        kept.counting, _created = enqueue(JOB_KIND, params, user)
        kept.failed = None
    return kept
