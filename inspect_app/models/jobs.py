"""Background jobs (tác vụ nền): work too long for a request — list exports for now — queued in the database and
run by ``flask worker``, with their progress and, once done, the file they produced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.time import utcnow
from ..domain.vocabulary import one_of
from ..extensions import db
from .base import UTCDateTime
from .users import User

JOB_STATUSES = {
    "queued": "Đang chờ",
    "running": "Đang chạy",
    "done": "Hoàn thành",
    "failed": "Không thành công",
}


class Job(db.Model):
    """One piece of background work a user asked for, in the requester's scope (their unit or province).

    A worker claims a queued job (or a running one whose lease ran out: its worker died), which counts an attempt;
    it extends the lease each time it reports progress. The result is stored once: the job is finished only by the
    attempt that holds it (``attempts``, ``worker_id`` and status ``running`` in the UPDATE's WHERE), so an attempt
    that lost its lease can never overwrite or add a result. ``dedupe_key`` (kind, requester, parameters) is set
    while the job waits or runs and cleared when it ends: asking twice for the same thing queues one job.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("status", JOB_STATUSES), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts"),
        # The claim looks for the oldest queued job and for running jobs whose lease ran out.
        Index("ix_jobs_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The requester's home when the job was asked for: what the scoping door filters on.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(200), default="")
    worker_id: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_key: Mapped[str | None] = mapped_column(String(200))
    result_filename: Mapped[str | None] = mapped_column(String(200))
    result_content_type: Mapped[str | None] = mapped_column(String(120))
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    result_size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship()

    @property
    def status_label(self) -> str:
        return JOB_STATUSES.get(self.status, self.status)
