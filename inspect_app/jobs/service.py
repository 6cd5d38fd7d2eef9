"""The requester's jobs, read through the scoping door: a job is shown to the person who asked for it, and only
while it stays in their scope; anyone else gets 404, as for a job that does not exist."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from ..access import get_or_404, scoped
from ..extensions import db
from ..models import Job, User
from ..supervision.kept import JOB_KIND as DASHBOARD_JOB
from .kinds import job_label

# The Tác vụ page lists this many of the person's latest jobs.
LISTED_JOBS = 50


def queued(job: Job, created: bool):
    """The answer to a request that queued a job (or found the same one waiting): the Tác vụ page, at the job."""
    if created:
        flash("Đã đưa tác vụ vào hàng chờ. Tệp sẽ có ở trang này khi làm xong.", "success")
    else:
        flash("Tác vụ này đang chờ hoặc đang chạy, không tạo thêm.", "warning")
    return redirect(url_for("jobs.list_jobs", _anchor=f"job-{job.id}"))


def own_jobs(user: User, limit: int = LISTED_JOBS) -> list[Job]:
    """The person's latest jobs but the national dashboard's counts, which that page shows (supervision.kept) and
    which would push the files they asked for off this list."""
    query = (
        scoped(Job, user)
        .where(Job.requested_by_id == user.id, Job.kind != DASHBOARD_JOB)
        .order_by(Job.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def own_job_or_404(job_id, user: User) -> Job:
    job = get_or_404(Job, job_id, user)
    if job.requested_by_id != user.id:
        abort(404)
    return job


def job_summary(job: Job, download_url: str | None) -> dict:
    """What the Tác vụ page shows of a job, also as JSON for its polling."""
    return {
        "id": job.id,
        "label": job_label(job.kind, job.params or {}),
        "status": job.status,
        "status_label": job.status_label,
        "progress": job.progress,
        "message": job.message,
        "attempts": job.attempts,
        "filename": job.result_filename if job.result_key else None,
        "download_url": download_url if job.status == "done" and job.result_key else None,
    }
