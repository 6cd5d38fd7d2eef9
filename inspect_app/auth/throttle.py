"""Login throttling backed by the database, so it holds across every worker process."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import LoginAttempt
from ..models.base import utcnow


def too_many_failures(
    username: str, ip: str, max_per_user: int, max_per_ip: int, window_minutes: int
) -> bool:
    since = utcnow() - timedelta(minutes=window_minutes)
    failed = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    per_user = db.session.scalar(failed.where(LoginAttempt.username == username.lower()))
    per_ip = db.session.scalar(failed.where(LoginAttempt.ip == ip))
    return per_user >= max_per_user or per_ip >= max_per_ip


def record_attempt(username: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(username=username.lower()[:64], ip=ip[:64], success=success))
    db.session.commit()
