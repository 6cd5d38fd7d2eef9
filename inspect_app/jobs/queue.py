"""The job queue in the database: enqueue, claim, heartbeat, finish and fail, each one guarded statement.

Why a table and not RQ or Celery: those need a Redis or RabbitMQ service beside the app, and a single commune runs
on one machine with an embedded SQLite file and no other service. A table gives the same guarantees here: a claim
is one ``UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING`` (with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
workers never wait on each other; SQLite takes its one write lock for the statement), and every later write of the
attempt names the attempt it belongs to, so a worker that lost its job can change nothing.

A running job holds a lease that each progress report extends. A worker that dies (killed, a power cut) stops
extending it; the next claim after the lease ran out takes the job again as a new attempt, or fails it once
``max_attempts`` attempts are used up. The result file is stored under a key of its attempt and content
(``jobs/<id>/<attempt>-<sha256>.<ext>``) before the job is finished; the finish is refused to an attempt that no
longer holds the job (it deletes its own file), and a finished job deletes the files of attempts that died between
storing and finishing: a job ends with exactly one result.

The queue's state changes (claim, progress, finish) are machinery, not a person's edit: they run on their own short
connections, outside the job's session, so a job reading through a server-side cursor keeps it open. Creating a
job is a person's request and goes through the write door with its audit event.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .. import writes
from ..access import system_transaction
from ..domain.time import utcnow
from ..extensions import db
from ..files.uploads import storage_for
from ..models import Job, User

__all__ = [
    "Claim",
    "LeaseLost",
    "claim",
    "dedupe_key",
    "enqueue",
    "fail",
    "finish",
    "heartbeat",
    "prune_results",
    "report_progress",
]

JOBS = Job.__table__

DIED_MESSAGE = "Tác vụ bị gián đoạn {attempts} lần (máy chạy tác vụ dừng đột ngột) nên đã dừng lại. Vui lòng yêu cầu lại."
FAILED_MESSAGE = "Tác vụ không thực hiện được do lỗi hệ thống. Vui lòng thử lại sau hoặc báo quản trị viên."


class LeaseLost(Exception):
    """This attempt no longer holds its job: its lease ran out and another worker took it (or it was finished)."""


@dataclass(frozen=True)
class Claim:
    """What a worker holds while it runs a job: the attempt is its ticket for every later write."""

    job_id: int
    attempt: int
    worker_id: str
    kind: str
    params: dict
    requested_by_id: int


def _lease() -> timedelta:
    return timedelta(seconds=max(1, int(current_app.config.get("JOBS_LEASE_SECONDS", 120))))


def dedupe_key(kind: str, user_id: int, params: dict) -> str:
    """The same kind with the same parameters asked by the same person: one job while it waits or runs."""
    text = json.dumps([kind, user_id, params], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def enqueue(
    kind: str, params: dict[str, Any], user: User, *, max_attempts: int | None = None
) -> tuple[Job, bool]:
    """Queue a job for ``user``: (job, True); the same request already waiting or running: (that job, False)."""
    key = dedupe_key(kind, user.id, params)
    existing = db.session.scalars(select(Job).where(Job.dedupe_key == key)).first()
    if existing is not None:
        return existing, False
    job = Job(
        kind=kind,
        params=params,
        requested_by_id=user.id,
        unit_id=user.unit_id,
        province_id=None if user.unit_id is not None else user.province_id,
        status="queued",
        dedupe_key=key,
        attempts=0,
        max_attempts=max_attempts or int(current_app.config.get("JOBS_MAX_ATTEMPTS", 3)),
        progress=0,
        message="Đang chờ đến lượt",
        error="",
    )
    db.session.add(job)
    try:
        db.session.flush()
        writes.commit("create", job, user)
    except IntegrityError:
        # A double click: the other request queued it first.
        db.session.rollback()
        existing = db.session.scalars(select(Job).where(Job.dedupe_key == key)).first()
        if existing is None:
            raise
        return existing, False
    return job, True


@contextmanager
def _bookkeeping() -> Iterator[Connection]:
    """A short transaction of the queue's own, on a connection apart from the job's session: it acts for no one
    and sees every unit's jobs (row-level security, access.py)."""
    with db.engine.begin() as conn:
        system_transaction(conn)
        yield conn


def _expired(now):
    return and_(JOBS.c.status == "running", JOBS.c.lease_until < now)


def claim(worker_id: str, kinds: list[str] | tuple[str, ...]) -> Claim | None:
    """Take the oldest job of ``kinds`` that waits, or whose worker died, as a new attempt; None when there is none."""
    now = utcnow()
    is_postgres = db.engine.dialect.name == "postgresql"
    with _bookkeeping() as conn:
        # Jobs whose last permitted attempt died end here, with a message the requester can read.
        exhausted = select(JOBS.c.id).where(
            JOBS.c.kind.in_(kinds), _expired(now), JOBS.c.attempts >= JOBS.c.max_attempts
        )
        if is_postgres:
            exhausted = exhausted.with_for_update(skip_locked=True)
        for job_id, attempts in conn.execute(
            update(JOBS)
            .where(JOBS.c.id.in_(exhausted.scalar_subquery()), _expired(now))
            .values(
                status="failed",
                dedupe_key=None,
                lease_until=None,
                finished_at=now,
                message="Không thành công",
                error="lease expired",
            )
            .returning(JOBS.c.id, JOBS.c.attempts)
        ).all():
            conn.execute(
                update(JOBS).where(JOBS.c.id == job_id).values(message=DIED_MESSAGE.format(attempts=attempts))
            )
    claimable = and_(
        JOBS.c.kind.in_(kinds),
        JOBS.c.attempts < JOBS.c.max_attempts,
        or_(JOBS.c.status == "queued", _expired(now)),
    )
    candidate = select(JOBS.c.id).where(claimable).order_by(JOBS.c.id).limit(1)
    if is_postgres:
        candidate = candidate.with_for_update(skip_locked=True)
    with _bookkeeping() as conn:
        row = conn.execute(
            update(JOBS)
            .where(JOBS.c.id == candidate.scalar_subquery(), claimable)
            .values(
                status="running",
                attempts=JOBS.c.attempts + 1,
                worker_id=worker_id,
                lease_until=now + _lease(),
                started_at=now,
                message="Đang bắt đầu",
            )
            .returning(JOBS.c.id, JOBS.c.attempts, JOBS.c.kind, JOBS.c.params, JOBS.c.requested_by_id)
        ).first()
    if row is None:
        return None
    return Claim(row.id, row.attempts, worker_id, row.kind, dict(row.params or {}), row.requested_by_id)


def _held(held: Claim):
    return and_(
        JOBS.c.id == held.job_id,
        JOBS.c.attempts == held.attempt,
        JOBS.c.worker_id == held.worker_id,
        JOBS.c.status == "running",
    )


def report_progress(held: Claim, percent: int, message: str = "") -> None:
    """Record how far the attempt is and extend its lease (the heartbeat); LeaseLost if it no longer holds the job."""
    now = utcnow()
    with _bookkeeping() as conn:
        done = conn.execute(
            update(JOBS)
            .where(_held(held))
            .values(progress=max(0, min(99, int(percent))), message=message[:200], lease_until=now + _lease())
        ).rowcount
    if done != 1:
        raise LeaseLost(held.job_id)


def heartbeat(held: Claim) -> bool:
    """Extend the attempt's lease; False if it no longer holds the job."""
    with _bookkeeping() as conn:
        return (
            conn.execute(update(JOBS).where(_held(held)).values(lease_until=utcnow() + _lease())).rowcount
            == 1
        )


def _digest(data: bytes | BinaryIO) -> tuple[str, int]:
    """The SHA-256 and size of the result; an open file is read in chunks and left where it started."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest(), len(data)
    start = data.tell()
    digest, size = hashlib.sha256(), 0
    while chunk := data.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    data.seek(start)
    return digest.hexdigest(), size


def finish(
    held: Claim,
    data: bytes | BinaryIO,
    filename: str,
    content_type: str,
    *,
    record: Callable[[], None] | None = None,
    extension: str | None = None,
) -> str:
    """Store the result (bytes, or an open file copied in chunks) and finish the job with it; its storage key.
    LeaseLost (and nothing kept) if another attempt holds the job now.

    ``record``, when given, makes the job's own writes (through the session and the write door, with their audit
    events) in the transaction that finishes the job: they are kept exactly when this attempt's result is, never
    by an attempt that lost the job and never twice. ``extension``: the stored object's, when it is not the
    downloaded file's (a backup's pointer)."""
    storage = storage_for(current_app)
    digest, size = _digest(data)
    if extension is None:
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    key = f"jobs/{held.job_id}/{held.attempt}-{digest}.{extension}"
    if isinstance(data, bytes):
        storage.put(key, data)
    else:
        storage.put_file(key, data)
    now = utcnow()
    finished = update(JOBS).where(_held(held)).values(
        status="done",
        progress=100,
        message="Hoàn thành",
        result_key=key,
        result_filename=filename[:200],
        result_content_type=content_type[:120],
        result_sha256=digest,
        result_size=size,
        dedupe_key=None,
        lease_until=None,
        finished_at=now,
    )
    if record is None:
        with _bookkeeping() as conn:
            done = conn.execute(finished).rowcount
    else:
        done = db.session.execute(finished).rowcount
        if done == 1:
            try:
                record()
                db.session.commit()
            except BaseException:
                db.session.rollback()
                storage.delete(key)
                raise
        else:
            db.session.rollback()
    if done != 1:
        storage.delete(key)
        raise LeaseLost(held.job_id)
    # Files of attempts that died after storing their result and before finishing.
    for other in list(storage.keys(f"jobs/{held.job_id}/")):
        if other != key:
            storage.delete(other)
    return key


def fail(held: Claim, error: str, message: str, *, retry: bool) -> None:
    """End the attempt: back in the queue when ``retry`` and attempts remain, otherwise failed with ``message``
    (in Vietnamese, for the requester; ``error`` is for the administrator). A lost lease changes nothing."""
    now = utcnow()
    with _bookkeeping() as conn:
        requeued = 0
        if retry:
            requeued = conn.execute(
                update(JOBS)
                .where(_held(held), JOBS.c.attempts < JOBS.c.max_attempts)
                .values(
                    status="queued", worker_id=None, lease_until=None, message="Đang chờ thử lại", error=error
                )
            ).rowcount
        if not requeued:
            conn.execute(
                update(JOBS)
                .where(_held(held))
                .values(
                    status="failed",
                    message=message[:200],
                    error=error,
                    dedupe_key=None,
                    lease_until=None,
                    finished_at=now,
                )
            )


EXPIRED_RESULT_MESSAGE = "Tệp kết quả đã hết thời hạn lưu và đã được xóa."


def prune_results(keep_days: int) -> int:
    """Delete the files of jobs finished more than ``keep_days`` ago (the job stays listed, without its file);
    how many were deleted."""
    cutoff = utcnow() - timedelta(days=keep_days)
    storage = storage_for(current_app)
    pruned = 0
    with _bookkeeping() as conn:
        old = conn.execute(
            select(JOBS.c.id, JOBS.c.result_key).where(
                JOBS.c.status == "done", JOBS.c.finished_at < cutoff, JOBS.c.result_key.is_not(None)
            )
        ).all()
        for job_id, key in old:
            pruned += conn.execute(
                update(JOBS)
                .where(JOBS.c.id == job_id, JOBS.c.result_key == key)
                .values(result_key=None, message=EXPIRED_RESULT_MESSAGE)
            ).rowcount
    for job_id, _key in old:
        for key in list(storage.keys(f"jobs/{job_id}/")):
            storage.delete(key)
    return pruned
